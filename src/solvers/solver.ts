/** The solver protocol: a step is a few model evaluations (stages) and a pure update; state is passed in and out. */
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../diffusion/denoiser.ts';
import { timeVector } from '../diffusion/denoiser.ts';
import type { Parametrization } from '../diffusion/prediction.ts';
import type { Jump } from './jump.ts';
import type { LinearForm } from './linear-form.ts';

/** A model output recorded for multistep solvers: the x0 estimate at half log-SNR lambda. */
export interface HistoryEntry {
  x0: tf.Tensor;
  lambda: number;
}

/** What a solver carries from step to step (DPM-Solver++ multistep: previous x0 estimates, newest first). */
export interface SolverState {
  history: HistoryEntry[];
}

/** One step in progress: from x at time t to tNext, with the carried state. */
export interface StepInput {
  x: tf.Tensor;
  t: number;
  tNext: number;
  state: SolverState;
}

/** A point at which the model was evaluated, and its output there. */
export interface StageEval {
  x: tf.Tensor;
  t: number;
  out: tf.Tensor;
}

/**
 * A solver in ask/tell form, so that CHORDS and the baselines can batch the model calls of many
 * trajectories: stage 0 is always the model at (x, t); `stage` gives the point of every later stage
 * from the evaluations so far; `finish` completes the step. Both are pure; `finish` returns only
 * fresh tensors (carried history is cloned), so the caller may dispose the old state.
 */
export interface Solver {
  readonly name: string;
  /** Global order of convergence, checked by the order test. */
  readonly order: number;
  /** Model calls of an interior step. */
  readonly callsPerStep: number;
  /** True if the solver carries model outputs from step to step (its state), so a restarted trajectory differs. */
  readonly multistep: boolean;
  /** Its one-call first-order form Phi(x, t -> s), where it has one (Picard/ParaDiGMS sum its increments). */
  readonly jump?: Jump;
  /**
   * Model calls of the step t -> tNext, given the earlier grid times of this trajectory (newest
   * first): fewer where a stage point is undefined (a step to clean data), more for a multistep
   * solver's start. A function of times only, so plans can count calls without tensors.
   */
  calls(p: Parametrization, t: number, tNext: number, past: readonly number[]): number;
  init(): SolverState;
  stage(p: Parametrization, step: StepInput, evals: readonly StageEval[]): { x: tf.Tensor; t: number };
  finish(p: Parametrization, step: StepInput, evals: readonly StageEval[]): { x: tf.Tensor; state: SolverState };
  /** The step's linear form in the x0 estimates, where it has one (DDIM, DPM-Solver++ 2M/3M; linear-form.ts). */
  readonly linear?: LinearForm;
}

/** A state with no history (one-step solvers). */
export const emptyState = (): SolverState => ({ history: [] });

/** Frees the tensors a state holds. */
export function disposeState(s: SolverState | undefined): void {
  if (s) for (const h of s.history) h.x0.dispose();
}

/** The earlier grid times of a trajectory that started at index `start` and is now at index i, newest first. */
export const pastTimes = (grid: readonly number[], start: number, i: number): number[] =>
  grid.slice(start, i).reverse();

/** Model calls of step i of a trajectory that started at grid index `start`. */
export const callsAt = (solver: Solver, p: Parametrization, grid: readonly number[], i: number, start = 0): number =>
  solver.calls(p, grid[i], grid[i + 1], pastTimes(grid, start, i));

/** Model calls of every step of a trajectory over the whole grid, in order. */
export const callsOnGrid = (solver: Solver, p: Parametrization, grid: readonly number[]): number[] =>
  grid.slice(0, -1).map((_, i) => callsAt(solver, p, grid, i));

/** One whole solver step with a synchronous model (call inside tf.tidy); returns the new x and state. */
export function solverStep(
  solver: Solver,
  model: Denoiser,
  step: StepInput,
  past: readonly number[] = [],
): { x: tf.Tensor; state: SolverState; calls: number } {
  const n = step.x.shape[0];
  const evals: StageEval[] = [];
  const calls = solver.calls(model, step.t, step.tNext, past);
  for (let s = 0; s < calls; s++) {
    const pt = s === 0 ? { x: step.x, t: step.t } : solver.stage(model, step, evals);
    evals.push({ ...pt, out: model.predict(pt.x, timeVector(pt.t, n)) });
  }
  return { ...solver.finish(model, step, evals), calls };
}
