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
  /**
   * Where a pool's round went, in ms (PoolOptions.profile): readInputs (the inputs' readback), post (the
   * messages out), memberInput / memberModel / memberRead (the slowest member: its input tensors, model call,
   * readback), transit (the last member to answer: its round trip beyond its compute, i.e. the messages and
   * waking its thread and this one), skew (first to last answer), resolve (last answer to the round's
   * promise), outputs (output tensors and finiteness). Absent unless asked for.
   */
  stagesMs?: Record<string, number>;
}

/** What one round returns: the outputs (owned by the caller) and how long they took. */
export interface Evaluated {
  outputs: tf.Tensor[];
  timings: ExecutorTimings;
  /**
   * Per output, whether all its values are finite, where the executor had them on the host anyway (pools: the
   * values arrive as arrays); the round meter then needs no check of its own (kernels and a readback). Absent
   * elsewhere.
   */
  finite?: boolean[];
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

/**
 * One model call per request, one after another (the sequential baseline, and debugging). A model that throws
 * fails the round naming the request (its index), and the outputs of the requests before it are freed.
 */
export function serialExecutor(model: Denoiser): Executor {
  return {
    name: 'serial',
    evaluate: async (requests) =>
      inProcess(() => {
        const outs: tf.Tensor[] = [];
        for (const [j, { x, t }] of requests.entries())
          try {
            outs.push(tf.tidy(() => model.predict(x, timeVector(t, x.shape[0]))));
          } catch (e) {
            tf.dispose(outs);
            throw new ExecutorError(`serial: ${(e as Error).message}`, undefined, j);
          }
        return outs;
      }),
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

/** A round's requests as one batched model call on one device ("virtual cores"); the output must keep the shape. */
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
          const out = model.predict(x, t);
          if (out.shape.join(',') !== x.shape.join(','))
            throw new ExecutorError(
              `batched: the model returned shape [${out.shape}] for the round's ${requests.length} requests ` +
                `batched as [${x.shape}]; allowed: the input's shape`,
            );
          return tf.split(out, sizes, 0);
        }),
      );
    },
    close: async () => undefined,
  };
}
