/**
 * Bad command-line inputs, table-driven: each is refused before any work (no tensor is created, nothing
 * is printed) with a one-line message naming the argument and what is allowed; the bin turns every
 * error into one line on stderr and exit code 2. Help texts and the README's commands are checked
 * against the option specs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions, type Spec } from '../src/cli/args.ts';
import { COMMANDS, main } from '../src/cli/main.ts';
import { PLOT_HELP } from '../src/cli/plot.ts';
import { runHelp, runOptions } from '../src/cli/run.ts';
import { SAMPLE_HELP, SAMPLE_OPTIONS } from '../src/cli/sample.ts';
import { SOLVE_HELP, SOLVE_OPTIONS } from '../src/cli/solve.ts';
import './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'chords-cli-errors-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
const env = { backend: 'wasm', node: 'v20', gitRev: 'x', cpus: 2 };
const malformed = file('speedup.json', '{"name": "speedup", "rows": [');
const twoLines = file('timeline.json', '[1,\n]');
const noRows = file('steps.json', { name: 'steps', config: {}, env, rows: [] });
const mismatch = file('frontier.json', { name: 'speedup', config: {}, env, rows: [{ model: 'mixture' }] });
const unknown = file('foo.json', { name: 'foo', config: {}, env, rows: [{ a: 1 }] });
const fieldless = file('speedup-copy.json', { name: 'speedup', config: {}, env, rows: [{ model: 'dit' }] });
mkdirSync(join(dir, 'folder.json'));

/** [argv, patterns the one-line message must match]. */
const CASES: [string[], ...RegExp[]][] = [
  // solve: names, numbers, lists
  [['solve', '--solver', 'rk4'], /--solver: unknown value 'rk4'; allowed: euler, heun/],
  [['solve', '--schedule', 'cosine'], /--schedule: unknown value 'cosine'; allowed: flow, vp-linear, vp-cosine, ve/],
  [['solve', '--grid', 'exp'], /--grid: unknown value 'exp'; allowed: uniform, karras, logsnr/],
  [['solve', '--model', 'dit3'], /--model: unknown value 'dit3'; allowed: gaussian, mixture, linear, dit/],
  [['solve', '--steps', '0'], /--steps: got '0'; allowed: an integer from 1 to 10000/],
  [['solve', '--steps', '1.5'], /--steps: got '1.5'; allowed: an integer/],
  [['solve', '--steps=-5'], /--steps: got '-5'; allowed: an integer from 1/],
  // a dash value the option's rule refuses anyway gets the rule's error, not advice that leads to it
  [['solve', '--steps', '-5'], /--steps: got '-5'; allowed: an integer from 1 to 10000/],
  [['solve', '--seed', '-1'], /--seed: got '-1'; allowed: an integer from 0/],
  [['solve', '--grid', 'karras', '--shift', '3'], /--shift applies to --grid uniform, not karras .*; got 3/],
  [['solve', '--steps'], /--steps: needs a value, e.g. --steps=<value>/],
  [['solve', '--steps', 'many'], /--steps: got 'many'; allowed: an integer/],
  [['solve', '--shift', '0'], /--shift: got '0'; allowed: a number > 0/],
  [['solve', '--shift', '1e9'], /--shift: got '1e9'; allowed: a number > 0 and <= 1000/],
  [['solve', '--dim', '0'], /--dim: got '0'; allowed: an integer from 1 to 4096/],
  [['solve', '--dim', '5000'], /--dim: got '5000'; allowed: an integer from 1 to 4096/],
  [['solve', '--n', '0'], /--n: got '0'; allowed: an integer from 1 to 4096/],
  [['solve', '--n', '4097'], /--n: got '4097'/],
  [['solve', '--seed=-1'], /--seed: got '-1'; allowed: an integer from 0/],
  [['solve', '--seed', 'abc'], /--seed: got 'abc'/],
  [['solve', '--components', '0'], /--components: got '0'; allowed: an integer from 1 to 64/],
  [['solve', '--components', '65'], /--components: got '65'/],
  [['solve', '--mixture-seed', 'x'], /--mixture-seed: got 'x'/],
  // --x0
  [['solve', '--dim', '2', '--x0', '1,'], /--x0: got '1,': entry 2 of 2 is empty; allowed: comma-separated/],
  [['solve', '--dim', '2', '--x0', ',1'], /--x0: got ',1': entry 1 of 2 is empty/],
  [['solve', '--dim', '2', '--x0', '1e40,1'], /--x0: got '1e40,1': entry 1 \(1e40\) overflows float32/],
  [['solve', '--dim', '2', '--x0', 'a,1'], /--x0: got 'a,1': entry 1 \('a'\) is not a number/],
  [['solve', '--dim', '2', '--x0', '1,2,3'], /--x0: got 3 values; allowed: exactly n \* dim = 1 \* 2 = 2/],
  [['solve', '--dim', '2', '--x0', '-0.5,1'], /--x0: the value '-0.5,1' starts with a dash .*write --x0=-0.5,1/],
  // options of another model
  [
    ['solve', '--class', '3'],
    /--class does not apply to 'chords solve' with --model mixture; allowed with --model dit/,
  ],
  [['solve', '--guidance', '2'], /--guidance does not apply .* --model mixture; allowed with --model dit/],
  [['solve', '--model', 'gaussian', '--weights', 'x'], /--weights does not apply .* --model gaussian/],
  [['solve', '--model', 'dit', '--dim', '4'], /--dim does not apply .* --model dit; allowed with --model gaussian/],
  [['solve', '--model', 'dit', '--components', '2'], /--components does not apply .* --model dit/],
  [['solve', '--model', 'linear', '--schedule', 've'], /--schedule does not apply .* --model linear/],
  [['solve', '--model', 'linear', '--grid', 'karras'], /--grid does not apply .* --model linear/],
  [['solve', '--model', 'gaussian', '--mixture-seed', '3'], /--mixture-seed does not apply .* --model gaussian/],
  // DiT options, refused before the weights are read
  [['solve', '--model', 'dit', '--class', '10'], /--class: got '10'; allowed: an integer from 0 to 9/],
  [['solve', '--model', 'dit', '--guidance', '1000'], /--guidance: got '1000'; allowed: a number >= 0 and <= 100/],
  [['solve', '--model', 'dit', '--schedule', 've'], /--schedule: unknown value 've'; allowed: flow/],
  [['solve', '--model', 'dit', '--weights', join(dir, 'none')], /weights: no model\.json at '.*none\/model\.json'/],
  [['solve', '--model', 'dit', '--x0', '1,2,3'], /--x0: got 3 values; allowed: exactly n \* 256 = 256/],
  // sizes that would not fit one model call
  [
    ['solve', '--n', '4096', '--dim', '4096'],
    /--n 4096 x 1 parallel call\(s\) x --dim 4096 x --components 8 need 128M/,
  ],
  [['run', '--n', '1024', '--dim', '4096'], /need 256M values in one model call; allowed: at most 64M/],
  [['sample', '--n', '600'], /--n 600 x 1 parallel call\(s\) x 2 \(guidance\) images need 75M/],
  [['run', '--model', 'dit', '--n', '100', '--cores', '8'], /need 100M values .*lower --n, --dim, --components/],
  // executors
  [['solve', '--executor', 'gpu'], /--executor: unknown value 'gpu'; allowed: serial, batched, workers, processes/],
  [['solve', '--executor', 'batched', '--workers', '2'], /--workers belongs to --executor workers or processes/],
  [['solve', '--executor', 'workers', '--workers', '2'], /--workers: 2 pool members for the parallel width 1/],
  [['solve', '--executor', 'workers', '--devices', '0'], /--devices belongs to --executor processes, not workers/],
  [['run', '--executor', 'processes', '--devices', ','], /--devices: got ',': an empty entry; allowed: one GPU/],
  [['run', '--executor', 'processes', '--devices', '0,0'], /--devices: got '0,0'; allowed: distinct ids/],
  [['run', '--executor', 'processes', '--devices', '0', '--workers', '2'], /--devices: got 1 id\(s\) for 2 processes/],
  [['run', '--executor', 'processes', '--devices', '0,x1'], /--devices: got '0,x1': 'x1' is not a GPU id/],
  [
    ['run', '--executor', 'processes', '--devices', '0,1', '--backend', 'wasm'],
    /--devices: GPU ids reach only the tensorflow backend \(tfjs-node-gpu reads CUDA_VISIBLE_DEVICES\), not wasm;/,
  ],
  [
    ['run', '--executor', 'workers', '--workers', '9'],
    /--workers: 9 pool members for the parallel width 8 .*; allowed: at most 8/,
  ],
  [['run', '--executor', 'workers', '--workers', '0'], /--workers: got '0'; allowed: an integer from 1 to 256/],
  // parsing
  [['solve', '--bogus'], /unknown option --bogus for 'chords solve'; allowed: --model, /],
  [['solve', 'extra'], /unexpected argument 'extra' for 'chords solve'; allowed: options only/],
  [['explode'], /unknown command 'explode'; allowed: solve, run, plot, sample/],
  // run: methods and their options
  [['run', '--method', 'foo'], /--method: unknown value 'foo'; allowed: chords, paradigms, srds/],
  [['run', '--method', 'paradigms', '--cores', '4'], /--cores belongs to --method chords, not paradigms/],
  [['run', '--window', '4'], /--window belongs to --method paradigms( or [a-z]+)*, not chords/],
  [['run', '--pipelined'], /--pipelined belongs to --method srds, not chords/],
  [['run', '--method', 'paradigms', '--fine-solver', 'heun'], /--fine-solver: paradigms needs .*allowed: euler, ddim/],
  [['run', '--coarse', 'rk4'], /--coarse: unknown value 'rk4'; allowed: euler/],
  [['run', '--init', '0-2-x'], /init: got '0-2-x'; allowed: start indices such as 0-2-4-8, or shaped, uniform/],
  [['run', '--init', '1-2'], /init: must start at 0/],
  [['run', '--init', '0-60'], /init: entry 1 is 60; allowed: below the number of steps T = 50/],
  [['run', '--init', '0-4-2'], /init: must be strictly increasing; entries 1 and 2 are 4, 2/],
  [['run', '--init', 'eqaul'], /init: got 'eqaul'; allowed: start indices such as 0-2-4-8, or shaped, uniform, equal/],
  [['run', '--init', 'equal:1.5'], /init: got 'equal:1.5'; allowed: equal or equal:<lastStart>, a fraction of T in/],
  [['run', '--init', 'uniform:'], /init: got 'uniform:'; allowed: uniform or uniform:<lastStart>/],
  [['run', '--init', 'equal', '--cores', '12', '--steps', '10'], /--cores: got 12; allowed: at most T = 10/],
  [['run', '--init', 'equal', '--steps', '5'], /--steps: got 5; CHORDS runs --cores 8 by default/],
  [['run', '--cores', '0'], /--cores: got '0'; allowed: an integer from 1 to 64/],
  [['run', '--cores', '65'], /--cores: got '65'/],
  [['run', '--cores', '4', '--init', '0-2'], /init: has 2 entries but 4 cores were asked for/],
  [['run', '--steps', '1'], /--steps: got 1; CHORDS runs --cores 8 by default.*allowed: --steps >= 8, or --cores/],
  [['run', '--steps', '10', '--cores', '16'], /--cores: got 16; allowed: at most T = 10 \(--steps\)/],
  [['run', '--executor', 'workers', '--timeout', '0'], /--timeout: got '0'; allowed: a number > 0/],
  [['run', '--executor', 'batched', '--timeout', '5'], /--timeout belongs to --executor workers or processes/],
  [['solve', '--timeout', '5'], /--timeout belongs to --executor workers or processes, not batched/],
  [['run', '--stop', 'foo'], /stop: got 'foo'; allowed: core-index:<i>, residual/],
  [['run', '--stop', 'residual:abc'], /stop: got 'residual:abc'; 'abc' is not a number; allowed:/],
  [['run', '--stop', 'core-index:-1'], /stop: core-index got -1; allowed: an integer >= 0/],
  [['run', '--stop', 'core-index:1.5'], /stop: core-index got 1.5/],
  [['run', '--stop', 'complete:3'], /stop: got 'complete:3'/],
  [['run', '--method', 'paradigms', '--window', '0'], /--window: got '0'; allowed: an integer from 1/],
  [['run', '--method', 'srds', '--blocks', '0'], /--blocks: got '0'; allowed: an integer from 1 to 50/],
  [['run', '--method', 'srds', '--blocks', '100'], /--blocks: got '100'; allowed: an integer from 1 to 50/],
  [['run', '--method', 'paradigms', '--tolerance=-1'], /--tolerance: got '-1'; allowed: a number >= 0/],
  [['run', '--method', 'srds', '--tolerance', 'abc'], /--tolerance: got 'abc'/],
  [['run', '--model', 'dit', '--dim', '8'], /--dim does not apply to 'chords run' with --model dit/],
  // sample
  [['sample', '--model', 'mixture'], /--model: unknown value 'mixture'; allowed: dit/],
  [['sample', '--dim', '4'], /unknown option --dim for 'chords sample'; allowed: --model/],
  [['sample', '--components', '2'], /unknown option --components for 'chords sample'/],
  [['sample', '--stop', 'complete'], /--stop applies to CHORDS sampling only; allowed with --cores/],
  [
    ['sample', '--out', join(dir, 'no', 'such', 'x.png')],
    /--out: the folder of .* does not exist, nor does its parent/,
  ],
  [['sample', '--out', join(dir, 'x.jpg')], /--out: got '.*x\.jpg'; allowed: a file name ending in \.png/],
  [['sample', '--out', dir], /--out: got '.*'; allowed: a file name ending in \.png/],
  [['sample', '--cores', '0'], /--cores: got '0'; allowed: an integer from 1 to 64/],
  [['sample', '--solver', 'rk4'], /--solver: unknown value 'rk4'/],
  [['sample', '--class', '12'], /--class: got '12'; allowed: an integer from 0 to 9/],
  [['sample', '--n', '0'], /--n: got '0'; allowed: an integer from 1 to 4096/],
  // plot
  [['plot', join(dir, 'missing.json')], /plot: no results file at '.*missing\.json'/],
  [['plot', join(dir, 'folder.json')], /plot: '.*folder\.json' is a folder; allowed: a results file/],
  [['plot', malformed], /plot: '.*speedup\.json' is not valid JSON/],
  // JSON.parse's message quotes the text, line breaks and all: the one-line error keeps all of it
  [
    ['plot', twoLines],
    /plot: '.*timeline\.json' is not valid JSON \(Unexpected token '\]', "\[1, \]" is not valid JSON\)$/,
  ],
  [['plot', noRows], /plot: '.*steps\.json' has 0 rows; nothing to plot/],
  [['plot', mismatch], /holds 'speedup' results \(a speedup experiment\) but its file name says frontier/],
  [['plot', unknown], /plot: no plot for 'foo' .*; known experiments: speedup, frontier/],
  [['plot', fieldless], /row 0 has no 'method'; the speedup plot needs model, method, cores/],
  [['plot', '--bogus'], /unknown option --bogus for 'chords plot'; allowed: --help/],
  [['plot'], /plot: needs a results file; allowed: one or more experiment results/],
  // unwritable --out paths fail before sampling (a file in /proc cannot be created, a read-only folder)
  [['sample', '--out', '/proc/chords-grid.png'], /--out: cannot write '\/proc\/chords-grid\.png' \(\w+\)/],
  [
    ['sample', '--out', '/proc/chords-no/grid.png'],
    /--out: cannot create the folder of '\/proc\/chords-no\/grid\.png'/,
  ],
  // an option given twice; a missing value before the next option; --values without --json
  [['run', '--steps', '10', '--steps', '20'], /--steps: given 2 times; allowed: once/],
  [['solve', '--n=2', '--n', '3'], /--n: given 2 times; allowed: once/],
  [['run', '--steps', '--json'], /--steps: needs a value, e.g\. --steps=<value>/],
  [['run', '--values'], /--values: adds the sample values to the JSON report; allowed with --json/],
  [['solve', '--values'], /--values: .*allowed with --json/],
  // a stop rule no run can meet: K cores give hits 0 to K
  [['run', '--stop', 'core-index:99'], /stop: core-index got 99, but 8 cores give hits 0 to 8/],
  [['run', '--cores', '4', '--stop', 'core-index:5'], /allowed: core-index:0 to core-index:4, or complete/],
  [['sample', '--cores', '2', '--stop', 'core-index:3'], /2 cores give hits 0 to 2/],
  // --spawn-per-round
  [['run', '--spawn-per-round', '0'], /--spawn-per-round: got '0'; allowed: an integer from 1 to 64/],
  // a weights path that is a file, not a model.json
  [['run', '--model', 'dit', '--weights', 'README.md'], /weights: 'README\.md' is a file, not a model\.json/],
];

test(`${CASES.length} bad command lines: one-line errors naming the argument, before any work`, async () => {
  assert.ok(CASES.length >= 60);
  const failures: string[] = [];
  for (const [argv, ...patterns] of CASES) {
    const printed: string[] = [];
    const tensors = tf.memory().numTensors,
      before = tf.scalar(0);
    let err: unknown;
    try {
      await main(argv, (s) => printed.push(s));
    } catch (e) {
      err = e;
    }
    const after = tf.scalar(0);
    const created = after.id - before.id - 1; // tensor ids count up: none made in between
    tf.dispose([before, after]);
    const what = argv.join(' ');
    if (!(err instanceof Error)) failures.push(`${what}: no error`);
    else if (err.message.includes('\n')) failures.push(`${what}: message of several lines: ${err.message}`);
    else if (!patterns.every((p) => p.test((err as Error).message)))
      failures.push(`${what}: '${err.message}' does not match ${patterns.join(' ')}`);
    else if (printed.length || created !== 0 || tf.memory().numTensors !== tensors)
      failures.push(`${what}: work was done (${printed.length} outputs, ${created} tensors created)`);
  }
  assert.equal(failures, []);
});

test('the bin: every error is one line on stderr with exit code 2; --version and --help exit 0', () => {
  for (const argv of [
    ['run', '--steps', '-5'],
    ['plot', malformed],
    ['sample', '--dim', '4'],
  ]) {
    const r = spawnSync(process.execPath, ['bin/chords.mjs', ...argv], { encoding: 'utf8' });
    assert.is(r.status, 2, argv.join(' '));
    assert.is(r.stdout, '');
    assert.match(r.stderr, /^chords: error: [^\n]+\n$/);
  }
  const version = spawnSync(process.execPath, ['bin/chords.mjs', '--version'], { encoding: 'utf8' });
  assert.is(version.status, 0);
  assert.is(version.stdout.trim(), `chords-ts ${JSON.parse(readFileSync('package.json', 'utf8')).version}`);
});

test('help texts list exactly the options each command parses; the README commands parse', async () => {
  const specs: Record<string, [Spec, string]> = {
    solve: [SOLVE_OPTIONS, SOLVE_HELP],
    run: [runOptions(), runHelp()],
    sample: [SAMPLE_OPTIONS, SAMPLE_HELP],
    plot: [{ help: { type: 'boolean', help: '' } }, PLOT_HELP],
  };
  for (const [cmd, [spec, help]] of Object.entries(specs)) {
    const listed = [...help.matchAll(/^ {2}--([\w-]+)/gm)].map((m) => m[1]);
    assert.equal(listed, Object.keys(spec), `chords ${cmd} --help`);
    let text = '';
    await main([cmd, '--help'], (s) => (text += s));
    assert.is(text, help);
  }
  assert.equal(Object.keys(COMMANDS).sort(), Object.keys(specs).sort());
  let top = '';
  await main(['--help'], (s) => (top += s));
  for (const cmd of Object.keys(COMMANDS)) assert.match(top, new RegExp(`^ {2}${cmd} `, 'm'));
  assert.match(top, /--version/);
  // every `npx chords ...` line of the README parses against its command's options (no work done)
  const lines = readFileSync('README.md', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('npx chords '));
  assert.ok(lines.length >= 5);
  for (const line of lines) {
    const [cmd, ...argv] = line.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
    if (cmd === '--help' || cmd === 'plot') continue;
    parseOptions(cmd, argv, specs[cmd][0]);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a repeated switch is harmless; --out probes leave existing files, links and folders as they were', async () => {
  const { outFileArg } = await import('../src/cli/args.ts');
  const { lstatSync, readlinkSync, symlinkSync, existsSync, readdirSync } = await import('node:fs');
  const spec: Spec = { help: { type: 'boolean', short: 'h', help: '' }, steps: { type: 'string', help: '' } };
  assert.is(parseOptions('x', ['-h', '--help'], spec).help, true);
  assert.throws(() => parseOptions('x', ['--steps', '1', '--steps=2'], spec), /--steps: given 2 times/);
  const d = mkdtempSync(join(tmpdir(), 'chords-out-'));
  writeFileSync(join(d, 'old.png'), 'keep me');
  symlinkSync(join(d, 'nowhere.png'), join(d, 'link.png'));
  for (const f of ['old.png', 'link.png', 'new.png', join('sub', 'new.png')]) outFileArg('out', join(d, f), '.png');
  assert.is(readFileSync(join(d, 'old.png'), 'utf8'), 'keep me');
  assert.ok(lstatSync(join(d, 'link.png')).isSymbolicLink());
  assert.is(readlinkSync(join(d, 'link.png')), join(d, 'nowhere.png'));
  assert.not.ok(existsSync(join(d, 'nowhere.png')), 'the link target is not created');
  assert.equal(readdirSync(d).sort(), ['link.png', 'old.png'], 'no probe file or folder left behind');
  rmSync(d, { recursive: true, force: true });
});

test.run();
