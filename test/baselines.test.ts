import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  blockBoundaries,
  runParadigms,
  runSequential,
  runSrds,
  runSrdsPipelined,
  srdsRoundBound,
} from '../src/methods/index.ts';
import { disposeResult } from '../src/chords/index.ts';
import { SCHEDULES, getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { linearToyGrid, linearToyModel, mixtureModel, randomMixture, type AnalyticModel } from '../src/models/index.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, callsOnGrid, sample, type SolverName } from '../src/solvers/index.ts';
import { noLeak, throwsWith } from './helpers.ts';

/** A model that counts its calls (rows evaluated / rows per sample = model calls). */
function counted(m: AnalyticModel, rowsPerCall: number) {
  const c = { calls: 0 };
  return {
    c,
    model: {
      ...m,
      predict: (x: tf.Tensor, t: tf.Tensor1D) => {
        c.calls += x.shape[0] / rowsPerCall;
        return m.predict(x, t);
      },
    },
  };
}

function setup(sname: string, steps: number, seed: number, dim = 3, rows = 2) {
  const schedule = getSchedule(sname);
  const model = mixtureModel(schedule, randomMixture({ dim, components: 3, seed }));
  const grid = timeGrid(schedule, { steps, kind: sname === 've' ? 'karras' : 'uniform' });
  const x = tf.tensor2d(
    Float32Array.from(normals(rows * dim, seed + 1), (z) => z * schedule.sigma(1)),
    [rows, dim],
  );
  return { model, grid, x, rows };
}
const values = (t: tf.Tensor) => Array.from(t.dataSync());

test('the sequential baseline over an executor equals sample() bit for bit, for every solver', async () => {
  const { model, grid, x } = setup('vp-linear', 12, 1);
  for (const name of Object.keys(SOLVERS) as SolverName[]) {
    const r = await runSequential(
      { executor: batchedExecutor(model), param: model, grid, x },
      { solver: SOLVERS[name] },
    );
    const s = sample(SOLVERS[name], model, x, grid);
    assert.equal(values(r.sample), values(s.x), name);
    assert.is(r.modelCalls, s.modelCalls);
    assert.is(r.rounds, s.modelCalls);
    disposeResult(r);
    s.x.dispose();
  }
  x.dispose();
  model.dispose();
});

test('property: ParaDiGMS with window 1 and SRDS with one block are the sequential solver bit for bit', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...SCHEDULES),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 0, max: 1e6 }),
      fc.constantFrom<SolverName>('euler', 'heun', 'dpm2'),
      async (sname, steps, seed, fine) => {
        const { model, grid, x } = setup(sname, steps, seed);
        const task = { executor: batchedExecutor(model), param: model, grid, x };
        const seqE = sample(SOLVERS.euler, model, x, grid),
          seqF = sample(SOLVERS[fine], model, x, grid);
        const p = await runParadigms(task, { window: 1, tolerance: 0.5 });
        const s = await runSrds(task, { blocks: 1, fine: SOLVERS[fine], tolerance: 0.5 });
        assert.equal(values(p.sample), values(seqE.x));
        assert.is(p.rounds, steps);
        assert.equal(values(s.sample), values(seqF.x));
        assert.is(s.rounds, seqF.modelCalls);
        disposeResult(p);
        disposeResult(s);
        tf.dispose([x, seqE.x, seqF.x]);
        model.dispose();
      },
    ),
    { numRuns: 20 },
  );
});

test(
  'property: with tolerance 0 both reach the sequential sample; SRDS within B iterations; rounds within the ' +
    'stated bounds; model calls exact',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SCHEDULES),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom<SolverName>('euler', 'heun'),
        async (sname, steps, window, blocks, seed, fine) => {
          fc.pre(blocks <= steps);
          const { model, grid, x, rows } = setup(sname, steps, seed);
          const { c, model: m } = counted(model, rows);
          const task = { executor: batchedExecutor(m), param: m, grid, x };
          const seqE = sample(SOLVERS.euler, model, x, grid),
            seqF = sample(SOLVERS[fine], model, x, grid);
          const p = await runParadigms(task, { window, tolerance: 0 });
          assert.is(p.modelCalls, c.calls, 'ParaDiGMS model calls');
          assert.ok(p.rounds <= steps, `ParaDiGMS took ${p.rounds} rounds > T = ${steps}`);
          const pe = tf.tidy(() => tf.max(tf.abs(tf.sub(p.sample, seqE.x))).dataSync()[0]);
          assert.ok(
            pe <= 1e-5 * (1 + tf.tidy(() => tf.max(tf.abs(seqE.x)).dataSync()[0])),
            `ParaDiGMS differs by ${pe}`,
          );
          c.calls = 0;
          const s = await runSrds(task, { blocks, fine: SOLVERS[fine], tolerance: 0 });
          assert.is(s.modelCalls, c.calls, 'SRDS model calls');
          assert.ok(s.iterations <= blocks);
          const n = blockBoundaries(steps, blocks),
            calls = callsOnGrid(SOLVERS[fine], model, grid);
          const blockCalls = n.slice(0, -1).map((a, b) => calls.slice(a, n[b + 1]).reduce((p2, q) => p2 + q, 0));
          assert.ok(
            s.rounds <= srdsRoundBound(blockCalls),
            `SRDS ${s.rounds} rounds > bound ${srdsRoundBound(blockCalls)}`,
          );
          assert.equal(values(s.sample), values(seqF.x), 'SRDS with tolerance 0 is exact');
          disposeResult(p);
          disposeResult(s);
          tf.dispose([x, seqE.x, seqF.x]);
          model.dispose();
        },
      ),
      { numRuns: 25 },
    );
  },
);

test(
  'property: pipelined SRDS gives the same samples as SRDS bit for bit, in at most as many rounds; tolerance 0 ' +
    'takes at most T rounds',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SCHEDULES),
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom<SolverName>('euler', 'heun', 'dpm2'),
        fc.constantFrom(0, 0.05, 0.3),
        async (sname, steps, blocks, seed, fine, tolerance) => {
          fc.pre(blocks <= steps);
          const { model, grid, x, rows } = setup(sname, steps, seed);
          const { c, model: m } = counted(model, rows);
          const task = { executor: batchedExecutor(m), param: m, grid, x };
          const plain = await runSrds(task, { blocks, fine: SOLVERS[fine], tolerance });
          c.calls = 0;
          const piped = await runSrdsPipelined(task, { blocks, fine: SOLVERS[fine], tolerance });
          assert.is(piped.modelCalls, c.calls, 'model calls counted exactly');
          assert.equal(values(piped.sample), values(plain.sample));
          assert.is(piped.iterations, plain.iterations);
          assert.ok(piped.rounds <= plain.rounds, `pipelined ${piped.rounds} > plain ${plain.rounds}`);
          if (tolerance === 0)
            assert.ok(piped.rounds <= callsOnGrid(SOLVERS[fine], model, grid).reduce((a, b) => a + b, 0));
          disposeResult(plain);
          disposeResult(piped);
          x.dispose();
          model.dispose();
        },
      ),
      { numRuns: 25 },
    );
  },
);

test('intermediate results stream: every ParaDiGMS round that reaches T, every SRDS iteration', async () => {
  const { model, grid, x } = setup('flow', 30, 3, 8, 2);
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  const seenP: number[] = [],
    seenS: number[] = [];
  const p = await runParadigms(task, { window: 8, tolerance: 0, onHit: (h) => seenP.push(h.round) });
  const s = await runSrds(task, { blocks: 5, tolerance: 0, onHit: (h) => seenS.push(h.round) });
  assert.equal(
    seenP,
    p.hits.map((h) => h.round),
  );
  assert.equal(
    seenS,
    s.hits.map((h) => h.round),
  );
  assert.is(s.hits.length, s.iterations + 1); // the coarse sweep, then one per iteration
  assert.is(p.hits[p.hits.length - 1].round, p.rounds);
  disposeResult(p);
  disposeResult(s);
  x.dispose();
  model.dispose();
});

test('a looser tolerance takes fewer rounds, at a small cost in accuracy', async () => {
  const { model, grid, x } = setup('flow', 50, 5, 16, 4);
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  const exactP = await runParadigms(task, { window: 8, tolerance: 0 }),
    looseP = await runParadigms(task, { window: 8, tolerance: 0.1 });
  const exactS = await runSrds(task, { tolerance: 0 }),
    looseS = await runSrds(task, { tolerance: 0.1 });
  assert.ok(looseP.rounds < exactP.rounds && looseS.rounds < exactS.rounds);
  for (const r of [exactP, looseP, exactS, looseS]) disposeResult(r);
  x.dispose();
  model.dispose();
});

test('no tensor leaks; bad options are clear errors before any model call', async () => {
  const { model, grid, x } = setup('flow', 20, 7);
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  await noLeak(async () => disposeResult(await runParadigms(task, { window: 4 })));
  await noLeak(async () => disposeResult(await runSrds(task, { blocks: 4, fine: SOLVERS.heun })));
  await noLeak(async () => disposeResult(await runSequential(task)));
  await noLeak(async () =>
    disposeResult(await runSrdsPipelined(task, { blocks: 4, fine: SOLVERS.heun, tolerance: 0.05 })),
  );
  await throwsWith(() => runParadigms(task, { window: 0 }), /window: got 0/);
  await throwsWith(() => runParadigms(task, { window: 2, tolerance: -1 }), /tolerance: got -1/);
  await throwsWith(() => runSrds(task, { blocks: 21 }), /blocks: got 21; allowed: an integer from 1 to T = 20/);
  await throwsWith(
    () => runSrds(task, { fine: SOLVERS['dpmpp-2m'] }),
    /single-step fine solver/,
    /euler, heun, ddim, dpm2, dpm3/,
  );
  let calls = 0;
  const failing = {
    ...model,
    predict: (xx: tf.Tensor, t: tf.Tensor1D) => {
      if (++calls % 9 === 0) throw new Error('model failed');
      return model.predict(xx, t);
    },
  };
  const bad = { executor: batchedExecutor(failing), param: model, grid, x };
  for (const run of [
    () => runSequential(bad, { solver: SOLVERS.heun }),
    () => runParadigms(bad, { window: 4 }),
    () => runSrds(bad, { blocks: 4, fine: SOLVERS.heun }),
    () => runSrdsPipelined(bad, { blocks: 4, fine: SOLVERS.heun }),
  ]) {
    calls = 0;
    await noLeak(() => throwsWith(run, /model failed/));
  }
  const toy = linearToyModel(1),
    tx = tf.tensor2d([[0.5]]);
  const r = await runParadigms(
    { executor: batchedExecutor(toy), param: toy, grid: linearToyGrid(10), x: tx },
    { window: 3, tolerance: 0 },
  );
  assert.ok(r.rounds <= 10);
  disposeResult(r);
  tx.dispose();
  x.dispose();
  model.dispose();
});

test.run();
