/**
 * Pipelined SRDS (Selvam et al. 2024, the pipelined schedule): the same Parareal iterates as runSrds,
 * X^k_{b+1} = G(X^k_b) + F(X^{k-1}_b) - G(X^{k-1}_b), with the first open start taken as F of an exact
 * start, but scheduled as a dataflow: every model evaluation whose input exists runs in the next
 * round, so iteration k's fine solve of block b starts as soon as X^{k-1}_b is known instead of
 * after the whole correction sweep. Same samples as runSrds (bit for bit), fewer rounds, more
 * calls spent speculatively on iterations that the stop rule may not need.
 */
import * as tf from '@tensorflow/tfjs';
import { Trajectory } from '../solvers/trajectory.ts';
import { readAll, tidy } from '../tensor.ts';
import { emitHit, roundMeter } from '../sampling/meter.ts';
import { validateTask, type SamplerHit, type SamplingTask } from '../sampling/task.ts';
import { blockBoundaries, checkSrdsOptions, validateSrds, type SrdsOptions, type SrdsResult } from './srds.ts';
import { meanSquaredChange, noiseScale } from './tolerance.ts';

/** Iteration k's fine solve of block b. */
interface Fine {
  k: number;
  b: number;
  path: Trajectory;
}

export async function runSrdsPipelined(task: SamplingTask, o: SrdsOptions = {}): Promise<SrdsResult> {
  checkSrdsOptions('srds-pipelined', o);
  await validateTask(task, 'srds-pipelined');
  const { executor, param, grid } = task,
    T = grid.length - 1;
  const { B, fine: fineSolver, coarse: jump, tol } = validateSrds(T, o, 'srds-pipelined');
  const n = blockBoundaries(T, B);
  const meter = roundMeter(executor, o.onRound, { method: 'srds-pipelined' }),
    hits: SamplerHit[] = [];
  // X[k][b]: block start b after iteration k; E[k][b]: the model output there; F[k][b]: fine solve of block b from
  // X[k-1][b]
  const start = tf.clone(task.x);
  // every iteration's row exists from the start (all begin at x): the schedule is a pure dataflow
  const X: tf.Tensor[][] = Array.from({ length: B + 1 }, () => [start]),
    E: tf.Tensor[][] = [[]],
    F: tf.Tensor[][] = [[]];
  const owned: tf.Tensor[] = [start];
  const running: Fine[] = [];
  let round = 0,
    done = -1,
    iterations = 0;
  const at = <V>(m: V[][], k: number, b: number): V | undefined => m[k]?.[b];
  const set = <V>(m: V[][], k: number, b: number, v: V) => {
    (m[k] ??= [])[b] = v;
  };
  const ready = (k: number) => X[k]?.[B] !== undefined;
  try {
    for (;;) {
      // 1. every evaluation whose input exists: block starts still open, and stages of running fine solves
      const pts: { x: tf.Tensor; t: number; kind: 'start' | 'stage'; k: number; b: number; f?: Fine }[] = [];
      for (let k = 0; k < B; k++)
        for (let b = k; b < B; b++)
          if (at(X, k, b) && !at(E, k, b)) pts.push({ x: X[k][b], t: grid[n[b]], kind: 'start', k, b });
      // a running solve always has a next stage: its first one was received with the block start's output
      for (const f of running) pts.push({ ...f.path.request(), kind: 'stage', k: f.k, b: f.b, f });
      if (!pts.length) throw new Error('srds (pipelined): no evaluation is possible; the schedule is stuck');
      const where = (j: number) =>
        `iteration ${pts[j].k}, block ${pts[j].b}, step ${pts[j].kind === 'start' ? n[pts[j].b] : pts[j].f!.path.i}`;
      const outs = await meter.evaluate(pts, where);
      round++;
      // 2. record outputs: a block start's output also starts the next iteration's fine solve of that block
      pts.forEach((p, j) => {
        if (p.kind === 'stage') return p.f!.path.receive(outs[j]);
        set(E, p.k, p.b, outs[j]);
        const path = new Trajectory(fineSolver, param, grid, { x: p.x, i: n[p.b] });
        path.request();
        path.receive(outs[j], { borrowed: true });
        running.push({ k: p.k + 1, b: p.b, path });
      });
      // 3. finish fine steps whose stages are all in; a solve reaching its block end is F[k][b]
      for (const f of [...running]) {
        if (!f.path.ready) continue;
        f.path.finish();
        if (f.path.i === n[f.b + 1]) {
          const x = f.path.take();
          set(F, f.k, f.b, x);
          owned.push(x);
          running.splice(running.indexOf(f), 1);
        }
      }
      // 4. every block start now computable: exact ones carried over, the first open one F, the rest corrected
      for (let progress = true; progress; ) {
        progress = false;
        for (let k = 0; k <= B; k++)
          for (let b = 0; b < B; b++) {
            if (at(X, k, b + 1) || !at(X, k, b)) continue;
            let v: tf.Tensor | undefined;
            if (k === 0) v = at(E, 0, b) && tidy(() => jump(param, X[0][b], E[0][b], grid[n[b]], grid[n[b + 1]]));
            else if (b + 1 < k) v = X[k - 1][b + 1];
            else if (b + 1 === k) v = at(F, k, b);
            else if (at(E, k, b) && at(F, k, b) && at(E, k - 1, b))
              v = tidy(() =>
                tf.add(
                  tf.sub(
                    jump(param, X[k][b], E[k][b], grid[n[b]], grid[n[b + 1]]),
                    jump(param, X[k - 1][b], E[k - 1][b], grid[n[b]], grid[n[b + 1]]),
                  ),
                  F[k][b],
                ),
              );
            if (!v) continue;
            if (v !== X[k - 1]?.[b + 1] && v !== at(F, k, b)) owned.push(v);
            set(X, k, b + 1, v);
            progress = true;
          }
      }
      // 5. iterations completed this round: emit, and stop when converged or exact; the changes of every
      // iteration completed this round are read in one readback (the round meter read the outputs' finite flags
      // in a second, small read)
      const completed: number[] = [];
      for (let k = done + 1; ready(k); k++) completed.push(k);
      const measured = completed.filter((k) => k >= 1);
      const read = await readAll(
        measured.flatMap((k) => Array.from({ length: B }, (_, q) => meanSquaredChange(X[k][q + 1], X[k - 1][q + 1]))),
      );
      let stop = false;
      for (const k of completed) {
        if (stop) break;
        done = k;
        emitHit(hits, meter, round, tf.clone(X[done][B]), o.onHit);
        if (done >= 1) {
          iterations = done;
          const at0 = measured.indexOf(done) * B;
          let change = 0;
          for (let b = 1; b <= B; b++)
            change = Math.max(
              change,
              Math.sqrt(read[at0 + b - 1]) / Math.max(noiseScale(param, grid, n[b] - 1), 1e-12),
            );
          stop = change <= tol || done >= B;
        }
      }
      meter.endRound(round, 0);
      if (stop) break;
    }
  } catch (e) {
    tf.dispose(hits.map((h) => h.x));
    throw e;
  } finally {
    for (const f of running) f.path.dispose();
    tf.dispose([...new Set([...owned, ...E.flat().filter(Boolean)])]);
  }
  return { ...meter.totals(), hits, sample: hits[hits.length - 1].x, blocks: B, iterations, boundaries: n };
}
