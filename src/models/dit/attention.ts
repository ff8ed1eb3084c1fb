/**
 * Multi-head self-attention (Vaswani et al. 2017, eq. 1) in two formulations with the same result:
 * batched matMuls (used off wasm), and per-channel matMuls as depthwise convolutions, which wasm runs
 * in XNNPACK where its batched matMul is a scalar loop. Both are differentiable. The core works on
 * token-major activations [L, N, D] (the DiT's residual layout: the value projection is already in
 * the depthwise form's layout and its output needs no transpose); the [N, L, D] entry points wrap it.
 */
import * as tf from '@tensorflow/tfjs';
import { channelMatMul, linear } from '../nn.ts';

export type Linear = [w: tf.Tensor, b: tf.Tensor];
export interface AttentionWeights {
  q: Linear;
  k: Linear;
  v: Linear;
  o: Linear;
}

/**
 * The heads' products: q (already scaled by 1/sqrt(hd)), k, v token-major [L, N * H, hd] (one channel
 * c per (sample, head) pair) -> softmax(q k^T) v as [L, N * H, hd].
 */
type Products = (q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D) => tf.Tensor3D;

/** Heads as the batch of two batched matMuls. */
const productsBatched: Products = (q, k, v) => {
  const split = (y: tf.Tensor3D) => tf.transpose(y, [1, 0, 2]) as tf.Tensor3D; // [C, L, hd]
  const att = tf.softmax(tf.matMul(split(q), split(k), false, true), -1) as tf.Tensor3D; // [C, L, L]
  return tf.transpose(tf.matMul(att, split(v)), [1, 0, 2]) as tf.Tensor3D;
};

/**
 * Both products as per-channel matMuls (channelMatMul: depthwise convolutions, which wasm runs in
 * XNNPACK, with a gradient of the same form): S[i, c, j] = sum_a Q[i, a, c] K[a, c, j], then
 * ctx[i, c, a] = sum_j P[i, j, c] V[j, c, a]. V [j, c, a] and ctx [i, c, a] are token-major as they
 * come. No product is wasted on cross-head terms.
 */
const productsDepthwise: Products = (q, k, v) => {
  const qc = tf.transpose(q, [0, 2, 1]) as tf.Tensor3D; // [i, a, c]
  const kc = tf.transpose(k, [2, 1, 0]) as tf.Tensor3D; // [a, c, j]
  const p = tf.transpose(tf.softmax(channelMatMul(qc, kc), -1), [0, 2, 1]) as tf.Tensor3D; // [i, j, c]
  return channelMatMul(p, v); // [i, c, a]
};

/** softmax(Q K^T / sqrt(hd)) V over heads on token-major x [L, N, D], with q, k, v, o projections. */
const selfAttention =
  (products: Products) =>
  (x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D =>
    tf.tidy(() => {
      const [l, n, d] = x.shape,
        hd = d / heads;
      const flat = tf.reshape(x, [l * n, d]) as tf.Tensor2D;
      const proj = (lin: Linear) => tf.reshape(linear(flat, ...lin), [l, n * heads, hd]) as tf.Tensor3D;
      const ctx = products(tf.mul(proj(w.q), 1 / Math.sqrt(hd)), proj(w.k), proj(w.v)); // [L, N * H, hd]
      return tf.reshape(linear(tf.reshape(ctx, [l * n, d]) as tf.Tensor2D, ...w.o), [l, n, d]) as tf.Tensor3D;
    });

/** Token-major attention [L, N, D] with heads as the batch of batched matMuls (the form used off wasm). */
export const attentionTokensBatched = selfAttention(productsBatched);
/** Token-major attention [L, N, D] with per-channel matMuls as depthwise convolutions (the form used on wasm). */
export const attentionTokensDepthwise = selfAttention(productsDepthwise);
/** Token-major attention [L, N, D]: depthwise convolutions on wasm (XNNPACK), batched matMuls on other backends. */
export const attentionTokens = (x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D =>
  (tf.getBackend() === 'wasm' ? attentionTokensDepthwise : attentionTokensBatched)(x, heads, w);

/** A token-major attention applied to sample-major x [N, L, D]. */
const sampleMajor =
  (f: typeof attentionTokens) =>
  (x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D =>
    tf.tidy(() => tf.transpose(f(tf.transpose(x, [1, 0, 2]), heads, w), [1, 0, 2]));

/** Attention on [N, L, D] with heads as the batch of batched matMuls (the form used off wasm). */
export const attentionBatched = sampleMajor(attentionTokensBatched);
/** Attention on [N, L, D] with per-channel matMuls as depthwise convolutions (the form used on wasm). */
export const attentionDepthwise = sampleMajor(attentionTokensDepthwise);
/** Attention on [N, L, D]: depthwise convolutions on wasm (XNNPACK), batched matMuls on other backends. */
export const attention = sampleMajor(attentionTokens);
