/** Executor choice for the command line: serial | batched | workers | processes, and the documented default. */
import { cpus } from 'node:os';
import type { Denoiser } from '../diffusion/denoiser.ts';
import type { ModelSpec } from '../models/spec.ts';
import {
  batchedExecutor,
  processesExecutor,
  serialExecutor,
  workersExecutor,
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
};

/**
 * The default: one batched call per round on one device, except the DiT on a CPU backend of a
 * multi-core machine, where one worker thread per core runs rounds truly in parallel.
 */
export function defaultExecutor(backend: string, model: string, width: number): ExecutorName {
  return backend !== 'tensorflow' && model === 'dit' && width > 1 && cpus().length > 1 ? 'workers' : 'batched';
}

export interface MadeExecutor {
  executor: Executor;
  name: ExecutorName;
  startupMs: number;
  size: number;
}

/** Starts the chosen executor (pools are persistent; the caller closes). */
export async function makeExecutor(
  o: Parsed,
  backend: string,
  modelName: string,
  model: Denoiser,
  spec: ModelSpec,
  width: number,
): Promise<MadeExecutor> {
  const name =
    o.executor === undefined
      ? defaultExecutor(backend, modelName, width)
      : choiceArg('executor', o.executor, EXECUTORS);
  if (name !== 'processes' && o.devices !== undefined) throw new Error('--devices belongs to --executor processes');
  if ((name === 'serial' || name === 'batched') && o.workers !== undefined)
    throw new Error(`--workers belongs to --executor workers or processes, not ${name}`);
  const size =
    o.workers !== undefined ? intArg('workers', o.workers, 1, 256) : Math.max(1, Math.min(width, cpus().length));
  if (name === 'serial') return { executor: serialExecutor(model), name, startupMs: 0, size: 1 };
  if (name === 'batched') return { executor: batchedExecutor(model), name, startupMs: 0, size: 1 };
  const poolBackend = backend === 'tensorflow' ? 'tensorflow' : backend;
  const pool =
    name === 'workers'
      ? await workersExecutor({ spec, workers: size, backend: poolBackend })
      : await processesExecutor({
          spec,
          processes: size,
          backend: poolBackend,
          devices: typeof o.devices === 'string' ? o.devices.split(',').map((d) => d.trim()) : undefined,
        });
  return { executor: pool, name, startupMs: pool.startupMs, size };
}
