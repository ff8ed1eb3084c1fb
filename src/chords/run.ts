/**
 * The CHORDS driver: a short loop over the plan. Each round it asks the executor for the model
 * outputs, applies the plan's updates, emits hits as soon as they exist, checks the stop rule and
 * releases what the plan says. Returns plain data; the hit tensors belong to the caller.
 */
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../diffusion/denoiser.ts';
import type { Parametrization } from '../diffusion/prediction.ts';
import { batchedExecutor } from '../parallel/executor.ts';
import {
  disposeResult,
  roundMeter,
  validateTask,
  type RoundReport,
  type SamplerHit,
  type SamplerResult,
  type SamplingTask,
} from '../task.ts';
import { eulerJump, type Jump } from '../solvers/jump.ts';
import { euler } from '../solvers/euler.ts';
import { callsAt, disposeState, type Solver, type SolverState, type StageEval } from '../solvers/solver.ts';
import { tidy } from '../tensor.ts';
import { validateInit } from './init.ts';
import { rectifiedHistory, validateHistoryRule, type HistoryRule } from './history.ts';
import { coarseJump, fineStep, rectify } from './math.ts';
import { planChords, type PlanHit, type StoreItem } from './plan.ts';
import { residual, validateStop, type StopRule } from './stop.ts';

export interface ChordsOptions {
  /** Init sequence, one start index per core (see initSequence / CHORDS_PRESETS). */
  init: readonly number[];
  /** Fine solver of every core. Default euler. */
  fine?: Solver;
  /** First-order coarse jump used to spawn, shoot and rectify. Default Euler (the reference). */
  coarse?: Jump;
  /** Default { kind: 'complete' }. */
  stop?: StopRule;
  /** Default true; false disables rectification (ablation). */
  rectify?: boolean;
  /** What a multistep fine solver's history becomes after a rectification (history.ts). Default 'keep'. */
  history?: HistoryRule;
  /** Called with every hit as soon as it exists (the tensor belongs to the result; do not dispose). */
  onHit?: (hit: ChordsHit) => void;
  onRound?: (round: RoundReport) => void;
  /** Check every model output for NaN/Inf each round (one small sync per round). Default true. */
  checkFinite?: boolean;
}

export interface ChordsHit extends SamplerHit {
  /** 0 is the coarse shot, then 1, 2, ... in the order hits appear. */
  index: number;
  kind: 'coarse' | 'core';
  core: number;
  round: number;
  /** Model calls (core-point evaluations) up to and including this round. */
  modelCalls: number;
  /** Milliseconds since the run started. */
  wallMs: number;
  /** The sample [n, ...]; owned by the caller (disposeResult frees all). */
  x: tf.Tensor;
}

export interface ChordsResult extends SamplerResult<ChordsHit> {
  init: number[];
  stoppedBy: StopRule['kind'];
  /** Time spent planning, before the first round (not part of wallMs). */
  planMs: number;
}

const xKey = (core: number, i: number) => `x:${core}:${i}`;
const eKey = (core: number, i: number, stage: number) => `e:${core}:${i}:${stage}`;

/** True if the latest hit satisfies the stop rule (checked only when a core hits). */
function shouldStop(stop: StopRule, hits: ChordsHit[]): boolean {
  if (stop.kind === 'core-index') return hits.length - 1 >= stop.index;
  if (stop.kind === 'residual')
    return hits.length >= 2 && residual(hits[hits.length - 1].x, hits[hits.length - 2].x, stop.norm) < stop.tol;
  return false;
}

/** Dry-runs a jump on a one-element tensor, so a jump the model cannot support fails before any model call. */
export function validateJump(jump: Jump, param: Parametrization, grid: readonly number[]): void {
  tf.tidy(() => {
    const z = tf.zeros([1, 1]);
    jump(param, z, z, grid[0], grid[1]);
  });
}

/** Runs CHORDS (Han et al. 2025) over an executor. */
export async function runChords(task: SamplingTask, options: ChordsOptions): Promise<ChordsResult> {
  const { executor, param, grid } = task;
  const fine = options.fine ?? euler,
    coarse = options.coarse ?? eulerJump;
  const stop = options.stop ?? { kind: 'complete' },
    checkFinite = options.checkFinite ?? true;
  validateTask(task);
  const T = grid.length - 1;
  validateInit(options.init, T);
  validateStop(stop);
  const historyRule = options.history ?? 'keep';
  validateHistoryRule(historyRule);
  validateJump(coarse, param, grid);
  const t0 = performance.now();
  const plan = planChords({
    steps: T,
    init: options.init,
    calls: (i, s) => callsAt(fine, param, grid, i, s),
    rectify: options.rectify,
  });
  const planMs = performance.now() - t0;

  const xs = new Map<string, tf.Tensor>(),
    es = new Map<string, StageEval>(),
    states: SolverState[] = [];
  const hits: ChordsHit[] = [],
    meter = roundMeter(executor, options.onRound);
  let stoppedBy: StopRule['kind'] = 'complete';
  const get = (core: number, i: number) => xs.get(xKey(core, i))!;
  const evalsOf = (core: number, i: number) => {
    const out: StageEval[] = [];
    for (let s = 0; es.has(eKey(core, i, s)); s++) out.push(es.get(eKey(core, i, s))!);
    return out;
  };
  const step = (core: number, i: number) => ({ x: get(core, i), t: grid[i], tNext: grid[i + 1], state: states[core] });
  const release = (it: StoreItem) => {
    if (it.kind === 'x') {
      xs.get(xKey(it.core, it.i))?.dispose();
      xs.delete(xKey(it.core, it.i));
      return;
    }
    const e = es.get(eKey(it.core, it.i, it.stage));
    if (!e) return;
    e.out.dispose();
    if (it.stage > 0) e.x.dispose(); // stage 0's point is x(core, i), released as an x item
    es.delete(eKey(it.core, it.i, it.stage));
  };

  xs.set(xKey(0, 0), tf.clone(task.x));
  states[0] = fine.init();
  try {
    for (const round of plan.values()) {
      // stage points beyond 0 come from the solver; stage 0 is the stored state
      const points = round.evals.map((ev) =>
        ev.stage === 0
          ? { x: get(ev.core, ev.i), t: grid[ev.i] }
          : tidy(() => fine.stage(param, step(ev.core, ev.i), evalsOf(ev.core, ev.i))),
      );
      let outs: tf.Tensor[];
      try {
        outs = await meter.evaluate(
          points,
          (j) => `round ${round.round}, core ${round.evals[j].core}, step ${round.evals[j].i}`,
        );
      } catch (e) {
        round.evals.forEach((ev, j) => {
          if (ev.stage > 0) points[j].x.dispose();
        });
        throw e;
      }
      round.evals.forEach((ev, j) =>
        es.set(eKey(ev.core, ev.i, ev.stage), { x: points[j].x, t: points[j].t, out: outs[j] }),
      );
      if (checkFinite) {
        const ok = tf.tidy(() => tf.stack(outs.map((o) => tf.all(tf.isFinite(o)))).dataSync());
        const bad = round.evals.find((_, j) => !ok[j]);
        if (bad)
          throw new Error(
            `model output is not finite (NaN or Inf) at core ${bad.core}, step ${bad.i} (t = ${grid[bad.i]}), stage ${bad.stage}, round ${round.round}`,
          );
      }
      const pending = new Map<string, tf.Tensor>();
      const put = (core: number, i: number, x: tf.Tensor) =>
        i === T ? pending.set(`core:${core}`, x) : xs.set(xKey(core, i), x);
      for (const op of round.ops) {
        if (op.kind === 'fine' || op.kind === 'rectify') {
          const k = op.core,
            i = op.i;
          const next = tidy(() => {
            const f = fineStep(fine, param, step(k, i), evalsOf(k, i));
            if (op.kind === 'fine') return f;
            const own = es.get(eKey(k, op.begin, 0))!,
              slower = es.get(eKey(k - 1, op.begin, 0))!;
            const gOwn = coarseJump(coarse, param, own, grid[i + 1]);
            const gPrev = coarseJump(coarse, param, slower, grid[i + 1]);
            return {
              x: rectify(f.x, gOwn, gPrev),
              state: rectifiedHistory(historyRule, param, f.state, own, slower),
            };
          });
          disposeState(states[k]);
          states[k] = next.state;
          put(k, i + 1, next.x);
        } else if (op.kind === 'spawn') {
          const from = es.get(eKey(op.from.core, op.from.i, 0))!;
          xs.set(
            xKey(op.core, options.init[op.core]),
            tidy(() => coarseJump(coarse, param, from, grid[options.init[op.core]])),
          );
          states[op.core] = fine.init();
        } else {
          pending.set(
            'coarse',
            tidy(() => coarseJump(coarse, param, es.get(eKey(op.from.core, op.from.i, 0))!, grid[T])),
          );
        }
      }
      let stopNow = false;
      for (const h of round.hits as PlanHit[]) {
        const x = pending.get(h.kind === 'coarse' ? 'coarse' : `core:${h.core}`)!;
        pending.delete(h.kind === 'coarse' ? 'coarse' : `core:${h.core}`);
        if (stopNow) {
          x.dispose();
          continue;
        }
        const hit: ChordsHit = {
          index: hits.length,
          kind: h.kind,
          core: h.core,
          round: round.round,
          modelCalls: meter.modelCalls,
          wallMs: meter.elapsed(),
          x,
        };
        hits.push(hit);
        if (h.kind === 'core') {
          disposeState(states[h.core]);
          states[h.core] = { history: [] };
        }
        options.onHit?.(hit);
        if (h.kind === 'core' && shouldStop(stop, hits)) {
          stopNow = true;
          stoppedBy = stop.kind;
        }
      }
      for (const it of round.release) release(it);
      meter.endRound(round.round, round.hits.length);
      if (stopNow) break;
    }
  } catch (e) {
    disposeResult({ hits });
    throw e;
  } finally {
    for (const x of xs.values()) x.dispose();
    for (const [k, e] of es) {
      e.out.dispose();
      if (!k.endsWith(':0')) e.x.dispose();
    }
    for (const s of states) disposeState(s);
  }
  return { ...meter.totals(), hits, sample: hits[hits.length - 1].x, init: [...options.init], stoppedBy, planMs };
}

/** CHORDS on one device: a Denoiser evaluated by the batched executor (virtual cores). */
export function chords(
  model: Denoiser,
  x: tf.Tensor,
  grid: readonly number[],
  options: ChordsOptions,
): Promise<ChordsResult> {
  return runChords({ executor: batchedExecutor(model), param: model, grid, x }, options);
}

export { disposeResult, type RoundReport, type SamplerResult, type SamplingTask };
