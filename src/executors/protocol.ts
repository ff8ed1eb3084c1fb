/** Messages between an executor and its workers or child processes. Tensors cross as plain Float32Arrays. */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../models/spec.ts';

export interface WireTensor {
  shape: number[];
  data: Float32Array;
}

export type ToRemote =
  | { type: 'init'; spec: ModelSpec; backend: string }
  /** Evaluate several (x, t) requests as one batched call. */
  | { type: 'eval'; id: number; xs: WireTensor[]; ts: number[] }
  | { type: 'close' };

export type FromRemote =
  | { type: 'ready'; startupMs: number; backend: string }
  | { type: 'result'; id: number; outs: WireTensor[]; computeMs: number }
  | { type: 'error'; id?: number; message: string };

/** A fresh Float32Array copy of a tensor's values (safe to transfer). */
export function toWire(t: tf.Tensor): WireTensor {
  return { shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) };
}

export const fromWire = (w: WireTensor): tf.Tensor => tf.tensor(w.data, w.shape, 'float32');
