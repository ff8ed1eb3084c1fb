/**
 * DiT-specific building blocks: adaLN modulation, time and position embeddings, patchify by reshape
 * (sample-major [N, L, P] and token-major [L * N, P], the layout the DiT's residual stream uses).
 */
import * as tf from '@tensorflow/tfjs';

/** adaLN modulation x (1 + scale) + shift, scale and shift [N, D] broadcast over tokens (DiT's modulate). */
export const modulate = (x: tf.Tensor3D, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor3D =>
  tf.tidy(() => tf.add(tf.mul(x, tf.add(tf.expandDims(scale, 1), 1)), tf.expandDims(shift, 1)) as tf.Tensor3D);

/** modulate on token-major x [L, N, D]: scale and shift [N, D] broadcast over the leading token axis as they are. */
export const modulateTokens = (x: tf.Tensor3D, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor3D =>
  tf.tidy(() => tf.add(tf.mul(x, tf.add(scale, 1)), shift) as tf.Tensor3D);

/** Sinusoidal features of t * 1000 (DiT's TimestepEmbedder on a 0..1000 scale): [N] -> [N, dim]. */
export function timeFeatures(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  return tf.tidy(() => {
    const freqs = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)));
    const args = tf.mul(tf.expandDims(tf.mul(t, 1000), 1), tf.expandDims(freqs, 0)); // [N, half]
    return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
  });
}

const posCache = new Map<string, Float32Array>();

/** Fixed 2-D sin-cos position embedding for a g x g grid (MAE / DiT): [g * g, dim] as plain numbers (a fresh copy). */
export function posEmbedding(grid: number, dim: number): Float32Array {
  const key = `${grid}x${dim}`;
  let table = posCache.get(key);
  if (!table) posCache.set(key, (table = posTable(grid, dim)));
  return table.slice();
}

function posTable(grid: number, dim: number): Float32Array {
  const out = new Float32Array(grid * grid * dim),
    q = dim / 4;
  for (let y = 0; y < grid; y++)
    for (let x = 0; x < grid; x++) {
      const row = (y * grid + x) * dim;
      for (let i = 0; i < q; i++) {
        const omega = 1 / 10000 ** (i / q);
        out[row + i] = Math.sin(x * omega);
        out[row + q + i] = Math.cos(x * omega);
        out[row + 2 * q + i] = Math.sin(y * omega);
        out[row + 3 * q + i] = Math.cos(y * omega);
      }
    }
  return out;
}

/*
 * Patchify and its inverse move patches with rank-4 and rank-3 transposes only: wasm runs those in
 * its kernel, while a rank-5/6 transpose ([N, g, p, g, p, C]) falls back to a slow generic path
 * (about 0.15 ms for 2048 values, 20x the two small ones).
 */

/** [N, H, W, C] -> [N, L, p*p*C] tokens, row-major over patches. */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor3D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(x, [n * (h / p), p, w / p, p * c]), [0, 2, 1, 3]), [
      n,
      (h / p) * (w / p),
      p * p * c,
    ]),
  );
}

/** [N, L, p*p*C] -> [N, H, W, C], the inverse of patchify. */
export function unpatchify(x: tf.Tensor3D, p: number, size: number, c: number): tf.Tensor4D {
  const n = x.shape[0],
    g = size / p;
  return tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [n * g, g, p, p * c]), [0, 2, 1, 3]), [n, size, size, c]));
}

/** [N, H, W, C] -> token-major [L * N, p*p*C]: row l * N + n is patch l (row-major) of sample n. */
export function patchifyTokens(x: tf.Tensor4D, p: number): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => tf.reshape(tf.transpose(patchify(x, p), [1, 0, 2]), [(h / p) * (w / p) * n, p * p * c]));
}

/** Token-major [L * N, p*p*C] -> [N, H, W, C], the inverse of patchifyTokens. */
export function unpatchifyTokens(x: tf.Tensor2D, n: number, p: number, size: number, c: number): tf.Tensor4D {
  const l = (size / p) ** 2;
  return tf.tidy(() =>
    unpatchify(tf.transpose(tf.reshape(x, [l, n, p * p * c]), [1, 0, 2]) as tf.Tensor3D, p, size, c),
  );
}
