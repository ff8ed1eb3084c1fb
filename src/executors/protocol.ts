/** Messages between an executor and its workers or child processes. Tensors cross as plain Float32Arrays. */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../models/spec.ts';

export interface WireTensor {
  shape: number[];
  data: Float32Array;
}

export type ToRemote =
  /** Build the model; then `warmup.calls` calls on x of `warmup.shape` before reporting ready. */
  | { type: 'init'; spec: ModelSpec; backend: string; warmup?: { shape: number[]; calls: number } }
  /** Evaluate several (x, t) requests as one batched call. */
  | { type: 'eval'; id: number; xs: WireTensor[]; ts: number[] }
  | { type: 'close' };

export type FromRemote =
  | { type: 'ready'; startupMs: number; warmupMs: number; backend: string }
  /** cpuMs: the process CPU time during the eval (its own in a child process; the whole process in a worker). */
  | { type: 'result'; id: number; outs: WireTensor[]; computeMs: number; cpuMs: number }
  | { type: 'error'; id?: number; message: string };

/** A fresh Float32Array copy of a tensor's values (safe to transfer). */
export function toWire(t: tf.Tensor): WireTensor {
  const values = t.dataSync() as Float32Array;
  // wasm's dataSync is already a fresh copy of exactly this tensor (a slice of the heap): transfer it as
  // it is; other backends may hand out their own storage (cpu) or a view of a larger buffer, so copy.
  const own = tf.getBackend() === 'wasm' && values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
  return { shape: t.shape.slice(), data: own && values instanceof Float32Array ? values : Float32Array.from(values) };
}

export const fromWire = (w: WireTensor): tf.Tensor => tf.tensor(w.data, w.shape, 'float32');
