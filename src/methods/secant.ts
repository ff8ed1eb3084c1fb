/**
 * A scalar secant estimate of the model's response: how the x0 estimate D of one sample changes with its state
 * x along the last change, a = <D1 - D0, x1 - x0> / |x1 - x0|^2, from two evaluations at the same time (ours;
 * a one-parameter quasi-Newton model of dD/dx, exact for isotropic Gaussian data, where dD/dx = a I).
 */
import * as tf from '@tensorflow/tfjs';

/** a clamped to [0, max] (dD/dx is positive semi-definite); 0 when the state did not change. Call in tidy. */
export function secantResponse(x0: tf.Tensor, d0: tf.Tensor, x1: tf.Tensor, d1: tf.Tensor, max: number): tf.Scalar {
  const dx = tf.sub(x1, x0); // [1, ...]
  const dd = tf.sub(d1, d0); // [1, ...]
  const a = tf.div(tf.sum(tf.mul(dx, dd)), tf.add(tf.sum(tf.square(dx)), 1e-30)); // []
  return tf.clipByValue(a, 0, max) as tf.Scalar;
}
