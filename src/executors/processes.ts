/**
 * The `processes` executor: one child process per core with its own environment, e.g.
 * CUDA_VISIBLE_DEVICES = devices[i] for tfjs-node-gpu, one GPU per core as in the paper.
 */
import { checkKeys } from '../options.ts';
import { fork } from 'node:child_process';
import { entryPoint } from '../paths.ts';
import type { ModelSpec } from '../models/spec.ts';
import { createPool, type PoolExecutor, type Transport } from './pool.ts';
import type { WarmupOptions } from './warmup.ts';

export interface ProcessesOptions {
  spec: ModelSpec;
  processes: number;
  /** Backend of every child. Default 'wasm'. */
  backend?: string;
  /** GPU ids: child i gets CUDA_VISIBLE_DEVICES = devices[i mod devices.length]. */
  devices?: readonly (string | number)[];
  /** Extra environment for child i. */
  env?: (index: number) => Record<string, string>;
  /** Per-round time-out in ms, naming the child that did not answer. Default 2 minutes. */
  timeoutMs?: number;
  /** Warm-up of every child at start-up (see PoolOptions.warmup). */
  warmup?: WarmupOptions;
  /** Start-up time-out in ms. Default max(timeoutMs, 5 minutes). */
  startupTimeoutMs?: number;
  /** Record where each round's time goes (ExecutorTimings.stagesMs). Default false. */
  profile?: boolean;
}

export function processTransport(env: Record<string, string>): Transport {
  const { script, argv } = entryPoint('executors/remote-child');
  const c = fork(script, argv, {
    serialization: 'advanced',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let tail = '';
  c.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-400);
  });
  return {
    post: (msg) => {
      c.send(msg);
    },
    onMessage: (cb) => c.on('message', cb as (m: unknown) => void),
    onError: (cb) => c.on('error', cb),
    onExit: (cb) => c.on('exit', cb),
    kill: () => {
      c.kill('SIGKILL');
    },
    stderrTail: () =>
      tail
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('var Module'))
        .slice(-2)
        .join(' | ')
        .slice(0, 300),
    pid: c.pid,
  };
}

const PROCESSES_KEYS: Record<keyof ProcessesOptions, true> = {
  spec: true,
  processes: true,
  backend: true,
  devices: true,
  env: true,
  timeoutMs: true,
  warmup: true,
  startupTimeoutMs: true,
  profile: true,
};

/** Starts one child process per core (resolves once every child has built its model). */
export function processesExecutor(o: ProcessesOptions): Promise<PoolExecutor> {
  try {
    checkKeys('processesExecutor', o, PROCESSES_KEYS);
  } catch (e) {
    return Promise.reject(e);
  }
  const { spec, processes, backend, devices, env, timeoutMs, warmup, startupTimeoutMs, profile } = o;
  const bad = devices?.findIndex((d) => !/^(\d+|GPU-[\w-]+|MIG-[\w/-]+)$/.test(String(d).trim()));
  if (bad !== undefined && bad >= 0)
    return Promise.reject(
      new Error(
        `processes: devices[${bad}] is '${devices![bad]}'; allowed: GPU indices (or GPU-/MIG- UUIDs), one per child`,
      ),
    );
  return createPool({
    kind: 'processes',
    spec,
    size: processes,
    backend,
    timeoutMs,
    warmup,
    startupTimeoutMs,
    profile,
    spawn: (i) =>
      processTransport({
        ...(devices?.length ? { CUDA_VISIBLE_DEVICES: String(devices[i % devices.length]) } : {}),
        ...(env?.(i) ?? {}),
      }),
  });
}
