/**
 * What a core with a multistep fine solver (DPM-Solver++ 2M/3M) carries on after a rectification
 * (REFERENCE.md, "CHORDS with a multistep fine solver"). The rectified step from f to j = f + 1 of a
 * segment that began at b moves the core onto the slower core's trajectory, but the x0 estimates in
 * its history were computed on its own, stale trajectory, so the next multistep difference
 * x0(j) - x0(f) mixes the two. Rules:
 * - `keep` (default; what an unmodified core does): carry the stale history on;
 * - `drop`: forget the history, so the next step is first order (DDIM) again;
 * - `shift`: add the discrepancy seen at the segment start, D = x0^(k-1)(b) - x0^(k)(b) (the slower
 *   core's x0 estimate at b minus the core's own, both already computed), to every stored entry.
 *   It is the same correction the rectification applies to the state (fine minus own coarse jump
 *   plus the slower core's coarse jump), applied to the x0 estimates: to first order the stale
 *   trajectory is off by a constant in x0 over one segment.
 * Core 0 is never rectified, so no rule changes the sequential solver.
 */
import * as tf from '@tensorflow/tfjs';
import { x0Of, type Parametrization } from '../diffusion/prediction.ts';
import type { SolverState, StageEval } from '../solvers/solver.ts';

import { HISTORY_RULES, type HistoryRule } from '../names.ts';

export { HISTORY_RULES, type HistoryRule };

export function validateHistoryRule(rule: string): asserts rule is HistoryRule {
  if (!(HISTORY_RULES as readonly string[]).includes(rule))
    throw new Error(`history: unknown rule '${rule}'; allowed: ${HISTORY_RULES.join(', ')}`);
}

/**
 * The state a rectified core carries on with. `state` is the fine step's new state; `own` and
 * `slower` are the stage-0 evaluations of the core and of the slower core at the segment start b.
 * Pure: returns `state` itself (keep), an empty state (drop) or fresh tensors (shift); call it
 * inside tf.tidy, which frees what is not returned.
 */
export function rectifiedHistory(
  rule: HistoryRule,
  p: Parametrization,
  state: SolverState,
  own: StageEval,
  slower: StageEval,
): SolverState {
  if (rule === 'keep' || state.history.length === 0) return state;
  if (rule === 'drop') return { history: [] };
  const shift = tf.sub(x0Of(p, slower.out, slower.x, slower.t), x0Of(p, own.out, own.x, own.t));
  return { history: state.history.map((e) => ({ x0: tf.add(e.x0, shift), lambda: e.lambda })) };
}
