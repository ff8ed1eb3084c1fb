/** The `workers` executor: one worker_threads worker per core, each with its own tfjs backend and model. */
import { checkKeys } from '../options.ts';
import { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../models/spec.ts';
import { entryPoint } from '../paths.ts';
import { createPool, type PoolExecutor, type Transport } from './pool.ts';
import type { WarmupOptions } from './warmup.ts';

export interface WorkersOptions {
  spec: ModelSpec;
  workers: number;
  backend?: string;
  /** Per-round time-out in ms, naming the worker that did not answer. Default 2 minutes. */
  timeoutMs?: number;
  /** Warm-up of every worker at start-up (see PoolOptions.warmup). */
  warmup?: WarmupOptions;
  /** Start-up time-out in ms. Default max(timeoutMs, 5 minutes). */
  startupTimeoutMs?: number;
  /** Record where each round's time goes (ExecutorTimings.stagesMs). Default false. */
  profile?: boolean;
}

export function workerTransport(): Transport {
  const { script, argv } = entryPoint('executors/remote-worker');
  const w = new Worker(script, { argv });
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    onMessage: (cb) => w.on('message', cb),
    onError: (cb) => w.on('error', cb),
    onExit: (cb) => w.on('exit', (code) => cb(code, null)),
    kill: () => {
      void w.terminate();
    },
  };
}

const WORKERS_KEYS: Record<keyof WorkersOptions, true> = {
  spec: true,
  workers: true,
  backend: true,
  timeoutMs: true,
  warmup: true,
  startupTimeoutMs: true,
  profile: true,
};

/** Starts a persistent pool of worker threads (resolves once every worker has built its model). */
export async function workersExecutor(o: WorkersOptions): Promise<PoolExecutor> {
  checkKeys('workersExecutor', o, WORKERS_KEYS);
  return createPool({
    kind: 'workers',
    spec: o.spec,
    size: o.workers,
    backend: o.backend,
    timeoutMs: o.timeoutMs,
    startupTimeoutMs: o.startupTimeoutMs,
    warmup: o.warmup,
    profile: o.profile,
    spawn: workerTransport,
  });
}
