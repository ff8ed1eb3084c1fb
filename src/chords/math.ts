/** The tensor math of CHORDS: fine step, coarse jump and the rectification, each written once. */
import * as tf from '@tensorflow/tfjs';
import type { Parametrization } from '../diffusion/prediction.ts';
import type { Jump } from '../solvers/jump.ts';
import type { Solver, SolverState, StageEval, StepInput } from '../solvers/solver.ts';

/** F: the fine solver's step completed from its stage evaluations. */
export const fineStep = (
  solver: Solver,
  p: Parametrization,
  step: StepInput,
  evals: readonly StageEval[],
): { x: tf.Tensor; state: SolverState } => solver.finish(p, step, evals);

/** G: the coarse jump from an evaluated point (x, t) with its model output to tTarget (no model call). */
export const coarseJump = (jump: Jump, p: Parametrization, at: StageEval, tTarget: number): tf.Tensor =>
  jump(p, at.x, at.out, at.t, tTarget);

/** Rectification x = F(x_cur) - G(x_begin) + G(x_prev) (CHORDS, Han et al. 2025; Parareal-like correction). */
export const rectify = (fine: tf.Tensor, coarseOwn: tf.Tensor, coarsePrev: tf.Tensor): tf.Tensor =>
  tf.add(tf.sub(fine, coarseOwn), coarsePrev);
