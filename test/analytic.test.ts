import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { SCHEDULES, getSchedule } from '../src/diffusion/index.ts';
import {
  dopri5,
  gaussianModel,
  linearToyModel,
  mixtureModel,
  randomMixture,
  type MixtureSpec,
} from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { noLeak } from './helpers.ts';

/** Independent float64 posterior mean: Bayes' rule with explicit Gaussian densities, no shared code. */
function posteriorMean(m: MixtureSpec, a: number, s: number, x: number[]): number[] {
  const D = x.length;
  const logp = m.means.map((mu, k) => {
    const v = a * a * m.scales[k] ** 2 + s * s;
    const d2 = mu.reduce((acc, mj, j) => acc + (x[j] - a * mj) ** 2, 0);
    return Math.log(m.weights[k]) - 0.5 * D * Math.log(2 * Math.PI * v) - d2 / (2 * v);
  });
  const mx = Math.max(...logp),
    w = logp.map((l) => Math.exp(l - mx)),
    z = w.reduce((p, q) => p + q, 0);
  return x.map((xj, j) =>
    m.means.reduce((acc, mu, k) => {
      const v = a * a * m.scales[k] ** 2 + s * s;
      return acc + (w[k] / z) * (mu[j] + ((a * m.scales[k] ** 2) / v) * (xj - a * mu[j]));
    }, 0),
  );
}

test('mixture denoiser equals the float64 posterior mean (random mixtures, schedules, times)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SCHEDULES),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 6 }),
      fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      fc.integer({ min: 0, max: 1e6 }),
      (name, K, D, t, seed) => {
        const schedule = getSchedule(name),
          spec = randomMixture({ dim: D, components: K, seed });
        const model = mixtureModel(schedule, spec);
        const x = Array.from(normals(D, seed + 5), (z) => z * (schedule.sigma(t) + schedule.alpha(t)));
        const got = tf.tidy(() => model.predict(tf.tensor2d([x]), tf.tensor1d([t])).dataSync());
        const want = posteriorMean(spec, schedule.alpha(t), schedule.sigma(t), Array.from(Float32Array.from(x)));
        model.dispose();
        want.forEach((w, j) =>
          assert.ok(Math.abs(w - got[j]) < 1e-4 * (1 + Math.abs(w)), `${name} t=${t}: ${got[j]} vs ${w}`),
        );
      },
    ),
    { numRuns: 80 },
  );
});

test(
  'one-component mixture = Gaussian: same denoiser, and the float64 reference matches the closed form to ' + '1e-9',
  () => {
    for (const name of SCHEDULES) {
      const schedule = getSchedule(name),
        mean = [0.4, -1.1, 0.7];
      const g = gaussianModel({ schedule, mean, scale: 0.3 });
      const m = mixtureModel(schedule, { means: [mean], scales: [0.3], weights: [2] });
      const start = normals(6, 1).map((z) => z * schedule.sigma(1));
      const exact = g.solve(start, 1, 0),
        ref = m.solve(start, 1, 0);
      exact.forEach((e, j) => assert.ok(Math.abs(e - ref[j]) < 1e-9, `${name}: ${ref[j]} vs ${e}`));
      const [a, b] = tf.tidy(() => {
        const x = tf.tensor2d(Float32Array.from(start), [2, 3]),
          t = tf.tensor1d([0.3, 0.7]);
        return [g.predict(x, t).dataSync(), m.predict(x, t).dataSync()];
      });
      a.forEach((v, j) => assert.ok(Math.abs(v - b[j]) < 1e-5));
      g.dispose();
      m.dispose();
    }
  },
);

test('Gaussian closed form: x(t) - alpha mu, scaled by the marginal std, is invariant along the flow', () => {
  const s = getSchedule('vp-cosine'),
    g = gaussianModel({ schedule: s, mean: [1, -2], scale: 0.5 });
  const x = Float64Array.from([0.3, 0.9]),
    y = g.solve(x, 0.9, 0.2),
    back = g.solve(y, 0.2, 0.9);
  back.forEach((v, j) => assert.ok(Math.abs(v - x[j]) < 1e-12));
  g.dispose();
});

test('dopri5 reaches 1e-10 on dy/dt = -y and on the linear toy field', () => {
  const y = dopri5((_t, v) => v.map((q) => -q), Float64Array.from([1, 2]), 0, 3);
  assert.ok(Math.abs(y[0] - Math.exp(-3)) < 1e-10 && Math.abs(y[1] - 2 * Math.exp(-3)) < 1e-10);
  const toy = linearToyModel(1);
  const num = dopri5((tau, v) => v.map((q) => 0.1 * q + 0.01 * tau), Float64Array.from([0.5]), 0, 50);
  assert.ok(Math.abs(num[0] - toy.solve(Float64Array.from([0.5]), 0, 50)[0]) < 1e-8 * Math.abs(num[0]));
});

test('linear toy predicts f(x, tau) = 0.1 x + 0.01 tau with per-sample tau', () => {
  const toy = linearToyModel(2);
  const got = tf.tidy(() =>
    toy
      .predict(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor1d([0, 10]),
      )
      .dataSync(),
  );
  const want = [0.1, 0.2, 0.3 + 0.1, 0.4 + 0.1];
  want.forEach((w, j) => assert.ok(Math.abs(got[j] - w) < 1e-6));
});

test('model calls do not leak; dispose frees the model constants', async () => {
  const before = tf.memory().numTensors;
  const m = mixtureModel(getSchedule('flow'), randomMixture({ dim: 4, components: 3 }));
  const x = tf.tensor2d(Float32Array.from(normals(8, 3)), [2, 4]),
    t = tf.tensor1d([0.5, 0.2]);
  await noLeak(() => {
    m.predict(x, t).dispose();
  });
  tf.dispose([x, t]);
  m.dispose();
  assert.is(tf.memory().numTensors, before);
});

test.run();
