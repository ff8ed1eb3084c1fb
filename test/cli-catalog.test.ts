// The installed `chords` answers --help and option-name errors from dist/cli/catalog.json without loading tfjs
// (src/cli/main.ts preflight). Here: its answers equal the commands' own, for the catalogue the build writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildCatalog } from '../src/cli/catalog.ts';
import { COMMANDS, preflight } from '../src/cli/main.ts';

const catalog = buildCatalog();

/** What the command itself answers: its output, or its error message. */
async function direct(cmd: string, argv: string[]): Promise<{ out?: string; error?: string }> {
  let out = '';
  try {
    await (
      await COMMANDS[cmd].load()
    )(
      argv,
      (s) => (out += s),
      async () => 'wasm',
    );
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
    ['plot', []],
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
  ];
  for (const [cmd, argv] of cases) {
    const q = quick(cmd, argv);
    assert.ok(q?.error, `${cmd} ${argv.join(' ')}: no error from the catalogue`);
    assert.equal(q, await direct(cmd, argv), `${cmd} ${argv.join(' ')}`);
  }
});

test('valid options go on to the command (no answer from the catalogue)', () => {
  assert.is(preflight(catalog, 'solve', ['--model', 'gaussian', '--steps', '10']), undefined);
  assert.is(preflight(catalog, 'run', ['--method', 'paradigms', '--window', '4']), undefined);
  assert.is(preflight(catalog, 'plot', ['results/speedup.json']), undefined);
});

test('the catalogue is plain JSON data (the build writes it as it is)', () => {
  assert.equal(JSON.parse(JSON.stringify(catalog)), catalog);
  assert.equal(Object.keys(catalog.commands).sort(), Object.keys(COMMANDS).sort());
});

test.run();
