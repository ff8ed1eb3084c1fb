/** DiT-specific building blocks: adaLN modulation, time and position embeddings, patchify by reshape. */
import * as tf from '@tensorflow/tfjs';

/** adaLN modulation x (1 + scale) + shift, scale and shift [N, D] broadcast over tokens (DiT's modulate). */
export const modulate = (x: tf.Tensor3D, shift: tf.Tensor, scale: tf.Tensor): tf.Tensor3D =>
  tf.tidy(() => tf.add(tf.mul(x, tf.add(tf.expandDims(scale, 1), 1)), tf.expandDims(shift, 1)) as tf.Tensor3D);

/** Sinusoidal features of t * 1000 (DiT's TimestepEmbedder on a 0..1000 scale): [N] -> [N, dim]. */
export function timeFeatures(t: tf.Tensor1D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  return tf.tidy(() => {
    const freqs = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half)));
    const args = tf.mul(tf.expandDims(tf.mul(t, 1000), 1), tf.expandDims(freqs, 0)); // [N, half]
    return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
  });
}

/** Fixed 2-D sin-cos position embedding for a g x g grid (MAE / DiT): [g * g, dim] as plain numbers. */
export function posEmbedding(grid: number, dim: number): Float32Array {
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

/** [N, H, W, C] -> [N, L, p*p*C] tokens, row-major over patches. */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor3D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(x, [n, h / p, p, w / p, p, c]), [0, 1, 3, 2, 4, 5]), [
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
  return tf.tidy(() =>
    tf.reshape(tf.transpose(tf.reshape(x, [n, g, g, p, p, c]), [0, 1, 3, 2, 4, 5]), [n, size, size, c]),
  );
}
