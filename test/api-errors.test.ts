/**
 * Plain-JavaScript misuse of the library API (from a new user's trial): misspelled option keys, a jump's name
 * where a jump function belongs, non-boolean switches, callbacks that are not functions, disposed or empty x,
 * grid options of another kind of grid, tensors where arrays belong, missing options objects. Each is one clear
 * error naming the argument, raised before any model call, and nothing leaks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import {
  asDenoiser,
  batchedExecutor,
  chords,
  describeBackend,
  disposeResult,
  buildModel,
  euler,
  getMethod,
  getSchedule,
  methodNames,
  initBackend,
  initSequence,
  loadShippedDiT,
  mixtureModel,
  randomMixture,
  registerMethod,
  runChords,
  runParadigms,
  runParataa,
  runPicard,
  runSequential,
  runSrds,
  runSrdsPipelined,
  sample,
  searchInitSequence,
  timeGrid,
  unregisterMethod,
  workersExecutor,
  type Denoiser,
} from '../src/index.ts';
import { relativeRmse, rmse } from '../src/tensor.ts';
import { noLeak, throwsWith } from './helpers.ts';

const schedule = getSchedule('flow');
const mix = randomMixture({ dim: 3, components: 2, seed: 1 });
const base = mixtureModel(schedule, mix);
const grid = timeGrid(schedule, { steps: 6 });
let calls = 0;
const model: Denoiser = { ...base, predict: (x, t) => (calls++, base.predict(x, t)) };
const task = (x: tf.Tensor) => ({ executor: batchedExecutor(model), param: model, grid, x });
const never = <T>(v: unknown) => v as T;

/** Asserts fn fails with every pattern, calls no model and leaks nothing. */
async function refused(fn: () => Promise<unknown>, ...patterns: RegExp[]) {
  const before = calls;
  await noLeak(() => throwsWith(fn, ...patterns));
  assert.is(calls, before, `no model call for ${patterns.join(' ')}`);
}

test('misspelled or misplaced option keys are errors listing the allowed ones', async () => {
  const x = tf.ones([2, 3]);
  await refused(() => chords(model, x, grid, never({ init: [0, 2], stopp: 1 })), /^chords: unknown option 'stopp'/);
  await refused(() => runPicard(task(x), never({ windw: 2 })), /^picard: unknown option 'windw'; allowed: window,/);
  await refused(() => runParataa(task(x), never({ anderson: false })), /^parataa: anderson is always on here/);
  await refused(() => runParadigms(task(x), never({ window: 2, tol: 0 })), /^paradigms: unknown option 'tol'/);
  await refused(() => runSrds(task(x), never({ block: 2 })), /^srds: unknown option 'block'; allowed: blocks/);
  await refused(() => runSequential(task(x), never({ fine: euler })), /^sequential: unknown option 'fine'/);
  await refused(() => sample(euler, model, x, grid, never({ stop: 1 })), /^sample: unknown option 'stop'/);
  assert.throws(() => timeGrid(schedule, never({ steps: 4, knd: 'karras' })), /^grid: unknown option 'knd'/);
  assert.throws(
    () => asDenoiser(model.predict, never({ prediction: 'x0', sampleshape: [3] })),
    /^asDenoiser: unknown option 'sampleshape'/,
  );
  await throwsWith(() => initBackend(never({ backnd: 'cpu' })), /^initBackend: unknown option 'backnd'/);
  await throwsWith(() => initBackend(never('cpu')), /^initBackend: got "cpu"; allowed: an options object/);
  await throwsWith(
    () => workersExecutor(never({ spec: { kind: 'mixture' }, workers: 2, timeout: 5 })),
    /^workersExecutor: unknown option 'timeout'; allowed: spec, workers, backend, timeoutMs/,
  );
  await throwsWith(
    () =>
      workersExecutor({
        spec: { kind: 'mixture', schedule: 'flow', mixture: mix },
        workers: 1,
        warmup: { shape: [2, 5] },
      }),
    /^workers: warmup shape got \[2, 5\]; allowed: \[n, 3\] \(the model's sample shape/,
  );
  // an undefined value is the same as a missing key
  await noLeak(async () => disposeResult(await runParataa(task(x), never({ anderson: undefined, maxRounds: 1 }))));
  await refused(() => runParataa(task(x), never({ windw: 2 })), /^parataa: unknown option 'windw'; allowed: window,/);
  await refused(() => runParataa(task(x), never({ windw: 2 })), /allowed: (?!.* anderson,)/);
  await refused(() => runSrdsPipelined(task(x), never({ coarse: 'ddim' })), /^srds-pipelined: coarse: got 'ddim'/);
  // the options objects themselves
  await refused(() => runPicard(task(x), never(null)), /^picard: options got null; allowed: an options object/);
  await refused(() => runSrds(task(x), never(null)), /^srds: options got null; allowed: an options object/);
  await refused(() => runParadigms(task(x), never(undefined)), /^paradigms: options got undefined; allowed: \{ window/);
  assert.throws(() => timeGrid(schedule, never(null)), /^grid options: got null; allowed: an object/);
  x.dispose();
});

test('a jump name, a non-boolean switch or a non-function callback is named, before any model call', async () => {
  const x = tf.ones([2, 3]);
  await refused(
    () => chords(model, x, grid, never({ init: [0, 2], coarse: 'ddim' })),
    /^chords: coarse: got 'ddim'; allowed: a jump function, such as JUMPS\.euler or JUMPS\.ddim \(getJump\('ddim'\)\)/,
  );
  await refused(() => runSrds(task(x), never({ coarse: 'euler' })), /^srds: coarse: got 'euler'; allowed: a jump/);
  await refused(() => runParadigms(task(x), never({ window: 2, step: 'ddim' })), /^paradigms: step: got 'ddim'/);
  await refused(
    () => chords(model, x, grid, never({ init: [0, 2], rectify: 'no' })),
    /^chords: rectify: got 'no'; allowed: true or false/,
  );
  await refused(() => sample(euler, model, x, grid, never({ checkFinite: 0 })), /^sample: checkFinite: got 0/);
  await refused(
    () => chords(model, x, grid, never({ init: [0, 2], onHit: 5 })),
    /^chords: onHit: got 5; allowed: a function/,
  );
  await refused(
    () => runPicard(task(x), never({ onRound: 'log' })),
    /^picard: onRound: got 'log'; allowed: a function/,
  );
  await refused(
    () => runSrds(task(x), never({ onHit: {} })),
    /^srds: onHit: got \[object Object\]; allowed: a function/,
  );
  x.dispose();
});

test('a disposed, empty or non-numeric x is refused by every sampler before any model call', async () => {
  const dead = tf.ones([2, 3]);
  dead.dispose();
  const empty = tf.zeros([0, 3]),
    text = tf.tensor(['a', 'b', 'c'], [1, 3]);
  const runs: [string, (x: tf.Tensor) => Promise<unknown>][] = [
    ['sample', (x) => sample(euler, model, x, grid)],
    ['chords', (x) => chords(model, x, grid, { init: [0, 2] })],
    ['picard', (x) => runPicard(task(x))],
    ['paradigms', (x) => runParadigms(task(x), { window: 2 })],
  ];
  for (const [name, run] of runs) {
    await refused(() => run(dead), new RegExp(`^${name}: x \\(the initial state\\) was disposed`));
    await refused(() => run(empty), new RegExp(`^${name}: x has shape \\[0, 3\\], no sample; allowed: a batch`));
    await refused(() => run(text), new RegExp(`^${name}: x has dtype string; allowed: float32`));
  }
  tf.dispose([empty, text]);
});

test('grid options of another kind of grid are errors, not silently ignored; nsr bounds are named', () => {
  assert.throws(() => timeGrid(schedule, { steps: 8, kind: 'karras', shift: 3 }), /^shift: got 3 for a karras grid/);
  assert.throws(() => timeGrid(schedule, { steps: 8, kind: 'logsnr', shift: 2 }), /^shift: got 2 for a logsnr grid/);
  assert.throws(() => timeGrid(schedule, { steps: 8, rho: 3 }), /^rho: got 3 for a uniform grid/);
  assert.throws(() => timeGrid(schedule, { steps: 8, nsrMax: 10 }), /^nsrMax, nsrMin: apply to karras and logsnr/);
  assert.throws(() => timeGrid(schedule, { steps: 8, kind: 'karras', nsrMax: -1 }), /^nsrMax: got -1; allowed: a/);
  assert.throws(
    () => timeGrid(schedule, { steps: 8, kind: 'logsnr', nsrMin: 5, nsrMax: 1 }),
    /^nsrMin: got 5; allowed: a number in \(0, nsrMax = 1\)/,
  );
  assert.throws(() => timeGrid(never(undefined), { steps: 8, kind: 'karras' }), /^timeGrid: schedule got undefined/);
  assert.throws(
    () => asDenoiser(model.predict, never({ prediction: 'x0', schedule: 'flow' })),
    /^asDenoiser: schedule got 'flow'; allowed: a NoiseSchedule object \(getSchedule\('flow'\)\)/,
  );
  // the defaults of the other kinds are fine: what the CLI passes (shift 1 on every kind)
  assert.is(timeGrid(schedule, { steps: 8, kind: 'karras', shift: 1 }).length, 9);
});

test('rmse and relativeRmse take arrays; a tensor is named instead of giving NaN', () => {
  const t = tf.zeros([2, 3]);
  assert.throws(
    () => rmse(never(t), [0, 0, 0, 0, 0, 0]),
    /^rmse: a must be an array .*\(a tensor: pass await t\.data\(\)\)/,
  );
  assert.throws(() => relativeRmse([1, 2], never(t)), /^relativeRmse: b must be an array/);
  assert.throws(() => relativeRmse([1, 2], [1, 2, 3]), /^relativeRmse: lengths differ \(2 vs 3\)/);
  assert.is(rmse(new Float32Array([1, 2]), [1, 4]), Math.sqrt(2));
  t.dispose();
});

test('searchInitSequence, initSequence, the DiT loader, disposeResult, registerMethod, describeBackend', async () => {
  const search = (o: object) =>
    searchInitSequence(never({ cores: 4, steps: 20, maxRound: 15, evaluate: () => 1, ...o }));
  await throwsWith(
    () => search({ samples: 0 }),
    /^samples: got 0, and no sequence in include or a family fits maxRound 15/,
  );
  await throwsWith(() => search({ cores: 2.5 }), /^cores: got 2\.5; allowed: an integer >= 1/);
  await throwsWith(() => search({ maxRound: NaN }), /^maxRound: got NaN; allowed: an integer >= 1/);
  await throwsWith(() => search({ evaluate: () => NaN }), /^evaluate: returned NaN for init 0-/);
  await throwsWith(() => search({ evaluate: 3 }), /^evaluate: must be a function/);
  await throwsWith(() => search({ sample: 3 }), /^searchInitSequence: unknown option 'sample'; allowed: cores/);
  assert.equal((await search({ samples: 2 })).tried.length, 2);
  assert.throws(() => initSequence(never(undefined)), /^initSequence: options got undefined; allowed: \{ cores/);
  assert.throws(() => loadShippedDiT(never(undefined)), /^dit: options got undefined; allowed: \{ labels/);
  assert.throws(() => disposeResult(never(null)), /^disposeResult: got null; allowed: a sampler's result/);
  assert.throws(() => registerMethod(never(null)), /^registerMethod: got null; allowed: a Method object/);
  assert.throws(
    () => registerMethod(never({ name: 'foo', defaults: () => ({}) })),
    /^method: 'foo' has no fromFlags, width, run, describe/,
  );
  assert.throws(() => describeBackend(never(undefined)), /^describeBackend: got undefined; allowed: what initBackend/);
});

test('a registered method runs with partial options (the rest its defaults); unknown keys are named', async () => {
  const x = tf.tensor2d([0.3, -1.2, 0.8, 1.1, 0.1, -0.4], [2, 3]);
  for (const name of methodNames()) {
    const m = getMethod(name);
    const T = grid.length - 1;
    // {} and the full defaults give the same sample, bit for bit, and nothing leaks
    const [viaEmpty, viaDefaults] = await noLeak(async () => {
      const a = await m.run(task(x), {});
      const b = await m.run(task(x), m.defaults(T));
      const out = [Array.from(a.sample.dataSync()), Array.from(b.sample.dataSync())];
      disposeResult(a);
      disposeResult(b);
      return out;
    });
    assert.equal(viaEmpty, viaDefaults, name);
    assert.is(m.width(T, {}), m.width(T, m.defaults(T)), `${name} width`);
    await refused(() => m.run(task(x), never({ tolerence: 1 })), new RegExp(`^${name}: unknown option 'tolerence'`));
    await refused(() => m.run(task(x), never('fast')), new RegExp(`^${name}: options got 'fast'`));
  }
  // options that depend on others are completed as the method's own entry point does: ParaTAA-style Picard
  // (anderson) runs without the secant sweep unless asked, as runPicard({ anderson: true }) does
  const [viaRegistry, direct] = await noLeak(async () => {
    const a = await getMethod('picard').run(task(x), { anderson: true, window: 3 });
    const b = await runPicard(task(x), { anderson: true, window: 3 });
    const out = [a, b].map((r) => ({ rounds: r.rounds, sample: Array.from(r.sample.dataSync()) }));
    disposeResult(a);
    disposeResult(b);
    return out;
  });
  assert.equal(viaRegistry, direct);
  // a method written as a class keeps its prototype's functions through the registry
  class Halves {
    readonly name = 'halves-test';
    readonly summary = 'one Euler step per round';
    readonly flags = {};
    defaults() {
      return { fine: euler };
    }
    fromFlags() {
      return this.defaults();
    }
    width() {
      return 1;
    }
    run(t: Parameters<typeof runSequential>[0], o: { fine: typeof euler }) {
      return getMethod('sequential').run(t, o);
    }
    describe() {
      return { label: 'halves', config: {} };
    }
  }
  registerMethod(new Halves());
  try {
    const h = getMethod('halves-test');
    assert.is(h.describe(h.defaults(6)).label, 'halves');
    const r = await h.run(task(x), {});
    assert.is(r.rounds, grid.length - 1);
    disposeResult(r);
  } finally {
    unregisterMethod('halves-test');
  }
  x.dispose();
});

test('a disposed model is named as such; a bad model spec names its field', async () => {
  const dead = mixtureModel(schedule, mix);
  dead.dispose();
  const x = tf.ones([2, 3]);
  await noLeak(() =>
    throwsWith(
      () => sample(euler, dead, x, grid),
      /a tensor the model uses was disposed: was the model disposed before this run\?/,
    ),
  );
  // through an executor and the round meter (every method) too
  const deadTask = { executor: batchedExecutor(dead), param: dead, grid, x };
  for (const run of [() => runSequential(deadTask), () => runChords(deadTask, { init: [0, 3] })])
    await noLeak(() => throwsWith(run, /: round 1, .*a tensor the model uses was disposed/));
  x.dispose();
  const spec = (s: object) => buildModel(never({ schedule: 'flow', ...s }));
  await throwsWith(() => spec({ kind: 'gaussian', dim: 4 }), /^mean: got undefined; allowed: a non-empty array/);
  await throwsWith(() => spec({ kind: 'mixture' }), /^mixture: got undefined; allowed: \{ means: number\[\]\[\]/);
  await throwsWith(
    () => spec({ kind: 'mixture', mixture: { means: [[0, 1], [1]], scales: [1, 1], weights: [1, 1] } }),
    /^means: every mean must be an array of 2 finite numbers/,
  );
  await throwsWith(() => spec({ kind: 'mixture', mixture: { means: [[0, 1]] } }), /^scales: need 1 finite numbers/);
});

test('wrong types are named as such: a string grid, init or stop, a null task, a string number', async () => {
  const x = tf.ones([2, 3]);
  await refused(() => sample(euler, model, x, never('uniform')), /^sample: grid: got 'uniform'; allowed: an array/);
  await refused(
    () => sample(euler, model, x, never(Float64Array.from(grid))),
    /^sample: grid: got a Float64Array; .*Array\.from\(\)/,
  );
  await refused(() => chords(model, x, grid, never({ init: '0-2-4' })), /^init: got '0-2-4'; .*parseInit\('0-2-4'\)/);
  await refused(
    () => chords(model, x, grid, never({ init: [0, 3], stop: 'complete' })),
    /^stop: got 'complete'; allowed: \{ kind: 'complete' \}.*parseStop\('complete'\)/,
  );
  const runners: [string, (t: unknown) => Promise<unknown>][] = [
    ['chords', (t) => runChords(never(t), { init: [0, 2] })],
    ['picard', (t) => runPicard(never(t))],
    ['parataa', (t) => runParataa(never(t))],
    ['paradigms', (t) => runParadigms(never(t), { window: 2 })],
    ['srds', (t) => runSrds(never(t), { blocks: 2 })],
    ['srds-pipelined', (t) => runSrdsPipelined(never(t), { blocks: 2 })],
    ['sequential', (t) => runSequential(never(t))],
  ];
  for (const [name, run] of runners)
    await refused(() => run(null), new RegExp(`^${name}: task got null; allowed: \\{ executor, param, grid, x \\}`));
  await refused(() => runPicard(task(x), never({ window: '8' })), /^window: got '8'; allowed: an integer >= 1/);
  assert.throws(() => loadShippedDiT(never({ labels: '3' })), /^labels: got '3'; allowed: an array of class labels/);
  assert.throws(
    () => loadShippedDiT(never({ lables: [3] })),
    /^dit: unknown option 'lables'; allowed: labels, guidance/,
  );
  // a grid rising from t = 0 (an inversion from sigma = 0): fine for a flow-velocity model, whose conversions need
  // no 1 / sigma there; where the outputs are not finite, the error says where the grid starts
  const rising = [...grid].reverse();
  const velocity = asDenoiser((xx, t) => tf.mul(xx, tf.reshape(t, [-1, 1])), { prediction: 'velocity', schedule });
  const inverted = await noLeak(async () => {
    const r = await sample(euler, velocity, x, rising);
    const v = Array.from(r.x.dataSync());
    r.x.dispose();
    return v;
  });
  assert.ok(inverted.every(Number.isFinite), 'a velocity model inverts from t = 0');
  await noLeak(() =>
    throwsWith(
      () => sample(euler, model, x, rising),
      /model output is not finite \(NaN or Inf\); the grid rises from t = 0, where sigma = 0: start it above 0/,
    ),
  );
  x.dispose();
});

test.run();
