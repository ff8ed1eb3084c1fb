/** Errors against a reference: RMSE, relative RMSE (re-exported) and PSNR. */
export { relativeRmse, rmse } from '../tensor.ts';
import { rmse } from '../tensor.ts';

/** Peak signal-to-noise ratio in dB for values spanning `range` (2 for images in [-1, 1]): 20 log10(range / RMSE). */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, range = 2): number {
  const e = rmse(a, b);
  return e === 0 ? Infinity : 20 * Math.log10(range / e);
}
