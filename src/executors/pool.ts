/**
 * A persistent pool of remote model copies (worker threads or child processes) behind the Executor
 * interface. A round's requests are split over the members (one each when there are as many
 * members as requests); each member evaluates its share as one batched call. Any fault (a model
 * error, a crash, an exit, a kill, a time-out) fails the round with an error naming the member and
 * its requests, ends every member, and leaves the pool closed.
 */
import type { ModelSpec } from '../models/spec.ts';
import type { EvalRequest, Executor, ExecutorTimings } from './executor.ts';
import { ExecutorError } from './executor.ts';
import { fromWire, toWire, type FromRemote, type ToRemote } from './protocol.ts';
import { warmupCalls, type WarmupOptions } from './warmup.ts';

/** One remote: a worker thread or a child process. */
export interface Transport {
  post(msg: ToRemote, transfer: ArrayBuffer[]): void;
  onMessage(cb: (msg: FromRemote | { type: 'loaded' }) => void): void;
  onError(cb: (e: Error) => void): void;
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  /** Ends it at once. */
  kill(): void;
  /** Last lines it wrote to stderr (child processes), for error messages. */
  stderrTail?(): string;
  readonly pid?: number;
}

export interface PoolOptions {
  kind: 'workers' | 'processes';
  spec: ModelSpec;
  /** Number of members (one per core). */
  size: number;
  /** Backend each member initialises. Default 'wasm'. */
  backend?: string;
  /** A round (or the start-up) fails after this long. Default 600000 ms. */
  timeoutMs?: number;
  spawn: (index: number) => Transport;
  /**
   * Warm-up at start-up: each member calls its own model on x of this shape (one request's [n, ...],
   * as the rounds will send it) before it reports ready, so the rounds run at full speed. Default: none.
   */
  warmup?: WarmupOptions;
}

export interface PoolExecutor extends Executor {
  readonly size: number;
  /** Milliseconds from spawning to every member ready (runtime, backend, model load, warm-up). */
  readonly startupMs: number;
  /** The slowest member's warm-up milliseconds (part of startupMs; 0 without warm-up). */
  readonly warmupMs: number;
  /** Process ids of the members (child processes only). */
  readonly pids: number[];
}

interface Member {
  t: Transport;
  alive: boolean;
  group?: number[];
  ready?: (warmupMs: number) => void;
  waiting?: { id: number; resolve: (m: FromRemote & { type: 'result' }) => void };
}

export async function createPool(o: PoolOptions): Promise<PoolExecutor> {
  if (!Number.isInteger(o.size) || o.size < 1 || o.size > 256)
    throw new Error(`${o.kind}: size got ${o.size}; allowed: an integer from 1 to 256`);
  const warmup = o.warmup ? { shape: o.warmup.shape.slice(), calls: warmupCalls(o.warmup) } : undefined;
  const timeoutMs = o.timeoutMs ?? 600_000,
    label = o.kind === 'workers' ? 'worker' : 'process';
  let broken: Error | undefined,
    closing: Promise<void> | undefined,
    nextId = 1;
  let fail: (e: Error) => void = () => undefined;
  const members: Member[] = [];
  const failAll = (e: Error) => {
    if (broken) return;
    broken = e;
    for (const m of members)
      if (m.alive) {
        m.alive = false;
        m.t.kill();
      }
    fail(e);
  };
  const t0 = performance.now();
  for (let i = 0; i < o.size; i++) {
    const t = o.spawn(i),
      m: Member = { t, alive: true };
    members.push(m);
    t.onMessage((msg) => {
      if (msg.type === 'loaded') t.post({ type: 'init', spec: o.spec, backend: o.backend ?? 'wasm', warmup }, []);
      else if (msg.type === 'ready') m.ready?.(msg.warmupMs);
      else if (msg.type === 'result' && m.waiting?.id === msg.id) {
        const w = m.waiting;
        m.waiting = undefined;
        w.resolve(msg);
      } else if (msg.type === 'error')
        failAll(new ExecutorError(`${o.kind}: ${label} ${i} failed: ${msg.message}`, i, m.group?.[0]));
    });
    t.onError((e) => failAll(new ExecutorError(`${o.kind}: ${label} ${i} crashed: ${e.message}`, i, m.group?.[0])));
    t.onExit((code, signal) => {
      if (!m.alive) return;
      m.alive = false;
      if (!closing)
        failAll(
          new ExecutorError(
            `${o.kind}: ${label} ${i} exited unexpectedly ` +
              `(${signal ? `signal ${signal}` : `code ${code}`})${t.stderrTail?.() ? `: ${t.stderrTail!()}` : ''}`,
            i,
            m.group?.[0],
          ),
        );
    });
  }
  const guard = <T>(p: Promise<T>, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (broken) return reject(broken);
      const timer = setTimeout(
        () => failAll(new ExecutorError(`${o.kind}: ${what} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      fail = (e) => {
        clearTimeout(timer);
        reject(e);
      };
      p.then(
        (v) => {
          clearTimeout(timer);
          if (broken) reject(broken);
          else resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  const warmups = await guard(Promise.all(members.map((m) => new Promise<number>((r) => (m.ready = r)))), 'start-up');
  const startupMs = performance.now() - t0;

  const executor: PoolExecutor = {
    name: o.kind,
    size: o.size,
    startupMs,
    warmupMs: Math.max(...warmups),
    pids: members.map((m) => m.t.pid ?? -1),
    async evaluate(requests: readonly EvalRequest[]) {
      if (broken) throw broken;
      if (closing) throw new Error(`${o.kind}: the executor is closed`);
      const w0 = performance.now(),
        k = requests.length,
        groups: number[][] = [];
      for (let i = 0; i < Math.min(k, o.size); i++) {
        const lo = Math.floor((i * k) / Math.min(k, o.size)),
          hi = Math.floor(((i + 1) * k) / Math.min(k, o.size));
        groups.push(Array.from({ length: hi - lo }, (_, j) => lo + j));
      }
      const wires = await toWire(requests.map((r) => r.x)); // every input of the round in one readback
      const results = await guard(
        Promise.all(
          groups.map(
            (g, i) =>
              new Promise<FromRemote & { type: 'result' }>((resolve) => {
                const xs = g.map((j) => wires[j]),
                  id = nextId++;
                members[i].waiting = { id, resolve };
                members[i].group = g;
                members[i].t.post(
                  { type: 'eval', id, xs, ts: g.map((j) => requests[j].t) },
                  xs.map((x) => x.data.buffer as ArrayBuffer),
                );
              }),
          ),
        ),
        'a round',
      );
      members.forEach((m) => (m.group = undefined));
      const outs = new Array(k);
      results.forEach((r, i) => groups[i].forEach((j, q) => (outs[j] = fromWire(r.outs[q]))));
      const timings: ExecutorTimings = {
        computeMs: Math.max(...results.map((r) => r.computeMs)),
        wallMs: performance.now() - w0,
        ...(o.kind === 'processes' ? { computeCpuMs: Math.max(...results.map((r) => r.cpuMs)) } : {}),
      };
      return { outputs: outs, timings };
    },
    close() {
      closing ??= (async () => {
        await Promise.all(
          members.map(
            (m) =>
              new Promise<void>((resolve) => {
                if (!m.alive) return resolve();
                const timer = setTimeout(() => {
                  m.t.kill();
                  resolve();
                }, 2000);
                m.t.onExit(() => {
                  clearTimeout(timer);
                  resolve();
                });
                try {
                  m.t.post({ type: 'close' }, []);
                } catch {
                  m.t.kill();
                }
              }),
          ),
        );
        for (const m of members) m.alive = false;
      })();
      return closing;
    },
  };
  return executor;
}
