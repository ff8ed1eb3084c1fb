/** Round bookkeeping shared by every driver: timed evaluation with failures named, per-round reports, totals. */
import type * as tf from '@tensorflow/tfjs';
import type { EvalRequest, Evaluated, Executor, ExecutorError } from '../executors/executor.ts';
import type { RoundReport, SamplerHit, SamplerResult } from './task.ts';

/** One executor round; a failure is re-thrown naming the round, core and step of the failed request (where known). */
export async function evaluateRound(
  executor: Executor,
  points: readonly EvalRequest[],
  where: (request: number) => string,
): Promise<Evaluated> {
  try {
    return await executor.evaluate(points);
  } catch (e) {
    const j = (e as ExecutorError).requestIndex;
    throw new Error(`${j === undefined ? 'model evaluation' : where(j)}: ${(e as Error).message}`, { cause: e });
  }
}

/** Round bookkeeping shared by every driver: timed evaluation, per-round reports, totals. */
export interface RoundMeter {
  readonly modelCalls: number;
  /** Milliseconds since the meter started. */
  elapsed(): number;
  /** Where a hit emitted now stands: the model calls so far and the milliseconds since the start. */
  progress(): { modelCalls: number; wallMs: number };
  /** Evaluates one round's requests (timed; failures name the request via `where`). */
  evaluate(points: readonly EvalRequest[], where: (request: number) => string): Promise<tf.Tensor[]>;
  /** Closes the round that began at the last evaluate(). */
  endRound(round: number, hits: number): RoundReport;
  totals(): Omit<SamplerResult, 'hits' | 'sample'>;
}

export function roundMeter(executor: Executor, onRound?: (r: RoundReport) => void): RoundMeter {
  const start = performance.now(),
    timings: RoundReport[] = [];
  let modelCalls = 0,
    modelMs = 0,
    transferMs = 0,
    r0 = start,
    cur = { evals: 0, modelMs: 0, transferMs: 0 };
  return {
    get modelCalls() {
      return modelCalls;
    },
    elapsed: () => performance.now() - start,
    progress: () => ({ modelCalls, wallMs: performance.now() - start }),
    async evaluate(points, where) {
      r0 = performance.now();
      const { outputs, timings } = await evaluateRound(executor, points, where);
      const evalMs = performance.now() - r0;
      // moving tensors is the executor's wall time beyond its compute (0 in-process); the rest is the model
      const moved = timings.wallMs - timings.computeMs;
      cur = { evals: points.length, modelMs: evalMs - moved, transferMs: moved };
      modelCalls += points.length;
      modelMs += evalMs - moved;
      transferMs += moved;
      return outputs;
    },
    endRound(round, hits) {
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
