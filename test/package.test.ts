// The package as a user installs it: `npm pack` the tarball, install it into a fresh project that has no tsx
// (from the npm cache), then use the compiled build from plain .mjs, from the `chords` command and from
// TypeScript against the shipped .d.ts. One pack and one install serve every test here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCatalog } from '../src/cli/catalog.ts';
import { main } from '../src/cli/main.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'chords-pkg-')));
const project = join(tmp, 'project');
const installed = join(project, 'node_modules', 'chords-ts');
// A child's environment without the test runner's tsx loader or npm's lifecycle variables.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !k.startsWith('npm_')),
) as NodeJS.ProcessEnv;

function sh(cmd: string, args: string[], cwd: string, timeout = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.is(r.status, 0, `${what} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).slice(-1500)}`);
  return r.stdout;
}

let packed: { filename: string; files: { path: string }[] } | undefined;
let setupError = '';
try {
  const pack = sh('npm', ['pack', '--json', '--pack-destination', tmp], root);
  if (pack.status !== 0) throw new Error(`npm pack: ${pack.stderr.slice(-1500)}`);
  packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'probe', private: true, type: 'module' }));
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', join(tmp, packed!.filename)];
  const inst = sh('npm', args, project, 600_000);
  if (inst.status !== 0) throw new Error(`npm install: ${inst.stderr.slice(-1500)}`);
} catch (e) {
  setupError = (e as Error).message;
}

test('the tarball ships exactly dist, the shipped weights, README, LICENSE, package.json; no tsx installed', () => {
  assert.is(setupError, '');
  const paths = packed!.files.map((f) => f.path);
  const built = /^dist\/(.+\.(js|d\.ts|js\.map)|cli\/catalog\.json)$/,
    weights = /^assets\/(dit\/dits2|classifier)\/(model\.json|weights\.bin)$/;
  for (const p of paths)
    assert.ok(
      built.test(p) || weights.test(p) || ['README.md', 'LICENSE', 'package.json'].includes(p),
      `unexpected file ${p}`,
    );
  for (const p of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/bin.js', 'assets/dit/dits2/weights.bin', 'LICENSE'])
    assert.ok(paths.includes(p), `missing ${p}`);
  assert.ok(existsSync(join(installed, 'dist', 'index.js')));
  assert.not.ok(existsSync(join(project, 'node_modules', 'tsx')), 'tsx was installed');
  assert.not.ok(existsSync(join(project, 'node_modules', 'typescript')), 'typescript was installed');
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  assert.is(pkg.license, 'MIT');
  assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /^MIT License/);
});

test('plain .mjs: the API on the default backend; CHORDS core 0 is sequential Euler bit for bit; weights found', () => {
  assert.is(setupError, '');
  writeFileSync(
    join(project, 'probe.mjs'),
    `import * as tf from '@tensorflow/tfjs';
import * as C from 'chords-ts';
const info = await C.initBackend();
const before = tf.memory().numTensors;
const schedule = C.getSchedule('flow');
const grid = C.timeGrid(schedule, { steps: 12 });
const model = C.mixtureModel(schedule, C.randomMixture({ dim: 8, components: 3 }));
const x = tf.randomNormal([2, 8], 0, 1, 'float32', 1);
const seq = await C.sample(C.getSolver('euler'), model, x, grid);
const res = await C.chords(model, x, grid, { init: [0, 4, 8], stop: { kind: 'complete' } });
const core0 = res.hits.find((h) => h.core === 0);
const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(core0.x, seq.x))).dataSync()[0]);
const first = Math.min(...res.hits.filter((h) => h.kind === 'core').map((h) => h.round));
const out = { backend: info.name, first, hits: res.hits.length, diff, weights: C.shippedDiTPath() };
C.disposeResult(res);
tf.dispose([x, seq.x]);
model.dispose();
const dit = C.loadShippedDiT({ labels: [3], guidance: 1 });
dit.dispose();
out.leaked = tf.memory().numTensors - before;
console.log(JSON.stringify(out));
`,
  );
  const r = JSON.parse(
    ok(sh(process.execPath, ['probe.mjs'], project), 'probe.mjs')
      .trim()
      .split('\n')
      .pop()!,
  );
  assert.is(r.backend, 'wasm');
  assert.is(r.hits, 4); // the coarse shot and one hit per core
  assert.is(r.diff, 0);
  assert.ok(r.first < 12, `first core hit in round ${r.first}`); // the fastest core beats the 12 sequential steps
  assert.is(r.leaked, 0);
  assert.is(r.weights, join(installed, 'assets', 'dit', 'dits2'));
});

test('npx chords solve --json from the installed package equals the same solve from the sources', async () => {
  assert.is(setupError, '');
  const argv = ['solve', '--model', 'gaussian', '--steps', '10', '--json'];
  const r = JSON.parse(ok(sh('npx', ['--no', '--', 'chords', ...argv], project), 'npx chords'));
  let text = '';
  await main(argv, (s) => (text += s));
  const here = JSON.parse(text);
  assert.is(r.modelCalls, 10);
  assert.equal(r.config, here.config);
  assert.is(r.errorToReference, here.errorToReference);
  // worker threads and child processes start the installed build's entries (no tsx) and give batched's sample
  const values = (executor: string) => {
    const args = ['solve', '--model', 'mixture', '--dim', '4', '--n', '2', '--steps', '6', '--values', '--json'];
    const more = executor === 'batched' ? [] : ['--workers', '1']; // a sequential solve: one member
    return JSON.parse(
      ok(sh('npx', ['--no', '--', 'chords', ...args, '--executor', executor, ...more], project), executor),
    ).values;
  };
  const batched = values('batched');
  assert.is(batched.length, 8);
  assert.equal(values('workers'), batched);
  assert.equal(values('processes'), batched);
  const help = ok(sh('npx', ['--no', '--', 'chords', '--help'], project), 'chords --help');
  assert.match(help, /Usage: chords <command>/);
  const bad = sh('npx', ['--no', '--', 'chords', 'solve', '--steps', 'ten'], project);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /^chords: error: --steps/);
});

test('installed: --help, <command> --help, option and value errors answer without loading tfjs', () => {
  assert.is(setupError, '');
  const bin = join(installed, 'dist', 'cli', 'bin.js');
  const block = pathToFileURL(join(root, 'test', 'block-tfjs.mjs')).href;
  const chords = (...argv: string[]) => sh(process.execPath, ['--import', block, bin, ...argv], project);
  for (const argv of [
    ['--help'],
    ['solve', '--help'],
    ['run', '--method', 'srds', '--help'],
    ['sample', '-h'],
    ['plot', '--help'],
  ])
    assert.match(ok(chords(...argv), argv.join(' ')), /Usage: chords/);
  for (const [argv, message] of [
    [['nope'], /unknown command 'nope'/],
    [['solve', '--bogus'], /unknown option --bogus for 'chords solve'/],
    [['run', '--method', 'nope'], /--method: .*'nope'; allowed: chords/],
    [['run', '--window', '3'], /--window belongs to --method paradigms( or [a-z-]+)*, not chords$/m],
    [['solve', '--steps', 'ten'], /--steps: got 'ten'; allowed: an integer from 1 to 10000/],
    [['solve', '--backend', 'nope'], /backend: unknown backend 'nope'/],
    [['run', '--method', 'picard', '--scale', 'nope'], /--scale: unknown value 'nope'; allowed: noise, state/],
    [['plot'], /plot: needs a results file/],
    [['run', '--steps', '4', '--steps', '5'], /--steps: given 2 times; allowed: once/],
  ] as const) {
    const r = chords(...argv);
    assert.is(r.status, 2, argv.join(' '));
    assert.match(r.stderr, message);
  }
  // the control: running a command does load tfjs, and the blocker stops it
  assert.match(chords('solve', '--model', 'gaussian', '--steps', '2').stderr, /block-tfjs: @tensorflow\/tfjs/);
  const shipped = JSON.parse(readFileSync(join(installed, 'dist', 'cli', 'catalog.json'), 'utf8'));
  assert.equal(shipped, buildCatalog());
});

test("TypeScript: a user's file type-checks against the package's own .d.ts (tsc --noEmit)", () => {
  assert.is(setupError, '');
  const dir = join(project, 'ts');
  mkdirSync(dir, { recursive: true });
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['user.ts'] }));
  writeFileSync(
    join(dir, 'user.ts'),
    `import * as tf from '@tensorflow/tfjs';
import { chords, getSchedule, timeGrid, type ChordsResult } from 'chords-ts';
export async function run(x: tf.Tensor): Promise<number> {
  const schedule = getSchedule('flow');
  const grid: readonly number[] = timeGrid(schedule, { steps: 10 });
  // @ts-expect-error: steps is a number (the package's types are real, not any)
  timeGrid(schedule, { steps: 'ten' });
  const model = null as unknown as Parameters<typeof chords>[0];
  const r: ChordsResult = await chords(model, x, grid, { init: [0, 5] });
  return r.rounds;
}
`,
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = sh(process.execPath, [tsc, '-p', dir], dir);
  assert.is(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
  writeFileSync(join(dir, 'user.ts'), `import { timeGrid } from 'chords-ts';\nexport const g: string = timeGrid;\n`);
  const bad = sh(process.execPath, [tsc, '-p', dir], dir);
  assert.is.not(bad.status, 0);
  assert.match(bad.stdout, /TS2322/);
});

test('clean up the temporary project', () => {
  rmSync(tmp, { recursive: true, force: true });
  assert.not.ok(existsSync(tmp));
});

test.run();
