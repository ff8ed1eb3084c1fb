/**
 * A spawned CHORDS core's first value (ours; the idea of Picard's predictor carried over to CHORDS). The reference
 * starts core k + 1 by one coarse jump G from core k's first point. With a multistep fine solver the slower cores
 * hold fresh x0 estimates at lower log-SNR (their solver states' history), so the jump can use the x0 estimate
 * extrapolated in log-SNR through them (Newton form, the polynomial integrated exactly: the DPM-Solver++
 * multistep idea) instead of a constant one. Only the spawn changes: rectifications keep G on both sides.
 */
import * as tf from '@tensorflow/tfjs';
import { x0Of, type Parametrization } from '../diffusion/prediction.ts';
import { CHORDS_PREDICTORS, type ChordsPredictor } from '../names.ts';
import { shown } from '../options.ts';
import { x0Jump, x0Slope, type Jump } from '../solvers/jump.ts';
import type { HistoryEntry, SolverState, StageEval } from '../solvers/solver.ts';
import { NOISE_LAMBDA } from '../solvers/util.ts';
import { coarseJump } from './math.ts';

export { CHORDS_PREDICTORS, type ChordsPredictor };

/** The slower cores' x0 estimates each predictor extrapolates through, besides the newest core's own. */
export const OLDER_ESTIMATES: Record<ChordsPredictor, number> = { coarse: 0, linear: 1, quadratic: 2 };

/** The predictor, checked: one of CHORDS_PREDICTORS; an extrapolating one needs the model's log-SNR. */
export function validatePredictor(predictor: unknown, param: Parametrization): ChordsPredictor {
  if (!(CHORDS_PREDICTORS as readonly unknown[]).includes(predictor))
    throw new Error(`chords: predictor: got ${shown(predictor)}; allowed: ${CHORDS_PREDICTORS.join(', ')}`);
  const p = predictor as ChordsPredictor;
  if (p !== 'coarse' && !param.schedule)
    throw new Error(`chords: predictor '${p}' needs a model with a noise schedule (its log-SNR); allowed: coarse`);
  return p;
}

/**
 * The slower cores' newest x0 estimates below log-SNR `lambda`, newest first: core `from` - 1's history, then
 * core `from` - 2's, ..., each entry below the one before and not pure noise, at most `count` (pure bookkeeping
 * over the states, read after the round's fine steps and rectifications: plan.ts runs spawns last).
 */
export function slowerEstimates(
  states: readonly (SolverState | undefined)[],
  from: number,
  lambda: number,
  count: number,
): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (let c = from - 1; c >= 0 && out.length < count; c--)
    for (const e of states[c]?.history ?? [])
      if (out.length < count && e.lambda >= NOISE_LAMBDA && e.lambda < (out.at(-1)?.lambda ?? lambda)) out.push(e);
  return out;
}

/**
 * x(core, I[core]) for a new core: from the newest core's first point `at`, the exponential-integrator jump (DDIM
 * form; on the flow schedule the same as Euler) with the x0 estimate extrapolated through `older` (newest first;
 * x0Jump with x0Slope); with no older estimate (a one-step fine solver, or 'coarse'), the coarse jump G itself.
 * Call in a tidy scope; `older` belongs to the solver states.
 */
export function spawnJump(
  jump: Jump,
  p: Parametrization,
  at: StageEval,
  older: readonly HistoryEntry[],
  tTarget: number,
): tf.Tensor {
  if (older.length === 0) return coarseJump(jump, p, at, tTarget);
  const x0 = x0Of(p, at.out, at.x, at.t); // [n, ...]
  const slope = x0Slope([{ x0, lambda: p.schedule!.lambda(at.t) }, ...older]);
  return x0Jump(p, at.x, at.t, tTarget, x0, slope);
}
