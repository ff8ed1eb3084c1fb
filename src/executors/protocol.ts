/** Messages between an executor and its workers or child processes. Tensors cross as plain Float32Arrays. */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../models/spec.ts';
import { readValues } from '../tensor.ts';

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
  | {
      type: 'result';
      id: number;
      outs: WireTensor[];
      computeMs: number;
      cpuMs: number;
      /** Where computeMs went: input tensors, the model call, the readback (ms). */
      stagesMs: { input: number; model: number; read: number };
    }
  | { type: 'error'; id?: number; message: string };

/**
 * Fresh Float32Array copies of several tensors' values (safe to transfer), read in one asynchronous readback
 * (a GPU backend waits once; the tensors stay the caller's).
 */
export async function toWire(ts: readonly tf.Tensor[]): Promise<WireTensor[]> {
  const data = await readValues(ts);
  return ts.map((t, j) => ({ shape: t.shape.slice(), data: data[j] }));
}

/** Splits a wire tensor along its first axis into parts of `sizes` rows (copies). */
export function splitWire(w: WireTensor, sizes: readonly number[]): WireTensor[] {
  const row = w.shape.slice(1).reduce((a, b) => a * b, 1);
  let at = 0;
  return sizes.map((n) => {
    const part = { shape: [n, ...w.shape.slice(1)], data: w.data.slice(at * row, (at + n) * row) };
    at += n;
    return part;
  });
}

export const fromWire = (w: WireTensor): tf.Tensor => tf.tensor(w.data, w.shape, 'float32');

/** True when every value is finite (a plain loop: 2048 values in about 2 us). */
export function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
