/**
 * The CHORDS driver: a short loop over the plan. Each round it asks the executor for the model
 * outputs, applies the plan's updates, emits hits as soon as they exist, checks the stop rule and
 * releases what the plan says. Returns plain data; the hit tensors belong to the caller.
 */
import { checkKeys, optionalBoolean, optionalCallback, requireOptions } from '../options.ts';
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../diffusion/denoiser.ts';
import type { Parametrization } from '../diffusion/prediction.ts';
import { batchedExecutor } from '../executors/executor.ts';
import { roundMeter, type RoundMeter } from '../sampling/meter.ts';
import {
  disposeResult,
  requireTask,
  validateTask,
  type RoundReport,
  type SamplerHit,
  type SamplerHooks,
  type SamplerResult,
  type SamplingTask,
} from '../sampling/task.ts';
import { eulerJump, requireJump, type Jump } from '../solvers/jump.ts';
import { euler } from '../solvers/euler.ts';
import { callsAt, disposeState, emptyState, type Solver, type SolverState, type StepInput } from '../solvers/solver.ts';
import { stagePoint } from '../solvers/trajectory.ts';
import { squaredDistance, tidy } from '../tensor.ts';
import { validateInit } from './init.ts';
import { rectifiedHistory, validateHistoryRule, type HistoryRule } from './history.ts';
import { coarseJump, fineStep, rectify } from './math.ts';
import { OLDER_ESTIMATES, slowerEstimates, spawnJump, validatePredictor, type ChordsPredictor } from './spawn.ts';
import { planChords, type PlanOp, type PlanRound } from './plan.ts';
import { NodeStore } from './store.ts';
import { residualNorm, validateStop, type StopRule } from './stop.ts';
import { requireSolver } from '../solvers/registry.ts';

export interface ChordsOptions extends SamplerHooks<ChordsHit> {
  /** Init sequence, one start index per core (see initSequence / CHORDS_PRESETS). */
  init: readonly number[];
  /** Fine solver of every core. Default euler. */
  fine?: Solver;
  /** First-order coarse jump to shoot, rectify and spawn (predictor 'coarse'). Default Euler (the reference). */
  coarse?: Jump;
  /** Default { kind: 'complete' }. */
  stop?: StopRule;
  /** Default true; false disables rectification (ablation). */
  rectify?: boolean;
  /** What a multistep fine solver's history becomes after a rectification (history.ts). Default 'keep'. */
  history?: HistoryRule;
  /**
   * Cores spawned at once from the newest core's first point (plan.ts; ours): 1 (default) is the reference's
   * chain, one new core per round; larger values start the fast cores sooner from coarser starts.
   */
  spawnPerRound?: number;
  /**
   * A spawned core's first value (spawn.ts spawnJump; ours): 'coarse' (default, the reference) the coarse jump;
   * 'linear' / 'quadratic' a jump with the x0 estimate extrapolated in log-SNR through the newest core's first
   * point and the slower cores' newest 1 / 2 estimates (a multistep fine solver's; with none, the coarse jump).
   */
  predictor?: ChordsPredictor;
  /** Check every model output for NaN/Inf each round (read in the round's one readback). Default true. */
  checkFinite?: boolean;
}

const CHORDS_KEYS: Record<keyof ChordsOptions, true> = {
  init: true,
  fine: true,
  coarse: true,
  stop: true,
  rectify: true,
  history: true,
  spawnPerRound: true,
  predictor: true,
  checkFinite: true,
  onHit: true,
  onRound: true,
};

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

/**
 * True if the latest hit satisfies the stop rule (checked only when a core hits); `residual` is the latest hit's
 * residual to the one before it (read in the round's readback).
 */
function shouldStop(stop: StopRule, hits: ChordsHit[], residual: number | undefined): boolean {
  if (stop.kind === 'core-index') return hits.length - 1 >= stop.index;
  if (stop.kind === 'residual') return residual !== undefined && residual < stop.tol;
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
  requireOptions('chords', options, '{ init: [0, ...], fine?, stop?, ... }');
  checkKeys('chords', options, CHORDS_KEYS);
  requireTask('chords', task);
  const { executor, param, grid } = task;
  const fine = requireSolver('chords: fine', options.fine ?? euler),
    coarse = requireJump('chords: coarse', options.coarse ?? eulerJump);
  const stop = options.stop ?? { kind: 'complete' },
    checkFinite = optionalBoolean('chords: checkFinite', options.checkFinite) ?? true;
  optionalBoolean('chords: rectify', options.rectify);
  optionalCallback('chords: onHit', options.onHit);
  const norm = stop.kind === 'residual' ? stop.norm : undefined;
  await validateTask(task, 'chords');
  const T = grid.length - 1;
  validateInit(options.init, T);
  validateStop(stop, options.init.length);
  const history = options.history ?? 'keep';
  validateHistoryRule(history);
  const predictor = validatePredictor(options.predictor ?? 'coarse', param);
  validateJump(coarse, param, grid);
  const t0 = performance.now();
  const plan = planChords({
    steps: T,
    init: options.init,
    calls: (i, s) => callsAt(fine, param, grid, i, s),
    rectify: options.rectify,
    spawnPerRound: options.spawnPerRound,
  });
  const planMs = performance.now() - t0;

  const store = new NodeStore(T),
    states: SolverState[] = [];
  const hits: ChordsHit[] = [],
    meter = roundMeter(executor, options.onRound, { method: 'chords', checkFinite });
  const step = (core: number, i: number): StepInput => ({
    x: store.x(core, i),
    t: grid[i],
    tNext: grid[i + 1],
    state: states[core],
  });
  const ctx: RoundContext = { fine, coarse, history, predictor, param, grid, init: options.init, store, states };
  let stoppedBy: StopRule['kind'] = 'complete';
  store.setX(0, 0, tf.clone(task.x));
  states[0] = fine.init();
  try {
    for (const round of plan.values()) {
      await evaluatePoints(round, store, step, fine, param, meter, grid);
      const arrived = applyOps(round.ops, ctx, step);
      const xs = round.hits.map((h) => (h.kind === 'coarse' ? arrived.coarse! : arrived.cores.get(h.core)!));
      // The round's one readback (meter.read): the meter's deferred finite flags of the round's model outputs and,
      // for a residual rule, each core hit's distance to its predecessor (every hit of the round is in the list; a
      // stop only drops the later ones).
      const pairs: { j: number; prev: tf.Tensor }[] = [];
      if (stop.kind === 'residual')
        round.hits.forEach((h, j) => {
          const prev = j > 0 ? xs[j - 1] : hits[hits.length - 1]?.x;
          if (h.kind === 'core' && prev) pairs.push({ j, prev });
        });
      let read: Float32Array;
      try {
        read = await meter.read(pairs.map((p) => squaredDistance(xs[p.j], p.prev)));
      } catch (e) {
        tf.dispose(xs);
        throw e;
      }
      const residuals = new Map(pairs.map((p, q) => [p.j, residualNorm(read[q], xs[p.j].size, norm)]));
      let stopNow = false;
      for (const [j, h] of round.hits.entries()) {
        const x = xs[j];
        if (stopNow) {
          x.dispose();
          continue;
        }
        const hit: ChordsHit = { index: hits.length, ...h, round: round.round, ...meter.progress(), x };
        hits.push(hit);
        if (h.kind === 'core') {
          disposeState(states[h.core]);
          states[h.core] = emptyState();
        }
        try {
          options.onHit?.(hit);
        } catch (e) {
          tf.dispose(xs.slice(j + 1)); // this round's later hits are not in `hits` yet
          throw e;
        }
        if (h.kind === 'core' && shouldStop(stop, hits, residuals.get(j))) {
          stopNow = true;
          stoppedBy = stop.kind;
        }
      }
      for (const it of round.release) store.release(it);
      meter.endRound(round.round, round.hits.length);
      if (stopNow) break;
    }
  } catch (e) {
    meter.discard();
    disposeResult({ hits });
    throw e;
  } finally {
    store.dispose();
    for (const s of states) disposeState(s);
  }
  return { ...meter.totals(), hits, sample: hits[hits.length - 1].x, init: [...options.init], stoppedBy, planMs };
}

/** What the round's updates need. */
interface RoundContext {
  fine: Solver;
  coarse: Jump;
  history: HistoryRule;
  predictor: ChordsPredictor;
  param: Parametrization;
  grid: readonly number[];
  init: readonly number[];
  store: NodeStore;
  states: SolverState[];
}

/** Evaluates a round's stage points (stage 0 is the stored point; later ones from the solver) and stores them. */
async function evaluatePoints(
  round: PlanRound,
  store: NodeStore,
  step: (core: number, i: number) => StepInput,
  fine: Solver,
  param: Parametrization,
  meter: RoundMeter,
  grid: readonly number[],
): Promise<tf.Tensor[]> {
  const points = round.evals.map((ev) => stagePoint(fine, param, step(ev.core, ev.i), store.stages(ev.core, ev.i)));
  let outs: tf.Tensor[];
  try {
    const where = (j: number) => {
      const { core, i, stage } = round.evals[j];
      return `core ${core}, step ${i} (t = ${grid[i]})${stage ? `, stage ${stage}` : ''}`;
    };
    outs = await meter.evaluate(points, where, { defer: true }); // read with the round's other values
  } catch (e) {
    for (const p of points) if (p.owned) p.x.dispose();
    throw e;
  }
  round.evals.forEach((ev, j) => {
    const { x, t, owned } = points[j];
    store.addStage(ev.core, ev.i, { x, t, out: outs[j], ownsX: owned, ownsOut: true });
  });
  return outs;
}

/** Applies a round's updates; points reaching T (core hits) and the coarse shot are handed back, not stored. */
function applyOps(
  ops: readonly PlanOp[],
  { fine, coarse, history, predictor, param, grid, init, store, states }: RoundContext,
  step: (core: number, i: number) => StepInput,
): { coarse?: tf.Tensor; cores: Map<number, tf.Tensor> } {
  const T = grid.length - 1;
  const arrived: { coarse?: tf.Tensor; cores: Map<number, tf.Tensor> } = { cores: new Map() };
  for (const op of ops) {
    if (op.kind === 'fine' || op.kind === 'rectify') {
      const { core: k, i } = op;
      const next = tidy(() => {
        const f = fineStep(fine, param, step(k, i), store.stages(k, i));
        if (op.kind === 'fine') return f;
        const own = store.first({ core: k, i: op.begin }),
          slower = store.first({ core: k - 1, i: op.begin });
        const gOwn = coarseJump(coarse, param, own, grid[i + 1]);
        const gPrev = coarseJump(coarse, param, slower, grid[i + 1]);
        return { x: rectify(f.x, gOwn, gPrev), state: rectifiedHistory(history, param, f.state, own, slower) };
      });
      disposeState(states[k]);
      states[k] = next.state;
      if (i + 1 === T) arrived.cores.set(k, next.x);
      else store.setX(k, i + 1, next.x);
    } else if (op.kind === 'spawn') {
      const s = init[op.core],
        at = store.first(op.from);
      const older =
        OLDER_ESTIMATES[predictor] === 0
          ? []
          : slowerEstimates(states, op.from.core, param.schedule!.lambda(at.t), OLDER_ESTIMATES[predictor]);
      store.setX(
        op.core,
        s,
        tidy(() => spawnJump(coarse, param, at, older, grid[s])),
      );
      states[op.core] = fine.init();
    } else arrived.coarse = tidy(() => coarseJump(coarse, param, store.first(op.from), grid[T]));
  }
  return arrived;
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
