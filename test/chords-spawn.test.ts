import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { chords, disposeResult, equalGapInit, parseStop } from '../src/chords/index.ts';
import { slowerEstimates, spawnJump } from '../src/chords/spawn.ts';
import { asDenoiser, getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { linearToyGrid, linearToyModel, mixtureModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, eulerJump, sample, x0Jump, type SolverName } from '../src/solvers/index.ts';
import { x0Of } from '../src/diffusion/prediction.ts';
import { relativeRmse } from '../src/tensor.ts';
import { arbInit, failingOn, noLeak, throwsWith, watched } from './helpers.ts';

const values = (t: tf.Tensor) => Array.from(t.dataSync());
const flow = getSchedule('flow');
// an x0-predicting model: its output is its x0 estimate
const x0Model = asDenoiser((x) => x, { prediction: 'x0', schedule: flow });

test('slowerEstimates: core from-1 newest first, then slower cores, each below the one before, at most count', () => {
  const e = (lambda: number) => ({ x0: tf.scalar(lambda), lambda });
  const states = [{ history: [e(-1), e(-2)] }, { history: [e(0.5), e(-0.5)] }, { history: [e(2)] }, undefined];
  const lambdas = (from: number, lambda: number, count: number) =>
    slowerEstimates(states, from, lambda, count).map((h) => h.lambda);
  assert.equal(lambdas(3, 3, 2), [2, 0.5]);
  assert.equal(lambdas(3, 3, 5), [2, 0.5, -0.5, -1, -2]);
  // entries at or above the newest core's log-SNR (or the previous entry's) are skipped
  assert.equal(lambdas(3, 1, 3), [0.5, -0.5, -1]);
  assert.equal(lambdas(2, 0, 2), [-0.5, -1]);
  assert.equal(lambdas(1, 0, 2), [-1, -2]);
  assert.equal(lambdas(0, 0, 2), []);
  assert.equal(lambdas(3, 3, 0), []);
  tf.dispose(states.flatMap((s) => s?.history.map((h) => h.x0) ?? []));
});

test('spawnJump = the exact integral of the x0 estimate linear in log-SNR (independent float64 quadrature)', () => {
  // x(t) = sigma_t / sigma_s x_s + sigma_t int_{lambda_s}^{lambda_t} e^l D(l) dl (DPM-Solver++, data prediction)
  const t = 0.7,
    tTarget = 0.45,
    tOld = 0.85;
  const at = { x: tf.tensor2d([[0.3, -1.2]]), t, out: tf.tensor2d([[0.5, 0.1]]) };
  const older = [{ x0: tf.tensor2d([[0.2, 0.4]]), lambda: flow.lambda(tOld) }];
  const got = tf.tidy(() => spawnJump(eulerJump, x0Model, at, older, tTarget));
  const ls = flow.lambda(t),
    lt = flow.lambda(tTarget),
    lo = flow.lambda(tOld);
  const want = [0, 1].map((d) => {
    const d0 = [0.5, 0.1][d],
      slope = (d0 - [0.2, 0.4][d]) / (ls - lo);
    const n = 20000,
      h = (lt - ls) / n;
    let integral = 0;
    for (let q = 0; q < n; q++) {
      const l = ls + (q + 0.5) * h; // midpoint rule
      integral += Math.exp(l) * (d0 + slope * (l - ls)) * h;
    }
    return (tTarget / t) * [0.3, -1.2][d] + tTarget * integral;
  });
  values(got).forEach((v, d) => assert.ok(Math.abs(v - want[d]) < 1e-5, `dim ${d}: ${v} vs ${want[d]}`));
  // with no earlier estimate: the coarse jump itself
  const coarse = tf.tidy(() => spawnJump(eulerJump, x0Model, at, [], tTarget));
  const euler = eulerJump(x0Model, at.x, at.out, t, tTarget);
  assert.equal(values(coarse), values(euler));
  tf.dispose([got, coarse, euler, at.x, at.out, older[0].x0]);
});

test('the spawn reads the newest estimates: init 0-2-4, T = 5, 2M: core 2 from core 1 and core 0 at 1', async () => {
  // round 1: core 0 evaluates x(0), core 1 = G(x(0) -> t2); round 2: core 0 evaluates its 2M step x(1), core 1
  // its first point; core 2 = the jump from core 1's point with the estimate extrapolated through D(x(1), t1);
  // round 3: core 2 evaluates t4 and steps to t5 = 0 (first order: no history): its hit is D(x2(4), t4)
  const model = mixtureModel(flow, randomMixture({ dim: 3, components: 2, seed: 4 }));
  const grid = timeGrid(flow, { steps: 5 });
  const x = tf.tensor2d(Float32Array.from(normals(6, 9)), [2, 3]);
  const evalAt = (xx: tf.Tensor, t: number) => ({ x: xx, t, out: model.predict(xx, tf.fill([2], t) as tf.Tensor1D) });
  const want = tf.tidy(() => {
    const e0 = evalAt(x, grid[0]);
    const x01 = x0Jump(model, x, grid[0], grid[1], x0Of(model, e0.out, x, grid[0])); // core 0's first (DDIM) step
    const e01 = evalAt(x01, grid[1]);
    const e1 = evalAt(eulerJump(model, x, e0.out, grid[0], grid[2]), grid[2]); // core 1's first point
    const older = [{ x0: x0Of(model, e01.out, x01, grid[1]), lambda: flow.lambda(grid[1]) }];
    const x2 = spawnJump(eulerJump, model, e1, older, grid[4]);
    const e2 = evalAt(x2, grid[4]);
    return x0Of(model, e2.out, x2, grid[4]);
  });
  for (const predictor of ['linear', 'quadratic'] as const) {
    const r = await chords(model, x, grid, { init: [0, 2, 4], fine: SOLVERS['dpmpp-2m'], predictor });
    const hit = r.hits.find((h) => h.kind === 'core')!;
    assert.is(hit.core, 2);
    assert.is(hit.round, 3);
    const got = values(hit.x),
      w = values(want);
    got.forEach((v, d) => assert.ok(Math.abs(v - w[d]) < 1e-5, `${predictor}, ${d}: ${v} vs ${w[d]}`));
    disposeResult(r);
  }
  // the coarse spawn's core 2 starts elsewhere
  const c = await chords(model, x, grid, { init: [0, 2, 4], fine: SOLVERS['dpmpp-2m'] });
  const hit = c.hits.find((h) => h.kind === 'core')!;
  assert.ok(values(hit.x).some((v, d) => Math.abs(v - values(want)[d]) > 1e-4));
  disposeResult(c);
  tf.dispose([x, want]);
  model.dispose();
});

test('property: with every spawn predictor the slowest core equals the sequential solver bit for bit', async () => {
  await fc.assert(
    fc.asyncProperty(
      arbInit(40),
      fc.constantFrom<SolverName>('euler', 'dpmpp-2m', 'dpmpp-3m'),
      fc.constantFrom('linear', 'quadratic') as fc.Arbitrary<'linear' | 'quadratic'>,
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 0, max: 1e6 }),
      async ({ steps, init }, fine, predictor, spawnPerRound, seed) => {
        const model = mixtureModel(flow, randomMixture({ dim: 3, components: 3, seed }));
        const grid = timeGrid(flow, { steps, kind: 'logsnr' });
        const x = tf.tensor2d(Float32Array.from(normals(6, seed + 1)), [2, 3]);
        const seq = await sample(SOLVERS[fine], model, x, grid);
        const r = await chords(model, x, grid, {
          init,
          fine: SOLVERS[fine],
          history: 'shift',
          predictor,
          spawnPerRound,
        });
        const last = r.hits[r.hits.length - 1];
        assert.is(last.core, 0);
        assert.equal(values(last.x), values(seq.x), `${fine} ${predictor} T=${steps} init=${init}`);
        assert.ok(
          r.hits.every((h) => values(h.x).every(Number.isFinite)),
          'finite hits',
        );
        disposeResult(r);
        tf.dispose([x, seq.x]);
        model.dispose();
      },
    ),
    { numRuns: 25 },
  );
});

test('a fine solver with no x0 history (Euler): every predictor is the coarse jump, hit for hit', async () => {
  const model = mixtureModel(flow, randomMixture({ dim: 4, components: 3, seed: 5 }));
  const grid = timeGrid(flow, { steps: 20 });
  const x = tf.tensor2d(Float32Array.from(normals(8, 3)), [2, 4]);
  const base = await chords(model, x, grid, { init: [0, 2, 4, 8] });
  for (const predictor of ['linear', 'quadratic'] as const) {
    const r = await chords(model, x, grid, { init: [0, 2, 4, 8], predictor });
    assert.equal(
      r.hits.map((h) => values(h.x)),
      base.hits.map((h) => values(h.x)),
    );
    disposeResult(r);
  }
  disposeResult(base);
  x.dispose();
  model.dispose();
});

test('mixture 0.3, K = 8, 2M: the extrapolated spawn brings the first core hit closer to the exact one', async () => {
  // exp:spawn measures this on 30 seeds; here three seeds of the frontier's mixture at its CHORDS choice
  const grid = timeGrid(flow, { steps: 36, shift: 2 });
  const init = equalGapInit({ cores: 8, steps: 36 });
  const err: Record<string, number> = { coarse: 0, linear: 0, quadratic: 0 };
  for (const seed of [0, 1, 2]) {
    const mixture = { ...randomMixture({ dim: 64, components: 8, seed }), scales: Array<number>(8).fill(0.3) };
    const model = mixtureModel(flow, mixture);
    const x = tf.tensor2d(Float32Array.from(normals(16 * 64, 1000 + seed)), [16, 64]);
    const ref = (model as unknown as { solve: (x: Float64Array, a: number, b: number) => Float64Array }).solve(
      Float64Array.from(x.dataSync()),
      1,
      0,
    );
    for (const predictor of ['coarse', 'linear', 'quadratic'] as const) {
      const r = await chords(model, x, grid, { init, fine: SOLVERS['dpmpp-2m'], history: 'shift', predictor });
      const first = r.hits.find((h) => h.kind === 'core')!; // the fastest core's hit (after the coarse shot)
      assert.is(first.core, 7);
      err[predictor] += relativeRmse(first.x.dataSync() as Float32Array, ref) / 3;
      disposeResult(r);
    }
    x.dispose();
    model.dispose();
  }
  assert.ok(err.linear < 0.7 * err.coarse, `linear ${err.linear} vs coarse ${err.coarse}`);
  assert.ok(err.quadratic < 0.7 * err.coarse, `quadratic ${err.quadratic} vs coarse ${err.coarse}`);
});

test('no leaks with the predictors (complete, early stop, failing model); bad predictors rejected first', async () => {
  const grid = timeGrid(flow, { steps: 24 });
  const model = mixtureModel(flow, randomMixture({ dim: 4, components: 3 }));
  const x = tf.tensor2d(Float32Array.from(normals(8, 2)), [2, 4]);
  for (const fine of ['dpmpp-2m', 'dpmpp-3m'] as const)
    for (const predictor of ['linear', 'quadratic'] as const)
      for (const stop of ['complete', 'core-index:1'])
        for (const spawnPerRound of [1, 2])
          await noLeak(async () =>
            disposeResult(
              await chords(model, x, grid, {
                init: [0, 1, 4, 8, 16],
                fine: SOLVERS[fine],
                history: 'shift',
                predictor,
                spawnPerRound,
                stop: parseStop(stop),
              }),
            ),
          );
  const failing = watched(model, failingOn(9));
  await noLeak(() =>
    throwsWith(
      () => chords(failing, x, grid, { init: [0, 2, 4, 6], fine: SOLVERS['dpmpp-2m'], predictor: 'quadratic' }),
      /model failed/,
    ),
  );
  // bad values: one-line errors before any model call
  let counted = 0;
  const counting = watched(model, () => counted++);
  await noLeak(() =>
    throwsWith(
      () => chords(counting, x, grid, { init: [0, 2], predictor: 'cubic' as 'linear' }),
      /^chords: predictor: got 'cubic'; allowed: coarse, linear, quadratic$/,
    ),
  );
  const toy = linearToyModel(1);
  const countingToy = watched(toy, () => counted++);
  const y = tf.tensor2d([[1]]);
  await noLeak(() =>
    throwsWith(
      () => chords(countingToy, y, linearToyGrid(10), { init: [0, 3], predictor: 'linear' }),
      /^chords: predictor 'linear' needs a model with a noise schedule \(its log-SNR\); allowed: coarse$/,
    ),
  );
  assert.is(counted, 0);
  tf.dispose([x, y]);
  model.dispose();
});

test('chords run --predictor quadratic: in the config, last hit = sequential; bad values are errors', async () => {
  const { main: run } = await import('../src/cli/main.ts');
  const args = ['run', '--method', 'chords', '--fine-solver', 'dpmpp-2m', '--history', 'shift', '--init', '0-3-6'];
  const problem = ['--model', 'mixture', '--dim', '4', '--steps', '12'];
  const json = async (extra: string[]) => {
    let text = '';
    await run([...args, ...problem, ...extra, '--json'], (s) => (text += s));
    return JSON.parse(text) as { config: { predictor: string }; hits: { rmseToSequential: number }[] };
  };
  const plain = await json([]),
    q = await json(['--predictor', 'quadratic']);
  assert.is(plain.config.predictor, 'coarse');
  assert.is(q.config.predictor, 'quadratic');
  assert.is(q.hits[q.hits.length - 1].rmseToSequential, 0);
  // the fastest core's hit differs from the coarse spawn's (its start is another value)
  assert.ok(q.hits[1].rmseToSequential !== plain.hits[1].rmseToSequential);
  await throwsWith(
    () => run([...args, '--predictor', 'cubic']),
    /--predictor: unknown value 'cubic'; allowed: coarse, linear, quadratic/,
  );
  // picard's value is not CHORDS's; a model without a log-SNR is named
  await throwsWith(
    () => run(['run', '--method', 'chords', '--predictor', 'ddim']),
    /--predictor: unknown value 'ddim'/,
  );
  await throwsWith(
    () => run(['run', '--model', 'linear', '--method', 'chords', '--predictor', 'linear', '--steps', '10']),
    /predictor 'linear' needs a model with a noise schedule/,
  );
});

test('chords run --help: a flag that methods explain differently gives each text after its methods', async () => {
  const { runOptions } = await import('../src/cli/run.ts');
  const help = String(runOptions().predictor.help);
  assert.match(
    help,
    /^chords: a spawned core's first value: coarse .*; picard, parataa: first value of a point entering/,
  );
  assert.match(help, /\(defaults: chords coarse, picard quadratic, parataa quadratic\)$/);
  // one text for every method that has the flag: said once, after the methods
  assert.match(String(runOptions().windows.help), /^picard, parataa: auto \| per-sample \| shared/);
});

test.run();
