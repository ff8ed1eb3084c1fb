/**
 * One scoring function for every result, shared by the CLI and the experiments. Metric names have
 * one meaning each: rmseTo* is the absolute RMS difference sqrt(mean((a - b)^2)); relErrorTo* is the
 * relative one, ||a - b|| / ||b||; classAccuracy and frechetDistance are the DiT's sample quality.
 */
import { relativeRmse, rmse } from '../tensor.ts';
import type { Problem } from './problem.ts';

export interface Scores {
  /** Absolute RMSE to the sequential solver's sample (same solver, grid and noise). */
  rmseToSequential?: number;
  /** Relative RMSE to the sequential sample. */
  relErrorToSequential?: number;
  /** Absolute RMSE to the exact or float64 reference ODE solution (analytic models). */
  rmseToReference?: number;
  /** Relative RMSE to the reference solution. */
  relErrorToReference?: number;
  classAccuracy?: number;
  frechetDistance?: number;
}

/** Scores sample values against the sequential sample (when given), the reference and the DiT's quality. */
export async function score(p: Problem, values: Float32Array, sequential?: ArrayLike<number>): Promise<Scores> {
  const ref = p.reference?.();
  return {
    ...(sequential
      ? { rmseToSequential: rmse(values, sequential), relErrorToSequential: relativeRmse(values, sequential) }
      : {}),
    ...(ref ? { rmseToReference: rmse(values, ref), relErrorToReference: relativeRmse(values, ref) } : {}),
    ...(p.quality ? await p.quality(values) : {}),
  };
}
