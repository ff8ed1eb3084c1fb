/** Executors: model evaluation only. They know nothing of CHORDS or of solvers. */
import * as tf from '@tensorflow/tfjs';
import { timeVector, type Denoiser } from '../diffusion/denoiser.ts';
import { timesVector } from '../diffusion/prediction.ts';

/** Evaluate the model at x: [n, ...] (every row at time t). */
export interface EvalRequest {
  x: tf.Tensor;
  t: number;
}

/** Wall time of one evaluate() call and the model compute inside it (the slowest member's); equal in-process. */
export interface ExecutorTimings {
  computeMs: number;
  /**
   * CPU milliseconds of that compute, where a member can measure its own (child processes: the
   * slowest member's process CPU time); steadier than wall time on a loaded machine. Absent elsewhere.
   */
  computeCpuMs?: number;
  wallMs: number;
}

/** What one round returns: the outputs (owned by the caller) and how long they took. */
export interface Evaluated {
  outputs: tf.Tensor[];
  timings: ExecutorTimings;
}

/** An executor failure; requestIndex says which request of the round (so which core) failed, where known. */
export class ExecutorError extends Error {
  constructor(
    message: string,
    readonly member?: number,
    public requestIndex?: number,
  ) {
    super(message);
    this.name = 'ExecutorError';
  }
}

export interface Executor {
  readonly name: string;
  /** One round: the model outputs for every request, in order (the caller owns them), and the round's timings. */
  evaluate(requests: readonly EvalRequest[]): Promise<Evaluated>;
  /** Frees workers or processes; safe to call twice. */
  close(): Promise<void>;
}

/** One model call per request, one after another (the sequential baseline, and debugging). */
export function serialExecutor(model: Denoiser): Executor {
  return {
    name: 'serial',
    evaluate: async (requests) =>
      inProcess(() => requests.map(({ x, t }) => tf.tidy(() => model.predict(x, timeVector(t, x.shape[0]))))),
    close: async () => undefined,
  };
}

/** Runs an in-process evaluation: the model compute is the whole wall time. */
function inProcess(run: () => tf.Tensor[]): Evaluated {
  const t0 = performance.now();
  const outputs = run();
  const wallMs = performance.now() - t0;
  return { outputs, timings: { computeMs: wallMs, wallMs } };
}

/** A round's requests as one batched model call on one device ("virtual cores"). */
export function batchedExecutor(model: Denoiser): Executor {
  return {
    name: 'batched',
    async evaluate(requests) {
      if (requests.length === 0) return inProcess(() => []);
      if (requests.length === 1) return serialExecutor(model).evaluate(requests);
      return inProcess(() =>
        tf.tidy(() => {
          const sizes = requests.map((r) => r.x.shape[0]);
          const x = tf.concat(
            requests.map((r) => r.x),
            0,
          ); // [sum n, ...]
          const t = timesVector(requests.flatMap((r) => Array<number>(r.x.shape[0]).fill(r.t))); // [sum n]
          return tf.split(model.predict(x, t), sizes, 0);
        }),
      );
    },
    close: async () => undefined,
  };
}
