/** Small tensor helpers shared across layers. */
import * as tf from '@tensorflow/tfjs';

/** tf.tidy for functions returning plain objects that hold tensors (tfjs's own typing rejects interfaces). */
export const tidy = <T>(fn: () => T): T => tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;

/** Root-mean-square difference of two equally long arrays. */
export function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`rmse: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / Math.max(1, a.length));
}

/** Relative RMS error ||a - b|| / ||b||. */
export function relativeRmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let nb = 0;
  for (let i = 0; i < b.length; i++) nb += b[i] * b[i];
  return rmse(a, b) / Math.sqrt(nb / Math.max(1, b.length));
}
