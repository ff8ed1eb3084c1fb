/**
 * Multi-head self-attention (Vaswani et al. 2017, eq. 1) on [N, L, D] in two formulations with the
 * same result: batched matMuls (differentiable everywhere, used while taping and off wasm), and
 * depthwise convolutions, which wasm runs in XNNPACK where its batched matMul is a scalar loop.
 */
import * as tf from '@tensorflow/tfjs';
import { linear, taping } from '../nn.ts';

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
 * The same attention as two depthwise convolutions, one channel per (sample, head) pair c:
 * S[i, c, j] = sum_a Q[c, i, a] K[c, j, a] is a 1 x hd filter K sliding over the (i, a) plane of Q
 * with channel multiplier L, and ctx[i, c, a] = sum_j P[c, i, j] V[c, j, a] a 1 x L filter V over
 * the (i, j) plane of P with multiplier hd. No product is wasted on cross-head terms.
 */
export function attentionDepthwise(x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, l, d] = x.shape, hd = d / heads, c = n * heads;
    const flat = tf.reshape(x, [n * l, d]) as tf.Tensor2D;
    const proj = (lin: Linear) => tf.reshape(linear(flat, ...lin), [n, l, heads, hd]); // [N, L, H, hd]
    const q = tf.reshape(tf.transpose(tf.mul(proj(w.q), 1 / Math.sqrt(hd)), [1, 3, 0, 2]), [1, l, hd, c]) as tf.Tensor4D; // [1, i, a, c]
    const kf = tf.reshape(tf.transpose(proj(w.k), [3, 0, 2, 1]), [1, hd, c, l]) as tf.Tensor4D; // [1, a, c, j]
    const s = tf.reshape(tf.depthwiseConv2d(q, kf, 1, 'valid'), [l, c, l]); // [i, c, j]
    const p = tf.reshape(tf.transpose(tf.softmax(s, -1), [0, 2, 1]), [1, l, l, c]) as tf.Tensor4D; // [1, i, j, c]
    const vf = tf.reshape(tf.transpose(proj(w.v), [1, 0, 2, 3]), [1, l, c, hd]) as tf.Tensor4D; // [1, j, c, a]
    const ctx = tf.transpose(tf.reshape(tf.depthwiseConv2d(p, vf, 1, 'valid'), [l, n, d]), [1, 0, 2]); // [N, i, D]
    return tf.reshape(linear(tf.reshape(ctx, [n * l, d]) as tf.Tensor2D, ...w.o), [n, l, d]) as tf.Tensor3D;
  });
}

/** Depthwise form on wasm outside a gradient tape (no depthwise filter gradient there), batched matMuls otherwise. */
export const attention = (x: tf.Tensor3D, heads: number, w: AttentionWeights): tf.Tensor3D =>
  (!taping() && tf.getBackend() === 'wasm' ? attentionDepthwise : attentionBatched)(x, heads, w);
