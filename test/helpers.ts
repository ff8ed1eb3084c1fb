/** Shared test setup: the backend (top level, before any op) and the leak check. */
import * as tf from '@tensorflow/tfjs';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { initBackend } from '../src/backend.ts';

export const backend = await initBackend({ backend: process.env.CHORDS_BACKEND ?? 'wasm' });

/** Runs fn and asserts that the number of live tensors is unchanged (check inside the test body). */
export async function noLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  assert.is(after, before, `leaked ${after - before} tensor(s)`);
  return out;
}

/** The model with a hook on each predict call, given the 1-based call count: to count calls, or to fail on one. */
export function watched<M extends { predict: (x: tf.Tensor, t: tf.Tensor1D) => tf.Tensor }>(
  model: M,
  onCall: (n: number) => void,
): M {
  let n = 0;
  return {
    ...model,
    predict: (x: tf.Tensor, t: tf.Tensor1D) => {
      onCall(++n);
      return model.predict(x, t);
    },
  };
}

/** Fails the `n`-th predict call with 'model failed'. */
export const failingOn = (n: number) => (k: number) => {
  if (k === n) throw new Error('model failed');
};

/** Random CHORDS configurations: T in 2..maxSteps, 1..8 cores from 0, strictly increasing (neighbours allowed). */
export const arbInit = (maxSteps: number) =>
  fc
    .integer({ min: 2, max: maxSteps })
    .chain((steps) =>
      fc
        .uniqueArray(fc.integer({ min: 1, max: steps - 1 }), { maxLength: Math.min(7, steps - 1) })
        .map((rest) => ({ steps, init: [0, ...[...rest].sort((a, b) => a - b)] })),
    );

/** Asserts that fn throws (or rejects) with a message matching every pattern. */
export async function throwsWith(fn: () => unknown, ...patterns: RegExp[]): Promise<void> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, 'expected an error');
  for (const p of patterns) assert.match((err as Error).message, p);
}

/** Is a process with this pid alive? */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits until none of the pids is alive (a SIGKILLed child exits asynchronously), at most about 5 s. */
export async function gone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  return !pids.some(alive);
}

/** Least-squares slope of log(err) against log(steps). */
export function logSlope(steps: number[], errs: number[]): number {
  const lx = steps.map(Math.log),
    ly = errs.map(Math.log);
  const mx = lx.reduce((a, b) => a + b) / lx.length,
    my = ly.reduce((a, b) => a + b) / ly.length;
  return lx.reduce((a, v, i) => a + (v - mx) * (ly[i] - my), 0) / lx.reduce((a, v) => a + (v - mx) ** 2, 0);
}
