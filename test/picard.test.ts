import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { paradigmsSlide, runParadigms, runParataa } from '../src/methods/index.ts';
import { disposeResult } from '../src/sampling/task.ts';
import { SCHEDULES, getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { x0Of } from '../src/diffusion/prediction.ts';
import { paradigmsVariance } from '../src/methods/window.ts';
import { runPicard, type PicardOptions } from '../src/methods/picard.ts';
import { linearToyGrid, linearToyModel, mixtureModel, randomMixture } from '../src/models/index.ts';
import { batchedExecutor, type Executor } from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, pastTimes, sample, type SolverName, type StageEval } from '../src/solvers/index.ts';
import { tidy } from '../src/tensor.ts';
import { noLeak, throwsWith } from './helpers.ts';

const LINEAR: SolverName[] = ['ddim', 'dpmpp-2m', 'dpmpp-3m'];
/** The plain sweep, the secant sweep, and the secant sweep with the secant acceptance test. */
const SWEEPS: PicardOptions[] = [{ secant: false }, { secant: true }, { secant: true, acceptance: 'secant' }];

function setup(sname: string, steps: number, seed: number, dim = 3, rows = 2) {
  const schedule = getSchedule(sname);
  const model = mixtureModel(schedule, randomMixture({ dim, components: 3, seed }));
  const grid = timeGrid(schedule, { steps, kind: sname === 've' ? 'karras' : 'uniform' });
  const x = tf.tensor2d(
    Float32Array.from(normals(rows * dim, seed + 1), (z) => z * schedule.sigma(1)),
    [rows, dim],
  );
  return { model, grid, x, rows, dispose: () => (x.dispose(), model.dispose()) };
}
const values = (t: tf.Tensor) => Array.from(t.dataSync());
const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** An executor that records the rows of every round. */
function counting(inner: Executor) {
  const rounds: number[] = [];
  const ex: Executor = {
    name: 'counting',
    evaluate: (req) => {
      rounds.push(req.reduce((s, r) => s + r.x.shape[0], 0));
      return inner.evaluate(req);
    },
    close: () => inner.close(),
  };
  return { ex, rounds };
}

test('linear form: finish equals c x + sum g D on one-call steps; none for the 3M start, euler, heun', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('flow', 'vp-linear', 'vp-cosine'),
      fc.constantFrom(...LINEAR),
      fc.integer({ min: 3, max: 30 }),
      fc.integer({ min: 0, max: 1e6 }),
      (sname, name, steps, seed) => {
        const { model, grid, x, dispose } = setup(sname, steps, seed);
        const solver = SOLVERS[name];
        const j = 1 + (seed % (steps - 1));
        const past = pastTimes(grid, 0, j);
        const coef = solver.linear!.coefficients(model, grid[j], grid[j + 1], past);
        const calls = solver.calls(model, grid[j], grid[j + 1], past);
        assert.is(coef === null, calls > 1, 'null exactly for multi-call steps');
        if (coef) {
          tidy(() => {
            const ds = [0, 1, 2].map((k) => tf.tensor2d(Float32Array.from(normals(x.size, seed + 10 + k)), x.shape));
            const state = {
              history: [1, 2]
                .slice(0, Math.min(j, solver.linear!.history))
                .map((k) => ({ x0: ds[k], lambda: model.schedule!.lambda(grid[j - k]) })),
            };
            const evals: StageEval[] = [{ x, t: grid[j], out: ds[0] }];
            const got = solver.finish(model, { x, t: grid[j], tNext: grid[j + 1], state }, evals).x;
            let want = tf.mul(x, coef.c);
            coef.g.forEach((g, k) => (want = tf.add(want, tf.mul(ds[k], g))));
            const scale = 1 + tf.max(tf.abs(want)).dataSync()[0];
            assert.ok(maxAbs(got, want) <= 2e-5 * scale, `${name} j=${j}: ${maxAbs(got, want)}`);
            assert.is(coef.c, model.schedule!.sigma(grid[j + 1]) / model.schedule!.sigma(grid[j]));
            return [];
          });
        }
        dispose();
      },
    ),
    { numRuns: 60 },
  );
  assert.is(SOLVERS.euler.linear, undefined);
  assert.is(SOLVERS.heun.linear, undefined);
});

test('property: Picard and ParaTAA with tolerance 0 are sample() bit for bit (ddim, 2M, 3M), <= N rounds', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...SCHEDULES),
      fc.constantFrom(...LINEAR),
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 10 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 3 }),
      fc.constantFrom('per-sample' as const, 'shared' as const),
      fc.constantFrom('ddim' as const, 'linear' as const, 'quadratic' as const),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom(...SWEEPS),
      fc.integer({ min: 0, max: 1e6 }),
      async (sname, name, steps, window, anderson, depth, windows, predictor, maxAdvance, sweep, seed) => {
        const { model, grid, x, dispose } = setup(sname, steps, seed);
        const seq = await sample(SOLVERS[name], model, x, grid);
        const task = { executor: batchedExecutor(model), param: model, grid, x };
        const r = await runPicard(task, {
          window,
          tolerance: 0,
          solver: SOLVERS[name],
          anderson,
          andersonDepth: depth,
          windows,
          predictor,
          maxAdvance,
          ...sweep,
        });
        const what =
          `${sname} ${name} K=${window} anderson=${anderson} ${windows} ${predictor} advance ${maxAdvance}` +
          ` ${JSON.stringify(sweep)}`;
        assert.equal(values(r.sample), values(seq.x), what);
        assert.is(r.nodes, seq.modelCalls);
        assert.ok(r.rounds <= seq.modelCalls, `${r.rounds} rounds > ${seq.modelCalls}`);
        if (window === 1) assert.is(r.rounds, seq.modelCalls, 'window 1 is the sequential solver');
        disposeResult(r);
        seq.x.dispose();
        dispose();
      },
    ),
    { numRuns: 60 },
  );
});

test('property: window 1 is the sequential solver; any tolerance ends within the sequential rounds', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...SCHEDULES),
      fc.constantFrom(...LINEAR),
      fc.integer({ min: 1, max: 25 }),
      fc.integer({ min: 1, max: 9 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.boolean(),
      fc.constantFrom('noise' as const, 'state' as const),
      fc.integer({ min: 0, max: 1e6 }),
      async (sname, name, steps, window, tolerance, anderson, scale, seed) => {
        const { model, grid, x, dispose } = setup(sname, steps, seed);
        const seq = await sample(SOLVERS[name], model, x, grid);
        const task = { executor: batchedExecutor(model), param: model, grid, x };
        const one = await runPicard(task, { window: 1, tolerance, solver: SOLVERS[name], anderson });
        assert.equal(values(one.sample), values(seq.x));
        assert.is(one.rounds, seq.modelCalls);
        const r = await runPicard(task, { window, tolerance, solver: SOLVERS[name], anderson, scale });
        assert.ok(r.rounds <= seq.modelCalls, `${r.rounds} > ${seq.modelCalls}`);
        assert.is(r.hits.length, r.rounds);
        assert.is(r.sample, r.hits[r.hits.length - 1].x);
        for (const res of [one, r]) disposeResult(res);
        seq.x.dispose();
        dispose();
      },
    ),
    { numRuns: 40 },
  );
});

test('property: <= K evaluations per sample per round, no NaN, error to sequential falls with tolerance', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...SCHEDULES),
      fc.constantFrom(...LINEAR),
      fc.integer({ min: 4, max: 40 }),
      fc.integer({ min: 2, max: 8 }),
      fc.boolean(),
      fc.constantFrom('ddim' as const, 'linear' as const, 'quadratic' as const),
      fc.constantFrom(...SWEEPS),
      fc.integer({ min: 0, max: 1e6 }),
      async (sname, name, steps, window, anderson, predictor, sweep, seed) => {
        const { model, grid, x, rows, dispose } = setup(sname, steps, seed, 4, 3);
        const seq = await sample(SOLVERS[name], model, x, grid);
        const scale = tf.tidy(() => tf.max(tf.abs(seq.x)).dataSync()[0]);
        const errs: number[] = [];
        for (const tolerance of [1e-2, 1e-6, 0]) {
          const { ex, rounds } = counting(batchedExecutor(model));
          const o: PicardOptions = { window, tolerance, solver: SOLVERS[name], anderson, predictor, ...sweep };
          const r = await runPicard({ executor: ex, param: model, grid, x }, o);
          assert.is(rounds.length, r.rounds);
          r.windows.forEach((w, i) => {
            const per = w.end.map((e, b) => e - w.begin[b]);
            assert.ok(
              per.every((k) => k >= 0 && k <= window),
              `round ${i + 1}: ${per}`,
            );
            assert.is(
              rounds[i],
              per.reduce((s, k) => s + k, 0),
            );
          });
          assert.is(
            r.sampleEvals,
            rounds.reduce((s, k) => s + k, 0),
          );
          assert.ok(r.sampleEvals <= rows * window * r.rounds);
          for (const h of r.hits) assert.ok(values(h.x).every(Number.isFinite), 'NaN or Infinity in a hit');
          errs.push(maxAbs(r.sample, seq.x) / (1 + scale));
          disposeResult(r);
        }
        assert.is(errs[2], 0);
        // falls: four decades tighter is at least as close (up to float32 noise of the converged sum). Adjacent
        // tolerances need not be ordered: two stopping points one decade apart can land either way (the
        // counterexample ve, dpmpp-2m, T = 7, K = 2, seed 16 gave 2.5e-4 at 1e-1 and 7.3e-4 at 1e-3).
        assert.ok(errs[1] <= errs[0] + 1e-6, `errors ${errs.map((e) => e.toExponential(2))}`);
        seq.x.dispose();
        dispose();
      },
    ),
    { numRuns: 30 },
  );
});

test('every sample slides its own window: a batch equals its samples run one by one, bit for bit', async () => {
  const { model, grid, x, rows, dispose } = setup('vp-linear', 30, 11, 4, 4);
  const o: PicardOptions = { window: 5, tolerance: 3e-2, solver: SOLVERS['dpmpp-2m'] };
  const all = await runPicard({ executor: batchedExecutor(model), param: model, grid, x }, o);
  assert.ok(
    all.windows.some((w) => new Set(w.begin).size > 1),
    'some round mixes samples at different points',
  );
  const parts = tf.split(x, rows, 0);
  for (let b = 0; b < rows; b++) {
    const one = await runPicard({ executor: batchedExecutor(model), param: model, grid, x: parts[b] }, o);
    const row = tf.slice(all.sample, [b, 0], [1, -1]);
    assert.equal(values(one.sample), values(row), `sample ${b}`);
    assert.equal(
      one.windows.map((w) => w.begin[0]),
      all.windows.slice(0, one.rounds).map((w) => w.begin[b]),
    );
    row.dispose();
    disposeResult(one);
  }
  tf.dispose(parts);
  disposeResult(all);
  dispose();
});

test('shared windows: every round evaluates the whole batch at the same nodes', async () => {
  const { model, grid, x, rows, dispose } = setup('vp-linear', 30, 11, 4, 4);
  const sizes: number[][] = [];
  const inner = batchedExecutor(model);
  const ex: Executor = {
    name: 'sizes',
    evaluate: (req) => (sizes.push(req.map((r) => r.x.shape[0])), inner.evaluate(req)),
    close: () => inner.close(),
  };
  const o: PicardOptions = { window: 5, tolerance: 3e-2, windows: 'shared' };
  const r = await runPicard({ executor: ex, param: model, grid, x }, o);
  for (const w of r.windows) assert.ok(w.begin.every((b) => b === w.begin[0]));
  assert.ok(sizes.every((s) => s.every((k) => k === rows)));
  disposeResult(r);
  dispose();
});

test('maxAdvance: the window moves by at most that many nodes a round; 1 is the sequential solver', async () => {
  const { model, grid, x, dispose } = setup('flow', 24, 11, 4, 3);
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  const seq = await sample(SOLVERS['dpmpp-2m'], model, x, grid);
  for (const maxAdvance of [1, 2, 3]) {
    // a loose tolerance: every node would pass, so only the cap holds the window back
    const r = await runPicard(task, { window: 6, tolerance: 1e3, maxAdvance });
    for (let i = 1; i < r.windows.length; i++)
      r.windows[i].begin.forEach((b, s) => assert.ok(b - r.windows[i - 1].begin[s] <= maxAdvance, `sample ${s}`));
    assert.is(r.rounds, Math.ceil(seq.modelCalls / maxAdvance));
    disposeResult(r);
  }
  const one = await runPicard(task, { window: 6, tolerance: 0, maxAdvance: 1 });
  assert.equal(values(one.sample), values(seq.x), 'window 6 advancing 1 a round, tolerance 0: sample() bit for bit');
  assert.is(one.rounds, seq.modelCalls);
  disposeResult(one);
  seq.x.dispose();
  dispose();
});

test('secant: on isotropic Gaussian data (dD/dx = a I) the sweep takes fewer rounds, same fixed point', async () => {
  const schedule = getSchedule('flow');
  const dim = 6;
  for (const s of [0.3, 1, 2]) {
    const model = mixtureModel(schedule, { means: [Array(dim).fill(0.5)], scales: [s], weights: [1] });
    const grid = timeGrid(schedule, { steps: 40, shift: 2 });
    const x = tf.tensor2d(Float32Array.from(normals(4 * dim, 11)), [4, dim]);
    const task = { executor: batchedExecutor(model), param: model, grid, x };
    const seq = await sample(SOLVERS['dpmpp-2m'], model, x, grid);
    const rounds: number[] = [],
      errs: number[] = [];
    for (const sweep of SWEEPS) {
      const r = await runPicard(task, { window: 8, tolerance: 1e-4, scale: 'state', ...sweep });
      rounds.push(r.rounds);
      errs.push(maxAbs(r.sample, seq.x));
      disposeResult(r);
    }
    // the secant's miss is 0 here, so its acceptance test counts changes at the floor: no more rounds
    assert.ok(rounds[1] < rounds[0] && rounds[2] <= rounds[1], `scale ${s}: rounds ${rounds} (plain, secant, test)`);
    assert.ok(
      errs.every((e) => e < 1e-3),
      `scale ${s}: errors to the sequential sample ${errs}`,
    );
    tf.dispose([x, seq.x]);
    model.dispose();
  }
});

test('defaults: the secant sweep for Picard, the plain update with Anderson (= runParataa)', async () => {
  const { model, grid, x, dispose } = setup('flow', 24, 5, 4, 3);
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  const run = async (f: () => ReturnType<typeof runPicard>) => {
    const r = await f();
    const out = { rounds: r.rounds, v: values(r.sample) };
    disposeResult(r);
    return out;
  };
  const o = { window: 6, tolerance: 1e-3 };
  const def = await run(() => runPicard(task, o)),
    on = await run(() => runPicard(task, { ...o, secant: true }));
  assert.equal(def, on, 'picard: secant by default');
  const off = await run(() => runPicard(task, { ...o, secant: false }));
  assert.not.equal(off.v, on.v, 'the sweep changes the iterates here (else this test shows nothing)');
  const taa = await run(() => runPicard(task, { ...o, anderson: true })),
    plain = await run(() => runPicard(task, { ...o, anderson: true, secant: false })),
    parataa = await run(() => runParataa(task, o));
  assert.equal(taa, plain, 'anderson: the plain update by default');
  assert.equal(parataa, plain, 'runParataa: the same');
  dispose();
});

test('intermediate results: the furthest x0 estimate, then x_N once the window reaches it', async () => {
  const { model, grid, x, dispose } = setup('flow', 12, 5, 3, 2);
  const seen: number[] = [];
  const r = await runPicard(
    { executor: batchedExecutor(model), param: model, grid, x },
    { window: 3, tolerance: 0, solver: SOLVERS.ddim, onHit: (h) => seen.push(h.round) },
  );
  assert.equal(
    seen,
    r.hits.map((h) => h.round),
  );
  // round 1 evaluates copies of x_0 at nodes 0..2: the hit is the model's x0 estimate of x_0 at t_2
  const want = tf.tidy(() => x0Of(model, model.predict(x, tf.fill([2], grid[2]) as tf.Tensor1D), x, grid[2]).clone());
  assert.equal(values(r.hits[0].x), values(want));
  want.dispose();
  const reached = r.windows.findIndex((w) => w.end.every((e) => e === r.nodes));
  const seq = await sample(SOLVERS.ddim, model, x, grid);
  assert.equal(values(r.hits[r.hits.length - 1].x), values(seq.x));
  assert.ok(reached > 0);
  seq.x.dispose();
  disposeResult(r);
  dispose();
});

test('ParaDiGMS: the authors window rule, hand-worked', () => {
  // window [3, 7) of T = 10, p = 4: new points 4..7, two samples; point 5 fails for the second sample only
  const s = paradigmsSlide({
    begin: 3,
    window: 4,
    T: 10,
    errors: [
      [0.5, 0.1],
      [0.2, 3.0],
      [9, 9],
      [0, 0],
    ],
    variances: [1, 1, 1, 1],
    tolerance: 1,
  });
  assert.equal(s, { ind: 1, begin: 5, end: 9 }); // point 4 kept; the window restarts AT point 5
  // nothing fails: move on by p
  assert.equal(
    paradigmsSlide({ begin: 3, window: 4, T: 10, errors: [[0], [0], [0], [0]], variances: [1, 1, 1, 1], tolerance: 0 }),
    { ind: 4, begin: 7, end: 10 },
  );
  // the first point fails: the window restarts at begin + 1 (always progress)
  assert.equal(
    paradigmsSlide({ begin: 0, window: 3, T: 10, errors: [[2], [0], [0]], variances: [1, 1, 1], tolerance: 1 }),
    { ind: 0, begin: 1, end: 4 },
  );
  // the tail: a window cut at T; all pass -> begin passes T (done)
  assert.equal(
    paradigmsSlide({ begin: 8, window: 4, T: 10, errors: [[0.1], [0]], variances: [1, 0], tolerance: 1 }).begin,
    11,
  );
  // a variance of 0 (point T) passes only an unchanged point
  assert.equal(
    paradigmsSlide({ begin: 8, window: 4, T: 10, errors: [[0.1], [1e-30]], variances: [1, 0], tolerance: 1 }).begin,
    10,
  );
});

test('ParaDiGMS: the tolerance scale is the authors DDPM posterior variance; a run follows the rule', async () => {
  // VP: (1 - abar_next) / (1 - abar_t) * (1 - abar_t / abar_next), abar = alpha^2
  const vp = getSchedule('vp-linear'),
    g = timeGrid(vp, { steps: 10 });
  for (let j = 0; j < 10; j++) {
    const at = vp.alpha(g[j]) ** 2,
      an = g[j + 1] === 0 ? 1 : vp.alpha(g[j + 1]) ** 2;
    const want = ((1 - an) / (1 - at)) * (1 - at / an);
    assert.ok(Math.abs(paradigmsVariance({ prediction: 'eps', schedule: vp }, g, j) - want) <= 1e-12 + 1e-9 * want);
  }
  assert.is(paradigmsVariance({ prediction: 'eps', schedule: vp }, g, 10), 0);
  // flow, T = 10, p = 4, a huge tolerance: rounds [0,4) -> begin 4; [4,8) -> 8; [8,10): point 9 has variance 0
  // (its step lands on clean data) and changed -> restart at 9; [9,10): point 10 changed -> begin 10, done
  const { model, grid, x, dispose } = setup('flow', 10, 2);
  assert.is(paradigmsVariance(model, grid, 9), 0);
  const r = await runParadigms(
    { executor: batchedExecutor(model), param: model, grid, x },
    { window: 4, tolerance: 1e9 },
  );
  assert.is(r.rounds, 4);
  assert.equal(
    r.hits.map((h) => h.round),
    [3, 4],
  );
  disposeResult(r);
  dispose();
});

test('no leaks: success, early stop, Anderson, faults; bad options are errors before any model call', async () => {
  const { model, grid, x, dispose } = setup('flow', 20, 7);
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  for (const o of [
    {},
    { anderson: true, andersonDepth: 3 },
    { maxRounds: 3 },
    { solver: SOLVERS['dpmpp-3m'], window: 4 },
    { solver: SOLVERS.ddim, tolerance: 0 },
    { predictor: 'linear', window: 4 },
    { predictor: 'quadratic', anderson: true, solver: SOLVERS['dpmpp-3m'] },
    { secant: true },
    { secant: true, solver: SOLVERS['dpmpp-3m'], window: 4, maxRounds: 4 },
    { secant: true, acceptance: 'secant', window: 6 },
  ] as PicardOptions[])
    await noLeak(async () => {
      const r = await runPicard(task, o);
      if (o.maxRounds) assert.is(r.rounds, o.maxRounds);
      disposeResult(r);
    });
  let calls = 0;
  const failing = {
    ...model,
    predict: (xx: tf.Tensor, t: tf.Tensor1D) => {
      if (++calls === 5) throw new Error('model failed');
      return model.predict(xx, t);
    },
  };
  for (const o of [{}, { anderson: true }, ...SWEEPS.slice(1)]) {
    calls = 0;
    await noLeak(() =>
      throwsWith(() => runPicard({ ...task, executor: batchedExecutor(failing) }, { ...o, window: 4 }), /model failed/),
    );
  }
  // a solver step that throws for a later sample of a round (the earlier samples' new values are freed)
  for (const at of [2, 7, 13]) {
    let steps = 0;
    const base = SOLVERS['dpmpp-2m'];
    const flaky = {
      ...base,
      finish: (...args: Parameters<typeof base.finish>) => {
        if (++steps === at) throw new Error('step failed');
        return base.finish(...args);
      },
    };
    for (const o of [{}, { anderson: true }, ...SWEEPS.slice(1)]) {
      steps = 0;
      await noLeak(() => throwsWith(() => runPicard(task, { ...o, solver: flaky, window: 4 }), /step failed/));
    }
  }
  calls = 0;
  await noLeak(() => throwsWith(() => runParadigms({ ...task, executor: batchedExecutor(failing) }, { window: 4 })));
  const bad: [PicardOptions, RegExp][] = [
    [{ window: 0 }, /window: got 0; allowed: an integer >= 1/],
    [{ tolerance: -1 }, /tolerance: got -1/],
    [{ solver: SOLVERS.heun }, /solver 'heun' has no linear form.*allowed: ddim, dpmpp-2m, dpmpp-3m/],
    [{ solver: 'ddim' as never }, /solver: got 'ddim' \(a name\); allowed: a Solver object, e\.g\. SOLVERS\['ddim'\]/],
    [{ andersonDepth: 0 }, /andersonDepth: got 0; allowed: an integer from 1 to 5/],
    [{ andersonRegularization: 0 }, /andersonRegularization: got 0/],
    [{ maxRounds: 0 }, /maxRounds: got 0/],
    [{ scale: 'x' as 'noise' }, /scale: got 'x'; allowed: noise, state/],
    [{ windows: 'x' as 'shared' }, /windows: got 'x'; allowed: auto, per-sample, shared/],
    [{ predictor: 'x' as 'linear' }, /predictor: got 'x'; allowed: ddim, linear, quadratic/],
    [{ maxAdvance: 0 }, /maxAdvance: got 0; allowed: an integer >= 1/],
    [{ maxAdvance: 1.5 }, /maxAdvance: got 1.5/],
    [{ secant: 'yes' as unknown as boolean }, /secant: got 'yes'; allowed: true or false/],
    [{ secant: true, acceptance: 'x' as 'change' }, /acceptance: got 'x'; allowed: change, secant/],
    [{ secant: false, acceptance: 'secant' }, /acceptance: 'secant' needs the secant sweep/],
  ];
  calls = 0;
  for (const [o, re] of bad)
    await noLeak(() => throwsWith(() => runPicard({ ...task, executor: batchedExecutor(failing) }, o), re));
  assert.is(calls, 0, 'no model call before the errors');
  const toy = linearToyModel(1),
    tx = tf.tensor2d([[0.5]]);
  await throwsWith(
    () => runPicard({ executor: batchedExecutor(toy), param: toy, grid: linearToyGrid(5), x: tx }),
    /noise schedule/,
  );
  tx.dispose();
  dispose();
});

test('row-conditioned models (DiT labels by row): auto windows are shared, per-sample is refused', async () => {
  const schedule = getSchedule('flow');
  const base = mixtureModel(schedule, randomMixture({ dim: 3, components: 3, seed: 4 }));
  // row r of a batch conditioned on its position: a request holding a subset of the rows would be wrong
  const model = { ...base, rowConditioned: true };
  const grid = timeGrid(schedule, { steps: 12 });
  const x = tf.tensor2d(Float32Array.from(normals(4 * 3, 5)), [4, 3]);
  const { ex, rounds } = counting(batchedExecutor(model));
  const r = await runPicard({ executor: ex, param: model, grid, x }, { window: 4, tolerance: 1e-3 });
  assert.ok(
    r.windows.every((w) => w.begin.every((b) => b === w.begin[0])),
    'one window for the whole batch',
  );
  assert.ok(rounds.length > 0);
  disposeResult(r);
  await noLeak(() =>
    throwsWith(
      () => runPicard({ executor: ex, param: model, grid, x }, { windows: 'per-sample' }),
      /picard: windows 'per-sample' would put rows of different samples into one request.*allowed: shared or auto/,
    ),
  );
  x.dispose();
});

test.run();
