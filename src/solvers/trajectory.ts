/**
 * One solver trajectory advanced through any executor, one stage at a time: `request` the next
 * evaluation point, `receive` the model output there (owned, or borrowed from the caller), and
 * `finish` the step once every stage is in. This file is the one place that knows which stage
 * tensors a trajectory owns: stage 0's point is the trajectory's own x, later stage points come
 * from `solver.stage` and belong to the stage; an output belongs to the stage unless it was
 * received as borrowed; x belongs to the trajectory unless it was started from a borrowed tensor.
 */
import * as tf from '@tensorflow/tfjs';
import type { Parametrization } from '../diffusion/prediction.ts';
import type { EvalRequest } from '../executors/executor.ts';
import { tidy } from '../tensor.ts';
import { callsAt, disposeState, type Solver, type SolverState, type StageEval, type StepInput } from './solver.ts';

/** A stage evaluation and which of its tensors it owns. */
export interface Stage extends StageEval {
  ownsX: boolean;
  ownsOut: boolean;
}

/** Frees the tensors a stage owns (the freeing rule, written once). */
export function releaseStage(s: Stage): void {
  if (s.ownsOut) s.out.dispose();
  if (s.ownsX) s.x.dispose();
}

/** The point of the next stage of `step` after `evals`: stage 0 is step.x itself (borrowed), later ones are new. */
export function stagePoint(
  solver: Solver,
  p: Parametrization,
  step: StepInput,
  evals: readonly StageEval[],
): EvalRequest & { owned: boolean } {
  if (evals.length === 0) return { x: step.x, t: step.t, owned: false };
  return { ...tidy(() => solver.stage(p, step, evals)), owned: true };
}

export interface TrajectoryStart {
  /** The point at grid[i]. */
  x: tf.Tensor;
  /** Grid index of x. */
  i: number;
  /** Grid index where the trajectory began (multistep call counts depend on it). Default i. */
  start?: number;
  /** True if the trajectory owns x (frees it when it moves on). Default false. */
  owned?: boolean;
  /** Carried solver state (owned by the trajectory). Default solver.init(). */
  state?: SolverState;
}

export class Trajectory {
  /** Grid index of the current point. */
  i: number;
  readonly start: number;
  private cur: tf.Tensor;
  private owned: boolean;
  private st: SolverState;
  private stages: Stage[] = [];
  private pending?: EvalRequest & { owned: boolean };

  constructor(
    readonly solver: Solver,
    readonly param: Parametrization,
    readonly grid: readonly number[],
    from: TrajectoryStart,
  ) {
    this.cur = from.x;
    this.i = from.i;
    this.start = from.start ?? from.i;
    this.owned = from.owned ?? false;
    this.st = from.state ?? solver.init();
  }

  /** The current point (borrowed: valid until the next finish). */
  get x(): tf.Tensor {
    return this.cur;
  }

  /** Stages evaluated so far in the current step. */
  get evaluated(): number {
    return this.stages.length;
  }

  /** Model calls of the current step. */
  get calls(): number {
    return callsAt(this.solver, this.param, this.grid, this.i, this.start);
  }

  /** True when every stage of the current step has its output. */
  get ready(): boolean {
    return this.stages.length >= this.calls;
  }

  private step(): StepInput {
    return { x: this.cur, t: this.grid[this.i], tNext: this.grid[this.i + 1], state: this.st };
  }

  /** The next point to evaluate; pass its output to receive(). */
  request(): EvalRequest {
    if (this.pending) throw new Error('trajectory: request() twice without receive()');
    this.pending = stagePoint(this.solver, this.param, this.step(), this.stages);
    return { x: this.pending.x, t: this.pending.t };
  }

  /** The model output at the last requested point; `borrowed` outputs stay the caller's. */
  receive(out: tf.Tensor, { borrowed = false }: { borrowed?: boolean } = {}): void {
    const p = this.pending;
    if (!p) throw new Error('trajectory: receive() without request()');
    this.pending = undefined;
    this.stages.push({ x: p.x, t: p.t, out, ownsX: p.owned, ownsOut: !borrowed });
  }

  /**
   * Completes the step from its stages and moves to i + 1. `update` may replace the step's result
   * (inside the same tidy; CHORDS rectifies here). The stage tensors, the old x (if owned) and the
   * old state are freed; the new x and state belong to the trajectory.
   */
  finish(update?: (next: { x: tf.Tensor; state: SolverState }) => { x: tf.Tensor; state: SolverState }): void {
    if (!this.ready) throw new Error(`trajectory: finish() at step ${this.i} before all ${this.calls} stages are in`);
    const next = tidy(() => {
      const f = this.solver.finish(this.param, this.step(), this.stages);
      return update ? update(f) : f;
    });
    this.stages.forEach(releaseStage);
    this.stages = [];
    if (this.owned) this.cur.dispose();
    disposeState(this.st);
    this.cur = next.x;
    this.st = next.state;
    this.owned = true;
    this.i++;
  }

  /** Hands the current point to the caller (who then owns it) and frees everything else. */
  take(): tf.Tensor {
    const x = this.cur;
    if (!this.owned) throw new Error('trajectory: take() of a borrowed point');
    this.owned = false;
    this.dispose();
    return x;
  }

  /** Frees what the trajectory owns: a requested point never received, the stages, x and the state. */
  dispose(): void {
    if (this.pending?.owned) this.pending.x.dispose();
    this.pending = undefined;
    this.stages.forEach(releaseStage);
    this.stages = [];
    if (this.owned) this.cur.dispose();
    this.owned = false;
    disposeState(this.st);
    this.st = { history: [] };
  }
}
