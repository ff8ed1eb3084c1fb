/** What every sampler (CHORDS, sequential, ParaDiGMS, SRDS) takes and returns: plain data around tensors. */
import * as tf from '@tensorflow/tfjs';
import type { Parametrization } from './diffusion/prediction.ts';
import type { EvalRequest, Executor, ExecutorError } from './parallel/executor.ts';
import { validateTimeGrid } from './solvers/sample.ts';

/** What to sample: an executor for the model, how to read its outputs, the grid and the start. */
export interface SamplingTask {
  executor: Executor;
  /** The model's prediction type and schedule (a Denoiser is one). */
  param: Parametrization;
  /** Time grid t_0 .. t_T. */
  grid: readonly number[];
  /** Initial state at grid[0], [n, ...]; not consumed. */
  x: tf.Tensor;
}

/** Per-round timing: model compute, moving tensors to and from workers (0 on one device), and everything else. */
export interface RoundReport {
  round: number;
  evals: number;
  modelCalls: number;
  modelMs: number;
  transferMs: number;
  otherMs: number;
  hits: number;
}

/** A result streamed by a sampler: hit, iteration or final sample. */
export interface SamplerHit {
  index: number;
  round: number;
  modelCalls: number;
  wallMs: number;
  x: tf.Tensor;
}

export interface SamplerResult<H extends { x: tf.Tensor } = SamplerHit> {
  /** Every intermediate result, oldest first; the last one is `sample`. */
  hits: H[];
  sample: tf.Tensor;
  rounds: number;
  modelCalls: number;
  wallMs: number;
  /** Model compute time (inside executor.evaluate; for workers and processes the slowest member's compute). */
  modelMs: number;
  /** The rest of executor.evaluate: serialising and moving tensors (0 for in-process executors). */
  transferMs: number;
  /** Everything else: planning, solver and rectification math, bookkeeping. */
  overheadMs: number;
  timings: RoundReport[];
}

/** Frees every hit tensor of a result (the sample is the last hit). */
export function disposeResult(r: { hits: { x: tf.Tensor }[] }): void {
  for (const h of r.hits) h.x.dispose();
}

/** One executor round; a failure is re-thrown naming the round, core and step of the failed request (where known). */
export async function evaluateRound(
  executor: Executor,
  points: readonly EvalRequest[],
  where: (request: number) => string,
): Promise<tf.Tensor[]> {
  try {
    return await executor.evaluate(points);
  } catch (e) {
    const j = (e as ExecutorError).requestIndex;
    throw new Error(`${j === undefined ? 'model evaluation' : where(j)}: ${(e as Error).message}`, { cause: e });
  }
}

/** Validates a sampling task before any work. */
export function validateTask(task: SamplingTask): void {
  validateTimeGrid(task.grid, task.param?.schedule);
  if (!(task.x instanceof tf.Tensor) || task.x.rank < 1)
    throw new Error('x: must be a tensor of rank >= 1 with the batch first');
  if (!task.executor || typeof task.executor.evaluate !== 'function')
    throw new Error('executor: must have evaluate(requests) and close()');
}

/** Round bookkeeping shared by every driver: timed evaluation, per-round reports, totals. */
export interface RoundMeter {
  readonly modelCalls: number;
  /** Milliseconds since the meter started. */
  elapsed(): number;
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
    async evaluate(points, where) {
      r0 = performance.now();
      const outs = await evaluateRound(executor, points, where);
      const evalMs = performance.now() - r0,
        m = executor.timings?.computeMs ?? evalMs;
      cur = { evals: points.length, modelMs: m, transferMs: evalMs - m };
      modelCalls += points.length;
      modelMs += m;
      transferMs += evalMs - m;
      return outs;
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
