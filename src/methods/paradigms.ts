/**
 * ParaDiGMS (Shih et al., NeurIPS 2023, arXiv 2305.16317): Picard iterations on a sliding window of
 * `window` steps. Each round evaluates the model at every window point in one parallel batch; the
 * new points are the window start plus the cumulative sum of first-order solver increments
 * (x_{a+1} is the solver step from the converged x_a itself, so window 1 is the sequential solver
 * bit for bit); the window slides past the points whose change is within tolerance (noiseScale) and
 * keeps at least one new converged point per round, so it never takes more than T rounds.
 */
import * as tf from '@tensorflow/tfjs';
import { eulerJump, type Jump } from '../solvers/jump.ts';
import { tidy } from '../tensor.ts';
import { emitHit, roundMeter } from '../sampling/meter.ts';
import {
  validateTask,
  type SamplerHit,
  type SamplerHooks,
  type SamplerResult,
  type SamplingTask,
} from '../sampling/task.ts';
import { FINE_FLAG, TOLERANCE_FLAG, readFine, readTolerance } from '../sampling/flags.ts';
import { asMethodResult, kindHooks, type Method } from '../sampling/method.ts';
import { euler } from '../solvers/euler.ts';
import type { Solver } from '../solvers/solver.ts';
import { noiseScale, rmsChange, validateTolerance } from './tolerance.ts';

export interface ParadigmsOptions extends SamplerHooks {
  /** Window size p (parallel model calls per round, "cores"). */
  window: number;
  /** A point converged when RMS(change) <= tolerance * noiseScale. Default 0.1 (ParaDiGMS's default). */
  tolerance?: number;
  /** First-order step Phi(x, t -> s) from the model output at (x, t). Default Euler. */
  step?: Jump;
}

export interface ParadigmsResult extends SamplerResult<SamplerHit> {
  window: number;
}

export async function runParadigms(task: SamplingTask, o: ParadigmsOptions): Promise<ParadigmsResult> {
  validateTask(task, 'paradigms');
  const { executor, param, grid } = task,
    T = grid.length - 1,
    step = o.step ?? eulerJump,
    tol = o.tolerance ?? 0.1;
  if (!Number.isInteger(o.window) || o.window < 1) throw new Error(`window: got ${o.window}; allowed: an integer >= 1`);
  validateTolerance(tol);
  const meter = roundMeter(executor, o.onRound, { method: 'paradigms' }),
    hits: SamplerHit[] = [];
  // every point starts at x_0 (ParaDiGMS)
  const xs: tf.Tensor[] = Array.from({ length: T + 1 }, () => tf.clone(task.x));
  let a = 0,
    round = 0;
  try {
    while (a < T) {
      const b = Math.min(a + o.window, T);
      const outs = await meter.evaluate(
        Array.from({ length: b - a }, (_, k) => ({ x: xs[a + k], t: grid[a + k] })),
        (k) => `window point ${k}, step ${a + k} (t = ${grid[a + k]})`,
      );
      // x'_{a+1} = Phi(x_a); x'_{j+1} = x'_{a+1} + sum_{i=a+1..j} (Phi(x_i) - x_i)   (Picard, Shih et al. Eq. 5)
      const next = tidy(() => {
        const out: tf.Tensor[] = [step(param, xs[a], outs[0], grid[a], grid[a + 1])];
        for (let j = a + 1; j < b; j++)
          out.push(tf.add(out[out.length - 1], tf.sub(step(param, xs[j], outs[j - a], grid[j], grid[j + 1]), xs[j])));
        return out;
      });
      tf.dispose(outs);
      let firstOpen = b;
      for (let j = a; j < b; j++) {
        if (firstOpen === b && rmsChange(next[j - a], xs[j + 1]) > tol * noiseScale(param, grid, j)) firstOpen = j;
        xs[j + 1].dispose();
        xs[j + 1] = next[j - a];
      }
      // points past the window start from the window's last value (ParaDiGMS fills new slots with it)
      for (let j = b + 1; j <= Math.min(b + o.window, T); j++) {
        xs[j].dispose();
        xs[j] = tf.clone(xs[b]);
      }
      a = Math.max(a + 1, firstOpen);
      round++;
      if (b === T) emitHit(hits, meter, round, tf.clone(xs[T]), o.onHit);
      meter.endRound(round, b === T ? 1 : 0);
    }
  } catch (e) {
    tf.dispose(hits.map((h) => h.x));
    throw e;
  } finally {
    tf.dispose(xs);
  }
  return { ...meter.totals(), hits, sample: hits[hits.length - 1].x, window: o.window };
}

export interface ParadigmsMethodOptions {
  window: number;
  tolerance: number;
  /** A one-call solver with a first-order form (its `jump`), whose increments the Picard sums add. */
  fine: Solver;
}

const hasJump = (s: Solver) => s.jump !== undefined;

export const paradigmsMethod: Method<ParadigmsMethodOptions> = {
  name: 'paradigms',
  summary:
    'ParaDiGMS (Shih et al., NeurIPS 2023): Picard iterations on a sliding window of p steps, one parallel batch ' +
    'per round.',
  flags: {
    window: { type: 'string', default: '8', help: 'window size (parallel model calls per round)' },
    tolerance: TOLERANCE_FLAG,
    'fine-solver': { ...FINE_FLAG, help: `${FINE_FLAG.help} (one with a first-order jump: euler | ddim)` },
  },
  defaults: (_T, width = 8) => ({ window: width, tolerance: 0.1, fine: euler }),
  fromFlags: (read) => ({
    fine: readFine(read, hasJump, 'paradigms needs a one-call first-order step'),
    window: read.int('window', 1, 10000),
    tolerance: readTolerance(read),
  }),
  width: (_T, o) => o.window,
  async run(task, o, hooks = {}) {
    if (!o.fine.jump) throw new Error(`fine: paradigms needs a solver with a first-order jump; got '${o.fine.name}'`);
    const r = await runParadigms(task, {
      window: o.window,
      tolerance: o.tolerance,
      step: o.fine.jump,
      ...kindHooks(hooks),
    });
    return asMethodResult(r);
  },
  describe: (o) => ({
    label: `ParaDiGMS window ${o.window}, tolerance ${o.tolerance}`,
    config: { window: o.window, tolerance: o.tolerance },
  }),
};
