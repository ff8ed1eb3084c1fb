/**
 * Picard iteration over a whole high-order solver (a generalised ParaDiGMS), optionally with
 * triangular Anderson acceleration (ParaTAA, Tang et al., ICML 2024). See REFERENCE.md.
 *
 * The trajectory of the base solver on the grid is a chain of nodes, one per model call: the grid
 * points and, for a multi-stage step (the 3M start), its stage points; node N is the final point. Every
 * node's state is x_n = c_n x_base + sum g D_k with D_k the model's x0 estimate at earlier nodes and
 * c_n = sigma(t_n) / sigma(t_base) (linear-form.ts), i.e. a cumulative sum on y = x / sigma. A round
 * evaluates the model at the K window nodes of every sample; the new values follow point after point
 * from the solver's own formula at the points where the model was evaluated, plus c times the change
 * of the base node: x_n = finish(x_base^eval, outputs) + c (x_base^new - x_base^eval). The correction
 * is exactly 0 at a fixed point, so the fixed point is the sequential solver's float sequence bit for
 * bit. History before the window comes from the stored model outputs. The window of each sample slides
 * by the ParaDiGMS rule: the first node whose squared change per element exceeds tol^2 sigma(t)^2
 * restarts the window at itself (it was computed from converged nodes, so at most N rounds). Nodes
 * entering the window start from a DDIM jump from the window's new last node with the newest x0
 * estimate (the furthest evaluated node's), or with `predictor: 'linear'` / 'quadratic' from the exact integral
 * of that estimate extrapolated in log-SNR; the first window starts from copies of x_0. With `secant`, the new
 * values also carry each window node's x0 estimate forward to the node's new state by a scalar secant estimate
 * of dD/dx (secant.ts): D_k + a_k (x_k^new - x_k^eval), a quasi-Newton sweep whose correction is exactly 0 at
 * a fixed point.
 */
import { checkKeys, optionalCallback, requireOptions, shown } from '../options.ts';
import * as tf from '@tensorflow/tfjs';
import {
  PICARD_PREDICTORS,
  PICARD_SCALES,
  PICARD_ACCEPTANCE,
  PICARD_WINDOW_MODES,
  type PicardPredictor,
  type PicardScale,
  type PicardAcceptance,
  type PicardWindowMode,
} from '../names.ts';
import { x0Of, type Parametrization } from '../diffusion/prediction.ts';
import { x0Jump, x0Slope } from '../solvers/jump.ts';

import { dpmpp2m } from '../solvers/dpm-solver-pp.ts';
import { requireLinearForm } from '../solvers/linear-form.ts';
import { SOLVERS, requireSolver } from '../solvers/registry.ts';
import { pastTimes, type HistoryEntry, type Solver, type StageEval, type StepInput } from '../solvers/solver.ts';
import { readValues, tidy } from '../tensor.ts';
import { roundMeter } from '../sampling/meter.ts';
import {
  validateTask,
  type RoundReport,
  type SamplerHit,
  type SamplerResult,
  type SamplingTask,
} from '../sampling/task.ts';
import { validateTolerance } from './tolerance.ts';
import { andersonStep, validateAnderson, type AndersonHistory } from './anderson.ts';
import { secantFit } from './secant.ts';
import { fails, meanSquarePerSample } from './window.ts';

/** The secant test's floor on the miss: a node's change counts at least this much (the miss is an estimate). */
const MISS_FLOOR = 0.3;

/** Evaluated nodes each predictor extrapolates through. */
const PREDICTOR_POINTS: Record<PicardPredictor, number> = { ddim: 1, linear: 2, quadratic: 3 };

/** Solvers with a linear form (the ones Picard accepts), from the registry's capabilities. */
export const PICARD_SOLVERS: readonly string[] = Object.values(SOLVERS)
  .filter((s) => s.linear !== undefined)
  .map((s) => s.name);

export interface PicardOptions {
  /** Window K: model evaluations per sample per round. Default 8. */
  window?: number;
  /** A node passes when its mean squared change per element <= tolerance^2 scale(t)^2. Default 1e-3; 0: exact. */
  tolerance?: number;
  /**
   * The scale of the test: 'noise' sigma(t) (the ParaDiGMS rule; default) or 'state' sqrt(alpha^2 + sigma^2),
   * the scale of the state itself, which does not vanish at the data end (fewer rounds near it).
   */
  scale?: PicardScale;
  /**
   * The first value of a node entering the window, jumped from the window's last node: 'ddim' with the newest
   * x0 estimate (the furthest evaluated node's; the ParaDiGMS-style start); 'linear' / 'quadratic' (default)
   * with the x0 estimate extrapolated in log-SNR through the two / three furthest evaluated nodes (the idea of
   * DPM-Solver++ 2M / 3M), integrated exactly. Only the start of the iteration changes, never its fixed point.
   */
  predictor?: PicardPredictor;
  /** The base solver (it needs a linear form: ddim, dpmpp-2m, dpmpp-3m). Default dpmpp-2m. */
  solver?: Solver;
  /**
   * 'per-sample': every sample slides its own window, so one round mixes samples at different nodes and a
   * request holds a subset of the batch. 'shared': one window for the batch, a node fails if any sample
   * fails; needed for models whose conditioning depends on the row position in a batch (the shipped DiT
   * with several labels gives row r labels[r mod labels.length]; `rowConditioned` on the model says so).
   * 'auto' (default): shared for a row-conditioned model, else per-sample.
   */
  windows?: PicardWindowMode;
  /**
   * A quasi-Newton sweep (ours): each window node's x0 estimate follows the change of the node's state in this
   * round's new values, by a scalar secant estimate of dD/dx from the node's last two evaluations (a node
   * evaluated once borrows the estimate of the nearest earlier window node), clamped to [0, 2 / alpha(t)] at the
   * node it was estimated at.
   * Only the iteration changes, never its fixed point. Steps with more than one model call (the 3M start) keep
   * the plain update. Default true, false with `anderson` (ParaTAA as described; false: the plain update).
   */
  secant?: boolean;
  /**
   * The acceptance test: 'change' (default) the ParaDiGMS rule on a node's change; 'secant' (needs `secant`,
   * ours) for a node evaluated at least twice, its change times the secant's miss at the node (the part of its
   * x0 estimate's response a scalar dD/dx does not explain, at least 0.3), since the sweep already carried the
   * rest. Nodes evaluated once keep the change test. Tolerance 0 stays exact (only no change passes).
   */
  acceptance?: PicardAcceptance;
  /** Triangular Anderson acceleration (ParaTAA). Default false. */
  anderson?: boolean;
  /** Anderson depth m: earlier iterates per node. Default 2; allowed 1 to 5. */
  andersonDepth?: number;
  /** Anderson ridge, relative to the mean diagonal of the normal matrix. Default 0.1; allowed > 0. */
  andersonRegularization?: number;
  /** Stop after this many rounds (the sample is then the latest intermediate result). Default: no limit. */
  maxRounds?: number;
  /**
   * The window moves by at most this many nodes a round (ours; default: the window, the ParaDiGMS rule). Below
   * the window the furthest nodes are never accepted on their first evaluation, which keeps samples near a mode
   * boundary in their mode at looser tolerances (exp:boundary). Allowed: an integer >= 1 (at or above the
   * window it changes nothing) or Infinity.
   */
  maxAdvance?: number;
  onHit?: (hit: SamplerHit) => void;
  onRound?: (r: RoundReport) => void;
}

/** The window [begin, end) of every sample in one round, in node indices. */
export interface PicardWindows {
  round: number;
  begin: number[];
  end: number[];
}

/**
 * `modelCalls` (here and in the hits) counts rows evaluated / batch size: K per round while the samples'
 * windows are in step. A round sends one request per node index, so the executor sees more requests
 * (and the round reports count them) when the windows of the samples have drifted apart.
 */
export interface PicardResult extends SamplerResult<SamplerHit> {
  window: number;
  solver: string;
  anderson: boolean;
  /** Model evaluations of the sequential solver on this grid = its rounds = the last node index N. */
  nodes: number;
  /** Rows the model evaluated (one per sample and node), all rounds. */
  sampleEvals: number;
  windows: PicardWindows[];
}

/** One model call of the base solver's trajectory: stage s of step j at time t (node N: j = T). */
interface Node {
  j: number;
  s: number;
  t: number;
}

/** One sample's evaluation at a node: the state, the model output there and the x0 estimate read from it. */
interface Evaluation {
  x: tf.Tensor;
  out: tf.Tensor;
  d: tf.Tensor;
}

/** One sample's secant fit at a node (secant.ts), tensors of shape [1]. */
interface LaneFit {
  response: tf.Tensor;
  miss?: tf.Tensor;
}
const fitTensors = (f: LaneFit | undefined): tf.Tensor[] => (f ? [f.response, ...(f.miss ? [f.miss] : [])] : []);

interface Lane {
  begin: number;
  /** Current value of every node (undefined until it enters a window). */
  x: (tf.Tensor | undefined)[];
  /** The latest evaluation of every node: where (a copy of the state), the model output and its x0 estimate. */
  ev: (Evaluation | undefined)[];
  /** Furthest node evaluated so far. */
  lastEval: number;
  /** The secant fit of every node between its last two evaluations (tensors [1]; none before a second one). */
  fit: (LaneFit | undefined)[];
  anderson: Map<number, AndersonHistory>;
}

/** The nodes of the solver on the grid and the node index of every grid point. */
function buildNodes(solver: Solver, p: Parametrization, grid: readonly number[]): { nodes: Node[]; first: number[] } {
  const nodes: Node[] = [],
    first: number[] = [];
  const z = tf.zeros([1, 1]);
  try {
    for (let j = 0; j + 1 < grid.length; j++) {
      first.push(nodes.length);
      nodes.push({ j, s: 0, t: grid[j] });
      const calls = solver.calls(p, grid[j], grid[j + 1], pastTimes(grid, 0, j));
      const evals: StageEval[] = [{ x: z, t: grid[j], out: z }];
      for (let s = 1; s < calls; s++) {
        // stage times depend on times only: probe them with a dummy state
        const step: StepInput = { x: z, t: grid[j], tNext: grid[j + 1], state: { history: [] } };
        const t = tf.tidy(() => solver.stage(p, step, evals).t);
        nodes.push({ j, s, t });
        evals.push({ x: z, t, out: z });
      }
    }
  } finally {
    z.dispose();
  }
  first.push(nodes.length);
  nodes.push({ j: grid.length - 1, s: 0, t: grid[grid.length - 1] });
  return { nodes, first };
}

export const PICARD_KEYS: Record<keyof PicardOptions, true> = {
  window: true,
  tolerance: true,
  scale: true,
  predictor: true,
  solver: true,
  windows: true,
  secant: true,
  acceptance: true,
  anderson: true,
  andersonDepth: true,
  andersonRegularization: true,
  maxRounds: true,
  maxAdvance: true,
  onHit: true,
  onRound: true,
};

function validate(o: PicardOptions) {
  const window = o.window ?? 8,
    tolerance = o.tolerance ?? 1e-3,
    maxRounds = o.maxRounds ?? Infinity;
  if (!Number.isInteger(window) || window < 1)
    throw new Error(`window: got ${shown(window)}; allowed: an integer >= 1`);
  validateTolerance(tolerance);
  if (!(maxRounds === Infinity || (Number.isInteger(maxRounds) && maxRounds >= 1)))
    throw new Error(`maxRounds: got ${shown(maxRounds)}; allowed: an integer >= 1 (or Infinity)`);
  const maxAdvance = o.maxAdvance ?? Infinity;
  if (!(maxAdvance === Infinity || (Number.isInteger(maxAdvance) && maxAdvance >= 1)))
    throw new Error(`maxAdvance: got ${shown(maxAdvance)}; allowed: an integer >= 1 (or Infinity: the window)`);
  const solver = requireLinearForm(requireSolver('solver', o.solver ?? dpmpp2m), 'solver', PICARD_SOLVERS);
  const anderson = o.anderson ?? false;
  if (typeof anderson !== 'boolean') throw new Error(`anderson: got ${shown(anderson)}; allowed: true or false`);
  const secant = o.secant ?? !anderson;
  if (typeof secant !== 'boolean') throw new Error(`secant: got ${shown(secant)}; allowed: true or false`);
  const acceptance = o.acceptance ?? 'change';
  if (!(PICARD_ACCEPTANCE as readonly string[]).includes(acceptance))
    throw new Error(`acceptance: got '${acceptance}'; allowed: ${PICARD_ACCEPTANCE.join(', ')}`);
  if (acceptance === 'secant' && !secant)
    throw new Error("acceptance: 'secant' needs the secant sweep (secant: true; --secant on), whose miss it measures");
  const andersonDepth = o.andersonDepth ?? 2,
    andersonRegularization = o.andersonRegularization ?? 0.1;
  validateAnderson(andersonDepth, andersonRegularization);
  const scale = o.scale ?? 'noise';
  if (!(PICARD_SCALES as readonly string[]).includes(scale))
    throw new Error(`scale: got '${scale}'; allowed: ${PICARD_SCALES.join(', ')}`);
  const predictor = o.predictor ?? 'quadratic';
  if (!(PICARD_PREDICTORS as readonly string[]).includes(predictor))
    throw new Error(`predictor: got '${predictor}'; allowed: ${PICARD_PREDICTORS.join(', ')}`);
  const windows = o.windows ?? 'auto';
  if (!(PICARD_WINDOW_MODES as readonly string[]).includes(windows))
    throw new Error(`windows: got '${windows}'; allowed: ${PICARD_WINDOW_MODES.join(', ')}`);
  return {
    window,
    tolerance,
    maxRounds,
    maxAdvance,
    solver,
    anderson,
    secant,
    acceptance,
    andersonDepth,
    andersonRegularization,
    scale,
    predictor,
    windows,
    onHit: optionalCallback<(hit: SamplerHit) => void>(`${o.anderson ? 'parataa' : 'picard'}: onHit`, o.onHit),
  };
}

/** 'auto' windows made concrete; per-sample windows on a row-conditioned model are refused (wrong rows). */
function resolveWindows<O extends { windows: PicardWindowMode }>(name: string, o: O, rowConditioned: boolean): O {
  if (o.windows === 'auto') return { ...o, windows: rowConditioned ? 'shared' : 'per-sample' };
  if (o.windows === 'per-sample' && rowConditioned)
    throw new Error(
      `${name}: windows 'per-sample' would put rows of different samples into one request, but this model ` +
        "conditions by row position (the DiT's labels); allowed: shared or auto",
    );
  return o;
}

/** Picard over the whole base solver (ParaTAA with anderson: true); tolerance 0 returns sample()'s result. */
export async function runPicard(task: SamplingTask, options: PicardOptions = {}): Promise<PicardResult> {
  requireOptions('picard', options);
  const name = options.anderson ? 'parataa' : 'picard';
  checkKeys(name, options, PICARD_KEYS);
  await validateTask(task, name);
  const o = resolveWindows(name, validate(options), task.param.rowConditioned === true);
  const { executor, param: p, grid } = task;
  if (!p.schedule) throw new Error('picard: the model needs a noise schedule (the linear form is in x / sigma)');
  const solver = o.solver,
    lf = solver.linear,
    K = o.window,
    n = task.x.shape[0];
  const { nodes, first } = buildNodes(solver, p, grid);
  const N = nodes.length - 1;
  const callsOf = (j: number) => first[j + 1] - first[j];
  const variance = (t: number) => p.schedule!.sigma(t) ** 2 + (o.scale === 'state' ? p.schedule!.alpha(t) ** 2 : 0);
  const meter = roundMeter(executor, options.onRound, { method: o.anderson ? 'parataa' : 'picard' }),
    hits: SamplerHit[] = [],
    windows: PicardWindows[] = [];
  const rows = tf.split(task.x, n, 0);
  const lanes: Lane[] = rows.map((r) => ({
    begin: 0,
    x: Array.from({ length: N + 1 }, (_, m) => (m < Math.min(K, N) ? tf.clone(r) : undefined)),
    ev: Array.from({ length: N }, () => undefined),
    lastEval: -1,
    fit: Array.from({ length: N }, () => undefined),
    anderson: new Map(),
  }));
  tf.dispose(rows);
  let round = 0,
    sampleEvals = 0;

  /** The x0 estimate at node k of a lane, read once from the model output at the evaluated point. */
  const D = (L: Lane, k: number) => L.ev[k]!.d;

  /** The multistep history of step j: the x0 estimates of grid points j-1, j-2, ... (newest first). */
  const history = (L: Lane, j: number): HistoryEntry[] =>
    Array.from({ length: Math.min(lf.history, j) }, (_, i) => ({
      x0: D(L, first[j - 1 - i]),
      lambda: p.schedule!.lambda(grid[j - 1 - i]),
    }));

  /** The secant fits of a group of lanes at node m: their last evaluations against the new one (x, d: [g, ...]). */
  function groupFits(g: Lane[], m: number, x: tf.Tensor, d: tf.Tensor, ds: tf.Tensor[]): (LaneFit | undefined)[] {
    const max = 2 / p.schedule!.alpha(nodes[m].t),
      withMiss = o.acceptance === 'secant';
    const split = (f: { response: tf.Tensor; miss?: tf.Tensor }): LaneFit[] => {
      const rs = g.length === 1 ? [f.response] : tf.split(f.response, g.length);
      const ms = f.miss && (g.length === 1 ? [f.miss] : tf.split(f.miss, g.length));
      return rs.map((response, i) => (ms ? { response, miss: ms[i] } : { response }));
    };
    // all evaluated before (windows in step): one fit over the group's rows, else one per lane
    if (g.every((L) => L.ev[m]))
      return tidy(() => {
        const olds = g.map((L) => L.ev[m]!);
        const x0 = g.length === 1 ? olds[0].x : tf.concat(olds.map((e) => e.x)); // [g, ...]
        const d0 = g.length === 1 ? olds[0].d : tf.concat(olds.map((e) => e.d)); // [g, ...]
        return split(secantFit(x0, d0, x, d, max, withMiss));
      });
    return g.map((L, i) => {
      const old = L.ev[m];
      return old ? tidy(() => secantFit(old.x, old.d, L.x[m]!, ds[i], max, withMiss)) : undefined;
    });
  }

  /** The new values of nodes a+1..e of a lane from this round's evaluations, point after point (tidy). */
  function newValues(L: Lane, a: number, e: number): tf.Tensor[] {
    return tidy(() => {
      const out: tf.Tensor[] = [];
      const cur = (k: number) => (k > a ? out[k - a - 1] : L.x[k]!);
      // a_k of every window node; a node evaluated once borrows the nearest earlier node's
      const resp: (tf.Tensor | undefined)[] = [];
      for (let k = a; k < e && o.secant; k++) resp[k] = L.fit[k]?.response ?? resp[k - 1];
      for (let m = a + 1; m <= e; m++) {
        const nd = nodes[m];
        const j = nd.s === 0 ? nd.j - 1 : nd.j,
          base = first[j];
        const step: StepInput = {
          x: L.ev[base]!.x,
          t: grid[j],
          tNext: grid[j + 1],
          state: { history: history(L, j) },
        };
        const stages = nd.s === 0 ? callsOf(j) : nd.s;
        const evals: StageEval[] = Array.from({ length: stages }, (_, s) => ({
          x: L.ev[base + s]!.x,
          t: nodes[base + s].t,
          out: L.ev[base + s]!.out,
        }));
        let v = nd.s === 0 ? solver.finish(p, step, evals).x : solver.stage(p, step, evals).x;
        // the base node was evaluated at this round's value when it is the window start: no correction
        if (base !== a) {
          const c = lf.stateCoefficient(p, grid[j], nd.t);
          v = tf.add(v, tf.mul(tf.sub(cur(base), L.ev[base]!.x), c));
        }
        // the secant sweep: + sum_i g_i a_k (x_k^new - x_k^eval) over the step's window nodes k past the start
        // (null for a step with more than one model call: the 3M start keeps the plain update)
        const lin = o.secant && nd.s === 0 ? lf.coefficients(p, grid[j], nd.t, pastTimes(grid, 0, j)) : null;
        lin?.g.forEach((g, i) => {
          const k = first[j - i];
          if (k > a && resp[k]) v = tf.add(v, tf.mul(tf.mul(tf.sub(cur(k), L.ev[k]!.x), resp[k]!), g));
        });
        out.push(v);
      }
      return out;
    });
  }

  /** Jump of x_e (node e) to node m with the x0 estimate at node k, extrapolated in log-SNR (Newton form). */
  const predict = (L: Lane, e: number, k: number, m: number) =>
    tidy(() => {
      const points = Math.min(k + 1, PREDICTOR_POINTS[o.predictor]);
      const xs = Array.from({ length: points }, (_, i) => ({
        x0: D(L, k - i),
        lambda: p.schedule!.lambda(nodes[k - i].t),
      }));
      return x0Jump(p, L.x[e]!, nodes[e].t, nodes[m].t, xs[0].x0, x0Slope(xs));
    });

  /** Nodes entering the window (up to `upTo`, exclusive) start from a jump from the furthest node with a value. */
  function fill(L: Lane, upTo: number): void {
    let top = upTo - 1;
    while (!L.x[top]) top--;
    for (let m = top + 1; m < upTo; m++) L.x[m] = predict(L, top, L.lastEval, m);
  }

  try {
    while (round < o.maxRounds) {
      const active = lanes.filter((L) => L.begin < N);
      if (active.length === 0) break;
      for (const L of active) fill(L, Math.min(L.begin + K, N));
      // one request per node index: the rows of every sample whose window holds that node
      const groups = new Map<number, Lane[]>();
      for (const L of active)
        for (let m = L.begin; m < Math.min(L.begin + K, N); m++) {
          if (!groups.has(m)) groups.set(m, []);
          groups.get(m)!.push(L);
        }
      const order = [...groups.keys()].sort((u, v) => u - v);
      const xs = order.map((m) => {
        const g = groups.get(m)!;
        return g.length === 1 ? g[0].x[m]! : tf.concat(g.map((L) => L.x[m]!));
      });
      try {
        const outs = await meter.evaluate(
          order.map((m, k) => ({ x: xs[k], t: nodes[m].t })),
          (k) => `node ${order[k]}, step ${nodes[order[k]].j}, stage ${nodes[order[k]].s}`,
        );
        order.forEach((m, k) => {
          const g = groups.get(m)!;
          const parts = g.length === 1 ? [outs[k]] : tf.split(outs[k], g.length, 0);
          // the x0 estimates of the group's rows, read once (an x0-predicting model's are its outputs themselves);
          // with the secant, their fits to the lanes' last evaluations
          const dAll = tidy(() => x0Of(p, outs[k], xs[k], nodes[m].t)); // [g, ...]
          const ds = dAll === outs[k] ? parts : g.length === 1 ? [dAll] : tf.split(dAll, g.length, 0);
          const fits = o.secant ? groupFits(g, m, xs[k], dAll, ds) : [];
          if (g.length > 1) tf.dispose([...new Set([dAll, outs[k]])]);
          g.forEach((L, i) => {
            const x = tf.clone(L.x[m]!);
            const old = L.ev[m];
            L.ev[m] = { x, out: parts[i], d: ds[i] };
            if (old) tf.dispose([old.x, old.out, old.d]);
            tf.dispose(fitTensors(L.fit[m]));
            L.fit[m] = fits[i];
            L.lastEval = Math.max(L.lastEval, m);
          });
          sampleEvals += g.length;
        });
      } finally {
        order.forEach((m, k) => {
          if (groups.get(m)!.length > 1) xs[k].dispose();
        });
      }
      round++;
      windows.push({
        round,
        begin: lanes.map((L) => L.begin),
        end: lanes.map((L) => (L.begin < N ? Math.min(L.begin + K, N) : L.begin)),
      });
      // new values and the first failing node of every active sample
      const upd: { L: Lane; a: number; e: number; next: tf.Tensor[]; f: number }[] = [];
      try {
        for (const L of active) {
          const a = L.begin,
            e = Math.min(a + K, N);
          upd.push({ L, a, e, next: newValues(L, a, e), f: e });
        }
      } catch (err) {
        for (const u of upd) tf.dispose(u.next);
        throw err;
      }
      // the round's readback of every node's change and, with Anderson, the values it mixes (the outputs' finite
      // flags came with a pool's values, or from the round meter's own small read when they arrived)
      const pairs = upd.flatMap((u) =>
        Array.from({ length: u.e - u.a }, (_, q) => ({ u, m: u.a + 1 + q })).filter(({ u, m }) => u.L.x[m]),
      );
      const mixed = o.anderson ? pairs.flatMap(({ u, m }) => [u.L.x[m]!, u.next[m - u.a - 1]]) : [];
      // the secant test reads the miss of every node evaluated at least twice
      const missed = o.acceptance === 'secant' ? pairs.filter(({ u, m }) => u.L.fit[m]) : [];
      const errTensors: tf.Tensor[] = [];
      let read: Float32Array[];
      try {
        for (const { u, m } of pairs) errTensors.push(meanSquarePerSample(u.next[m - u.a - 1], u.L.x[m]!));
        read = await readValues([...errTensors, ...missed.map(({ u, m }) => u.L.fit[m]!.miss!), ...mixed]);
      } catch (err) {
        for (const u of upd) tf.dispose(u.next);
        throw err;
      } finally {
        tf.dispose(errTensors);
      }
      const key = (u: (typeof upd)[number], m: number) => `${upd.indexOf(u)}:${m}`;
      const errOf = new Map(pairs.map((p, q) => [key(p.u, p.m), read[q][0]]));
      const missOf = new Map(missed.map((p, q) => [key(p.u, p.m), read[pairs.length + q][0]]));
      const values = new Map(mixed.map((t, q) => [t, read[pairs.length + missed.length + q]] as const));
      upd.forEach((u) => {
        // the first node whose change fails the test restarts the window at itself; the secant test counts the
        // change of a node evaluated twice by the secant's miss there (eq.: |dx|^2 max(miss, 0.3)^2 <= tol^2 var)
        for (let m = u.a + 1; m <= u.e && u.f === u.e; m++) {
          const miss = missOf.get(key(u, m));
          const change =
            (errOf.get(key(u, m)) ?? Infinity) * (miss === undefined ? 1 : Math.max(miss, MISS_FLOOR) ** 2);
          if (fails(change, o.tolerance, variance(nodes[m].t))) u.f = m;
        }
      });
      for (const u of upd) u.f = Math.min(u.f, u.a + o.maxAdvance);
      // shared windows: a node fails if any sample fails (the samples stay in step)
      if (o.windows === 'shared') {
        const f = Math.min(...upd.map((u) => u.f));
        for (const u of upd) u.f = f;
      }
      for (let q = 0; q < upd.length; q++) {
        const { L, a, e, next, f } = upd[q];
        // andersonStep swaps entries of `next` one by one, so on a throw `next` holds this and later lanes' values
        if (o.anderson)
          try {
            andersonStep(L.anderson, next, L.x, a, f, e, o.andersonDepth, o.andersonRegularization, values);
          } catch (err) {
            for (const u of upd.slice(q)) tf.dispose(u.next);
            throw err;
          }
        for (let m = a + 1; m <= e; m++) {
          L.x[m]?.dispose();
          L.x[m] = next[m - a - 1];
        }
        for (const k of [...L.anderson.keys()]) if (k <= f) L.anderson.delete(k);
        L.begin = f;
        // the fits behind the window are never read again
        for (let k = a; k < f; k++) {
          tf.dispose(fitTensors(L.fit[k]));
          L.fit[k] = undefined;
        }
      }
      // intermediate result: x_N once a sample's window reached it, else its furthest x0 estimate
      const x = tidy(() => tf.concat(lanes.map((L) => (L.x[N] ? tf.clone(L.x[N]!) : tf.clone(D(L, L.lastEval))))));
      const hit = { index: hits.length, round, modelCalls: sampleEvals / n, wallMs: meter.elapsed(), x };
      hits.push(hit);
      o.onHit?.(hit);
      meter.endRound(round, 1);
    }
  } catch (e) {
    tf.dispose(hits.map((h) => h.x));
    throw e;
  } finally {
    for (const L of lanes) {
      tf.dispose(L.x.filter((v): v is tf.Tensor => !!v));
      for (const ev of L.ev) if (ev) tf.dispose([ev.x, ev.out, ev.d]);
      for (const f of L.fit) tf.dispose(fitTensors(f));
    }
  }
  return {
    ...meter.totals(),
    modelCalls: sampleEvals / n,
    hits,
    sample: hits[hits.length - 1].x,
    window: K,
    solver: solver.name,
    anderson: o.anderson,
    nodes: N,
    sampleEvals,
    windows,
  };
}
