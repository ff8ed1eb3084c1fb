/** Convergence tests of the baselines: a change small relative to the noise level of the step. */
import * as tf from '@tensorflow/tfjs';
import type { Parametrization } from '../diffusion/prediction.ts';
import { shown } from '../options.ts';

/**
 * The noise scale against which a change of the point at grid index j + 1 is judged: sigma(t_j), the
 * noise level at the start of the step into it (ParaDiGMS compares squared changes with
 * tolerance^2 times the noise variance). 1 for models without a schedule (an absolute tolerance).
 */
export const noiseScale = (p: Parametrization, grid: readonly number[], j: number): number =>
  p.schedule ? p.schedule.sigma(grid[j]) : 1;

/** Mean of (a - b)^2 as a scalar tensor (the drivers read many of them at once with readAll). */
export const meanSquaredChange = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
  tf.tidy(() => tf.mean(tf.square(tf.sub(a, b))));

export function validateTolerance(tol: number): void {
  if (!(tol >= 0) || !Number.isFinite(tol))
    throw new Error(`tolerance: got ${shown(tol)}; allowed: a finite number >= 0`);
}
