/** The one sequential sampling loop: every step in tf.tidy, state threaded, progress through onStep. */
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../diffusion/denoiser.ts';
import { tidy } from '../tensor.ts';
import {
  badIndices,
  checkFiniteInput,
  checkLiveBatch,
  checkSampleShape,
  checkShapes,
  explainModelError,
  finiteFlags,
} from '../guards.ts';
import { checkKeys, optionalBoolean, optionalCallback, shown } from '../options.ts';
import { readAll } from '../tensor.ts';
import { disposeState, pastTimes, solverStep, type Solver } from './solver.ts';
import { requireSolver } from './registry.ts';

export interface StepInfo {
  /** Step index i (from grid[i] to grid[i + 1]). */
  i: number;
  t: number;
  tNext: number;
  /** The new state at tNext; owned by the loop, do not dispose. */
  x: tf.Tensor;
  /** Model calls so far. */
  modelCalls: number;
}

export interface SampleOptions {
  onStep?: (info: StepInfo) => void;
  /**
   * Check the start and every model output for NaN/Inf. Default true. Asynchronous reads only: the start is read
   * before any work, every output's flag once after the last step (a NaN or Inf stays in the state, so the error
   * names the first step that made one).
   */
  checkFinite?: boolean;
}

export interface SampleResult {
  /** The sample at grid[T]; the caller owns it. */
  x: tf.Tensor;
  modelCalls: number;
}

/**
 * Validates a time grid: at least two finite points, strictly monotone, and inside [0, 1] when the
 * model has a noise schedule (schedules run over t in [0, 1]; only the reference's linear toy, which
 * has none, steps over its integer grid 0..T).
 */
export function validateTimeGrid(grid: readonly number[], schedule?: unknown): void {
  if (!Array.isArray(grid)) {
    const got =
      typeof grid === 'object' && grid !== null
        ? `a ${(grid as object).constructor?.name ?? 'plain object'}`
        : shown(grid);
    throw new Error(
      `grid: got ${got}; ` +
        'allowed: an array of times, e.g. timeGrid(schedule, { steps: 50 })' +
        (ArrayBuffer.isView(grid) ? ' (Array.from() makes one from a typed array)' : ''),
    );
  }
  if (grid.length < 2) throw new Error(`grid: needs at least 2 times (1 step); got ${grid.length}`);
  const dir = Math.sign(grid[1] - grid[0]);
  for (let i = 0; i < grid.length; i++) {
    if (!Number.isFinite(grid[i])) throw new Error(`grid: time ${i} is ${shown(grid[i])}; allowed: finite numbers`);
    if (i > 0 && (dir === 0 || Math.sign(grid[i] - grid[i - 1]) !== dir))
      throw new Error(`grid: must be strictly monotone; times ${i - 1} and ${i} are ${grid[i - 1]}, ${grid[i]}`);
    if (schedule && !(grid[i] >= 0 && grid[i] <= 1))
      throw new Error(`grid: time ${i} is ${grid[i]}; allowed: times in [0, 1], the noise schedule's range`);
  }
}

const SAMPLE_KEYS: Record<keyof SampleOptions, true> = { onStep: true, checkFinite: true };

/**
 * Solves the sampling ODE along `grid` from x (not consumed) with any solver; returns a new tensor.
 * Every model output is checked for its shape (the input's) and, by default, for NaN/Inf, naming the
 * step; on any error (a throwing model too) everything the loop holds is freed. No synchronous read-back.
 */
export async function sample(
  solver: Solver,
  model: Denoiser,
  x: tf.Tensor,
  grid: readonly number[],
  options: SampleOptions = {},
): Promise<SampleResult> {
  requireSolver('sample: solver', solver);
  checkKeys('sample', options, SAMPLE_KEYS);
  const { onStep, checkFinite = true } = options ?? {};
  if (!model || typeof model.predict !== 'function')
    throw new Error('sample: model must be a Denoiser with predict(x, t)');
  try {
    validateTimeGrid(grid, model.schedule);
  } catch (e) {
    throw new Error(`sample: ${(e as Error).message}`);
  }
  if (!(x instanceof tf.Tensor) || x.rank < 1)
    throw new Error('sample: x must be a tensor of rank >= 1 with the batch first');
  checkLiveBatch('sample', x);
  optionalBoolean('sample: checkFinite', checkFinite);
  optionalCallback('sample: onStep', onStep);
  checkSampleShape('sample', model.sampleShape, x);
  if (checkFinite) await checkFiniteInput('sample', x);
  let step = 0;
  const flags: { step: number; ok: tf.Tensor }[] = []; // one finite flag per model call, read after the last step
  const guarded: Denoiser = {
    prediction: model.prediction,
    schedule: model.schedule,
    predict: (xs, t) => {
      let o: tf.Tensor;
      try {
        o = model.predict(xs, t);
      } catch (e) {
        throw new Error(`sample: step ${step} (t = ${grid[step]}): ${explainModelError((e as Error).message)}`, {
          cause: e,
        });
      }
      checkShapes('sample', [{ x: xs }], [o], () => ({ method: 'sample', step, t: grid[step] }));
      if (checkFinite) flags.push({ step, ok: tf.keep(finiteFlags([o])) });
      return o;
    },
  };
  let cur = x,
    state = solver.init(),
    modelCalls = 0;
  try {
    for (let i = 0; i + 1 < grid.length; i++) {
      step = i;
      const prevState = state;
      const out = tidy(() =>
        solverStep(solver, guarded, { x: cur, t: grid[i], tNext: grid[i + 1], state }, pastTimes(grid, 0, i)),
      );
      if (cur !== x) cur.dispose();
      disposeState(prevState);
      cur = out.x;
      state = out.state;
      modelCalls += out.calls;
      onStep?.({ i, t: grid[i], tNext: grid[i + 1], x: cur, modelCalls });
    }
    const steps = flags.map((f) => f.step);
    const bad = badIndices(await readAll(flags.splice(0).map((f) => f.ok))); // readAll frees the flags
    if (bad.length) {
      const at = steps[bad[0]];
      // a rising grid (an inversion) from sigma = 0: most models' conversions divide by sigma there
      const fromClean = grid[1] > grid[0] && model.schedule?.sigma(grid[0]) === 0;
      throw new Error(
        `sample: step ${at} (t = ${grid[at]}): model output is not finite (NaN or Inf)` +
          (fromClean ? `; the grid rises from t = ${grid[0]}, where sigma = 0: start it above 0` : ''),
      );
    }
  } catch (e) {
    if (cur !== x) cur.dispose();
    disposeState(state);
    tf.dispose(flags.map((f) => f.ok));
    throw e;
  }
  disposeState(state);
  return { x: cur, modelCalls };
}
