/** The sequential baseline over an executor: one solver step after another, one model call per round. */
import * as tf from '@tensorflow/tfjs';
import { euler } from '../solvers/euler.ts';
import { disposeState, pastTimes, type Solver, type StageEval } from '../solvers/solver.ts';
import { tidy } from '../tensor.ts';
import {
  roundMeter,
  validateTask,
  type RoundReport,
  type SamplerHit,
  type SamplerResult,
  type SamplingTask,
} from '../task.ts';

export interface SequentialOptions {
  solver?: Solver;
  onRound?: (r: RoundReport) => void;
}

/** Equals sample() bit for bit; T rounds for one-call solvers. The only hit is the final sample. */
export async function runSequential(
  task: SamplingTask,
  { solver = euler, onRound }: SequentialOptions = {},
): Promise<SamplerResult<SamplerHit>> {
  validateTask(task);
  const { executor, param, grid } = task;
  const meter = roundMeter(executor, onRound);
  let x = tf.clone(task.x),
    state = solver.init(),
    round = 0;
  try {
    for (let i = 0; i + 1 < grid.length; i++) {
      const step = { x, t: grid[i], tNext: grid[i + 1], state },
        evals: StageEval[] = [];
      const calls = solver.calls(param, grid[i], grid[i + 1], pastTimes(grid, 0, i));
      try {
        for (let s = 0; s < calls; s++) {
          const pt = s === 0 ? { x, t: grid[i] } : tidy(() => solver.stage(param, step, evals));
          const [out] = await meter
            .evaluate([pt], () => `step ${i}, stage ${s}`)
            .catch((e) => {
              if (s > 0) pt.x.dispose();
              throw e;
            });
          evals.push({ ...pt, out });
          meter.endRound(++round, i + 1 === grid.length - 1 && s === calls - 1 ? 1 : 0);
        }
        const next = tidy(() => solver.finish(param, step, evals));
        disposeState(state);
        x.dispose();
        x = next.x;
        state = next.state;
      } finally {
        evals.forEach((e, s) => {
          e.out.dispose();
          if (s > 0) e.x.dispose();
        });
      }
    }
  } catch (e) {
    x.dispose();
    throw e;
  } finally {
    disposeState(state);
  }
  return {
    ...meter.totals(),
    hits: [{ index: 0, round, modelCalls: meter.modelCalls, wallMs: meter.elapsed(), x }],
    sample: x,
  };
}
