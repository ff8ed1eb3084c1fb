/**
 * Gaussian mixture data sum_k w_k N(mu_k, s_k^2 I): exact denoiser in tfjs for any schedule, and the
 * probability-flow ODE solved in float64 (Dormand-Prince, rtol 1e-11) as the reference solution.
 */
import * as tf from '@tensorflow/tfjs';
import { coeffsPerSample } from '../../diffusion/prediction.ts';
import type { NoiseSchedule } from '../../diffusion/schedule.ts';
import { normals, uniformRng } from '../../random.ts';
import { dopri5 } from './reference-ode.ts';
import type { AnalyticModel } from './types.ts';
import { isNumberList, shown } from '../../options.ts';

export interface MixtureSpec {
  /** K component means, each of length D. */
  means: readonly (readonly number[])[];
  /** K isotropic standard deviations > 0. */
  scales: readonly number[];
  /** K positive weights (normalised here). */
  weights: readonly number[];
}

export function validateMixture(m: MixtureSpec): void {
  if (typeof m !== 'object' || m === null)
    throw new Error(`mixture: got ${shown(m)}; allowed: { means: number[][], scales: number[], weights: number[] }`);
  const k = Array.isArray(m.means) ? m.means.length : 0;
  if (k < 1) throw new Error('means: a mixture needs at least one component (an array of mean vectors)');
  const d = isNumberList(m.means[0]) ? m.means[0].length : 0;
  if (d < 1 || m.means.some((mu) => !isNumberList(mu) || mu.length !== d || !Array.from(mu).every(Number.isFinite)))
    throw new Error(
      d < 1
        ? 'means: the first mean must be a non-empty array of finite numbers'
        : `means: every mean must be an array of ${d} finite numbers (the first mean's length)`,
    );
  if (
    !isNumberList(m.scales) ||
    m.scales.length !== k ||
    !Array.from(m.scales).every((s) => s > 0 && Number.isFinite(s))
  )
    throw new Error(`scales: need ${k} finite numbers > 0, one per component`);
  if (
    !isNumberList(m.weights) ||
    m.weights.length !== k ||
    !Array.from(m.weights).every((w) => w > 0 && Number.isFinite(w))
  )
    throw new Error(`weights: need ${k} finite numbers > 0, one per component`);
}

/** A seeded random mixture: means ~ N(0, spread^2 I), scales in [0.2, 0.5], weights in [0.5, 1.5]. */
export function randomMixture({
  dim,
  components = 8,
  seed = 0,
  spread = 1,
}: {
  dim: number;
  components?: number;
  seed?: number;
  spread?: number;
}): MixtureSpec {
  const ints: [string, number, number, number][] = [
    ['dim', dim, 1, 1 << 20],
    ['components', components, 1, 4096],
  ];
  for (const [name, v, min, max] of ints)
    if (!Number.isInteger(v) || v < min || v > max)
      throw new Error(`randomMixture: ${name} got ${shown(v)}; allowed: an integer from ${min} to ${max}`);
  if (!Number.isFinite(seed)) throw new Error(`randomMixture: seed got ${shown(seed)}; allowed: a finite number`);
  if (!(Number.isFinite(spread) && spread >= 0))
    throw new Error(`randomMixture: spread got ${shown(spread)}; allowed: a finite number >= 0`);
  const z = normals(components * dim, seed * 7919 + 17),
    u = uniformRng(seed * 104729 + 3);
  return {
    means: Array.from({ length: components }, (_, k) =>
      Array.from(z.subarray(k * dim, (k + 1) * dim), (v) => v * spread),
    ),
    scales: Array.from({ length: components }, () => 0.2 + 0.3 * u()),
    weights: Array.from({ length: components }, () => 0.5 + u()),
  };
}

export function mixtureModel(schedule: NoiseSchedule, spec: MixtureSpec): AnalyticModel {
  validateMixture(spec);
  const K = spec.means.length,
    D = spec.means[0].length;
  const wsum = spec.weights.reduce((a, b) => a + b, 0);
  const logW = spec.weights.map((w) => Math.log(w / wsum));
  const s2 = spec.scales.map((s) => s * s);
  const mu = tf.keep(tf.tensor3d(spec.means.flat(), [1, K, D]));
  const s2t = tf.keep(tf.tensor2d(s2, [1, K]));
  const logWt = tf.keep(tf.tensor2d(logW, [1, K]));
  const flatMeans = Float64Array.from(spec.means.flat());

  /** Float64 probability-flow velocity of one row: sum_k r_k [a' mu_k + (a a' s_k^2 + s s') / v_k (x - a mu_k)]. */
  function velocity(t: number, x: Float64Array): Float64Array {
    const a = schedule.alpha(t),
      s = schedule.sigma(t),
      da = schedule.dAlpha(t),
      ssp = schedule.sigmaDSigma(t);
    const logits = new Float64Array(K),
      v = new Float64Array(K);
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      v[k] = a * a * s2[k] + s * s;
      let d2 = 0;
      for (let j = 0; j < D; j++) {
        const e = x[j] - a * flatMeans[k * D + j];
        d2 += e * e;
      }
      logits[k] = logW[k] - 0.5 * D * Math.log(v[k]) - d2 / (2 * v[k]);
      mx = Math.max(mx, logits[k]);
    }
    let z = 0;
    for (let k = 0; k < K; k++) {
      logits[k] = Math.exp(logits[k] - mx);
      z += logits[k];
    }
    const out = new Float64Array(D);
    for (let k = 0; k < K; k++) {
      const r = logits[k] / z,
        g = (a * da * s2[k] + ssp) / v[k];
      for (let j = 0; j < D; j++) {
        const m = flatMeans[k * D + j];
        out[j] += r * (da * m + g * (x[j] - a * m));
      }
    }
    return out;
  }

  return {
    name: 'mixture',
    dim: D,
    sampleShape: [D],
    prediction: 'x0',
    schedule,
    /** E[x0 | x] = sum_k r_k(x) [mu_k + a s_k^2 / v_k (x - a mu_k)], v_k = a^2 s_k^2 + sigma^2; row-wise ops only. */
    predict: (x, t) =>
      tf.tidy(() => {
        const c = coeffsPerSample(schedule, t, 2); // alpha, sigma: [N, 1]
        const v = tf.add(tf.mul(tf.square(c.alpha), s2t), tf.square(c.sigma)); // [N, K]
        const diff = tf.sub(tf.expandDims(x, 1), tf.mul(tf.expandDims(c.alpha, 2), mu)); // [N, K, D]
        const d2 = tf.sum(tf.square(diff), 2); // [N, K]
        const logits = tf.sub(tf.sub(logWt, tf.mul(tf.log(v), 0.5 * D)), tf.div(d2, tf.mul(v, 2))); // [N, K]
        const r = tf.softmax(logits, 1); // [N, K]
        const gain = tf.div(tf.mul(c.alpha, s2t), v); // [N, K]
        const x0k = tf.add(mu, tf.mul(tf.expandDims(gain, 2), diff)); // [N, K, D]
        return tf.sum(tf.mul(tf.expandDims(r, 2), x0k), 1); // [N, D]
      }),
    dispose: () => tf.dispose([mu, s2t, logWt]),
    solve(x, from, to, onRow) {
      const out = new Float64Array(x.length),
        rows = Math.ceil(x.length / D);
      for (let row = 0; row * D < x.length; row++) {
        const y = dopri5(velocity, x.subarray(row * D, (row + 1) * D), from, to);
        out.set(y, row * D);
        onRow?.(row + 1, rows);
      }
      return out;
    },
  };
}
