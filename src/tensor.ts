/** Small tensor helpers shared across layers. */
import * as tf from '@tensorflow/tfjs';

/** tf.tidy for functions returning plain objects that hold tensors (tfjs's own typing rejects interfaces). */
export const tidy = <T>(fn: () => T): T => tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;

/** Throws unless v is an array or typed array of numbers (a tensor has no length: read it first). */
function requireValues(where: string, name: string, v: unknown): asserts v is ArrayLike<number> {
  const ok = Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  if (!ok)
    throw new Error(
      `${where}: ${name} must be an array or typed array of numbers` +
        (v instanceof tf.Tensor ? ' (a tensor: pass await t.data())' : ''),
    );
}

/** Root-mean-square difference of two equally long arrays. */
export function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  requireValues('rmse', 'a', a);
  requireValues('rmse', 'b', b);
  if (a.length !== b.length) throw new Error(`rmse: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / Math.max(1, a.length));
}

/** Relative RMS error ||a - b|| / ||b||. */
export function relativeRmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  requireValues('relativeRmse', 'a', a);
  requireValues('relativeRmse', 'b', b);
  if (a.length !== b.length) throw new Error(`relativeRmse: lengths differ (${a.length} vs ${b.length})`);
  let nb = 0;
  for (let i = 0; i < b.length; i++) nb += b[i] * b[i];
  return rmse(a, b) / Math.sqrt(nb / Math.max(1, b.length));
}

/**
 * Reads several small tensors back in one asynchronous readback (the values of each, flattened, concatenated in
 * order) and disposes them. On a GPU backend a round then waits on the device once; on wasm and cpu it costs about
 * what a synchronous read did. No tensors: no read.
 */
export async function readAll(ts: readonly tf.Tensor[]): Promise<Float32Array> {
  if (ts.length === 0) return new Float32Array(0);
  try {
    const flat = tf.tidy(() => tf.concat(ts.map((t) => tf.cast(tf.reshape(t, [-1]), 'float32'))));
    try {
      return (await flat.data()) as Float32Array;
    } finally {
      flat.dispose();
    }
  } finally {
    tf.dispose([...ts]);
  }
}

/** Sum of squared differences of a and b as a scalar tensor (read it with readAll). */
export const squaredDistance = (a: tf.Tensor, b: tf.Tensor): tf.Scalar =>
  tf.tidy(() => tf.sum(tf.square(tf.sub(a, b))));

/**
 * The values of several tensors (fresh Float32Array copies, one per tensor) in one asynchronous readback (on wasm,
 * which computes eagerly, one read per tensor: no kernels); the tensors stay the caller's.
 */
export async function readValues(ts: readonly tf.Tensor[]): Promise<Float32Array[]> {
  if (ts.length === 0) return [];
  // wasm hands out a fresh copy of exactly one tensor (a slice of its heap) per read and computes eagerly:
  // read each tensor on its own (no concat kernels, no second copy; 6 vs 41 us for two [4, 16, 16, 1])
  if (tf.getBackend() === 'wasm' && ts.every((t) => t.dtype === 'float32')) {
    const each = await Promise.all(ts.map((t) => t.data() as Promise<Float32Array>));
    return each.map((d) => (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? d : d.slice()));
  }
  const flat =
    ts.length === 1 ? ts[0] : tf.tidy(() => tf.concat(ts.map((t) => tf.cast(tf.reshape(t, [-1]), 'float32'))));
  let data: Float32Array;
  try {
    data = (await flat.data()) as Float32Array;
  } finally {
    if (flat !== ts[0]) flat.dispose();
  }
  // wasm hands out a fresh copy of exactly one tensor (a slice of its heap): keep it (one copy less per round);
  // other backends may return their own store (cpu) or a view of a larger buffer, so copy.
  const fresh = tf.getBackend() === 'wasm' && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
  if (ts.length === 1 && fresh && data instanceof Float32Array) return [data];
  let at = 0;
  return ts.map((t) => data.slice(at, (at += t.size))); // copies: never a tensor's own store (the cpu backend's)
}
