/**
 * A persistent pool of remote model copies (worker threads or child processes) behind the Executor
 * interface. A round's requests are split over the members (one each when there are as many
 * members as requests); each member evaluates its share as one batched call. Any fault (a model
 * error, a crash, an exit, a kill, a time-out) fails the round with an error naming the member and
 * its requests, ends every member, and leaves the pool closed; using it again says so. A round that takes
 * longer than timeoutMs (default 2 minutes) fails naming the members that did not answer.
 */
import * as tf from '@tensorflow/tfjs';
import { specSampleShape, type ModelSpec } from '../models/spec.ts';
import type { EvalRequest, Evaluated, Executor, ExecutorTimings } from './executor.ts';
import { ExecutorError } from './executor.ts';
import { allFinite, fromWire, toWire, type FromRemote, type ToRemote } from './protocol.ts';
import { warmupCalls, type WarmupOptions } from './warmup.ts';
import { shown } from '../options.ts';

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
  /**
   * A round fails after this long, naming the members that did not answer (a hung or stopped worker or child).
   * Default DEFAULT_ROUND_TIMEOUT_MS (2 minutes: far above a round of the shipped DiT, seconds at most).
   */
  timeoutMs?: number;
  /** The start-up (runtime, backend, model load) fails after this long. Default max(timeoutMs, 5 minutes). */
  startupTimeoutMs?: number;
  spawn: (index: number) => Transport;
  /**
   * Warm-up at start-up: each member calls its own model on x of this shape (one request's [n, ...],
   * as the rounds will send it) before it reports ready, so the rounds run at full speed. Default: none.
   */
  warmup?: WarmupOptions;
  /** Record where each round's time goes (ExecutorTimings.stagesMs). Default false. */
  profile?: boolean;
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

/** The default per-round time-out of worker and process pools. */
export const DEFAULT_ROUND_TIMEOUT_MS = 120_000;

interface Member {
  t: Transport;
  alive: boolean;
  isReady?: boolean;
  group?: number[];
  ready?: (warmupMs: number) => void;
  waiting?: { id: number; resolve: (m: FromRemote & { type: 'result' }) => void };
}

export async function createPool(o: PoolOptions): Promise<PoolExecutor> {
  if (!Number.isInteger(o.size) || o.size < 1 || o.size > 256)
    throw new Error(`${o.kind}: size got ${shown(o.size)}; allowed: an integer from 1 to 256`);
  const warmup = o.warmup ? { calls: warmupCalls(o.warmup), shape: o.warmup.shape.slice() } : undefined;
  // a warm-up batch of another sample shape would fail inside every member with a tfjs message
  const want = specSampleShape(o.spec);
  if (warmup && want && (warmup.shape.length !== want.length + 1 || want.some((d, i) => warmup.shape[i + 1] !== d)))
    throw new Error(
      `${o.kind}: warmup shape got [${warmup.shape.join(', ')}]; allowed: [n, ${want.join(', ')}] (the model's ` +
        'sample shape, as the sampling rounds send it)',
    );
  const timeoutMs = o.timeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS,
    startupTimeoutMs = o.startupTimeoutMs ?? Math.max(timeoutMs, 300_000),
    label = o.kind === 'workers' ? 'worker' : 'process';
  for (const [k, v] of [
    ['timeoutMs', timeoutMs],
    ['startupTimeoutMs', startupTimeoutMs],
  ] as const)
    if (!(v > 0) || !Number.isFinite(v))
      throw new Error(`${o.kind}: ${k} got ${shown(v)}; allowed: a finite number of milliseconds > 0`);
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
      else if (msg.type === 'ready') {
        m.isReady = true;
        m.ready?.(msg.warmupMs);
      } else if (msg.type === 'result' && m.waiting?.id === msg.id) {
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
  const who = (i: number) => `${label} ${i}${members[i].t.pid ? ` (pid ${members[i].t.pid})` : ''}`;
  /** The error of a time-out: which members had not answered, and how to raise the limit. */
  const timedOut = (what: 'start-up' | 'a round', ms: number) => {
    const late = members
      .map((m, i) => i)
      .filter((i) => (what === 'start-up' ? !members[i].isReady : members[i].waiting !== undefined));
    const first = late[0];
    const names = late.length ? late.map(who).join(', ') : 'no member';
    const reqs = first !== undefined && members[first].group ? ` (requests ${members[first].group!.join(', ')})` : '';
    return new ExecutorError(
      `${o.kind}: ${names} did not answer ${what === 'start-up' ? 'the start-up' : 'the round'}${reqs} ` +
        `within ${ms} ms (hung, stopped or overloaded?); ` +
        `the limit is ${what === 'start-up' ? 'startupTimeoutMs' : 'timeoutMs (chords: --timeout, seconds)'}`,
      first,
      first !== undefined ? members[first].group?.[0] : undefined,
    );
  };
  /** A clear error for using the pool after a failure closed it (the first caller got the failure itself). */
  const closedBy = () =>
    new ExecutorError(`${o.kind}: the pool was closed by an earlier failure (${broken!.message}); start a new pool`);
  const guard = <T>(p: Promise<T>, what: 'start-up' | 'a round'): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (broken) return reject(closedBy());
      const ms = what === 'start-up' ? startupTimeoutMs : timeoutMs;
      const timer = setTimeout(() => failAll(timedOut(what, ms)), ms);
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

  /** One round on the members (the members hold one round's state each: rounds must not overlap). */
  async function evaluateRound(requests: readonly EvalRequest[]): Promise<Evaluated> {
    if (broken) throw closedBy();
    if (closing) throw new Error(`${o.kind}: the executor is closed`);
    const w0 = performance.now(),
      k = requests.length,
      groups: number[][] = [];
    if (k === 0) return { outputs: [], timings: { computeMs: 0, wallMs: performance.now() - w0 }, finite: [] };
    for (let i = 0; i < Math.min(k, o.size); i++) {
      const lo = Math.floor((i * k) / Math.min(k, o.size)),
        hi = Math.floor(((i + 1) * k) / Math.min(k, o.size));
      groups.push(Array.from({ length: hi - lo }, (_, j) => lo + j));
    }
    const wires = await toWire(requests.map((r) => r.x)); // every input of the round in one readback
    const w1 = performance.now(),
      sent: number[] = [],
      posted: number[] = [],
      arrived: number[] = [];
    const results = await guard(
      Promise.all(
        groups.map(
          (g, i) =>
            new Promise<FromRemote & { type: 'result' }>((resolve) => {
              const xs = g.map((j) => wires[j]),
                id = nextId++;
              members[i].waiting = {
                id,
                resolve: (msg) => {
                  arrived[i] = performance.now();
                  resolve(msg);
                },
              };
              members[i].group = g;
              sent[i] = performance.now();
              members[i].t.post(
                { type: 'eval', id, xs, ts: g.map((j) => requests[j].t) },
                xs.map((x) => x.data.buffer as ArrayBuffer),
              );
              posted[i] = performance.now();
            }),
        ),
      ),
      'a round',
    );
    members.forEach((m) => (m.group = undefined));
    const w2 = performance.now();
    const outs: tf.Tensor[] = new Array(k),
      finite: boolean[] = new Array(k);
    try {
      results.forEach((r, i) =>
        groups[i].forEach((j, q) => {
          finite[j] = allFinite(r.outs[q].data); // on the host already: no kernels, no readback
          outs[j] = fromWire(r.outs[q]);
        }),
      );
    } catch (e) {
      tf.dispose(outs.filter(Boolean));
      throw e;
    }
    const end = performance.now(),
      slow = results.reduce((a, r, i) => (r.computeMs > results[a].computeMs ? i : a), 0),
      last = arrived.reduce((a, t, i) => (t > arrived[a] ? i : a), 0);
    const timings: ExecutorTimings = {
      computeMs: results[slow].computeMs,
      wallMs: end - w0,
      ...(o.kind === 'processes' ? { computeCpuMs: Math.max(...results.map((r) => r.cpuMs)) } : {}),
      ...(o.profile
        ? {
            stagesMs: {
              readInputs: w1 - w0,
              post: posted[posted.length - 1] - w1,
              memberInput: results[slow].stagesMs.input,
              memberModel: results[slow].stagesMs.model,
              memberRead: results[slow].stagesMs.read,
              transit: arrived[last] - sent[last] - results[last].computeMs,
              skew: arrived[last] - Math.min(...arrived),
              resolve: w2 - arrived[last],
              outputs: end - w2,
            },
          }
        : {}),
    };
    return { outputs: outs, timings, finite };
  }
  // rounds of concurrent callers (two samplers sharing one pool) queue up, one round at a time, in call order
  let queue: Promise<unknown> = Promise.resolve();
  const executor: PoolExecutor = {
    name: o.kind,
    size: o.size,
    startupMs,
    warmupMs: Math.max(...warmups),
    pids: members.map((m) => m.t.pid ?? -1),
    evaluate(requests: readonly EvalRequest[]) {
      const round = queue.then(() => evaluateRound(requests));
      queue = round.catch(() => undefined);
      return round;
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
