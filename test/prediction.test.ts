import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  PREDICTIONS,
  SCHEDULES,
  asDenoiser,
  coeffsAt,
  convertPrediction,
  denoise,
  getSchedule,
  velocityOf,
} from '../src/diffusion/index.ts';
import { gaussianModel } from '../src/models/index.ts';
import { normals32 } from '../src/random.ts';
import { noLeak, throwsWith } from './helpers.ts';

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

test('every prediction converts into every other and back (float32 rounding), on every schedule', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SCHEDULES),
      fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      fc.constantFrom(...PREDICTIONS),
      fc.constantFrom(...PREDICTIONS),
      fc.integer({ min: 0, max: 1e6 }),
      (name, t, from, to, seed) => {
        tf.tidy(() => {
          const c = coeffsAt(getSchedule(name), t);
          const x = tf.tensor2d(normals32(12, seed), [3, 4]),
            out = tf.tensor2d(normals32(12, seed + 1), [3, 4]);
          const back = convertPrediction(to, from, convertPrediction(from, to, out, x, c), x, c);
          const scale = 1 + tf.max(tf.abs(out)).dataSync()[0];
          assert.ok(maxAbs(back, out) < 2e-4 * scale, `${name} t=${t} ${from}->${to}->${from}`);
        });
      },
    ),
    { numRuns: 150 },
  );
});

test('conversions agree with x = alpha x0 + sigma eps built from known x0 and eps', () => {
  tf.tidy(() => {
    const s = getSchedule('vp-linear'),
      t = 0.4,
      c = coeffsAt(s, t);
    const x0 = tf.tensor1d([0.3, -1.2, 2]),
      eps = tf.tensor1d([1, 0.5, -0.7]);
    const x = x0.mul(c.alpha).add(eps.mul(c.sigma));
    assert.ok(maxAbs(convertPrediction('eps', 'x0', eps, x, c), x0) < 1e-5);
    assert.ok(maxAbs(convertPrediction('x0', 'v', x0, x, c), eps.mul(c.alpha).sub(x0.mul(c.sigma))) < 1e-5);
    assert.ok(maxAbs(convertPrediction('x0', 'velocity', x0, x, c), x0.mul(c.dAlpha).add(eps.mul(c.dSigma))) < 1e-4);
  });
});

test('the velocity read from an x0 model is the time derivative of the exact ODE solution', () => {
  for (const name of SCHEDULES) {
    const schedule = getSchedule(name),
      t = 0.45,
      d = 1e-4;
    const model = gaussianModel({ schedule, mean: [0.5, -1, 0.25], scale: 0.6 });
    const x64 = Float64Array.from(normals32(3, 9));
    const fd = model.solve(x64, t, t + d).map((v, j) => (v - model.solve(x64, t, t - d)[j]) / (2 * d));
    const u = tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(x64), [1, 3]);
      return velocityOf(model, model.predict(x, tf.tensor1d([t])), x, t).dataSync();
    });
    fd.forEach((v, j) => assert.ok(Math.abs(v - u[j]) < 2e-3 * (1 + Math.abs(v)), `${name}: ${v} vs ${u[j]}`));
    model.dispose();
  }
});

test('asDenoiser + denoise: per-sample times give each row its own x0 estimate, without leaks', async () => {
  const schedule = getSchedule('flow');
  const g = gaussianModel({ schedule, mean: [1, 2], scale: 0.5 });
  // the same model, exposed as a velocity predictor: u = (x - x0) / t for flow
  const asVelocity = asDenoiser((x, t) => tf.tidy(() => tf.div(tf.sub(x, g.predict(x, t)), tf.reshape(t, [-1, 1]))), {
    prediction: 'velocity',
    schedule,
  });
  await noLeak(() =>
    tf.tidy(() => {
      const x = tf.tensor2d([
          [0.1, 0.2],
          [0.3, -0.4],
        ]),
        t = tf.tensor1d([0.3, 0.8]);
      const a = denoise(asVelocity, x, t),
        b = g.predict(x, t);
      assert.ok(maxAbs(a, b) < 1e-5);
      const rowOne = g.predict(x.slice([1, 0], [1, 2]), tf.tensor1d([0.8]));
      assert.ok(maxAbs(b.slice([1, 0], [1, 2]), rowOne) === 0, 'per-sample time must not mix rows');
    }),
  );
  g.dispose();
});

test('unknown prediction types are rejected with the allowed list', async () => {
  await throwsWith(
    () => asDenoiser((x) => x, { prediction: 'score' as never }),
    /unknown prediction 'score'/,
    /eps, x0, v, velocity/,
  );
});

test.run();
