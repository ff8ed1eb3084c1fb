/** An analytic model: a Denoiser whose ODE solution is known exactly or to float64 accuracy. */
import type { Denoiser } from '../../diffusion/denoiser.ts';

export interface AnalyticModel extends Denoiser {
  readonly name: string;
  /** Data dimension D; samples are [N, D]. */
  readonly dim: number;
  /**
   * The probability-flow ODE solution from rows x (N x D, row-major, float64) at time `from` to `to`:
   * closed form (Gaussian) or a float64 adaptive solve far below float32 noise (mixture; about
   * 30 ms per row at D = 64 and 240 ms at D = 4096 here, so `onRow` reports rows done of rows).
   */
  solve(x: Float64Array, from: number, to: number, onRow?: (done: number, rows: number) => void): Float64Array;
  /** Frees the model's constant tensors. */
  dispose(): void;
}
