import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  CHORDS_PRESETS,
  chords,
  disposeResult,
  initFamilies,
  equalGapInit,
  parseStop,
  rectifiedHistory,
  searchInitSequence,
  uniformInit,
  validateInit,
} from '../src/chords/index.ts';
import { asDenoiser, getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { linearToyGrid, linearToyModel, mixtureModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, sample, type SolverName } from '../src/solvers/index.ts';
import { rmse } from '../src/tensor.ts';
import { arbInit, failingOn, noLeak, throwsWith, watched } from './helpers.ts';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

test('history rules: shift adds (slower x0 - own x0) at the segment start to every entry; keep, drop', () => {
  // x0-prediction model: the output is the x0 estimate itself, so the shift is out_slower - out_own
  const p = asDenoiser((x) => x, { prediction: 'x0', schedule: getSchedule('flow') });
  const own = { x: tf.tensor2d([[1, 2]]), t: 0.6, out: tf.tensor2d([[0.5, -1]]) };
  const slower = { x: tf.tensor2d([[1.5, 2]]), t: 0.6, out: tf.tensor2d([[0.75, -2]]) };
  const state = {
    history: [
      { x0: tf.tensor2d([[3, 4]]), lambda: 0.2 },
      { x0: tf.tensor2d([[-1, 0]]), lambda: -0.1 },
    ],
  };
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const s = rectifiedHistory('shift', p, state, own, slower);
    return s.history.map((e) => e.x0);
  });
  assert.is(tf.memory().numTensors, before + 2);
  assert.equal(values(out[0]), [3.25, 3]);
  assert.equal(values(out[1]), [-0.75, -1]);
  tf.dispose(out);
  assert.is(rectifiedHistory('keep', p, state, own, slower), state);
  assert.equal(rectifiedHistory('drop', p, state, own, slower).history, []);
  // the lambdas are kept
  tf.tidy(() => {
    const s = rectifiedHistory('shift', p, state, own, slower);
    assert.equal(
      s.history.map((e) => e.lambda),
      [0.2, -0.1],
    );
  });
  tf.dispose([own.x, own.out, slower.x, slower.out, ...state.history.map((e) => e.x0)]);
});

test('property: with every history rule the slowest core equals the sequential solver bit for bit', async () => {
  await fc.assert(
    fc.asyncProperty(
      arbInit(40),
      fc.constantFrom<SolverName>('euler', 'dpmpp-2m', 'dpmpp-3m'),
      fc.constantFrom('keep', 'drop', 'shift') as fc.Arbitrary<'keep' | 'drop' | 'shift'>,
      fc.constantFrom('uniform', 'logsnr') as fc.Arbitrary<'uniform' | 'logsnr'>,
      fc.integer({ min: 0, max: 1e6 }),
      async ({ steps, init }, fine, history, kind, seed) => {
        const schedule = getSchedule('flow');
        const model = mixtureModel(schedule, randomMixture({ dim: 3, components: 3, seed }));
        const grid = timeGrid(schedule, { steps, kind });
        const x = tf.tensor2d(Float32Array.from(normals(6, seed + 1)), [2, 3]);
        const seq = await sample(SOLVERS[fine], model, x, grid);
        const r = await chords(model, x, grid, { init, fine: SOLVERS[fine], history });
        const last = r.hits[r.hits.length - 1];
        assert.is(last.core, 0);
        assert.equal(values(last.x), values(seq.x), `${fine} ${history} T=${steps} init=${init}`);
        disposeResult(r);
        tf.dispose([x, seq.x]);
        model.dispose();
      },
    ),
    { numRuns: 25 },
  );
});

test('mixture, presets, 2M/3M fine, shift: the error to the sequential sample never grows hit to hit', async () => {
  const schedule = getSchedule('flow'),
    grid = timeGrid(schedule, { steps: 50 });
  for (const seed of [0, 1, 2]) {
    const model = mixtureModel(schedule, randomMixture({ dim: 32, components: 8, seed }));
    const x = tf.tensor2d(Float32Array.from(normals(4 * 32, seed + 7)), [4, 32]);
    for (const fine of [SOLVERS['dpmpp-2m'], SOLVERS['dpmpp-3m']]) {
      const seq = await sample(fine, model, x, grid),
        s = seq.x.dataSync();
      for (const K of [4, 6, 8]) {
        const r = await chords(model, x, grid, { init: CHORDS_PRESETS[K], fine, history: 'shift' });
        const e = r.hits.map((h) => rmse(h.x.dataSync(), s));
        for (let j = 1; j < e.length; j++)
          assert.ok(
            e[j] <= e[j - 1] + 1e-7,
            `seed ${seed}, ${fine.name}, ${K} cores: hit ${j} error ${e[j]} > ${e[j - 1]}`,
          );
        assert.is(e[e.length - 1], 0);
        disposeResult(r);
      }
      seq.x.dispose();
    }
    x.dispose();
    model.dispose();
  }
});

test('uniform starts and the init families: valid, strictly increasing, last start near the fraction', async () => {
  for (const cores of [1, 2, 3, 4, 8])
    for (const steps of [cores, cores + 1, 10, 50])
      for (const lastStart of [0.6, 0.7, 0.85]) {
        const init = uniformInit({ cores, steps, lastStart });
        validateInit(init, steps, cores);
        if (cores > 1 && steps >= 4 * cores)
          assert.ok(Math.abs(init[cores - 1] - lastStart * steps) <= 1, `${cores} ${steps} ${lastStart}: ${init}`);
      }
  assert.equal(uniformInit({ cores: 8, steps: 50, lastStart: 0.7 }), [0, 5, 10, 15, 20, 25, 30, 35]);
  const fams = initFamilies(8, 50);
  assert.ok(fams.some((f) => f.init.join('-') === CHORDS_PRESETS[8].join('-')));
  assert.is(new Set(fams.map((f) => f.init.join('-'))).size, fams.length);
  for (const f of fams) validateInit(f.init, 50, 8);
  await throwsWith(() => uniformInit({ cores: 4, steps: 3 }), /steps: got 3/);
  await throwsWith(() => uniformInit({ cores: 4, steps: 20, lastStart: 1 }), /lastStart/);
});

test('equal gaps: I[k] = k d, d from the fraction, at most T / K (last core rectified), and the family', async () => {
  for (const cores of [1, 2, 3, 4, 8])
    for (const steps of [cores, cores + 1, 10, 36, 50])
      for (const lastStart of [0.6, 0.75, 0.85]) {
        const init = equalGapInit({ cores, steps, lastStart });
        validateInit(init, steps, cores);
        if (cores === 1) continue;
        const d = init[1];
        assert.equal(
          init,
          init.map((_, k) => k * d),
        );
        assert.ok(d >= 1 && cores * d <= steps, `${cores} ${steps} ${lastStart}: ${init}`);
        const want = Math.round((lastStart * steps) / (cores - 1));
        assert.is(d, Math.max(1, Math.min(want, Math.floor(steps / cores))));
      }
  assert.equal(equalGapInit({ cores: 8, steps: 36, lastStart: 0.75 }), [0, 4, 8, 12, 16, 20, 24, 28]);
  // 0.8 * 50 / 7 rounds to 6; 6 * 8 <= 50
  assert.equal(equalGapInit({ cores: 8, steps: 50, lastStart: 0.8 }), [0, 6, 12, 18, 24, 30, 36, 42]);
  // 0.85 * 36 / 7 rounds to 4 (4 * 8 <= 36); for 2 cores at T = 36 the cap T / K = 18 binds
  assert.equal(equalGapInit({ cores: 2, steps: 36, lastStart: 0.85 }), [0, 18]);
  const fams = initFamilies(8, 36);
  assert.equal(
    fams.filter((f) => f.family.startsWith('equal')).map((f) => f.family),
    ['equal 3', 'equal 4'],
  );
  await throwsWith(() => equalGapInit({ cores: 4, steps: 3 }), /steps: got 3/);
  await throwsWith(() => equalGapInit({ cores: 4, steps: 20, lastStart: 0 }), /lastStart: got 0/);
  await throwsWith(() => equalGapInit({ cores: 0, steps: 20 }), /cores: got 0/);
});

test('searchInitSequence over the families finds the member an evaluation prefers, within maxRound', async () => {
  const r = await searchInitSequence({
    cores: 8,
    steps: 50,
    maxRound: 7 + 50 - 30,
    samples: 0,
    families: true,
    evaluate: (init) => Math.abs(init[7] - 35) + Math.abs(init[1] - 5),
  });
  assert.equal(r.best, [0, 5, 10, 15, 20, 25, 30, 35]);
  assert.is(r.score, 0);
  for (const t of r.tried) assert.ok(7 + 50 - t.init[7] <= 27);
  const none = await searchInitSequence({ cores: 8, steps: 50, maxRound: 27, samples: 3, evaluate: () => 1 });
  assert.is(none.tried.length, 3);
});

test('no leaks with the history rules (complete, early stop, failing model); bad rules rejected first', async () => {
  const schedule = getSchedule('flow'),
    grid = timeGrid(schedule, { steps: 24 });
  const model = mixtureModel(schedule, randomMixture({ dim: 4, components: 3 }));
  const x = tf.tensor2d(Float32Array.from(normals(8, 2)), [2, 4]);
  for (const fine of ['dpmpp-2m', 'dpmpp-3m', 'euler'] as const)
    for (const history of ['keep', 'drop', 'shift'] as const)
      for (const stop of ['complete', 'core-index:1'])
        await noLeak(async () =>
          disposeResult(
            await chords(model, x, grid, {
              init: [0, 1, 4, 8, 16],
              fine: SOLVERS[fine],
              history,
              stop: parseStop(stop),
            }),
          ),
        );
  const failing = watched(model, failingOn(9));
  await noLeak(() =>
    throwsWith(
      () => chords(failing, x, grid, { init: [0, 2, 4], fine: SOLVERS['dpmpp-2m'], history: 'shift' }),
      /model failed/,
    ),
  );
  const toy = linearToyModel(1);
  let toyCalls = 0;
  const counted = watched(toy, () => toyCalls++);
  const y = tf.tensor2d([[1]]);
  await throwsWith(
    () => chords(counted, y, linearToyGrid(10), { init: [0, 3], history: 'stale' as 'keep' }),
    /history: unknown rule 'stale'; allowed: keep, drop, shift/,
  );
  assert.is(toyCalls, 0);
  tf.dispose([x, y]);
  model.dispose();
});

test('chords run --history shift: in the config, last hit = the sequential sample; bad rules are errors', async () => {
  const { main: run } = await import('../src/cli/main.ts');
  let text = '';
  await run(
    [
      'run',
      '--method',
      'chords',
      '--history',
      'shift',
      '--fine-solver',
      'dpmpp-2m',
      '--init',
      '0-3-6',
      '--model',
      'mixture',
      '--dim',
      '4',
      '--steps',
      '12',
      '--json',
    ],
    (s) => (text += s),
  );
  const r = JSON.parse(text);
  assert.is(r.config.history, 'shift');
  assert.is(r.hits[r.hits.length - 1].rmseToSequential, 0);
  await throwsWith(() => run(['run', '--method', 'chords', '--history', 'stale']), /keep, drop, shift/);
});

test('chords run --spawn-per-round: the fast cores start sooner (hit rounds), core 0 is still sequential', async () => {
  const { main: run } = await import('../src/cli/main.ts');
  const args = ['run', '--method', 'chords', '--init', '0-2-4-6', '--model', 'mixture', '--dim', '4', '--steps', '12'];
  const hitsOf = async (extra: string[]) => {
    let text = '';
    await run([...args, ...extra, '--json'], (s) => (text += s));
    return JSON.parse(text) as {
      config: { spawnPerRound: number };
      hits: { round: number; rmseToSequential: number }[];
    };
  };
  const chain = await hitsOf([]),
    eager = await hitsOf(['--spawn-per-round', '3']);
  assert.is(chain.config.spawnPerRound, 1);
  assert.is(eager.config.spawnPerRound, 3);
  // core k hits at ceil(k / s) + T - I[k]; the coarse shot right after the last spawn
  assert.equal(
    chain.hits.map((h) => h.round),
    [4, 9, 10, 11, 12],
  );
  assert.equal(
    eager.hits.map((h) => h.round),
    [2, 7, 9, 11, 12],
  );
  assert.is(eager.hits[eager.hits.length - 1].rmseToSequential, 0);
  await throwsWith(() => run([...args, '--spawn-per-round', '0']), /--spawn-per-round/);
});

test.run();
