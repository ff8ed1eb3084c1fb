/**
 * Multi-head self-attention (Vaswani et al. 2017, eq. 1) on [N, L, D] in two formulations with the
 * same result: batched matMuls (used off wasm), and per-channel matMuls as depthwise convolutions,
 * which wasm runs in XNNPACK where its batched matMul is a scalar loop. Both are differentiable.
 */
import * as tf from '@tensorflow/tfjs';
import { channelMatMul, linear } from '../nn.ts';

export type Linear = [w: tf.Tensor, b: tf.Tensor];
export interface AttentionWeights { q: Linear; k: Linear; v: Linear; o: Linear }

/** softmax(Q K^T / sqrt(d)) V with heads as the batch of two batched matMuls. */
export function attentionBatched(x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, l, d] = x.shape, hd = d / heads;
    const flat = tf.reshape(x, [n * l, d]) as tf.Tensor2D;
    const split = (y: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(y, [n, l, heads, hd]), [0, 2, 1, 3]), [n * heads, l, hd]) as tf.Tensor3D;
    const qh = split(linear(flat, ...w.q)), kh = split(linear(flat, ...w.k)), vh = split(linear(flat, ...w.v)); // [N*H, L, hd]
    const att = tf.softmax(tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(hd)), -1); // [N*H, L, L]
    const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, vh), [n, heads, l, hd]), [0, 2, 1, 3]), [n * l, d]) as tf.Tensor2D;
    return tf.reshape(linear(ctx, ...w.o), [n, l, d]) as tf.Tensor3D;
  });
}

/**
 * The same attention with one channel c per (sample, head) pair and both products as per-channel
 * matMuls (channelMatMul: depthwise convolutions, which wasm runs in XNNPACK, with a gradient of the
 * same form): S[i, c, j] = sum_a Q[i, a, c] K[a, c, j], then ctx[i, c, a] = sum_j P[i, j, c] V[j, c, a].
 * No product is wasted on cross-head terms.
 */
export function attentionDepthwise(x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, l, d] = x.shape, hd = d / heads, c = n * heads;
    const flat = tf.reshape(x, [n * l, d]) as tf.Tensor2D;
    const proj = (lin: Linear) => tf.reshape(linear(flat, ...lin), [n, l, heads, hd]); // [N, L, H, hd]
    const q = tf.reshape(tf.transpose(tf.mul(proj(w.q), 1 / Math.sqrt(hd)), [1, 3, 0, 2]), [l, hd, c]) as tf.Tensor3D; // [i, a, c]
    const k = tf.reshape(tf.transpose(proj(w.k), [3, 0, 2, 1]), [hd, c, l]) as tf.Tensor3D; // [a, c, j]
    const p = tf.transpose(tf.softmax(channelMatMul(q, k), -1), [0, 2, 1]) as tf.Tensor3D; // [i, j, c]
    const v = tf.reshape(tf.transpose(proj(w.v), [1, 0, 2, 3]), [l, c, hd]) as tf.Tensor3D; // [j, c, a]
    const ctx = tf.transpose(tf.reshape(channelMatMul(p, v), [l, n, d]), [1, 0, 2]); // [N, i, D]
    return tf.reshape(linear(tf.reshape(ctx, [n * l, d]) as tf.Tensor2D, ...w.o), [n, l, d]) as tf.Tensor3D;
  });
}

/** Per-channel matMuls as depthwise convolutions on wasm (XNNPACK), batched matMuls on other backends. */
export const attention = (x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D =>
  (tf.getBackend() === 'wasm' ? attentionDepthwise : attentionBatched)(x, heads, w);
