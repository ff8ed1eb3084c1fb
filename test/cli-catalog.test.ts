// The installed `chords` answers --help and option-name errors from dist/cli/catalog.json without loading tfjs
// (src/cli/main.ts preflight). Here: its answers equal the commands' own, for the catalogue the build writes.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCatalog } from '../src/cli/catalog.ts';
import { COMMANDS, backendFrom, preflight } from '../src/cli/main.ts';
import { BUILT_IN_METHODS } from '../src/names.ts';
import { methodNames } from '../src/sampling/registry.ts';

const here = dirname(fileURLToPath(import.meta.url));

const catalog = buildCatalog();

/** What the command itself answers: its output, or its error message. */
async function direct(cmd: string, argv: string[]): Promise<{ out?: string; error?: string }> {
  let out = '';
  try {
    await (
      await COMMANDS[cmd].load()
    )(argv, (s) => (out += s), argv.includes('--backend') ? backendFrom(argv) : async () => 'wasm');
    return { out };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function quick(cmd: string, argv: string[]): { out?: string; error?: string } | undefined {
  try {
    const out = preflight(catalog, cmd, argv);
    return out === undefined ? undefined : { out };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

test('--help of every command and method: the catalogue gives the text the command prints', async () => {
  const cases: [string, string[]][] = [
    ['solve', ['--help']],
    ['solve', ['-h', '--model', 'dit']],
    ['sample', ['--help']],
    ['plot', ['--help']],
    ['run', ['--help']],
    ...Object.keys(catalog.methods).map((m): [string, string[]] => ['run', ['--method', m, '--help']]),
  ];
  for (const [cmd, argv] of cases) {
    const q = quick(cmd, argv);
    assert.ok(q?.out, `${cmd} ${argv.join(' ')}: no answer from the catalogue`);
    assert.equal(q, await direct(cmd, argv), `${cmd} ${argv.join(' ')}`);
  }
});

test('unknown options, unknown methods and misplaced method flags: the same errors as the commands', async () => {
  const cases: [string, string[]][] = [
    ['solve', ['--bogus']],
    ['solve', ['--steps']],
    ['sample', ['--window', '3']],
    ['run', ['--method', 'nope']],
    ['run', ['--window', '3']],
    ['run', ['--method', 'srds', '--window', '3']],
    ['plot', ['--bogus', 'x.json']],
    ['plot', []],
  ];
  for (const [cmd, argv] of cases) {
    const q = quick(cmd, argv);
    assert.ok(q?.error, `${cmd} ${argv.join(' ')}: no error from the catalogue`);
    assert.equal(q, await direct(cmd, argv), `${cmd} ${argv.join(' ')}`);
  }
});

/** Bad option values, one per case: every one has a rule in the catalogue. */
const BAD_VALUES: [string, string[]][] = [
  ['solve', ['--steps', 'ten']],
  ['solve', ['--steps', '0']],
  ['solve', ['--steps', '2.5']],
  ['solve', ['--n=-3']],
  ['solve', ['--n', '5000']],
  ['solve', ['--dim', '0']],
  ['solve', ['--components', '65']],
  ['solve', ['--seed', 'x']],
  ['solve', ['--mixture-seed=-1']],
  ['solve', ['--solver', 'nope']],
  ['solve', ['--model', 'nope']],
  ['solve', ['--schedule', 'nope']],
  ['solve', ['--model', 'dit', '--schedule', 've']],
  ['solve', ['--grid', 'nope']],
  ['solve', ['--shift', '0']],
  ['solve', ['--model', 'dit', '--guidance', '101']],
  ['solve', ['--model', 'dit', '--class', '10']],
  ['solve', ['--class', '10']],
  ['solve', ['--x0', '1,,2']],
  ['solve', ['--x0', '1,a']],
  ['solve', ['--executor', 'bogus']],
  ['solve', ['--executor', 'workers', '--workers', '0']],
  ['solve', ['--executor', 'processes', '--timeout', '0']],
  ['solve', ['--warmup=-1']],
  ['solve', ['--backend', 'nope']],
  ['sample', ['--model', 'gaussian']],
  ['sample', ['--schedule', 've']],
  ['sample', ['--n', '0']],
  ['sample', ['--solver', 'nope']],
  ['sample', ['--cores', '65']],
  ['sample', ['--cores', '2', '--stop', 'bad']],
  ['sample', ['--out', 'x.jpg']],
  ['sample', ['--backend', 'nope']],
  ['run', ['--steps', 'ten']],
  ['run', ['--model', 'nope']],
  ['run', ['--init', '0-x']],
  ['run', ['--init', '3-1']],
  ['run', ['--init', '0-2-60']],
  ['run', ['--init', '0-2', '--cores', '3']],
  ['run', ['--cores', '0']],
  ['run', ['--stop', 'bad']],
  ['run', ['--history', 'nope']],
  ['run', ['--fine-solver', 'nope']],
  ['run', ['--coarse', 'heun']],
  ['run', ['--method', 'paradigms', '--window', '0']],
  ['run', ['--method', 'paradigms', '--tolerance=-1']],
  ['run', ['--method', 'srds', '--tolerance', 'x']],
  ['run', ['--method', 'picard', '--scale', 'nope']],
  ['run', ['--method', 'picard', '--windows', 'nope']],
  ['run', ['--method', 'parataa', '--anderson-depth', '6']],
  ['run', ['--method', 'picard', '--anderson-reg', '0']],
  ['run', ['--method', 'picard', '--max-rounds', '0']],
  ['run', ['--method', 'srds', '--blocks', '0']],
  ['run', ['--method', 'srds', '--steps', '10', '--blocks', '11']],
  ['run', ['--method', 'srds', '--fine-solver', 'dpmpp-2m']],
  ['run', ['--method', 'srds-pipelined', '--fine-solver', 'nope']],
  ['run', ['--method', 'paradigms', '--fine-solver', 'heun']],
  ['run', ['--method', 'picard', '--fine-solver', 'euler']],
  ['run', ['--method', 'parataa', '--fine-solver', 'dpm2']],
  ['run', ['--executor', 'bogus']],
  ['run', ['--backend', 'nope']],
];

test('bad option values: the catalogue (with tfjs blocked) gives the same errors as the commands', async () => {
  const block = join(here, 'block-tfjs.mjs');
  const { answers: quickAnswers, blocked } = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--import', block, join(here, 'preflight-child.ts')], {
      input: JSON.stringify({ catalog, cases: BAD_VALUES }),
      encoding: 'utf8',
    }),
  ) as { answers: ({ out?: string; error?: string } | null)[]; blocked: boolean };
  assert.ok(blocked, 'the child process could import tfjs');
  for (const [i, [cmd, argv]] of BAD_VALUES.entries()) {
    const what = `${cmd} ${argv.join(' ')}`;
    assert.ok(quickAnswers[i]?.error, `${what}: no error from the catalogue`);
    const own = await direct(cmd, argv);
    assert.ok(own.error, `${what}: no error from the command`);
    assert.equal(quickAnswers[i], own, what);
  }
});

test('the built-in method names of names.ts are those of the registry', () => {
  assert.equal(methodNames().slice(0, BUILT_IN_METHODS.length), [...BUILT_IN_METHODS]);
  assert.equal(Object.keys(catalog.methods).sort(), [...BUILT_IN_METHODS].sort());
});

test('valid options go on to the command (no answer from the catalogue)', () => {
  assert.is(preflight(catalog, 'solve', ['--model', 'gaussian', '--steps', '10']), undefined);
  assert.is(preflight(catalog, 'run', ['--method', 'paradigms', '--window', '4']), undefined);
  assert.is(preflight(catalog, 'plot', ['results/speedup.json']), undefined);
  for (const argv of [
    ['--method', 'picard', '--windows', 'shared', '--anderson-depth', '3', '--max-rounds', '4'],
    ['--init', '0-2-4', '--stop', 'core-index:1', '--history', 'drop', '--coarse', 'ddim'],
    ['--method', 'srds', '--steps', '9', '--blocks', '9', '--fine-solver', 'heun'],
    ['--method', 'paradigms', '--fine-solver', 'ddim'],
    ['--model', 'dit', '--class', '3', '--guidance', '1.5', '--executor', 'workers', '--workers', '2'],
    ['--x0', '0.5,-1', '--dim', '2', '--backend', 'cpu', '--executor', 'batched', '--warmup', '0'],
  ])
    assert.is(preflight(catalog, 'run', argv), undefined, argv.join(' '));
  assert.is(preflight(catalog, 'sample', ['--cores', '2', '--stop', 'core-index:2', '--out', 'x.png']), undefined);
});

test('the catalogue is plain JSON data (the build writes it as it is)', () => {
  assert.equal(JSON.parse(JSON.stringify(catalog)), catalog);
  assert.equal(Object.keys(catalog.commands).sort(), Object.keys(COMMANDS).sort());
});

test.run();
