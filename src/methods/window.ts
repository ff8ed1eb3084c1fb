/** The sliding-window convergence test shared by ParaDiGMS and Picard: squared change per element vs tol^2 var. */
import * as tf from '@tensorflow/tfjs';
import type { Parametrization } from '../diffusion/prediction.ts';

/**
 * The tolerance scale of ParaDiGMS for the point at grid index j, as the authors' scheduler computes
 * it (`_get_variance` of the point's own timestep): the DDPM posterior variance of the step from t_j to
 * t_{j+1}, sigma_VP(t_{j+1})^2 (1 - SNR(t_j) / SNR(t_{j+1})), in VP units, mapped onto our latents
 * x = s(t) x_VP with s(t)^2 = alpha(t)^2 + sigma(t)^2 (1 on VP schedules). 0 for point T (the authors
 * append 0) and for a step that lands on clean data; 1 (an absolute scale) for models without a schedule,
 * still 0 at T.
 */
export function paradigmsVariance(p: Parametrization, grid: readonly number[], j: number): number {
  const T = grid.length - 1;
  if (j >= T) return 0;
  const sch = p.schedule;
  if (!sch) return 1;
  const a = sch.alpha(grid[j]),
    s = sch.sigma(grid[j]);
  const l = sch.lambda(grid[j]),
    ln = sch.lambda(grid[j + 1]);
  const sigmaVP2 = ln === Infinity ? 0 : 1 / (1 + Math.exp(2 * ln));
  const v = (a * a + s * s) * sigmaVP2 * -Math.expm1(2 * (l - ln));
  return Number.isFinite(v) && v > 0 ? v : 0;
}

/** Mean over the elements of each sample of (a - b)^2 as a tensor [n] (read it with readValues). */
export function meanSquarePerSample(a: tf.Tensor, b: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.mean(tf.square(tf.reshape(tf.sub(a, b), [a.shape[0], -1])), 1) as tf.Tensor1D);
}

/** True where a squared change per element fails the test against tol^2 var (var 0: only no change passes). */
export const fails = (meanSquare: number, tol: number, variance: number): boolean =>
  !(meanSquare <= tol * tol * variance);
