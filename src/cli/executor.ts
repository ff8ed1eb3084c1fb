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
import { DEFAULT_ROUND_TIMEOUT_MS } from '../executors/pool.ts';
import { EXECUTORS, type ExecutorName } from '../names.ts';
import { choiceArg, intArg, numArg, type Parsed, type Spec } from './args.ts';
import { choice, int, num } from '../names.ts';

export { EXECUTORS, type ExecutorName };

/** Pool options are checked from the catalogue only where --executor names a pool (else "belongs to" answers). */
const POOLS = { option: 'executor', values: ['workers', 'processes'] };

export const EXECUTOR_OPTIONS: Spec = {
  executor: {
    type: 'string',
    help: `executor: ${EXECUTORS.join(' | ')} (default: workers for the DiT on wasm/cpu with 2+ CPUs, else batched)`,
    rule: choice(EXECUTORS),
  },
  workers: {
    type: 'string',
    help: 'members of a workers/processes pool (default: the parallel width, at most the CPU count)',
    rule: { ...int(1, 256), when: POOLS },
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
    rule: int(0, 10000),
  },
  timeout: {
    type: 'string',
    help:
      'workers, processes: seconds a round may take before the pool fails, naming the member that did not ' +
      `answer (default: ${DEFAULT_ROUND_TIMEOUT_MS / 1000})`,
    rule: { ...num(0, 86_400, true), when: POOLS },
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

/** A GPU id as CUDA_VISIBLE_DEVICES takes it: an index, or a GPU-/MIG- UUID. */
const DEVICE_ID = /^(\d+|GPU-[\w-]+|MIG-[\w/-]+)$/;

export interface ExecutorChoice {
  name: ExecutorName;
  /** Pool members (1 for serial and batched). */
  size: number;
  devices?: string[];
  /** Per-round time-out of a pool, ms. */
  timeoutMs?: number;
  /** Warm-up calls at start-up (--warmup; default DEFAULT_WARMUP_CALLS). */
  warmupCalls: number;
}

/**
 * Checks the executor options against the parallel width before any work: --workers and --devices
 * only with a pool, at most as many members as parallel calls per round (more would sit idle),
 * --devices one distinct valid id per child process, and only on the tensorflow backend (the one that reads them).
 */
export function chooseExecutor(o: Parsed, backend: string, modelName: string, width: number): ExecutorChoice {
  const name =
    o.executor === undefined
      ? defaultExecutor(backend, modelName, width)
      : choiceArg('executor', o.executor, EXECUTORS);
  if (name !== 'processes' && o.devices !== undefined)
    throw new Error(`--devices belongs to --executor processes, not ${name}`);
  if (o.adapters !== undefined && (name !== 'processes' || backend !== 'webgpu'))
    throw new Error('--adapters belongs to --executor processes with --backend webgpu');
  for (const k of ['workers', 'timeout'])
    if ((name === 'serial' || name === 'batched') && o[k] !== undefined)
      throw new Error(`--${k} belongs to --executor workers or processes, not ${name}`);
  const warmupCalls = o.warmup !== undefined ? intArg('warmup', o.warmup, 0, 10000) : DEFAULT_WARMUP_CALLS;
  if (name === 'serial' || name === 'batched') return { name, size: 1, warmupCalls };
  const timeoutMs =
    o.timeout === undefined ? undefined : 1000 * numArg('timeout', o.timeout, 0, 86_400, { above: true });
  const widthNote = `the parallel width ${width} (model calls per round${width === 1 ? ': a sequential solve' : ''})`;
  let devices: string[] | undefined;
  if (typeof o.devices === 'string') {
    devices = o.devices.split(',').map((d) => d.trim());
    const bad = devices.find((d) => !DEVICE_ID.test(d));
    if (bad !== undefined)
      throw new Error(
        `--devices: got '${o.devices}': ${bad === '' ? 'an empty entry' : `'${bad}' is not a GPU id`}; ` +
          'allowed: one GPU index (or GPU-/MIG- UUID) per child process, comma-separated, e.g. 0,1,2,3',
      );
    if (new Set(devices).size !== devices.length)
      throw new Error(`--devices: got '${o.devices}'; allowed: distinct ids, one GPU per child process`);
  }
  const size =
    o.workers !== undefined
      ? intArg('workers', o.workers, 1, 256)
      : (devices?.length ?? Math.max(1, Math.min(width, cpus().length)));
  if (devices && devices.length !== size)
    throw new Error(
      `--devices: got ${devices.length} id(s) for ${size} processes (--workers ${o.workers}); ` +
        'allowed: one id per child',
    );
  // CUDA_VISIBLE_DEVICES is read by tfjs-node-gpu only; on any other backend the ids would be silently ignored
  if (devices && backend !== 'tensorflow')
    throw new Error(
      `--devices: GPU ids reach only the tensorflow backend (tfjs-node-gpu reads CUDA_VISIBLE_DEVICES), ` +
        `not ${backend}` +
        (backend === 'webgpu' ? '; for webgpu use --adapters' : '; allowed: --backend tensorflow, or drop --devices'),
    );
  if (size > width)
    throw new Error(
      `--${o.workers !== undefined ? 'workers' : 'devices'}: ${size} pool members for ${widthNote}; ` +
        `allowed: at most ${width} (more members than parallel calls would sit idle)`,
    );
  return { name, size, devices, timeoutMs, warmupCalls };
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
  const { name, size, devices, timeoutMs, warmupCalls } = chooseExecutor(o, backend, modelName, width);
  const warmup = shape && warmupCalls > 0 ? { shape, calls: warmupCalls } : undefined;
  if (name === 'serial' || name === 'batched') {
    const executor = name === 'serial' ? serialExecutor(model) : batchedExecutor(model);
    const startupMs = warmup ? await warmExecutor(executor, { ...warmup, requests: name === 'serial' ? 1 : width }) : 0;
    return { executor, name, startupMs, size: 1 };
  }
  const poolBackend = backend === 'tensorflow' ? 'tensorflow' : backend;
  const adapters = typeof o.adapters === 'string' ? o.adapters.split(',').map((d) => d.trim()) : undefined;
  const pool =
    name === 'workers'
      ? await workersExecutor({ spec, workers: size, backend: poolBackend, timeoutMs, warmup })
      : await processesExecutor({
          spec,
          processes: size,
          backend: poolBackend,
          devices,
          timeoutMs,
          env: adapters && ((i) => ({ CHORDS_WEBGPU_ADAPTER: adapters[i % adapters.length] })),
          warmup,
        });
  return { executor: pool, name, startupMs: pool.startupMs, size };
}
