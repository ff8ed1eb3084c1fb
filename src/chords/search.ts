/**
 * Search for a better init sequence: random valid sequences whose fastest core hits no later than
 * `maxRound`, scored by a caller-supplied evaluation (e.g. the error of that hit on a held-out
 * problem); the lowest score wins. Model-agnostic: the plan gives hit rounds without any tensor.
 */
import { checkKeys, requireOptions, shown } from '../options.ts';
import { uniformRng } from '../random.ts';
import { initFamilies, validateInit } from './init.ts';

export interface InitSearchOptions {
  cores: number;
  steps: number;
  /** The fastest core must hit at this round or earlier (k + T - I[k] for one call per step). */
  maxRound: number;
  /** Lower is better. */
  evaluate: (init: number[]) => Promise<number> | number;
  /** Candidates to try (besides `include`). Default 40. */
  samples?: number;
  /** Sequences always tried, e.g. the presets. */
  include?: number[][];
  /**
   * Also try the families of initFamilies (preset-shaped, uniform and equal-gap starts over 60-85% of T, or over
   * the fractions given), those whose fastest core hits by maxRound. Default false.
   */
  families?: boolean | readonly number[];
  seed?: number;
}

export interface InitSearchResult {
  best: number[];
  score: number;
  tried: { init: number[]; score: number }[];
}

/** A random valid sequence whose last core starts late enough to hit by maxRound. */
export function randomInit(cores: number, steps: number, maxRound: number, u: () => number): number[] {
  const lo = Math.max(cores - 1, cores - 1 + steps - maxRound);
  if (lo > steps - 1)
    throw new Error(
      `maxRound: ${maxRound} is too early for ${cores} cores and T = ${steps}; allowed: at least ${cores}`,
    );
  const last = lo + Math.floor(u() * (steps - lo));
  const picks = new Set<number>();
  while (picks.size < cores - 2) picks.add(1 + Math.floor(u() * (last - 1)));
  const init = [0, ...[...picks].sort((a, b) => a - b), ...(cores > 1 ? [last] : [])];
  validateInit(init, steps, cores);
  return init;
}

const SEARCH_KEYS: Record<keyof InitSearchOptions, true> = {
  cores: true,
  steps: true,
  maxRound: true,
  evaluate: true,
  samples: true,
  include: true,
  families: true,
  seed: true,
};

export async function searchInitSequence(o: InitSearchOptions): Promise<InitSearchResult> {
  requireOptions('searchInitSequence', o, '{ cores, steps, maxRound, evaluate, ... }');
  checkKeys('searchInitSequence', o, SEARCH_KEYS);
  const { cores, steps, maxRound, evaluate, samples = 40, include = [], families = false, seed = 0 } = o;
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${name}: got ${shown(v)}; allowed: an integer >= ${min}`);
  };
  int('cores', cores, 1);
  if (cores < 2) throw new Error(`cores: got ${shown(cores)}; allowed: at least 2 (one core has nothing to search)`);
  int('steps', steps, 1);
  int('maxRound', maxRound, 1);
  int('samples', samples, 0);
  int('seed', seed, 0);
  if (typeof evaluate !== 'function') throw new Error('evaluate: must be a function init -> score (lower is better)');
  if (!Array.isArray(include)) throw new Error('include: must be an array of init sequences');
  const u = uniformRng(seed),
    tried: { init: number[]; score: number }[] = [];
  const seen = new Set<string>();
  const fam = families
    ? initFamilies(cores, steps, families === true ? undefined : families)
        .map((f) => f.init)
        .filter((init) => cores - 1 + steps - init[cores - 1] <= maxRound)
    : [];
  for (const init of [
    ...include,
    ...fam,
    ...Array.from({ length: samples }, () => randomInit(cores, steps, maxRound, u)),
  ]) {
    validateInit(init, steps, cores);
    if (seen.has(init.join('-'))) continue;
    seen.add(init.join('-'));
    const score = await evaluate(init);
    if (typeof score !== 'number' || Number.isNaN(score))
      throw new Error(`evaluate: returned ${score} for init ${init.join('-')}; allowed: a number (lower is better)`);
    tried.push({ init, score });
  }
  if (tried.length === 0)
    throw new Error(
      `samples: got ${shown(samples)}, and no sequence in include or a family fits maxRound ${maxRound}; ` +
        'allowed: at least one candidate to try',
    );
  const best = tried.reduce((a, b) => (b.score < a.score ? b : a));
  return { best: best.init, score: best.score, tried };
}
