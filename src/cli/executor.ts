/** Executor choice for the command line: serial | batched | workers | processes, and the documented default. */
import { cpus } from 'node:os';
import type { Denoiser } from '../diffusion/denoiser.ts';
import type { ModelSpec } from '../models/spec.ts';
import {
  batchedExecutor,
  processesExecutor,
  serialExecutor,
  warmExecutor,
  workersExecutor,
  DEFAULT_WARMUP_CALLS,
  type Executor,
} from '../executors/index.ts';
import { choiceArg, intArg, type Parsed, type Spec } from './args.ts';

export const EXECUTORS = ['serial', 'batched', 'workers', 'processes'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

export const EXECUTOR_OPTIONS: Spec = {
  executor: {
    type: 'string',
    help: `executor: ${EXECUTORS.join(' | ')} (default: workers for the DiT on wasm/cpu with 2+ CPUs, else batched)`,
  },
  workers: {
    type: 'string',
    help: 'members of a workers/processes pool (default: the parallel width, at most the CPU count)',
  },
  devices: { type: 'string', help: 'processes: GPU ids, child i gets CUDA_VISIBLE_DEVICES = devices[i], e.g. 0,1,2,3' },
  adapters: {
    type: 'string',
    help: 'processes on webgpu: adapter-name filters, child i gets CHORDS_WEBGPU_ADAPTER = adapters[i]',
  },
  warmup: {
    type: 'string',
    help:
      'model calls at start-up on the real batch shape, in every pool member or on this thread, ' +
      `counted in startupMs (default ${DEFAULT_WARMUP_CALLS}; 0 = none)`,
  },
};

/**
 * The default: one batched call per round on one device, except the DiT on a CPU backend of a
 * multi-core machine, where one worker thread per core runs rounds truly in parallel.
 */
export function defaultExecutor(backend: string, model: string, width: number): ExecutorName {
  const cpuBackend = backend !== 'tensorflow' && backend !== 'webgpu';
  return cpuBackend && model === 'dit' && width > 1 && cpus().length > 1 ? 'workers' : 'batched';
}

export interface MadeExecutor {
  executor: Executor;
  name: ExecutorName;
  /** Start-up milliseconds: a pool's spawn, model load and warm-up, or the warm-up on this thread. */
  startupMs: number;
  size: number;
}

/**
 * Starts the chosen executor (pools are persistent; the caller closes) and warms it up on requests
 * of `shape` ([n, ...sample shape]; `width` of them per round on the batched executor), so the
 * sampling rounds run warm (the warm-up counts in startupMs).
 */
export async function makeExecutor(
  o: Parsed,
  backend: string,
  modelName: string,
  model: Denoiser,
  spec: ModelSpec,
  width: number,
  shape?: number[],
): Promise<MadeExecutor> {
  const name =
    o.executor === undefined
      ? defaultExecutor(backend, modelName, width)
      : choiceArg('executor', o.executor, EXECUTORS);
  if (name !== 'processes' && o.devices !== undefined) throw new Error('--devices belongs to --executor processes');
  if (o.adapters !== undefined && (name !== 'processes' || backend !== 'webgpu'))
    throw new Error('--adapters belongs to --executor processes with --backend webgpu');
  if ((name === 'serial' || name === 'batched') && o.workers !== undefined)
    throw new Error(`--workers belongs to --executor workers or processes, not ${name}`);
  const size =
    o.workers !== undefined ? intArg('workers', o.workers, 1, 256) : Math.max(1, Math.min(width, cpus().length));
  const calls = o.warmup !== undefined ? intArg('warmup', o.warmup, 0, 10000) : DEFAULT_WARMUP_CALLS;
  const warmup = shape && calls > 0 ? { shape, calls } : undefined;
  if (name === 'serial' || name === 'batched') {
    const executor = name === 'serial' ? serialExecutor(model) : batchedExecutor(model);
    const startupMs = warmup ? await warmExecutor(executor, { ...warmup, requests: name === 'serial' ? 1 : width }) : 0;
    return { executor, name, startupMs, size: 1 };
  }
  const poolBackend = backend === 'tensorflow' ? 'tensorflow' : backend;
  const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((d) => d.trim()) : undefined);
  const adapters = list(o.adapters);
  const pool =
    name === 'workers'
      ? await workersExecutor({ spec, workers: size, backend: poolBackend, warmup })
      : await processesExecutor({
          spec,
          processes: size,
          backend: poolBackend,
          devices: list(o.devices),
          env: adapters && ((i) => ({ CHORDS_WEBGPU_ADAPTER: adapters[i % adapters.length] })),
          warmup,
        });
  return { executor: pool, name, startupMs: pool.startupMs, size };
}
