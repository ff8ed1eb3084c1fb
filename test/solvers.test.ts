import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { GRIDS, SCHEDULES, asDenoiser, getSchedule, timeGrid, type GridName } from '../src/diffusion/index.ts';
import {
  SOLVERS,
  SOLVER_NAMES,
  callsOnGrid,
  euler,
  getSolver,
  sample,
  solverStep,
  type SolverName,
} from '../src/solvers/index.ts';
import { gaussianModel, mixtureModel, randomMixture, type AnalyticModel } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { rmse, tidy } from '../src/tensor.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { runSequential } from '../src/methods/index.ts';
import { x0Of } from '../src/diffusion/prediction.ts';
import { ddimJump, x0Jump } from '../src/solvers/jump.ts';
import { logSlope, noLeak, throwsWith } from './helpers.ts';

/** RMS error of a sequential solve from `start` rows at grid[0] to the model's own solution at grid[T]. */
async function solveError(
  model: AnalyticModel,
  solver: SolverName,
  grid: number[],
  start: Float32Array,
  rows: number,
): Promise<number> {
  const x = tf.tensor2d(start, [rows, model.dim]);
  const { x: y } = await sample(getSolver(solver), model, x, grid);
  const err = rmse(y.dataSync(), model.solve(Float64Array.from(start), grid[0], grid[grid.length - 1]));
  tf.dispose([x, y]);
  return err;
}

/** Noise at time t for Gaussian-like data of scale s: alpha mu + sqrt(alpha^2 s^2 + sigma^2) z. */
function startRows(
  model: AnalyticModel,
  mean: number[],
  s: number,
  t: number,
  rows: number,
  seed: number,
): Float32Array {
  const a = model.schedule!.alpha(t),
    sd = Math.sqrt(a * a * s * s + model.schedule!.sigma(t) ** 2);
  return Float32Array.from(normals(rows * model.dim, seed), (z, j) => a * mean[j % model.dim] + sd * z);
}

// Where each solver's asymptotic order shows while the error stays far above float32 noise (~1e-6 here).
const ORDER_SETUP: Record<
  SolverName,
  { steps: number[] | ((schedule: string) => number[]); grid: (schedule: string) => GridName; lambda: number }
> = {
  euler: { steps: [16, 32, 64, 128], grid: () => 'logsnr', lambda: 2.5 },
  ddim: { steps: [16, 32, 64, 128], grid: () => 'logsnr', lambda: 2.5 },
  heun: { steps: [16, 32, 64, 128], grid: () => 'logsnr', lambda: 2.5 },
  dpm2: { steps: [16, 32, 64, 128], grid: () => 'logsnr', lambda: 2.5 },
  dpm3: { steps: [8, 16, 32], grid: () => 'logsnr', lambda: 2.5 },
  'dpmpp-2m': { steps: [32, 64, 128, 256], grid: () => 'logsnr', lambda: 2.5 },
  'dpmpp-3m': {
    steps: (s) => (s === 've' ? [32, 64, 128] : [64, 128, 256]),
    grid: (s) => (s === 've' ? 'karras' : 'uniform'),
    lambda: 3,
  },
};

for (const name of SOLVER_NAMES) {
  test(
    `${name}: measured order of convergence is within 0.3 of the declared ${SOLVERS[name].order}, on every ` +
      `schedule`,
    async () => {
      const setup = ORDER_SETUP[name],
        D = 16,
        rows = 8,
        mean = Array.from({ length: D }, (_, j) => 0.5 * Math.sin(j + 1));
      for (const sname of SCHEDULES) {
        const schedule = getSchedule(sname);
        const model = gaussianModel({ schedule, mean, scale: 0.5 });
        const tStart = schedule.tOfLambda(-setup.lambda),
          tEnd = schedule.tOfLambda(setup.lambda);
        const start = startRows(model, mean, 0.5, tStart, rows, 5);
        const stepList = typeof setup.steps === 'function' ? setup.steps(sname) : setup.steps;
        const errs: number[] = [];
        for (const steps of stepList)
          errs.push(
            await solveError(
              model,
              name,
              timeGrid(schedule, { steps, kind: setup.grid(sname), tStart, tEnd }),
              start,
              rows,
            ),
          );
        const order = -logSlope(stepList, errs);
        assert.ok(
          Math.abs(order - SOLVERS[name].order) <= 0.3,
          `${name} on ${sname}: slope ${order.toFixed(2)} (errors ${errs.map((e) => e.toExponential(2)).join(', ')})`,
        );
        assert.ok(Math.min(...errs) > 2e-6, `${name} on ${sname}: errors reach float32 noise, choose fewer steps`);
        model.dispose();
      }
    },
  );
}

test(
  'property: every solver gets closer to the reference solution with 4x the steps (random mixtures, schedules, ' +
    'grids)',
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SCHEDULES),
        fc.constantFrom(...GRIDS),
        fc.constantFrom(...SOLVER_NAMES),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 1e6 }),
        async (sname, kind, solver, components, dim, seed) => {
          fc.pre(!(sname === 've' && kind === 'uniform')); // sigma = 80 t on a uniform t grid is not a sampling grid
          const schedule = getSchedule(sname);
          const model = mixtureModel(schedule, randomMixture({ dim, components, seed }));
          const start = Float32Array.from(normals(3 * dim, seed + 1), (z) => z * schedule.sigma(1));
          const coarse = await solveError(model, solver, timeGrid(schedule, { steps: 10, kind }), start, 3);
          const fine = await solveError(model, solver, timeGrid(schedule, { steps: 40, kind }), start, 3);
          model.dispose();
          assert.ok(
            fine < coarse,
            `${solver} ${sname}/${kind}: ${coarse.toExponential(2)} at 10 steps, ${fine.toExponential(2)} at 40`,
          );
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  },
);

test('Euler on a flow velocity model is exactly the FlowMatchEuler update x + (t_next - t) * velocity', async () => {
  const velocity = asDenoiser(
    (x, t) =>
      tf.tidy(() =>
        tf
          .sin(x)
          .mul(tf.reshape(t, [-1, 1]))
          .add(0.3),
      ),
    { prediction: 'velocity', schedule: getSchedule('flow') },
  );
  const grid = timeGrid(getSchedule('flow'), { steps: 7, shift: 3 });
  const x0 = tf.tensor2d(Float32Array.from(normals(20, 3)), [4, 5]);
  const manual = tidy(() => {
    let m = x0;
    for (let i = 0; i < 7; i++)
      m = m.add(velocity.predict(m, tf.fill([4], grid[i]) as tf.Tensor1D).mul(grid[i + 1] - grid[i]));
    return m;
  });
  const { x } = await sample(euler, velocity, x0, grid);
  assert.equal(Array.from(x.dataSync()), Array.from(manual.dataSync()));
  tf.dispose([x0, manual, x]);
});

test('flow sampling starts from pure noise at t = 1 with every solver', async () => {
  const schedule = getSchedule('flow');
  const model = mixtureModel(schedule, randomMixture({ dim: 4, components: 3, seed: 2 }));
  const start = Float32Array.from(normals(8, 4));
  for (const name of SOLVER_NAMES) {
    const err = await solveError(model, name, timeGrid(schedule, { steps: 30 }), start, 2);
    assert.ok(Number.isFinite(err) && err < 0.1, `${name}: error ${err}`);
  }
  model.dispose();
});

test('the registry declares calls per step; a counted model sees exactly that many calls', async () => {
  const schedule = getSchedule('vp-linear');
  const g = gaussianModel({ schedule, mean: [0.2, 0.1], scale: 0.7 });
  let calls = 0;
  const counted = {
    ...g,
    predict: (x: tf.Tensor, t: tf.Tensor1D) => {
      calls++;
      return g.predict(x, t);
    },
  };
  for (const name of SOLVER_NAMES) {
    const solver = SOLVERS[name],
      grid = timeGrid(schedule, { steps: 12, kind: 'karras' });
    const perStep = callsOnGrid(solver, counted, grid);
    calls = 0;
    const x = tf.tensor2d([[0.5, -0.5]]);
    const { x: y, modelCalls } = await sample(solver, counted, x, grid);
    tf.dispose([x, y]);
    const sum = perStep.reduce((a, b) => a + b, 0);
    assert.is(calls, sum, name);
    assert.is(modelCalls, sum, name);
    assert.ok(
      perStep.slice(2, -1).every((c) => c === solver.callsPerStep),
      `${name}: interior steps take ${solver.callsPerStep}`,
    );
  }
  // steps to clean data are first order: Heun's last step is Euler; 3M starts with a 2-call DPM-Solver++(2S) step
  const grid = timeGrid(schedule, { steps: 5 });
  assert.equal(callsOnGrid(SOLVERS.heun, g, grid), [2, 2, 2, 2, 1]);
  assert.equal(callsOnGrid(SOLVERS.dpm3, g, grid), [3, 3, 3, 3, 1]);
  assert.equal(callsOnGrid(SOLVERS['dpmpp-3m'], g, grid), [2, 1, 1, 1, 1]);
  // from pure noise (flow, lambda = -inf) the first step has no midpoint: 3M starts one step later
  assert.equal(
    callsOnGrid(
      SOLVERS['dpmpp-3m'],
      { ...g, schedule: getSchedule('flow') },
      timeGrid(getSchedule('flow'), { steps: 4 }),
    ),
    [1, 2, 1, 1],
  );
  g.dispose();
});

test('no tensor leaks from sample() or any single solver step', async () => {
  const schedule = getSchedule('flow');
  const model = mixtureModel(schedule, randomMixture({ dim: 3, components: 2, seed: 1 }));
  const x = tf.tensor2d(Float32Array.from(normals(6, 1)), [2, 3]);
  for (const name of SOLVER_NAMES) {
    const solver = SOLVERS[name];
    await noLeak(async () => {
      const r = await sample(solver, model, x, timeGrid(schedule, { steps: 6 }), { onStep: () => undefined });
      r.x.dispose();
    });
    await noLeak(() => {
      const out = tidy(() => solverStep(solver, model, { x, t: 0.8, tNext: 0.6, state: solver.init() }));
      out.x.dispose();
      for (const h of out.state.history) h.x0.dispose();
    });
  }
  x.dispose();
  model.dispose();
});

test('bad inputs are rejected before any work, naming the argument and what is allowed', async () => {
  const model = gaussianModel({ schedule: getSchedule('flow'), mean: [0], scale: 1 });
  const x = tf.tensor2d([[1]]);
  await throwsWith(() => getSolver('rk4'), /unknown solver 'rk4'/, /euler, heun, ddim, dpm2, dpm3, dpmpp-2m, dpmpp-3m/);
  await throwsWith(() => sample(euler, model, x, [1]), /grid: needs at least 2 times/);
  await throwsWith(() => sample(euler, model, x, [1, 0.5, 0.7]), /strictly monotone/);
  await throwsWith(() => sample(euler, model, x, [1, NaN]), /finite/);
  await throwsWith(() => gaussianModel({ schedule: getSchedule('flow'), mean: [0], scale: 0 }), /scale: got 0/);
  await throwsWith(
    () => mixtureModel(getSchedule('flow'), { means: [[0, 1], [1]], scales: [1, 1], weights: [1, 1] }),
    /means/,
  );
  await throwsWith(() => mixtureModel(getSchedule('flow'), { means: [[0]], scales: [1], weights: [-1] }), /weights/);
  x.dispose();
  model.dispose();
});

test('x0Jump: no slope is DDIM; with a slope it composes exactly (t -> s -> u = t -> u), no leaks', async () => {
  for (const sname of SCHEDULES) {
    const schedule = getSchedule(sname);
    const model = gaussianModel({ schedule, mean: [0.5, -1, 2], scale: 0.7 });
    const grid = timeGrid(schedule, { steps: 6 });
    const [t, s, u] = [grid[1], grid[3], grid[5]];
    const x = tf.tensor2d([[0.3, -0.2, 1.1]]);
    await noLeak(async () => {
      const got = tidy(() => {
        const out = model.predict(x, tf.fill([1], t) as tf.Tensor1D);
        const x0 = x0Of(model, out, x, t);
        const a = ddimJump(model, x, out, t, s);
        const b = x0Jump(model, x, t, s, x0);
        const slope = { dx0: tf.tensor2d([[0.2, -0.4, 0.1]]), lambda0: schedule.lambda(t) + 0.3 };
        const direct = x0Jump(model, x, t, u, x0, slope);
        const twice = x0Jump(model, x0Jump(model, x, t, s, x0, slope), s, u, x0, slope);
        const quad = { ...slope, ddx0: tf.tensor2d([[0.05, 0.02, -0.03]]) };
        const quadDirect = x0Jump(model, x, t, u, x0, quad);
        const quadTwice = x0Jump(model, x0Jump(model, x, t, s, x0, quad), s, u, x0, quad);
        const scale = tf.max(tf.abs(direct)).dataSync()[0];
        return {
          ddim: tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / (1 + scale),
          compose: tf.max(tf.abs(tf.sub(direct, twice))).dataSync()[0] / (1 + scale),
          quad: tf.max(tf.abs(tf.sub(quadDirect, quadTwice))).dataSync()[0] / (1 + scale),
          slopeMatters: tf.max(tf.abs(tf.sub(direct, x0Jump(model, x, t, u, x0)))).dataSync()[0],
        };
      });
      assert.ok(got.ddim < 1e-6, `${sname}: ddim ${got.ddim}`);
      assert.ok(got.compose < 1e-5, `${sname}: composition ${got.compose}`);
      assert.ok(got.quad < 1e-5, `${sname}: quadratic composition ${got.quad}`);
      assert.ok(got.slopeMatters > 1e-4, `${sname}: the slope changes the jump`);
    });
    x.dispose();
    model.dispose();
  }
});

test('plain-JavaScript mistakes are one-line errors before any work: a solver name, bad mixture sizes', async () => {
  const schedule = getSchedule('flow');
  const model = mixtureModel(schedule, randomMixture({ dim: 3 }));
  const x = tf.zeros([2, 3]),
    grid = timeGrid(schedule, { steps: 4 });
  await noLeak(() =>
    throwsWith(
      () => sample('heun' as never, model, x, grid),
      /sample: solver: got 'heun' \(a name\); allowed: a Solver object, e.g\. SOLVERS\['heun'\] or getSolver\('heun'\)/,
    ),
  );
  await throwsWith(() => sample({ name: 'mine' } as never, model, x, grid), /sample: solver: got object; allowed/);
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  await noLeak(() =>
    throwsWith(() => runSequential(task, { solver: 'euler' as never }), /sequential: solver: got 'euler' \(a name\)/),
  );
  for (const [opts, re] of [
    [{ dim: -1 }, /randomMixture: dim got -1; allowed: an integer from 1 to/],
    [{ dim: 2.5 }, /randomMixture: dim got 2\.5/],
    [{ dim: 0 }, /randomMixture: dim got 0/],
    [{ dim: 2, components: 0 }, /randomMixture: components got 0; allowed: an integer from 1 to 4096/],
    [{ dim: 2, spread: NaN }, /randomMixture: spread got NaN; allowed: a finite number >= 0/],
  ] as const)
    await throwsWith(() => randomMixture(opts as never), re);
  x.dispose();
  model.dispose();
});

test.run();
