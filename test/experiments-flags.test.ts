/**
 * Experiments and the demo: bad flags fail fast (before any model is built) with one line and exit
 * code 2, like the `chords` command; quick runs write their own files, never over the full results.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, int, intList, listOf, num, oneOf, parseFlags, text } from '../experiments/lib/flags.ts';
import { finish } from '../experiments/lib/output.ts';
import { throwsWith } from './helpers.ts';

/** [script, flags, what the one-line message must say]. */
const CASES: [string, string[], RegExp][] = [
  ['demo', ['--n=0'], /--n: got '0'; allowed: an integer from 2 to 1000/],
  ['demo', ['--executor=gpu'], /--executor: got 'gpu'; allowed: one of workers, batched/],
  ['demo', ['--steps', '5'], /--steps: got '5'; allowed: an integer from 8/], // --key value is read, then checked
  ['demo', ['--steps'], /--steps needs a value; write --steps=<value> or --steps <value>/],
  ['demo', ['--stpes=5'], /unknown key 'stpes'.*allowed: --n, --steps/],
  ['steps', ['--quick', '--n=0'], /--n: got '0'; allowed: an integer from 1/],
  ['steps', ['--seeds=0'], /--seeds: got '0'; allowed: an integer from 1 to 100/],
  ['steps', ['5'], /cannot read '5'; use --key=value/],
  ['steps', ['--steps-list=25,x'], /--steps-list: got '25,x'; allowed: distinct integers/],
  ['steps', ['--cores=16', '--steps-list=10'], /--cores: got 16; allowed: at most the smallest of --steps-list/],
  ['speedup', ['--models=mixture,gmm'], /--models: got 'mixture,gmm'; allowed: distinct names from mixture, dit/],
  ['speedup', ['--methods=chords,chords'], /--methods: .*distinct names/],
  ['speedup', ['--cores=0,2'], /--cores: got '0,2'; allowed: distinct integers from 1 to 64/],
  ['speedup', ['--dit-n=1'], /--dit-n: got '1'; allowed: an integer from 2/],
  ['frontier', ['--dit-n=0'], /--dit-n: got '0'; allowed: an integer from 1 to 64/],
  ['frontier', ['--cores=1'], /--cores: got '1'; allowed: distinct integers from 2 to 64/],
  ['boundary', ['--threshold=0'], /--threshold: got '0'; allowed: a number > 0/],
  ['init-sequences', ['--search=0'], /--search: got '0'/],
  ['init-sequences', ['--steps=4'], /--steps: got '4'; allowed: an integer from 8/],
  ['alignment', ['--grid=shift 9'], /--grid: got 'shift 9'; allowed: one of uniform, shift 1.5/],
  ['alignment', ['--cores=20'], /--cores: got 20; allowed: at most --steps \/ 2 = 18/],
  ['spawn', ['--sets=10'], /--sets: got '10'; allowed: an integer from 1 to 9/],
  ['timeline', ['--init=0-60'], /init: entry 1 is 60; allowed: below the number of steps T = 50/],
  ['timeline', ['--cores=0'], /--cores: got '0'/],
  ['train-dit', ['--preset=DiT-XL/2'], /--preset: got 'DiT-XL\/2'; allowed: one of DiT-T\/2, DiT-S\/2/],
  ['train-dit', ['--ema=2'], /--ema: got '2'; allowed: a number >= 0 and <= 1/],
  ['train-dit', ['--save-every=0'], /--save-every: got '0'/],
  ['train-classifier', ['--lr=0'], /--lr: got '0'; allowed: a number > 0/],
  ['bench-solvers', ['--schedule=cosine'], /--schedule: got 'cosine'; allowed: one of flow, vp-linear/],
  ['bench-solvers', ['--n=0'], /--n: got '0'/],
  ['bench-chords', ['--dim=0'], /--dim: got '0'/],
  ['bench-baselines', ['--tolerance=-1'], /--tolerance: got '-1'/],
  ['bench-parallel', ['--runs=0'], /--runs: got '0'/],
  ['bench-dit', ['--preset=big'], /--preset: got 'big'/],
  ['concurrency', ['--jobs=dit,gpu'], /--jobs: got 'dit,gpu'; allowed: distinct names from dit, matmul, add, scalar/],
  ['summarize', ['--json'], /unknown key 'json'/],
];

const run = (script: string, flags: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('experiments', `${script}.ts`), ...flags], {
      env: { ...process.env, CHORDS_STACK: '' },
    });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

test(`bad experiment flags: one line, exit code 2, before any work (${CASES.length} cases, every script)`, async () => {
  const queue = [...CASES],
    failures: string[] = [];
  await Promise.all(
    [0, 1].map(async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const [script, flags, pattern] = c;
        const r = await run(script, flags);
        const lines = r.stderr.split('\n').filter(Boolean);
        const what = `${script} ${flags.join(' ')}`;
        if (r.code !== 2) failures.push(`${what}: exit ${r.code}, stderr ${r.stderr.slice(0, 300)}`);
        else if (lines.length !== 1)
          failures.push(`${what}: ${lines.length} lines on stderr: ${r.stderr.slice(0, 300)}`);
        else if (!lines[0].startsWith(`${script === 'summarize' ? 'summary' : script}: error: `))
          failures.push(`${what}: no '<name>: error:' prefix: ${lines[0]}`);
        else if (!pattern.test(lines[0])) failures.push(`${what}: '${lines[0]}' does not match ${pattern}`);
        else if (r.stdout !== '') failures.push(`${what}: printed on stdout (work started): ${r.stdout.slice(0, 200)}`);
      }
    }),
  );
  assert.equal(failures, []);
});

test('rules: counts, ranges, names, lists checked on the merged values; a flag without a rule is a bug', async () => {
  const rules = { seeds: count(10), n: int(2, 8), solver: oneOf(['euler', 'heun']), cores: intList(1, 8) };
  const defaults = { seeds: 3, n: 4, solver: 'euler', cores: '2,4' };
  assert.equal(parseFlags('x', defaults, {}, { rules, argv: ['--cores=1,8'] }), {
    ...defaults,
    cores: '1,8',
    quick: false,
  });
  await throwsWith(() => parseFlags('x', defaults, { seeds: 0 }, { rules, argv: ['--quick'] }), /--seeds: got '0'/);
  await throwsWith(
    () => parseFlags('x', defaults, {}, { rules, argv: ['--solver=rk4'] }),
    /allowed: one of euler, heun/,
  );
  await throwsWith(
    () => parseFlags('x', defaults, {}, { rules, argv: ['--cores=2,2'] }),
    /distinct integers from 1 to 8/,
  );
  await throwsWith(() => parseFlags('x', defaults, {}, { rules, argv: ['--cores=2,'] }), /--cores: got '2,'/);
  await throwsWith(() => parseFlags('x', defaults, {}, { rules, argv: ['--n=1.5'] }), /an integer from 2 to 8/);
  await throwsWith(
    () => parseFlags('x', defaults, {}, { rules, argv: ['--quick=maybe'] }),
    /--quick takes true or false/,
  );
  await throwsWith(() => parseFlags('x', { ...defaults, extra: 1 }, {}, { rules, argv: [] }), /--extra has no rule/);
  // --key value reads like --key=value; --help lists every flag with its default, quick value and rule
  assert.equal(parseFlags('x', defaults, {}, { rules, argv: ['--n', '6', '--solver', 'heun'] }), {
    ...defaults,
    n: 6,
    solver: 'heun',
    quick: false,
  });
  // a negative number or a one-dash value is read as the value (its rule checks it); a switch takes true or false
  const more = { ...defaults, shift: 1, out: 'x', quiet: false };
  const moreRules = { ...rules, shift: num(-10, 10), out: text() };
  assert.equal(
    parseFlags('x', more, {}, { rules: moreRules, argv: ['--shift', '-1', '--out', '-h', '--quiet', 'false'] }),
    {
      ...more,
      shift: -1,
      out: '-h',
      quick: false,
    },
  );
  assert.is(parseFlags('x', more, {}, { rules: moreRules, argv: ['--quiet', '--n', '3'] }).quiet, true);
  await throwsWith(
    () => parseFlags('x', more, {}, { rules: moreRules, argv: ['--out', '--n=3'] }),
    /--out needs a value/,
  );
  await throwsWith(
    () => parseFlags('x', defaults, { seeds: 1 }, { rules, argv: ['--help'] }),
    /^usage: x \[--quick\]/,
    /--seeds=<value> {2}default 3, --quick: 1; an integer from 1 to 10/,
    /--solver=<value> {2}default euler; one of euler, heun/,
  );
  assert.is(listOf(['a', 'b'])('a,b'), undefined);
  assert.ok(listOf(['a', 'b'])(''));
});

test('a quick run writes results/<name>-quick.*, never the full results; the README shows only full runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chords-quick-'));
  try {
    const rows = [{ event: 'eval', core: 0, round: 1, i: 0 }];
    await finish('timeline', { quick: true }, rows, dir);
    assert.ok(existsSync(join(dir, 'timeline-quick.json')) && existsSync(join(dir, 'timeline-quick.png')));
    assert.not.ok(existsSync(join(dir, 'timeline.json')) || existsSync(join(dir, 'timeline.png')));
    assert.is(JSON.parse(readFileSync(join(dir, 'timeline-quick.json'), 'utf8')).name, 'timeline-quick');
    await throwsWith(() => finish('timeline', { quick: false }, [], dir), /no rows to write/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const images = [...readFileSync('README.md', 'utf8').matchAll(/\]\((results\/[^)]+)\)/g)].map((m) => m[1]);
  assert.ok(images.length > 0);
  for (const path of images) {
    assert.not.match(path, /-quick/, `the README shows a quick run: ${path}`);
    assert.ok(existsSync(path), `the README shows a missing file: ${path}`);
  }
});

test.run();
