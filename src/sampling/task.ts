/** What every sampler (CHORDS, sequential, ParaDiGMS, SRDS) takes and returns: plain data around tensors. */
import * as tf from '@tensorflow/tfjs';
import type { Parametrization } from '../diffusion/prediction.ts';
import type { Executor } from '../executors/executor.ts';
import { checkFiniteInput, checkLiveBatch, checkSampleShape } from '../guards.ts';
import { validateTimeGrid } from '../solvers/sample.ts';
import { shown } from '../options.ts';

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

/** The streaming callbacks of every driver: each hit as soon as it exists, each round as it closes. */
export interface SamplerHooks<H = SamplerHit> {
  /** Called with every hit as soon as it exists (the tensor belongs to the result; do not dispose). */
  onHit?: (hit: H) => void;
  onRound?: (r: RoundReport) => void;
}

/** Frees every hit tensor of a result (the sample is the last hit). */
export function disposeResult(r: { hits: { x: tf.Tensor }[] }): void {
  if (!r || !Array.isArray(r.hits))
    throw new Error(`disposeResult: got ${shown(r)}; allowed: a sampler's result (with hits)`);
  for (const h of r.hits) h.x.dispose();
}

/** Throws unless the task is an object (null or a string would fail later on destructuring). */
export function requireTask(method: string, task: unknown): asserts task is SamplingTask {
  if (typeof task !== 'object' || task === null)
    throw new Error(`${method}: task got ${shown(task)}; allowed: { executor, param, grid, x }`);
}

/**
 * Validates a sampling task before any work: the grid (inside [0, 1] under a noise schedule), the executor, and
 * x, a tensor whose values are finite (one small asynchronous read-back). Errors name the method.
 */
export async function validateTask(task: SamplingTask, method = 'sampler'): Promise<void> {
  requireTask(method, task);
  try {
    validateTimeGrid(task?.grid, task?.param?.schedule);
  } catch (e) {
    throw new Error(`${method}: ${(e as Error).message}`);
  }
  if (!(task.x instanceof tf.Tensor) || task.x.rank < 1)
    throw new Error(`${method}: x must be a tensor of rank >= 1 with the batch first`);
  if (!task.executor || typeof task.executor.evaluate !== 'function')
    throw new Error(`${method}: executor must have evaluate(requests) and close()`);
  checkLiveBatch(method, task.x);
  checkSampleShape(method, task.param?.sampleShape, task.x);
  await checkFiniteInput(method, task.x);
}
