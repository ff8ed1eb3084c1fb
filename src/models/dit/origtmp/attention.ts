/**
 * Multi-head self-attention (Vaswani et al. 2017, eq. 1) on [N, L, D] in two formulations with the
 * same result: batched matMuls (used off wasm), and per-channel matMuls as depthwise convolutions,
 * which wasm runs in XNNPACK where its batched matMul is a scalar loop. Both are differentiable.
 */
import * as tf from '@tensorflow/tfjs';
import { channelMatMul, linear } from '../../nn.ts';

export type Linear = [w: tf.Tensor, b: tf.Tensor];
export interface AttentionWeights {
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
}

/** The heads' products: q (already scaled by 1/sqrt(hd)), k, v [N, L, H, hd] -> softmax(q k^T) v as [N, L, H * hd]. */
type Products = (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D) => tf.Tensor3D;

/** Heads as the batch of two batched matMuls. */
const productsBatched: Products = (q, k, v) => {
  const [n, l, heads, hd] = q.shape;
  const split = (y: tf.Tensor4D) => tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [n * heads, l, hd]) as tf.Tensor3D; // [N*H, L, hd]
  const att = tf.softmax(tf.matMul(split(q), split(k), false, true), -1) as tf.Tensor3D; // [N*H, L, L]
  return tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, split(v)), [n, heads, l, hd]), [0, 2, 1, 3]), [
    n,
    l,
    heads * hd,
  ]);
};

/**
 * One channel c per (sample, head) pair and both products as per-channel matMuls (channelMatMul:
 * depthwise convolutions, which wasm runs in XNNPACK, with a gradient of the same form):
 * S[i, c, j] = sum_a Q[i, a, c] K[a, c, j], then ctx[i, c, a] = sum_j P[i, j, c] V[j, c, a].
 * No product is wasted on cross-head terms.
 */
const productsDepthwise: Products = (q, k, v) => {
  const [n, l, heads, hd] = q.shape,
    c = n * heads;
  const qc = tf.reshape(tf.transpose(q, [1, 3, 0, 2]), [l, hd, c]) as tf.Tensor3D; // [i, a, c]
  const kc = tf.reshape(tf.transpose(k, [3, 0, 2, 1]), [hd, c, l]) as tf.Tensor3D; // [a, c, j]
  const p = tf.transpose(tf.softmax(channelMatMul(qc, kc), -1), [0, 2, 1]) as tf.Tensor3D; // [i, j, c]
  const vc = tf.reshape(tf.transpose(v, [1, 0, 2, 3]), [l, c, hd]) as tf.Tensor3D; // [j, c, a]
  return tf.transpose(tf.reshape(channelMatMul(p, vc), [l, n, heads * hd]), [1, 0, 2]); // [N, i, D]
};

/** softmax(Q K^T / sqrt(hd)) V over heads, with q, k, v, o projections around the given products. */
const selfAttention =
  (products: Products) =>
  (x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D =>
    tf.tidy(() => {
      const [n, l, d] = x.shape,
        hd = d / heads;
      const flat = tf.reshape(x, [n * l, d]) as tf.Tensor2D;
      const proj = (lin: Linear) => tf.reshape(linear(flat, ...lin), [n, l, heads, hd]) as tf.Tensor4D; // [N, L, H, hd]
      const ctx = products(tf.mul(proj(w.q), 1 / Math.sqrt(hd)), proj(w.k), proj(w.v)); // [N, L, D]
      return tf.reshape(linear(tf.reshape(ctx, [n * l, d]) as tf.Tensor2D, ...w.o), [n, l, d]) as tf.Tensor3D;
    });

/** Attention with heads as the batch of batched matMuls (the form used off wasm). */
export const attentionBatched = selfAttention(productsBatched);
/** Attention with per-channel matMuls as depthwise convolutions (the form used on wasm). */
export const attentionDepthwise = selfAttention(productsDepthwise);

/** Per-channel matMuls as depthwise convolutions on wasm (XNNPACK), batched matMuls on other backends. */
export const attention = (x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D =>
  (tf.getBackend() === 'wasm' ? attentionDepthwise : attentionBatched)(x, heads, w);
