/**
 * Number and shape guards shared by the samplers, with one message form (the round meter, sampling/meter.ts,
 * writes the same for every executor round): `<method>: round R, core C, step I (t = ...): model output ...`.
 * Each check is one small asynchronous read-back (a flag per tensor), never the tensor itself and never a
 * synchronous read (dataSync throws on webgpu in Node and stalls a GPU pipeline).
 */
import * as tf from '@tensorflow/tfjs';
import { readAll } from './tensor.ts';

/** Where a value came from: the method and what is known of round, core, step and stage. */
export interface Site {
  method: string;
  round?: number;
  core?: number;
  step?: number;
  stage?: number;
  t?: number;
}

/** "round 3, core 2, step 5 (t = 0.9)" for the parts that are known. */
export function siteText(s: Site): string {
  const parts = [
    s.round !== undefined ? `round ${s.round}` : '',
    s.core !== undefined ? `core ${s.core}` : '',
    s.step !== undefined ? `step ${s.step}${s.t !== undefined ? ` (t = ${s.t})` : ''}` : '',
    s.stage ? `stage ${s.stage}` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

/** One flag per tensor, 1 where it is all finite, as a tensor [n] (read it with readAll, or use nonFinite). */
export const finiteFlags = (ts: readonly tf.Tensor[]): tf.Tensor1D =>
  tf.tidy(() => tf.stack(ts.map((o) => tf.all(tf.isFinite(o)))) as tf.Tensor1D);

/** The indices of the flags (from finiteFlags, read) that are 0. */
export const badIndices = (ok: ArrayLike<number>): number[] =>
  Array.from({ length: ok.length }, (_, j) => j).filter((j) => !ok[j]);

/** The indices of the tensors that hold a NaN or an Inf (one asynchronous read-back for all of them). */
export async function nonFinite(ts: readonly tf.Tensor[]): Promise<number[]> {
  if (ts.length === 0) return [];
  return badIndices(await readAll([finiteFlags(ts)]));
}

/** Throws when x was disposed, holds no sample (batch 0) or is not a real number tensor (before any work). */
export function checkLiveBatch(method: string, x: tf.Tensor): void {
  if (x.isDisposed) throw new Error(`${method}: x (the initial state) was disposed; allowed: a live tensor`);
  if (x.shape[0] === 0 || x.size === 0)
    throw new Error(`${method}: x has shape [${x.shape.join(', ')}], no sample; allowed: a batch of n >= 1 samples`);
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    throw new Error(`${method}: x has dtype ${x.dtype}; allowed: float32 (or int32), e.g. tf.cast(x, 'float32')`);
}

/** Throws when x is not a batch of the model's samples ([n, ...sampleShape]), for a model that declares its shape. */
export function checkSampleShape(method: string, sampleShape: readonly number[] | undefined, x: tf.Tensor): void {
  if (!sampleShape) return;
  if (x.rank === sampleShape.length + 1 && sampleShape.every((d, i) => x.shape[i + 1] === d)) return;
  throw new Error(
    `${method}: x has shape [${x.shape.join(', ')}]; allowed: [n, ${sampleShape.join(', ')}] ` +
      `(n samples of the model's shape [${sampleShape.join(', ')}])`,
  );
}

/** Throws when the initial state holds a NaN or an Inf (before any work). */
export async function checkFiniteInput(method: string, x: tf.Tensor): Promise<void> {
  if (x.dtype !== 'float32') return;
  if ((await nonFinite([x])).length)
    throw new Error(`${method}: x (the initial state) is not finite (NaN or Inf); allowed: finite values`);
}

/**
 * Checks one round of model outputs against their inputs: the same shape (a wrong batch would be
 * broadcast silently later). Throws naming the first bad request's site. No read-back.
 */
export function checkShapes(
  method: string,
  inputs: readonly { x: tf.Tensor }[],
  outs: readonly tf.Tensor[],
  site: (request: number) => Site,
): void {
  if (outs.length !== inputs.length)
    throw new Error(`${method}: the executor returned ${outs.length} outputs for ${inputs.length} requests`);
  for (let j = 0; j < outs.length; j++) {
    const want = inputs[j].x.shape;
    if (!(outs[j] instanceof tf.Tensor) || outs[j].shape.join(',') !== want.join(','))
      throw new Error(
        `${method}: ${siteText(site(j))}: model output has shape ` +
          `[${outs[j] instanceof tf.Tensor ? outs[j].shape : typeof outs[j]}]; allowed: the input's shape [${want}]`,
      );
  }
}

/** tfjs's messages when an op meets a disposed tensor (a model's weights after its dispose()). */
const DISPOSED_TENSOR = /Tensor is disposed|reading 'backend'/;

/** A model call's error message, with what tfjs's message for a disposed tensor means for a model. */
export const explainModelError = (message: string): string =>
  DISPOSED_TENSOR.test(message)
    ? `${message} (a tensor the model uses was disposed: was the model disposed before this run?)`
    : message;
