/**
 * A scalar secant model of the model's response: how the x0 estimate D of one sample changes with its state x
 * along the last change, a = <D1 - D0, x1 - x0> / |x1 - x0|^2, from two evaluations at the same time (ours; a
 * one-parameter quasi-Newton model of dD/dx, exact for isotropic Gaussian data, where dD/dx = a I), and its
 * miss |D1 - D0 - a (x1 - x0)| / |D1 - D0|: the part of the response the scalar model does not explain.
 */
import * as tf from '@tensorflow/tfjs';

export interface SecantFit {
  /** a per sample [n], clamped to [0, max] (dD/dx is positive semi-definite); 0 when the state did not change. */
  response: tf.Tensor1D;
  /** The relative miss per sample [n] in [0, 1] (0 when D did not change: a = 0 explains that); if asked for. */
  miss?: tf.Tensor1D;
}

/**
 * The secant fit of every sample (row) through (x0, d0) and (x1, d1), [n, ...] each, with its miss if `withMiss`.
 * Row by row it equals the fit of that row alone bit for bit (row sums). Call in tidy.
 */
export function secantFit(
  x0: tf.Tensor,
  d0: tf.Tensor,
  x1: tf.Tensor,
  d1: tf.Tensor,
  max: number,
  withMiss = true,
): SecantFit {
  const n = x0.shape[0];
  const dx = tf.reshape(tf.sub(x1, x0), [n, -1]); // [n, e]
  const dd = tf.reshape(tf.sub(d1, d0), [n, -1]); // [n, e]
  // divNoNan: 0 (not NaN) for an unchanged state, so a correction times 0 stays exactly 0
  const a = tf.clipByValue(tf.divNoNan(tf.sum(tf.mul(dx, dd), 1), tf.sum(tf.square(dx), 1)), 0, max); // [n]
  if (!withMiss) return { response: a as tf.Tensor1D };
  const miss = tf.divNoNan(
    tf.norm(tf.sub(dd, tf.mul(dx, tf.reshape(a, [n, 1]))), 'euclidean', 1),
    tf.norm(dd, 'euclidean', 1),
  ); // [n]
  return { response: a as tf.Tensor1D, miss: tf.clipByValue(miss, 0, 1) as tf.Tensor1D };
}
