import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { CHORDS_PRESETS, chords, disposeResult, parseStop, runChords, type ChordsHit } from '../src/chords/index.ts';
import { SCHEDULES, asDenoiser, getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { linearToyGrid, linearToyModel, mixtureModel, randomMixture } from '../src/models/index.ts';
import { batchedExecutor, serialExecutor } from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, ddimJump, getSolver, sample, type SolverName } from '../src/solvers/index.ts';
import { rmse } from '../src/tensor.ts';
import { arbInit as arbInitOf, noLeak, throwsWith } from './helpers.ts';

/** Random valid configs: T in 2..60 (helpers.ts arbInit). */
const arbInit = arbInitOf(60);

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/**
 * The reference code's round loop for its toy problem, written independently from REFERENCE.md in
 * float64 scalars: f(x, tau) = 0.1 x + 0.01 tau, Phi(x, i -> j) = x + f(x, i)(j - i).
 */
function referenceToy(
  x0: number[],
  T: number,
  I: number[],
  perRound = 1,
): { core: number; round: number; x: number[] }[] {
  const f = (x: number[], tau: number) => x.map((v) => 0.1 * v + 0.01 * tau);
  const phi = (x: number[], fx: number[], i: number, j: number) => x.map((v, d) => v + fx[d] * (j - i));
  type C = {
    k: number;
    i: number;
    x: number[];
    b: number;
    done: boolean;
    seen: Map<number, { x: number[]; f: number[] }>;
  };
  const cores: C[] = [{ k: 0, i: 0, x: x0, b: 0, done: false, seen: new Map() }];
  const hits: { core: number; round: number; x: number[] }[] = [];
  for (let round = 1; cores.some((c) => !c.done); round++) {
    const active = cores.filter((c) => !c.done);
    for (const c of active) c.seen.set(c.i, { x: c.x, f: f(c.x, c.i) });
    const newest = cores[cores.length - 1];
    const spawnNow = newest.seen.size === 1 && active.includes(newest);
    const roundHits: typeof hits = [];
    for (const c of active) {
      const cur = c.seen.get(c.i)!;
      let next = phi(cur.x, cur.f, c.i, c.i + 1);
      const slower = cores[c.k - 1];
      if (c.k > 0 && slower.seen.has(c.b)) {
        const own = c.seen.get(c.b)!,
          prev = slower.seen.get(c.b)!;
        const gOwn = phi(own.x, own.f, c.b, c.i + 1),
          gPrev = phi(prev.x, prev.f, c.b, c.i + 1);
        next = next.map((v, d) => v - gOwn[d] + gPrev[d]);
        c.b = c.i + 1;
      }
      c.i++;
      c.x = next;
      if (c.i === T) {
        c.done = true;
        roundHits.push({ core: c.k, round, x: next });
      }
    }
    if (spawnNow) {
      const start = I[newest.k],
        p = newest.seen.get(start)!;
      if (cores.length < I.length)
        for (const last = Math.min(I.length, cores.length + perRound); cores.length < last; )
          cores.push({
            k: cores.length,
            i: I[cores.length],
            x: phi(p.x, p.f, start, I[cores.length]),
            b: I[cores.length],
            done: false,
            seen: new Map(),
          });
      else hits.push({ core: -1, round, x: phi(p.x, p.f, start, T) });
    }
    hits.push(...roundHits.sort((a, b) => b.core - a.core));
  }
  return hits;
}

test(
  'the reference toy (8-core preset, T = 50) hits at rounds 8, 17, 24, ..., 50 with the values of an independent ' +
    'float64 model',
  async () => {
    const toy = linearToyModel(3),
      x0 = Array.from(Float32Array.from(normals(3, 11)));
    const x = tf.tensor2d(x0, [1, 3]);
    const r = await chords(toy, x, linearToyGrid(50), { init: CHORDS_PRESETS[8] });
    const ref = referenceToy(x0, 50, [...CHORDS_PRESETS[8]]);
    assert.equal(
      r.hits.map((h) => h.round),
      [8, 17, 24, 31, 38, 45, 48, 49, 50],
    );
    assert.equal(
      r.hits.map((h) => (h.kind === 'coarse' ? -1 : h.core)),
      ref.map((h) => h.core),
    );
    r.hits.forEach((h, j) =>
      values(h.x).forEach((v, d) =>
        assert.ok(Math.abs(v - ref[j].x[d]) <= 1e-5 * Math.abs(ref[j].x[d]) + 1e-6, `hit ${j}: ${v} vs ${ref[j].x[d]}`),
      ),
    );
    disposeResult(r);
    x.dispose();
    toy.dispose();
  },
);

test(
  'property: CHORDS on the toy matches the independent reference model for any T, init (neighbours one apart ' +
    'included) and cores spawned per round',
  async () => {
    const toy = linearToyModel(2);
    const perRound = fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 9 }));
    await fc.assert(
      fc.asyncProperty(arbInit, fc.integer({ min: 0, max: 1e6 }), perRound, async ({ steps, init }, seed, s) => {
        const x0 = Array.from(Float32Array.from(normals(2, seed)));
        const x = tf.tensor2d(x0, [1, 2]);
        const r = await chords(toy, x, linearToyGrid(steps), { init, spawnPerRound: s });
        const ref = referenceToy(x0, steps, init, s);
        assert.equal(
          r.hits.map((h) => [h.kind === 'coarse' ? -1 : h.core, h.round]),
          ref.map((h) => [h.core, h.round]),
        );
        // float32 against float64: rounding grows with the trajectory's scale (1.1^T |x0|), which a hit that
        // nearly cancels to a small value does not show
        const scale = 1.1 ** steps * (1 + Math.max(...x0.map(Math.abs)));
        r.hits.forEach((h, j) =>
          values(h.x).forEach((v, d) =>
            assert.ok(
              Math.abs(v - ref[j].x[d]) <= 2e-5 * Math.abs(ref[j].x[d]) + 1e-5 + 1e-8 * steps * scale,
              `hit ${j}: ${v} vs ${ref[j].x[d]}`,
            ),
          ),
        );
        disposeResult(r);
        x.dispose();
      }),
      { numRuns: 40 },
    );
  },
);

test(
  'property: one core is the sequential solver, and the slowest core equals it bit for bit (euler, heun, ' +
    'dpmpp-2m)',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        arbInit,
        fc.constantFrom<SolverName>('euler', 'heun', 'dpmpp-2m'),
        fc.constantFrom(...SCHEDULES),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.boolean(),
        async ({ steps, init }, fine, sname, components, seed, one) => {
          const schedule = getSchedule(sname);
          const model = mixtureModel(schedule, randomMixture({ dim: 3, components, seed }));
          const grid = timeGrid(schedule, { steps, kind: sname === 've' ? 'karras' : 'uniform' });
          const x = tf.tensor2d(
            Float32Array.from(normals(6, seed + 1), (z) => z * schedule.sigma(1)),
            [2, 3],
          );
          const seq = await sample(SOLVERS[fine], model, x, grid);
          const r = await chords(model, x, grid, { init: one ? [0] : init, fine: SOLVERS[fine] });
          const last = r.hits[r.hits.length - 1];
          assert.is(last.core, 0);
          assert.equal(values(last.x), values(seq.x), `${fine} ${sname} T=${steps} init=${init}`);
          disposeResult(r);
          tf.dispose([x, seq.x]);
          model.dispose();
        },
      ),
      { numRuns: 25 },
    );
  },
);

test(
  'a network evaluated in batches of different sizes: the slowest core equals sequential to float32 ' + 'rounding',
  async () => {
    const D = 16,
      H = 32;
    const w1 = tf.tensor2d(
        Float32Array.from(normals(D * H, 1), (z) => z / 4),
        [D, H],
      ),
      w2 = tf.tensor2d(
        Float32Array.from(normals(H * D, 2), (z) => z / 6),
        [H, D],
      );
    const net = asDenoiser(
      (x, t) => tf.tidy(() => tf.matMul(tf.tanh(tf.add(tf.matMul(x, w1), tf.reshape(t, [-1, 1]))), w2)),
      { prediction: 'velocity', schedule: getSchedule('flow') },
    );
    const grid = timeGrid(getSchedule('flow'), { steps: 30 }),
      x = tf.tensor2d(Float32Array.from(normals(3 * D, 4)), [3, D]);
    const seq = await sample(SOLVERS.euler, net, x, grid),
      r = await chords(net, x, grid, { init: [0, 2, 5, 10, 20] });
    const err = rmse(r.sample.dataSync(), seq.x.dataSync());
    assert.ok(err < 1e-5, `rmse ${err}`);
    disposeResult(r);
    tf.dispose([x, seq.x, w1, w2]);
  },
);

test(
  'mixture, T = 50, presets: the error to the sequential sample never grows from hit to hit, and rectification ' +
    'helps every core',
  async () => {
    const schedule = getSchedule('flow'),
      grid = timeGrid(schedule, { steps: 50 });
    for (const seed of [0, 1, 2]) {
      const model = mixtureModel(schedule, randomMixture({ dim: 32, components: 8, seed }));
      const x = tf.tensor2d(Float32Array.from(normals(4 * 32, seed + 7)), [4, 32]);
      const seq = await sample(SOLVERS.euler, model, x, grid),
        s = seq.x.dataSync();
      for (const K of [4, 6, 8]) {
        const withR = await chords(model, x, grid, { init: CHORDS_PRESETS[K] });
        const without = await chords(model, x, grid, { init: CHORDS_PRESETS[K], rectify: false });
        const e = withR.hits.map((h) => rmse(h.x.dataSync(), s));
        for (let j = 1; j < e.length; j++)
          assert.ok(e[j] <= e[j - 1] + 1e-7, `seed ${seed}, ${K} cores: hit ${j} error ${e[j]} > ${e[j - 1]}`);
        const byCore = (hs: ChordsHit[], k: number) =>
          rmse(hs.find((h) => h.kind === 'core' && h.core === k)!.x.dataSync(), s);
        for (let k = 1; k < K; k++)
          assert.ok(
            byCore(withR.hits, k) < byCore(without.hits, k),
            `seed ${seed}, ${K} cores: core ${k} not improved`,
          );
        disposeResult(withR);
        disposeResult(without);
      }
      tf.dispose([x, seq.x]);
      model.dispose();
    }
  },
);

test(
  'stop rules: core-index i returns the i-th hit (0 acts as 1); residual stops early; complete runs to core ' + '0',
  async () => {
    const schedule = getSchedule('flow'),
      grid = timeGrid(schedule, { steps: 50 });
    const model = mixtureModel(schedule, randomMixture({ dim: 8, components: 4, seed: 3 }));
    const x = tf.tensor2d(Float32Array.from(normals(8, 5)), [1, 8]);
    const run = (stop: string) => chords(model, x, grid, { init: CHORDS_PRESETS[8], stop: parseStop(stop) });
    for (const [stop, nHits, round] of [
      ['core-index:1', 2, 17],
      ['core-index:0', 2, 17],
      ['core-index:2', 3, 24],
      ['complete', 9, 50],
      ['residual:0', 9, 50],
    ] as const) {
      const r = await run(stop);
      assert.is(r.hits.length, nHits, stop);
      assert.is(r.rounds, round, stop);
      assert.is(r.sample, r.hits[r.hits.length - 1].x);
      disposeResult(r);
    }
    const loose = await run('residual:1e9');
    assert.is(loose.hits.length, 2);
    assert.is(loose.stoppedBy, 'residual');
    disposeResult(loose);
    const rm = await run('residual-rmse:1e-4');
    const last = rm.hits.length - 1;
    const d = Math.sqrt(tf.tidy(() => tf.mean(tf.square(tf.sub(rm.hits[last].x, rm.hits[last - 1].x))).dataSync()[0]));
    assert.ok(d < 1e-4 && rm.hits.length < 9, `stopped after ${rm.hits.length} hits at rmse ${d}`);
    disposeResult(rm);
    tf.dispose(x);
    model.dispose();
  },
);

test('hits stream as they appear; model calls and per-round timings add up', async () => {
  const schedule = getSchedule('vp-linear'),
    grid = timeGrid(schedule, { steps: 20, kind: 'logsnr' });
  const model = mixtureModel(schedule, randomMixture({ dim: 4, components: 2 }));
  const x = tf.tensor2d(Float32Array.from(normals(4, 2)), [1, 4]);
  const seen: [number, number][] = [];
  let rounds = 0;
  const r = await chords(model, x, grid, {
    init: [0, 3, 6, 12],
    fine: getSolver('heun'),
    coarse: ddimJump,
    onHit: (h) => seen.push([h.index, h.round]),
    onRound: () => rounds++,
  });
  assert.equal(
    seen,
    r.hits.map((h) => [h.index, h.round]),
  );
  assert.is(rounds, r.rounds);
  assert.is(
    r.timings.reduce((a, t) => a + t.evals, 0),
    r.modelCalls,
  );
  assert.is(r.hits[r.hits.length - 1].modelCalls, r.modelCalls);
  assert.ok(Math.abs(r.modelMs + r.transferMs + r.overheadMs - r.wallMs) < 1e-6);
  disposeResult(r);
  tf.dispose(x);
  model.dispose();
});

test('no tensor leaks from whole runs: complete, early stop, serial executor, and a failing model', async () => {
  const schedule = getSchedule('flow'),
    grid = timeGrid(schedule, { steps: 24 });
  const model = mixtureModel(schedule, randomMixture({ dim: 4, components: 3 }));
  const x = tf.tensor2d(Float32Array.from(normals(8, 2)), [2, 4]);
  for (const fine of ['euler', 'heun', 'dpmpp-2m', 'dpmpp-3m', 'dpm3'] as const)
    for (const stop of ['complete', 'core-index:1', 'residual:1e-3'])
      await noLeak(async () =>
        disposeResult(
          await chords(model, x, grid, { init: [0, 1, 4, 8, 16], fine: SOLVERS[fine], stop: parseStop(stop) }),
        ),
      );
  await noLeak(async () =>
    disposeResult(await runChords({ executor: serialExecutor(model), param: model, grid, x }, { init: [0, 6, 12] })),
  );
  for (const spawnPerRound of [2, 4])
    await noLeak(async () =>
      disposeResult(
        await chords(model, x, grid, {
          init: [0, 1, 4, 8, 16],
          fine: SOLVERS['dpmpp-2m'],
          history: 'shift',
          spawnPerRound,
        }),
      ),
    );
  const nan = asDenoiser(
    (xx, t) =>
      tf.tidy(() =>
        tf.mul(
          model.predict(xx, t),
          tf.reshape(tf.div(t.less(0.5).cast('float32'), t.less(0.5).cast('float32')).add(0), [-1, 1]),
        ),
      ),
    { prediction: 'x0', schedule },
  );
  await noLeak(() =>
    throwsWith(
      () => runChords({ executor: batchedExecutor(nan), param: nan, grid, x }, { init: [0, 4, 8] }),
      /not finite/,
      /core \d+, step \d+/,
      /round \d+/,
    ),
  );
  let calls = 0;
  const failing = {
    ...model,
    predict: (xx: tf.Tensor, t: tf.Tensor1D) => {
      if (++calls === 7) throw new Error('model failed');
      return model.predict(xx, t);
    },
  };
  await noLeak(() =>
    throwsWith(() => chords(failing, x, grid, { init: [0, 4, 8], fine: SOLVERS.heun }), /model failed/),
  );
  tf.dispose(x);
  model.dispose();
});

test('bad inputs are rejected before any model call', async () => {
  const model = linearToyModel(1);
  let calls = 0;
  const counted = {
    ...model,
    predict: (x: tf.Tensor, t: tf.Tensor1D) => {
      calls++;
      return model.predict(x, t);
    },
  };
  const x = tf.tensor2d([[1]]);
  await throwsWith(() => chords(counted, x, linearToyGrid(10), { init: [0, 10] }), /below the number of steps T = 10/);
  await throwsWith(() => chords(counted, x, linearToyGrid(10), { init: [2, 4] }), /must start at 0/);
  await throwsWith(() => chords(counted, x, [0], { init: [0] }), /grid/);
  await throwsWith(
    () => chords(counted, x, linearToyGrid(10), { init: [0], stop: { kind: 'core-index', index: -1 } }),
    /core-index/,
  );
  await throwsWith(
    () => (chords as (...a: unknown[]) => unknown)(counted, x, linearToyGrid(10)),
    /chords: options got undefined; allowed: \{ init/,
  );
  await throwsWith(
    () => chords(counted, x, linearToyGrid(10), { init: [0, 3], fine: 'heun' as never }),
    /chords: fine: got 'heun' \(a name\); allowed: a Solver object/,
  );
  await throwsWith(
    () => chords(counted, x, linearToyGrid(10), { init: [0, 3], stop: { kind: 'core-index', index: 3 } }),
    /stop: core-index got 3, but 2 cores give hits 0 to 2/,
  );
  for (const bad of [0, 1.5, NaN])
    await throwsWith(
      () => chords(counted, x, linearToyGrid(10), { init: [0, 3], spawnPerRound: bad }),
      new RegExp(`spawnPerRound: got ${bad}; allowed: an integer >= 1`),
    );
  await throwsWith(() => parseStop('fastest'), /core-index:<i>, residual\[:<tol>\], residual-rmse:<tol>, complete/);
  await throwsWith(
    () => chords(counted, x, linearToyGrid(10), { init: [0, 3], coarse: ddimJump }),
    /needs a noise schedule/,
  );
  assert.is(calls, 0);
  x.dispose();
});

test(
  'regression: cores one apart finish in the same round (the reference crashes there): all reported, fastest ' +
    'first, the run goes on',
  async () => {
    const toy = linearToyModel(2),
      x = tf.tensor2d([[0.3, -0.7]]);
    const seen: string[] = [];
    const r = await chords(toy, x, linearToyGrid(10), {
      init: [0, 1, 2],
      onHit: (h) => seen.push(`${h.kind}:${h.core}@${h.round}`),
    });
    assert.equal(seen, ['coarse:2@3', 'core:2@10', 'core:1@10', 'core:0@10']);
    const seq = await sample(SOLVERS.euler, toy, x, linearToyGrid(10));
    assert.equal(values(r.sample), values(seq.x));
    const two = await chords(toy, x, linearToyGrid(10), { init: [0, 1, 2], stop: parseStop('core-index:2') });
    assert.equal(
      two.hits.map((h) => h.core),
      [2, 2, 1],
    ); // stops after the second real hit, within the same round
    disposeResult(r);
    disposeResult(two);
    tf.dispose([x, seq.x]);
  },
);

test.run();
