/**
 * Round bookkeeping shared by every driver: timed evaluation with failures named, per-round reports, totals.
 * Every round's model outputs are checked here, for every method and executor: one output per request, each of
 * its request's shape (a wrong batch would broadcast silently later) and, by default, finite. Errors read
 * `<method>: round R, <where the request stands>: ...`, and the round's outputs are freed before the throw.
 * The finite check reads asynchronously (never dataSync, which throws on webgpu): a driver that reads something of
 * its own in the round passes `{ defer: true }` to evaluate() and then reads its tensors with meter.read(), which
 * takes the round's finite flags along, so the round still waits on the device once (CHORDS, ParaDiGMS). The
 * others (sequential, Picard, ParaTAA, SRDS) let evaluate() read the flags: a second small read where the round
 * reads values of its own.
 */
import { optionalCallback } from '../options.ts';
import * as tf from '@tensorflow/tfjs';
import type { EvalRequest, Evaluated, Executor, ExecutorError } from '../executors/executor.ts';
import { badIndices, explainModelError, finiteFlags } from '../guards.ts';
import { readAll } from '../tensor.ts';
import type { RoundReport, SamplerHit, SamplerResult } from './task.ts';

/** One executor round; a failure is re-thrown naming the round, core and step of the failed request (where known). */
export async function evaluateRound(
  executor: Executor,
  points: readonly EvalRequest[],
  where: (request: number) => string,
  prefix = 'model evaluation',
): Promise<Evaluated> {
  try {
    return await executor.evaluate(points);
  } catch (e) {
    const j = (e as ExecutorError).requestIndex;
    throw new Error(`${prefix}${j === undefined ? '' : `, ${where(j)}`}: ${explainModelError((e as Error).message)}`, {
      cause: e,
    });
  }
}

/** What is wrong with a round's outputs (count, shapes), naming the request; undefined when all is well. */
export function roundProblem(
  points: readonly EvalRequest[],
  outs: readonly tf.Tensor[],
  where: (request: number) => string,
): string | undefined {
  if (!Array.isArray(outs) || outs.length !== points.length)
    return `the executor returned ${Array.isArray(outs) ? outs.length : 'no'} outputs for ${points.length} requests`;
  for (let j = 0; j < outs.length; j++) {
    const want = points[j].x.shape,
      got = outs[j] instanceof tf.Tensor ? outs[j].shape : undefined;
    if (!got || got.join(',') !== want.join(','))
      return `${where(j)}: model output has shape [${got ?? typeof outs[j]}]; allowed: the input's shape [${want}]`;
  }
  return undefined;
}

export interface MeterOptions {
  /** The method's name, first in every error message. Default 'sampler'. */
  method?: string;
  /** Check every model output for NaN/Inf (one small asynchronous read-back per round). Default true. */
  checkFinite?: boolean;
}

/** Round bookkeeping shared by every driver: timed evaluation, per-round reports, totals. */
export interface RoundMeter {
  readonly modelCalls: number;
  /** Milliseconds since the meter started. */
  elapsed(): number;
  /** Where a hit emitted now stands: the model calls so far and the milliseconds since the start. */
  progress(): { modelCalls: number; wallMs: number };
  /**
   * Evaluates one round's requests (timed; failures name the request via `where`). With `defer`, the finite check
   * waits for the round's read(): the outputs are handed back unchecked, and read() must come before endRound().
   */
  evaluate(
    points: readonly EvalRequest[],
    where: (request: number) => string,
    options?: { defer?: boolean },
  ): Promise<tf.Tensor[]>;
  /**
   * The round's one read-back: the deferred finite flags (checked first; a bad one throws the meter's message) and
   * the values of `ts`, flattened and concatenated (readAll: the tensors are freed).
   */
  read(ts: readonly tf.Tensor[]): Promise<Float32Array>;
  /** Frees a deferred round's flags that will not be read (a driver's error path). */
  discard(): void;
  /** Closes the round that began at the last evaluate(). */
  endRound(round: number, hits: number): RoundReport;
  totals(): Omit<SamplerResult, 'hits' | 'sample'>;
}

export function roundMeter(
  executor: Executor,
  onRound?: (r: RoundReport) => void,
  { method = 'sampler', checkFinite = true }: MeterOptions = {},
): RoundMeter {
  optionalCallback(`${method}: onRound`, onRound);
  const start = performance.now(),
    timings: RoundReport[] = [];
  let modelCalls = 0,
    modelMs = 0,
    transferMs = 0,
    r0 = start,
    cur = { evals: 0, modelMs: 0, transferMs: 0 };
  let pending: { flags: tf.Tensor; where: (request: number) => string; prefix: string } | undefined;
  const meter: RoundMeter = {
    get modelCalls() {
      return modelCalls;
    },
    elapsed: () => performance.now() - start,
    progress: () => ({ modelCalls, wallMs: performance.now() - start }),
    async evaluate(points, where, { defer = false } = {}) {
      meter.discard();
      r0 = performance.now();
      const prefix = `${method}: round ${timings.length + 1}`;
      const { outputs, timings: t, finite } = await evaluateRound(executor, points, where, prefix);
      const problem = roundProblem(points, outputs, where);
      if (problem) {
        tf.dispose(outputs);
        throw new Error(`${prefix}, ${problem}`);
      }
      const bad = checkFinite && finite?.length === outputs.length ? finite.indexOf(false) : undefined;
      if (bad !== undefined && bad >= 0) {
        tf.dispose(outputs);
        throw new Error(`${prefix}, ${where(bad)}: model output is not finite (NaN or Inf)`); // the executor's flags
      }
      if (checkFinite && outputs.length && bad === undefined) {
        pending = { flags: finiteFlags(outputs), where, prefix };
        if (!defer)
          try {
            await meter.read([]);
          } catch (e) {
            tf.dispose(outputs);
            throw e;
          }
      }
      const evalMs = performance.now() - r0;
      // moving tensors is the executor's wall time beyond its compute (0 in-process); the rest is the model
      const moved = t.wallMs - t.computeMs;
      cur = { evals: points.length, modelMs: evalMs - moved, transferMs: moved };
      modelCalls += points.length;
      modelMs += evalMs - moved;
      transferMs += moved;
      return outputs;
    },
    async read(ts) {
      const p = pending;
      pending = undefined;
      if (!p) return readAll(ts);
      const values = await readAll([p.flags, ...ts]);
      const n = p.flags.size,
        bad = badIndices(values.subarray(0, n));
      if (bad.length) throw new Error(`${p.prefix}, ${p.where(bad[0])}: model output is not finite (NaN or Inf)`);
      return values.subarray(n);
    },
    discard() {
      pending?.flags.dispose();
      pending = undefined;
    },
    endRound(round, hits) {
      meter.discard(); // a deferred round that was never read
      const report = {
        round,
        evals: cur.evals,
        modelCalls,
        modelMs: cur.modelMs,
        transferMs: cur.transferMs,
        otherMs: performance.now() - r0 - cur.modelMs - cur.transferMs,
        hits,
      };
      timings.push(report);
      onRound?.(report);
      return report;
    },
    totals() {
      const wallMs = performance.now() - start;
      return {
        rounds: timings.length,
        modelCalls,
        wallMs,
        modelMs,
        transferMs,
        overheadMs: wallMs - modelMs - transferMs,
        timings,
      };
    },
  };
  return meter;
}

/** Records a hit at the meter's current progress (x belongs to the hit) and streams it. */
export function emitHit(
  hits: SamplerHit[],
  meter: RoundMeter,
  round: number,
  x: tf.Tensor,
  onHit?: (hit: SamplerHit) => void,
): SamplerHit {
  const hit = { index: hits.length, round, ...meter.progress(), x };
  hits.push(hit);
  onHit?.(hit);
  return hit;
}
