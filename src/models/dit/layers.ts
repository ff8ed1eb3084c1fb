/**
 * DiT building blocks in tfjs ops, shaped by what is fast and differentiable on wasm
 * (ECOSYSTEM.md): 2-D matMuls without transpose flags (a customGrad linear), one-hot class
 * embedding instead of gather, patchify by reshape, sigmoid-GELU instead of tanh.
 */
import * as tf from '@tensorflow/tfjs';

type Lin = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
/** x W with a backward of explicit transposes (wasm's fast matmul path takes no transpose flags). */
const matMulFast: Lin = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor2D, [xs, ws]: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy)],
  };
}) as unknown as (...args: Array<tf.Tensor | tf.GradSaveFunc>) => { value: tf.Tensor2D; gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] }) as unknown as Lin;

/** True while a gradient tape records (inside tf.grad / optimizer.minimize). */
const taping = (): boolean => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;

/** x W + b for x: [M, I], W: [I, O]; the customGrad matMul only while taping (it costs 2x in inference). */
export const linear = (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D =>
  tf.add(taping() ? matMulFast(x, w as tf.Tensor2D) : tf.matMul(x, w as tf.Tensor2D), b) as tf.Tensor2D;

/** Linear over the last axis of [N, L, I] via one 2-D matMul. */
export function linear3d(x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const [n, l, i] = x.shape;
  return tf.reshape(linear(tf.reshape(x, [n * l, i]), w, b), [n, l, w.shape[1]!]);
}

export const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));
/** GELU approximated as x sigmoid(1.702 x) (Hendrycks & Gimpel 2016); wasm's tanh is slow. */
export const gelu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));

/** Layer norm over the last axis without affine parameters (DiT: elementwise_affine=False). */
export function layerNorm(x: tf.Tensor, eps = 1e-6): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

/** adaLN modulation x (1 + scale) + shift, scale and shift [N, D] broadcast over tokens (DiT's modulate). */
export const modulate = (x: tf.Tensor3D, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor3D =>
  tf.add(tf.mul(x, tf.add(tf.expandDims(scale, 1), 1)), tf.expandDims(shift, 1)) as tf.Tensor3D;

/** Sinusoidal features of t * 1000 (DiT's TimestepEmbedder on a 0..1000 scale): [N] -> [N, dim]. */
export function timeFeatures(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  const freqs = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)));
  const args = tf.mul(tf.expandDims(tf.mul(t, 1000), 1), tf.expandDims(freqs, 0)); // [N, half]
  return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
}

/** Fixed 2-D sin-cos position embedding for a g x g grid (MAE / DiT): [g * g, dim] as plain numbers. */
export function posEmbedding(grid: number, dim: number): Float32Array {
  const out = new Float32Array(grid * grid * dim), q = dim / 4;
  for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) {
    const row = (y * grid + x) * dim;
    for (let i = 0; i < q; i++) {
      const omega = 1 / 10000 ** (i / q);
      out[row + i] = Math.sin(x * omega); out[row + q + i] = Math.cos(x * omega);
      out[row + 2 * q + i] = Math.sin(y * omega); out[row + 3 * q + i] = Math.cos(y * omega);
    }
  }
  return out;
}

/** [N, H, W, C] -> [N, L, p*p*C] tokens, row-major over patches. */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor3D {
  const [n, h, w, c] = x.shape;
  const g = tf.reshape(x, [n, h / p, p, w / p, p, c]);
  return tf.reshape(tf.transpose(g, [0, 1, 3, 2, 4, 5]), [n, (h / p) * (w / p), p * p * c]);
}

/** [N, L, p*p*C] -> [N, H, W, C], the inverse of patchify. */
export function unpatchify(x: tf.Tensor3D, p: number, size: number, c: number): tf.Tensor4D {
  const n = x.shape[0], g = size / p;
  const t = tf.reshape(x, [n, g, g, p, p, c]);
  return tf.reshape(tf.transpose(t, [0, 1, 3, 2, 4, 5]), [n, size, size, c]);
}

/** Multi-head self-attention on [N, L, D] with separate q, k, v projections (rank-4 transposes only). */
export function attention(x: tf.Tensor3D, heads: number, q: [tf.Tensor, tf.Tensor], k: [tf.Tensor, tf.Tensor], v: [tf.Tensor, tf.Tensor], o: [tf.Tensor, tf.Tensor]): tf.Tensor3D {
  const [n, l, d] = x.shape, hd = d / heads;
  const flat = tf.reshape(x, [n * l, d]) as tf.Tensor2D;
  const split = (y: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(y, [n, l, heads, hd]), [0, 2, 1, 3]), [n * heads, l, hd]) as tf.Tensor3D;
  const qh = split(linear(flat, q[0], q[1])), kh = split(linear(flat, k[0], k[1])), vh = split(linear(flat, v[0], v[1]));
  const att = tf.softmax(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(hd)), -1); // [N*H, L, L]
  const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, vh), [n, heads, l, hd]), [0, 2, 1, 3]), [n * l, d]) as tf.Tensor2D;
  return tf.reshape(linear(ctx, o[0], o[1]), [n, l, d]) as tf.Tensor3D;
}
