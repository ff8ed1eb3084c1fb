/**
 * The CHORDS plan: pure bookkeeping with no tensors (REFERENCE.md, "The algorithm"). From T, the
 * init sequence and the fine solver's model calls per step it lists every round: the points
 * evaluated, the updates that follow, the hits, and the stored items that may be released.
 *
 * Rules, as the reference code runs them (generalised to multi-call fine solvers):
 * - round 1: core 0 evaluates index 0; every active core evaluates one stage per round;
 * - in the round the newest core k evaluates its first point, core k + 1 is spawned there by one
 *   jump I[k] -> I[k+1] (the coarse jump; spawn.ts for the extrapolating predictors, which read the slower
 *   cores' solver states after the round's steps: spawns come last in a round); when the last core does,
 *   the coarse shot I[K-1] -> T is hit 0 (with `spawnPerRound` s > 1, ours: cores k + 1 .. k + s are spawned
 *   there at once, each by one jump from core k's first point);
 * - when core k >= 1 completes a step to index j and core k - 1 has evaluated (stage 0 of) the
 *   index b where core k's current segment began, the step is rectified
 *   x_j = F(x_{j-1}) - G(x^k_b, b -> j) + G(x^{k-1}_b, b -> j), and the segment now begins at j;
 *   otherwise it is a plain fine step. Core 0 is never rectified. With one call per step this is
 *   the reference's cadence: core k is rectified every I[k] - I[k-1] steps;
 * - a core reaching T hits and retires. Core k hits at round k + C_k, C_k = the model calls of its
 *   steps from I[k] to T (k + T - I[k] for one call per step; ceil(k / s) + C_k with `spawnPerRound` s);
 * - hits within a round: the coarse shot first, then cores from the highest index (fastest) to the
 *   lowest, so the latest hit is always the most accurate one available (the reference crashes
 *   when two cores finish in one round; we report both and go on).
 */

export interface PlanConfig {
  /** Number of fine steps T. */
  steps: number;
  /** Init sequence: core k starts at index init[k]. */
  init: readonly number[];
  /** Model calls of step i for a core that started at index `start`. Default: 1. */
  calls?: (i: number, start: number) => number;
  /** Rectify (default true); false runs every core uncorrected, for ablations. */
  rectify?: boolean;
  /** Cores spawned at once from the newest core's first point (ours). Default 1 (the reference); >= K - 1: all. */
  spawnPerRound?: number;
}

/** A stored point: core `core`'s state at fine index i. */
export interface PlanNode {
  core: number;
  i: number;
}
/** One model evaluation: stage `stage` of core `core`'s step from index i (stage 0 is at x(core, i)). */
export interface PlanEval {
  core: number;
  i: number;
  stage: number;
}

export type PlanOp =
  /** x(core, i + 1) = F(x(core, i)), the fine solver step completed from its stages. */
  | { kind: 'fine'; core: number; i: number }
  /** x(core, i + 1) = F(x(core, i)) - G(x(core, begin) -> i + 1) + G(x(core - 1, begin) -> i + 1). */
  | { kind: 'rectify'; core: number; i: number; begin: number }
  /** x(core, init[core]) = G(x(from) -> init[core]): a new core by one jump (coarse, or spawn.ts's). */
  | { kind: 'spawn'; core: number; from: PlanNode }
  /** Hit 0 = G(x(from) -> T): the coarse shot. */
  | { kind: 'shoot'; from: PlanNode };

export interface PlanHit {
  kind: 'coarse' | 'core';
  core: number;
}

/** x: a core's state at index i; e: the evaluation (point and model output) of a stage there. */
export type StoreItem = { kind: 'x'; core: number; i: number } | { kind: 'e'; core: number; i: number; stage: number };

export interface PlanRound {
  /** 1-based round number. */
  round: number;
  evals: PlanEval[];
  /**
   * Updates after the evaluations: the fine steps and rectifications (independent of each other), then the spawns
   * and the shot, which read only evaluated points and, with an extrapolating predictor, the states those steps set.
   */
  ops: PlanOp[];
  hits: PlanHit[];
  /** Stored items no later round needs. x(core, T) is never stored: it is handed out as a hit. */
  release: StoreItem[];
}

interface Core {
  start: number;
  cur: number;
  stage: number;
  begin: number;
  active: boolean;
  evaluated: Set<number>;
}

const key = (it: StoreItem) => (it.kind === 'x' ? `x:${it.core}:${it.i}` : `e:${it.core}:${it.i}:${it.stage}`);

/** All rounds of a CHORDS run to completion (the driver stops early by its stop rule). */
export function planChords(cfg: PlanConfig): PlanRound[] {
  const { steps: T, init } = cfg;
  const calls = cfg.calls ?? (() => 1),
    rectify = cfg.rectify ?? true,
    perRound = cfg.spawnPerRound ?? 1,
    K = init.length;
  if (!(Number.isInteger(perRound) && perRound >= 1)) {
    const got = typeof perRound === 'string' ? `'${perRound}'` : String(perRound);
    throw new Error(`spawnPerRound: got ${got}; allowed: an integer >= 1`);
  }
  const cores: Core[] = [{ start: 0, cur: 0, stage: 0, begin: 0, active: true, evaluated: new Set() }];
  const stored = new Map<string, StoreItem>();
  const store = (it: StoreItem) => stored.set(key(it), it);
  store({ kind: 'x', core: 0, i: 0 });
  let shot = false;
  const rounds: PlanRound[] = [];
  for (let round = 1; cores.some((c) => c.active); round++) {
    if (round > 64 * T * (K + 1)) throw new Error('planChords: no progress (a step must take at least one model call)');
    const evals: PlanEval[] = [],
      ops: PlanOp[] = [],
      coreHits: PlanHit[] = [];
    cores.forEach((c, k) => {
      if (c.active) evals.push({ core: k, i: c.cur, stage: c.stage });
    });
    for (const ev of evals) {
      store({ kind: 'e', ...ev });
      if (ev.stage === 0) cores[ev.core].evaluated.add(ev.i);
    }
    const newest = cores.length - 1;
    const newestFirst = evals.some((e) => e.core === newest && e.i === cores[newest].start && e.stage === 0);
    for (const { core: k } of evals) {
      const c = cores[k];
      const n = calls(c.cur, c.start);
      if (!(Number.isInteger(n) && n >= 1))
        throw new Error(`planChords: calls(${c.cur}, ${c.start}) = ${n}; allowed: an integer >= 1`);
      if (c.stage + 1 < n) {
        c.stage++;
        continue;
      }
      if (k > 0 && rectify && cores[k - 1].evaluated.has(c.begin)) {
        ops.push({ kind: 'rectify', core: k, i: c.cur, begin: c.begin });
        c.begin = c.cur + 1;
      } else ops.push({ kind: 'fine', core: k, i: c.cur });
      c.cur++;
      c.stage = 0;
      if (c.cur === T) {
        c.active = false;
        coreHits.push({ kind: 'core', core: k });
      } else store({ kind: 'x', core: k, i: c.cur });
    }
    const hits: PlanHit[] = [];
    if (newestFirst) {
      const from = { core: newest, i: cores[newest].start };
      if (cores.length < K) {
        for (const last = Math.min(K, cores.length + perRound); cores.length < last; ) {
          const s = init[cores.length];
          ops.push({ kind: 'spawn', core: cores.length, from });
          cores.push({ start: s, cur: s, stage: 0, begin: s, active: true, evaluated: new Set() });
          store({ kind: 'x', core: cores.length - 1, i: s });
        }
      } else if (!shot) {
        ops.push({ kind: 'shoot', from });
        hits.push({ kind: 'coarse', core: newest });
        shot = true;
      }
    }
    hits.push(...coreHits.sort((a, b) => b.core - a.core));
    // liveness: a core's current point and stages; with rectification, its segment begin and the
    // slower core's points it may still use (its begin, or ahead of its current index)
    const live = new Set<string>();
    cores.forEach((c, k) => {
      if (!c.active) return;
      live.add(key({ kind: 'x', core: k, i: c.cur }));
      for (let s = 0; s < c.stage; s++) live.add(key({ kind: 'e', core: k, i: c.cur, stage: s }));
      if (k === 0 || !rectify) return;
      live.add(key({ kind: 'x', core: k, i: c.begin }));
      live.add(key({ kind: 'e', core: k, i: c.begin, stage: 0 }));
      for (const i of cores[k - 1].evaluated)
        if (i === c.begin || i > c.cur) {
          live.add(key({ kind: 'x', core: k - 1, i }));
          live.add(key({ kind: 'e', core: k - 1, i, stage: 0 }));
        }
    });
    const release: StoreItem[] = [];
    for (const [k, it] of stored)
      if (!live.has(k)) {
        release.push(it);
        stored.delete(k);
      }
    rounds.push({ round, evals, ops, hits, release });
  }
  return rounds;
}

/** The round at which each core hits, from a plan: index = core. */
export function hitRounds(rounds: readonly PlanRound[]): number[] {
  const out: number[] = [];
  for (const r of rounds) for (const h of r.hits) if (h.kind === 'core') out[h.core] = r.round;
  return out;
}

/**
 * Where the slower core's point at the segment start of a rectification came from (ours): 'exact' (a rectification
 * of core 1, whose slower core is core 0, the sequential solver), 'fresh' (core k - 1 had just rectified there, so
 * it carries core k - 2's newest correction) or 'stale' (a fine step in the middle of core k - 1's segment).
 */
export type RectificationSource = 'exact' | 'fresh' | 'stale';

export interface RectificationInfo {
  round: number;
  core: number;
  /** The segment start b whose points x(core - 1, b) and x(core, b) the rectification compares. */
  begin: number;
  source: RectificationSource;
}

/** Every rectification of a plan with the source of the slower core's point it uses (see RectificationSource). */
export function rectificationSources(rounds: readonly PlanRound[]): RectificationInfo[] {
  const made = new Map<string, PlanOp['kind']>();
  const out: RectificationInfo[] = [];
  for (const r of rounds)
    for (const op of r.ops) {
      if (op.kind === 'rectify') {
        const by = made.get(`${op.core - 1}:${op.begin}`);
        const source = op.core === 1 ? 'exact' : by === 'rectify' ? 'fresh' : 'stale';
        out.push({ round: r.round, core: op.core, begin: op.begin, source });
      }
      if (op.kind === 'fine' || op.kind === 'rectify') made.set(`${op.core}:${op.i + 1}`, op.kind);
    }
  return out;
}
