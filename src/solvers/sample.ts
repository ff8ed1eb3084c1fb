/** The one sequential sampling loop: every step in tf.tidy, state threaded, progress through onStep. */
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../diffusion/denoiser.ts';
import { tidy } from '../tensor.ts';
import { disposeState, pastTimes, solverStep, type Solver } from './solver.ts';

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
}

export interface SampleResult {
  /** The sample at grid[T]; the caller owns it. */
  x: tf.Tensor;
  modelCalls: number;
}

/** Validates a time grid: at least two finite points, strictly monotone. */
export function validateTimeGrid(grid: readonly number[]): void {
  if (!Array.isArray(grid) || grid.length < 2)
    throw new Error(`grid: needs at least 2 times (1 step); got ${grid?.length ?? 0}`);
  const dir = Math.sign(grid[1] - grid[0]);
  for (let i = 0; i < grid.length; i++) {
    if (!Number.isFinite(grid[i])) throw new Error(`grid: time ${i} is ${grid[i]}; allowed: finite numbers`);
    if (i > 0 && (dir === 0 || Math.sign(grid[i] - grid[i - 1]) !== dir))
      throw new Error(`grid: must be strictly monotone; times ${i - 1} and ${i} are ${grid[i - 1]}, ${grid[i]}`);
  }
}

/** Solves the sampling ODE along `grid` from x (not consumed) with any solver; returns a new tensor. */
export function sample(
  solver: Solver,
  model: Denoiser,
  x: tf.Tensor,
  grid: readonly number[],
  { onStep }: SampleOptions = {},
): SampleResult {
  validateTimeGrid(grid);
  if (!(x instanceof tf.Tensor) || x.rank < 1) throw new Error('x: must be a tensor of rank >= 1 with the batch first');
  let cur = x,
    state = solver.init(),
    modelCalls = 0;
  for (let i = 0; i + 1 < grid.length; i++) {
    const prevState = state;
    const out = tidy(() =>
      solverStep(solver, model, { x: cur, t: grid[i], tNext: grid[i + 1], state }, pastTimes(grid, 0, i)),
    );
    if (cur !== x) cur.dispose();
    disposeState(prevState);
    cur = out.x;
    state = out.state;
    modelCalls += out.calls;
    onStep?.({ i, t: grid[i], tNext: grid[i + 1], x: cur, modelCalls });
  }
  disposeState(state);
  return { x: cur, modelCalls };
}
