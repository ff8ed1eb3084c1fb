/**
 * A scalar secant model of the model's response: how the x0 estimate D of one sample changes with its state x
 * along the last change, a = <D1 - D0, x1 - x0> / |x1 - x0|^2, from two evaluations at the same time (ours; a
 * one-parameter quasi-Newton model of dD/dx, exact for isotropic Gaussian data, where dD/dx = a I), and its
 * miss |D1 - D0 - a (x1 - x0)| / |D1 - D0|: the part of the response the scalar model does not explain.
 */
import * as tf from '@tensorflow/tfjs';

export interface SecantFit {
  /** a, clamped to [0, max] (dD/dx is positive semi-definite); 0 when the state did not change. */
  response: tf.Scalar;
  /** The relative miss in [0, 1] (0 when D did not change: a = 0 explains that); only when asked for. */
  miss?: tf.Scalar;
}

/** The secant fit through (x0, d0) and (x1, d1), one sample each, with its miss if `withMiss`. Call in tidy. */
export function secantFit(
  x0: tf.Tensor,
  d0: tf.Tensor,
  x1: tf.Tensor,
  d1: tf.Tensor,
  max: number,
  withMiss = true,
): SecantFit {
  const dx = tf.sub(x1, x0); // [1, ...]
  const dd = tf.sub(d1, d0); // [1, ...]
  // divNoNan: 0 (not NaN) for an unchanged state, so a correction times 0 stays exactly 0
  const a = tf.clipByValue(tf.divNoNan(tf.sum(tf.mul(dx, dd)), tf.sum(tf.square(dx))), 0, max) as tf.Scalar; // []
  if (!withMiss) return { response: a };
  const miss = tf.divNoNan(tf.norm(tf.sub(dd, tf.mul(dx, a))), tf.norm(dd)); // []
  return { response: a, miss: tf.clipByValue(miss, 0, 1) as tf.Scalar };
}
