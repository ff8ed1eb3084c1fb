/** Gaussian data N(mu, s^2 I): exact denoiser and exact probability-flow ODE solution. */
import * as tf from '@tensorflow/tfjs';
import { coeffsPerSample } from '../../diffusion/prediction.ts';
import type { NoiseSchedule } from '../../diffusion/schedule.ts';
import type { AnalyticModel } from './types.ts';
import { isNumberList, shown } from '../../options.ts';

export interface GaussianOptions {
  schedule: NoiseSchedule;
  /** Mean vector; its length is the dimension. */
  mean: readonly number[];
  /** Isotropic standard deviation s > 0. */
  scale: number;
}

export function gaussianModel({ schedule, mean, scale }: GaussianOptions): AnalyticModel {
  if (!isNumberList(mean) || !(mean.length >= 1) || !Array.from(mean).every(Number.isFinite))
    throw new Error(
      `mean: got ${isNumberList(mean) ? `[${Array.from(mean)}]` : shown(mean)}; ` +
        'allowed: a non-empty array of finite numbers',
    );
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new Error(`scale: got ${shown(scale)}; allowed: a finite number > 0`);
  const dim = mean.length,
    s2 = scale * scale;
  const mu = tf.keep(tf.tensor2d([...mean], [1, dim]));
  return {
    name: 'gaussian',
    dim,
    sampleShape: [dim],
    prediction: 'x0',
    schedule,
    /** E[x0 | x_t] = mu + a s^2 / (a^2 s^2 + sigma^2) (x - a mu). */
    predict: (x, t) =>
      tf.tidy(() => {
        const c = coeffsPerSample(schedule, t, 2);
        const v = tf.add(tf.mul(tf.square(c.alpha), s2), tf.square(c.sigma));
        return tf.add(mu, tf.mul(tf.sub(x, tf.mul(c.alpha, mu)), tf.div(tf.mul(c.alpha, s2), v)));
      }),
    dispose: () => mu.dispose(),
    /** (x - a mu) / sqrt(a^2 s^2 + sigma^2) is constant along the flow. */
    solve(x, from, to) {
      const sd = (t: number) => Math.sqrt(schedule.alpha(t) ** 2 * s2 + schedule.sigma(t) ** 2);
      const a0 = schedule.alpha(from),
        a1 = schedule.alpha(to),
        ratio = sd(to) / sd(from);
      return x.map((xi, j) => a1 * mean[j % dim] + (xi - a0 * mean[j % dim]) * ratio);
    },
  };
}
