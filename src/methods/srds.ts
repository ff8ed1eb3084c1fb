/**
 * SRDS (Selvam et al., NeurIPS 2024, arXiv 2412.08292): Parareal over blocks of the T steps.
 * A coarse sweep (one first-order jump G per block) gives the block starts; each iteration runs the
 * fine solver F inside every block not yet known exact, all in parallel, then the sequential
 * predictor-corrector x_{n+1} = G(x_n^new) + F(x_n^old) - G(x_n^old). The first block start that is
 * not yet exact is corrected by F alone, so after k iterations the first k + 1 starts are exact and
 * after at most B iterations the sample equals the sequential solver bit for bit. The model output
 * at a new block start serves both G and the first stage of the next fine solve (one call).
 * Rounds: the coarse sweep takes B, iteration k takes (fine calls of the longest block - 1) + the
 * corrections still needed (at most B - k); srdsRoundBound gives the worst case.
 */
import { checkKeys, optionalCallback, requireOptions, shown } from '../options.ts';
import * as tf from '@tensorflow/tfjs';
import { euler } from '../solvers/euler.ts';
import { eulerJump, requireJump, type Jump } from '../solvers/jump.ts';
import { SOLVER_NAMES, SOLVERS, requireSolver } from '../solvers/registry.ts';
import type { Solver } from '../solvers/solver.ts';
import { Trajectory } from '../solvers/trajectory.ts';
import { readAll, tidy } from '../tensor.ts';
import { emitHit, roundMeter } from '../sampling/meter.ts';
import {
  validateTask,
  type SamplerHit,
  type SamplerHooks,
  type SamplerResult,
  type SamplingTask,
} from '../sampling/task.ts';
import { meanSquaredChange, noiseScale, validateTolerance } from './tolerance.ts';

export interface SrdsOptions extends SamplerHooks {
  /** Number of blocks B. Default round(sqrt(T)). */
  blocks?: number;
  /** Fine solver inside blocks: a single-step solver (blocks restart it; multistep history would not carry over). */
  fine?: Solver;
  /** Coarse first-order jump over a block. Default Euler. */
  coarse?: Jump;
  /** Stop when every block start changed by at most tolerance * noiseScale. Default 0.1; 0 runs to exactness. */
  tolerance?: number;
}

export interface SrdsResult extends SamplerResult<SamplerHit> {
  blocks: number;
  iterations: number;
  boundaries: number[];
}

/** Block boundaries n_0 = 0 < ... < n_B = T, blocks as even as possible. */
export const blockBoundaries = (T: number, B: number): number[] =>
  Array.from({ length: B + 1 }, (_, b) => Math.round((b * T) / B));

/** The most rounds SRDS can take (every iteration to B): B + sum_k (maxBlockCalls - 1 + B - k). */
export function srdsRoundBound(blockCalls: readonly number[]): number {
  const B = blockCalls.length,
    m = Math.max(...blockCalls);
  return B + B * (m - 1) + (B * (B - 1)) / 2;
}

/** Checks SRDS options (blocks within 1..T, a single-step fine solver, a tolerance >= 0) and fills defaults. */
const SRDS_KEYS: Record<keyof SrdsOptions, true> = {
  blocks: true,
  fine: true,
  coarse: true,
  tolerance: true,
  onHit: true,
  onRound: true,
};

/** The options object and its keys (before any work; validateSrds checks the values once T is known). */
export function checkSrdsOptions(name: string, o: SrdsOptions): void {
  requireOptions(name, o);
  checkKeys(name, o, SRDS_KEYS);
}

export function validateSrds(
  T: number,
  o: SrdsOptions,
  name = 'srds',
): { B: number; fine: Solver; coarse: Jump; tol: number } {
  const B = o.blocks ?? Math.max(1, Math.round(Math.sqrt(T))),
    fine = requireSolver(`${name}: fine`, o.fine ?? euler),
    coarse = requireJump(`${name}: coarse`, o.coarse ?? eulerJump),
    tol = o.tolerance ?? 0.1;
  if (!Number.isInteger(B) || B < 1 || B > T)
    throw new Error(`blocks: got ${shown(B)}; allowed: an integer from 1 to T = ${T}`);
  if (fine.multistep) {
    const allowed = SOLVER_NAMES.filter((s) => !SOLVERS[s].multistep).join(', ');
    throw new Error(
      `fine: SRDS needs a single-step fine solver (blocks restart it); got '${fine.name}'; allowed: ${allowed}`,
    );
  }
  validateTolerance(tol);
  optionalCallback(`${name}: onHit`, o.onHit);
  return { B, fine, coarse, tol };
}

export async function runSrds(task: SamplingTask, o: SrdsOptions = {}): Promise<SrdsResult> {
  checkSrdsOptions('srds', o);
  await validateTask(task, 'srds');
  const { executor, param, grid } = task,
    T = grid.length - 1;
  const { B, fine, coarse: G, tol } = validateSrds(T, o);
  const n = blockBoundaries(T, B);
  const meter = roundMeter(executor, o.onRound, { method: 'srds' }),
    hits: SamplerHit[] = [];
  // block starts X[b] with the model output there (both feed G; the output also starts the fine solve)
  const X: tf.Tensor[] = [tf.clone(task.x)],
    E: (tf.Tensor | undefined)[] = [];
  let round = 0,
    exact = 1,
    iterations = 0;
  const evalAt = async (pts: { x: tf.Tensor; t: number }[], what: (j: number) => string) => {
    const outs = await meter.evaluate(pts, what);
    meter.endRound(++round, 0);
    return outs;
  };
  const emit = () => emitHit(hits, meter, round, tf.clone(X[B]), o.onHit);
  try {
    for (let b = 0; b < B; b++) {
      // coarse sweep
      [E[b]] = await evalAt([{ x: X[b], t: grid[n[b]] }], () => `coarse sweep, block ${b}, step ${n[b]}`);
      X[b + 1] = tidy(() => G(param, X[b], E[b]!, grid[n[b]], grid[n[b + 1]]));
    }
    emit();
    while (exact <= B) {
      iterations++;
      // fine solves of blocks exact-1 .. B-1 in parallel, stage by stage; each block's first stage is E[b]
      const active = Array.from({ length: B - exact + 1 }, (_, k) => exact - 1 + k);
      const cur = active.map((b) => ({ b, path: new Trajectory(fine, param, grid, { x: X[b], i: n[b] }) }));
      try {
        for (;;) {
          const want = cur.filter((c) => c.path.i < n[c.b + 1]);
          if (!want.length) break;
          // a block's first stage is the model output at its start, already in E[b]
          const fresh = want.filter((c) => {
            if (c.path.i > n[c.b] || c.path.evaluated > 0) return true;
            c.path.request();
            c.path.receive(E[c.b]!, { borrowed: true });
            return false;
          });
          const pts = fresh.map((c) => c.path.request());
          const outs = pts.length
            ? await evalAt(pts, (j) => `iteration ${iterations}, block ${fresh[j].b}, step ${fresh[j].path.i}`)
            : [];
          fresh.forEach((c, j) => c.path.receive(outs[j]));
          for (const { path } of want) if (path.ready) path.finish();
        }
      } catch (e) {
        for (const { path } of cur) path.dispose();
        throw e;
      }
      const F = new Map(cur.map((c) => [c.b, c.path.take()] as const));
      // predictor-corrector, sequential over blocks; the first open start is F of an exact start
      // the changes of the block starts, read once after the sweep (as scalar tensors until then)
      const changes: { sq: tf.Scalar; scale: number }[] = [];
      const noteChange = (b: number) =>
        changes.push({
          sq: meanSquaredChange(newX[b], X[b]),
          scale: Math.max(noiseScale(param, grid, n[b] - 1), 1e-12),
        });
      const newX: tf.Tensor[] = [];
      newX[exact] = F.get(exact - 1)!;
      let read: Float32Array;
      try {
        noteChange(exact);
        for (let b = exact; b < B; b++) {
          const [e] = await evalAt(
            [{ x: newX[b], t: grid[n[b]] }],
            () => `iteration ${iterations}, correction of block ${b + 1}, step ${n[b]}`,
          );
          // (G(new) - G(old)) + F(old): not CHORDS's rectify order (F - G_own) + G_prev, so that an unchanged start
          // gives F exactly in float32
          newX[b + 1] = tidy(() =>
            tf.add(
              tf.sub(
                G(param, newX[b], e, grid[n[b]], grid[n[b + 1]]),
                G(param, X[b], E[b]!, grid[n[b]], grid[n[b + 1]]),
              ),
              F.get(b)!,
            ),
          );
          E[b]!.dispose();
          E[b] = e;
          noteChange(b + 1);
        }
        // (each evaluation above also had its finite flags read by the round meter, a small read of its own)
        read = await readAll(changes.map((c) => c.sq)); // frees the scalars
      } catch (e) {
        // a failed round mid-sweep: the fine results, the new starts made so far and the unread changes
        // (newX[exact] is F's own entry)
        tf.dispose([...F.values(), ...newX.slice(exact + 1).filter(Boolean), ...changes.map((c) => c.sq)]);
        throw e;
      }
      const change = Math.max(0, ...changes.map((c, q) => Math.sqrt(read[q]) / c.scale));
      for (const [b, f] of F) if (b !== exact - 1) f.dispose();
      for (let b = exact; b <= B; b++) {
        X[b].dispose();
        X[b] = newX[b];
      }
      E[exact - 1]?.dispose();
      E[exact - 1] = undefined; // that block is final now
      exact++;
      emit();
      if (change <= tol) break;
    }
  } catch (e) {
    tf.dispose(hits.map((h) => h.x));
    throw e;
  } finally {
    tf.dispose([...X, ...E.filter((e): e is tf.Tensor => !!e)]);
  }
  return { ...meter.totals(), hits, sample: hits[hits.length - 1].x, blocks: B, iterations, boundaries: n };
}
