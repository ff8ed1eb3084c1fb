/**
 * Warm-up: a model's first calls are slow (V8 compiles the wasm kernels lazily and tiers them up
 * over the first ~20 calls; XNNPACK creates its operators and the wasm heap grows on first use), so
 * executors pay that at start-up, not in the sampling rounds. Pools warm each member on its own
 * model with the real batch shape before it reports ready (counted in startupMs); warmExecutor
 * does the same for the executors that run on the calling thread (serial, batched).
 */
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../diffusion/denoiser.ts';
import { timesVector } from '../diffusion/prediction.ts';
import type { EvalRequest, Executor } from './executor.ts';
import { shown } from '../options.ts';

/** Model calls of a warm-up when not given: enough for V8 to tier the DiT's kernels up (measured by bench:parallel). */
export const DEFAULT_WARMUP_CALLS = 20;

export interface WarmupOptions {
  /** Shape of one request's x: [n, ...sample shape], as the sampling rounds will send it. */
  shape: number[];
  /** Model calls (rounds, for warmExecutor). Default DEFAULT_WARMUP_CALLS; 0 = none. */
  calls?: number;
}

/** Checks a warm-up option (a clear error naming it, before any work); returns the number of calls. */
export function warmupCalls(w: WarmupOptions): number {
  if (!Array.isArray(w?.shape) || w.shape.length < 1 || !w.shape.every((d) => Number.isInteger(d) && d >= 1))
    throw new Error(`warmup: shape got ${JSON.stringify(w?.shape)}; allowed: an array of integers >= 1`);
  const calls = w.calls ?? DEFAULT_WARMUP_CALLS;
  if (!Number.isInteger(calls) || calls < 0 || calls > 10_000)
    throw new Error(`warmup: calls got ${shown(calls)}; allowed: an integer from 0 to 10000`);
  return calls;
}

/** A fixed, deterministic input of the given shape (values like a sampler's: roughly unit scale). */
const warmInput = (shape: number[]): tf.Tensor =>
  tf.tidy(() =>
    tf
      .sin(
        tf.mul(
          tf.range(
            0,
            shape.reduce((a, b) => a * b, 1),
          ),
          0.7,
        ),
      )
      .reshape(shape),
  );

/** Time along a warm-up: calls spread over (0, 1), as in a sampling run. */
const warmTime = (i: number, calls: number) => 1 - (i + 0.5) / calls;

/**
 * Calls the model `calls` times on the shape (outputs read back asynchronously and freed, as a round does);
 * returns the ms. Options are checked before any work.
 */
export async function warmModel(model: Denoiser, w: WarmupOptions): Promise<number> {
  const calls = warmupCalls(w),
    t0 = performance.now();
  if (calls === 0) return 0;
  const x = warmInput(w.shape);
  try {
    for (let i = 0; i < calls; i++) {
      const t = timesVector(Array<number>(w.shape[0]).fill(warmTime(i, calls))); // [n], with its host copy
      let out: tf.Tensor;
      try {
        out = tf.tidy(() => model.predict(x, t));
      } finally {
        t.dispose();
      }
      try {
        await out.data();
      } finally {
        out.dispose();
      }
    }
  } finally {
    x.dispose();
  }
  return performance.now() - t0;
}

/**
 * Runs `calls` rounds of `requests` requests of the shape through an executor (for the ones on the
 * calling thread: serial, batched; a pool warms its members at start-up); returns the milliseconds.
 */
export async function warmExecutor(executor: Executor, w: WarmupOptions & { requests?: number }): Promise<number> {
  const calls = warmupCalls(w),
    k = w.requests ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > 4096)
    throw new Error(`warmup: requests got ${shown(k)}; allowed: an integer from 1 to 4096`);
  const t0 = performance.now();
  if (calls === 0) return 0;
  const x = warmInput(w.shape);
  try {
    for (let i = 0; i < calls; i++) {
      const reqs: EvalRequest[] = Array.from({ length: k }, () => ({ x, t: warmTime(i, calls) }));
      const { outputs } = await executor.evaluate(reqs);
      try {
        await Promise.all(outputs.map((o) => o.data()));
      } finally {
        tf.dispose(outputs);
      }
    }
  } finally {
    x.dispose();
  }
  return performance.now() - t0;
}
