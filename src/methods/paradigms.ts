/**
 * ParaDiGMS (Shih et al., NeurIPS 2023, arXiv 2305.16317) as the authors' loop runs it
 * (AndyShih12/paradigms, stablediffusion_paradigms.py with paraddim_scheduler.py): a buffer of T + 1
 * points, all copies of x_0; a window [begin, end), end = min(begin + p, T). One round evaluates the
 * window's points in one batch; increments d_j = step(x_j) - x_j; new points x_{j+1} = x_begin +
 * sum_{i=begin..j} d_i (Picard, their Eq. 5). A new point fails when, for ANY sample, its squared change
 * per element exceeds tolerance^2 times the authors' variance of that point's own timestep
 * (paradigmsVariance; 0 for point T). The window restarts AT the first failing point (it was computed
 * from converged points), or moves on by p when none fails; points entering the window are copies of
 * the window's new last point. Stop once begin >= T; the sample is x_T. Differences from the authors'
 * code: see the README (ParaDiGMS section).
 */
import { checkKeys, optionalCallback, requireOptions, shown } from '../options.ts';
import * as tf from '@tensorflow/tfjs';
import { eulerJump, requireJump, type Jump } from '../solvers/jump.ts';
import { tidy } from '../tensor.ts';
import { emitHit, roundMeter } from '../sampling/meter.ts';
import {
  validateTask,
  type SamplerHit,
  type SamplerHooks,
  type SamplerResult,
  type SamplingTask,
} from '../sampling/task.ts';
import { int } from '../names.ts';
import { FINE_FLAG, TOLERANCE_FLAG, fineRule, readFine, readTolerance } from '../sampling/flags.ts';
import { asMethodResult, kindHooks, type Method } from '../sampling/method.ts';
import { euler } from '../solvers/euler.ts';
import type { Solver } from '../solvers/solver.ts';
import { validateTolerance } from './tolerance.ts';
import { fails, meanSquarePerSample, paradigmsVariance } from './window.ts';

export interface ParadigmsOptions extends SamplerHooks {
  /** Window size p (parallel model calls per round, "cores"). */
  window: number;
  /** A point passes when its mean squared change <= tolerance^2 * paradigmsVariance, every sample. Default 0.1. */
  tolerance?: number;
  /** First-order step Phi(x, t -> s) from the model output at (x, t): Euler (default) or DDIM (the authors'). */
  step?: Jump;
}

export interface ParadigmsResult extends SamplerResult<SamplerHit> {
  window: number;
}

export interface SlideInput {
  begin: number;
  window: number;
  T: number;
  /** Mean squared change per element of each new point begin+1..end (outer), per sample (inner). */
  errors: readonly (readonly number[])[];
  /** The tolerance scale of each new point (paradigmsVariance). */
  variances: readonly number[];
  tolerance: number;
}

/**
 * The authors' window rule: ind = the first new point that fails for any sample (the length of the
 * window when none fails), begin' = begin + min(1 + ind, p), end' = min(begin' + p, T).
 */
export function paradigmsSlide(s: SlideInput): { ind: number; begin: number; end: number } {
  let ind = s.errors.findIndex((row, k) => row.some((e) => fails(e, s.tolerance, s.variances[k])));
  if (ind < 0) ind = s.errors.length;
  const begin = s.begin + Math.min(1 + ind, s.window);
  return { ind, begin, end: Math.min(begin + s.window, s.T) };
}

const PARADIGMS_KEYS: Record<keyof ParadigmsOptions, true> = {
  window: true,
  tolerance: true,
  step: true,
  onHit: true,
  onRound: true,
};

export async function runParadigms(task: SamplingTask, o: ParadigmsOptions): Promise<ParadigmsResult> {
  requireOptions('paradigms', o, '{ window: K, tolerance?, step? }');
  checkKeys('paradigms', o, PARADIGMS_KEYS);
  await validateTask(task, 'paradigms');
  const { executor, param, grid } = task,
    T = grid.length - 1,
    step = requireJump('paradigms: step', o.step ?? eulerJump),
    tol = o.tolerance ?? 0.1;
  if (!Number.isInteger(o.window) || o.window < 1)
    throw new Error(`window: got ${shown(o.window)}; allowed: an integer >= 1`);
  validateTolerance(tol);
  optionalCallback('paradigms: onHit', o.onHit);
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
        { defer: true }, // the outputs' finite flags are read with the changes below
      );
      // x'_{a+1} = Phi(x_a); x'_{j+1} = x'_{a+1} + sum_{i=a+1..j} (Phi(x_i) - x_i)   (Picard, Shih et al. Eq. 5)
      const next = tidy(() => {
        const out: tf.Tensor[] = [step(param, xs[a], outs[0], grid[a], grid[a + 1])];
        for (let j = a + 1; j < b; j++)
          out.push(tf.add(out[out.length - 1], tf.sub(step(param, xs[j], outs[j - a], grid[j], grid[j + 1]), xs[j])));
        return out;
      });
      tf.dispose(outs);
      let errors: number[][];
      try {
        // the round's one readback: the meter's finite flags of the outputs and every point's change per sample
        const n = task.x.shape[0];
        const flat = await meter.read(next.map((v, k) => meanSquarePerSample(v, xs[a + k + 1])));
        errors = next.map((_, k) => Array.from(flat.subarray(k * n, (k + 1) * n)));
      } catch (e) {
        tf.dispose(next);
        throw e;
      }
      const slide = paradigmsSlide({
        begin: a,
        window: o.window,
        T,
        errors,
        variances: errors.map((_, k) => paradigmsVariance(param, grid, a + k + 1)),
        tolerance: tol,
      });
      for (let j = a; j < b; j++) {
        xs[j + 1].dispose();
        xs[j + 1] = next[j - a];
      }
      const newBegin = slide.begin,
        newEnd = slide.end;
      // points entering the window: copies of the window's new last point x_b
      for (let j = b + 1; j <= newEnd; j++) {
        xs[j].dispose();
        xs[j] = tf.clone(xs[b]);
      }
      a = newBegin;
      round++;
      if (b === T) emitHit(hits, meter, round, tf.clone(xs[T]), o.onHit);
      meter.endRound(round, b === T ? 1 : 0);
    }
  } catch (e) {
    meter.discard();
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
const NEEDS = 'paradigms needs a one-call first-order step';

export const paradigmsMethod: Method<ParadigmsMethodOptions> = {
  name: 'paradigms',
  summary:
    'ParaDiGMS (Shih et al., NeurIPS 2023): Picard iterations on a sliding window of p steps, one parallel batch ' +
    'per round.',
  flags: {
    window: { type: 'string', default: '8', help: 'window size (parallel model calls per round)', rule: int(1, 10000) },
    tolerance: TOLERANCE_FLAG,
    'fine-solver': {
      ...FINE_FLAG,
      help: `${FINE_FLAG.help} (one with a first-order jump: euler | ddim)`,
      rule: fineRule(hasJump, NEEDS),
    },
  },
  defaults: (_T, width = 8) => ({ window: width, tolerance: 0.1, fine: euler }),
  fromFlags: (read) => ({
    fine: readFine(read, hasJump, NEEDS),
    window: read.int('window', 1, 10000),
    tolerance: readTolerance(read),
  }),
  width: (T, o) => Math.min(o.window, T), // a window past T evaluates T points at most
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
