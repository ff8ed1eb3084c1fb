/** Small shared helpers of the solvers: log-SNR steps and where they are defined. */
import type { Parametrization } from '../diffusion/prediction.ts';
import { paramCoeffs } from '../diffusion/prediction.ts';

/**
 * Below this half log-SNR (alpha / sigma < 1e-4) a point counts as pure noise: the noise-form
 * DPM-Solver update divides by alpha there and cancels catastrophically in float32 (vp-cosine has
 * alpha(1) = 6e-17, lambda = -37), and its x0 estimate carries no slope for multistep history.
 */
export const NOISE_LAMBDA = Math.log(1e-4);

/** True where sigma(t) = 0 (clean data), where stage points and higher-order terms are undefined. */
export const endsAtData = (p: Parametrization, t: number): boolean => !!p.schedule && p.schedule.sigma(t) === 0;

/** Half log-SNR lambda(t); a clear error where the model has no schedule. */
export function lambdaAt(p: Parametrization, t: number, who: string): number {
  paramCoeffs(p, t, who);
  return p.schedule!.lambda(t);
}

/** True at (numerically) pure noise: lambda below NOISE_LAMBDA, or -Infinity. */
export const isNoise = (p: Parametrization, t: number, who: string): boolean => !(lambdaAt(p, t, who) >= NOISE_LAMBDA);

/** True when the step t -> tNext has intermediate log-SNR points (not from pure noise, not to clean data). */
export const regularStep = (p: Parametrization, t: number, tNext: number, who: string): boolean =>
  !isNoise(p, t, who) && Number.isFinite(lambdaAt(p, tNext, who));
