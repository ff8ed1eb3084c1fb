/** CHORDS init sequences I (core k starts at fine index I[k]): validation, parsing, presets, a generator. */
import { requireOptions, shown } from '../options.ts';

/** The paper's presets for T = 50 (REFERENCE.md; the 8-core one is the code's default). */
export const CHORDS_PRESETS: Readonly<Record<number, readonly number[]>> = {
  4: [0, 8, 16, 32],
  6: [0, 3, 6, 12, 24, 36],
  8: [0, 2, 4, 8, 16, 24, 32, 40],
};
export const PRESET_STEPS = 50;

/** Checks I[0] = 0 < I[1] < ... < I[K-1] < T, integers, one per core; errors name what is wrong. */
export function validateInit(init: readonly number[], steps: number, cores?: number): void {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps: got ${shown(steps)}; allowed: an integer >= 1`);
  if (!Array.isArray(init))
    throw new Error(
      `init: got ${shown(init)}; allowed: an array of start indices such as [0, 2, 4]` +
        (typeof init === 'string' ? ` (parseInit('${init}') reads the command line's form)` : ''),
    );
  if (init.length === 0) throw new Error('init: needs at least one start index (core 0 starts at 0)');
  if (cores !== undefined && init.length !== cores)
    throw new Error(
      `init: has ${init.length} entries but ${cores} cores were asked for; allowed: one start index per core`,
    );
  if (init[0] !== 0) throw new Error(`init: must start at 0 (core 0 is the sequential solver); got ${shown(init[0])}`);
  for (let k = 0; k < init.length; k++) {
    if (!Number.isInteger(init[k])) throw new Error(`init: entry ${k} is ${shown(init[k])}; allowed: integers`);
    if (k > 0 && !(init[k] > init[k - 1]))
      throw new Error(`init: must be strictly increasing; entries ${k - 1} and ${k} are ${init[k - 1]}, ${init[k]}`);
    if (init[k] >= steps)
      throw new Error(`init: entry ${k} is ${init[k]}; allowed: below the number of steps T = ${steps}`);
  }
}

/** Parses the reference's string form '0-2-4-8'. */
export function parseInit(text: string): number[] {
  if (!/^\d+(-\d+)*$/.test(text.trim()))
    throw new Error(`init: got '${text}'; allowed: start indices joined by '-', e.g. 0-2-4-8-16-24-32-40`);
  return text.trim().split('-').map(Number);
}

/** The command line's error for more --cores than --steps (a generator needs one start index per core). */
export const coresAboveSteps = (cores: number, steps: number): Error =>
  new Error(`--cores: got ${shown(cores)}; allowed: at most T = ${steps} (--steps), one start index per core`);

/** The init generators by name, for `--init <name>[:<lastStart>]`: initSequence, uniformInit, equalGapInit. */
export const INIT_GENERATORS = ['shaped', 'uniform', 'equal'] as const;
export type InitGenerator = (typeof INIT_GENERATORS)[number];

/** A generator named on the command line, with its optional last-start fraction ('equal:0.75') or gap ('equal:4'). */
export interface InitByName {
  generator: InitGenerator;
  lastStart?: number;
  /** Equal gaps only: the gap d itself, I[k] = k d (the family `equal 4` of initFamilies is `equal:4`). */
  gap?: number;
}

/**
 * Reads `--init`: start indices ('0-2-4-8', parseInit) or a generator with an optional fraction of T for the last
 * start ('equal', 'uniform:0.7', 'shaped:0.8'), or for equal gaps the gap ('equal:4'); the generator is run for the
 * cores and T by initFromText. Every family name of initFamilies (K >= 2) reads back this way ('equal 4' is 'equal:4').
 */
export function parseInitText(text: string): number[] | InitByName {
  const [name, arg, ...rest] = text.trim().split(':');
  if (!(INIT_GENERATORS as readonly string[]).includes(name)) {
    if (/^\d+(-\d+)*$/.test(text.trim())) return parseInit(text);
    throw new Error(
      `init: got '${text}'; allowed: start indices such as 0-2-4-8, or ${INIT_GENERATORS.join(', ')} ` +
        `with an optional last-start fraction (equal:0.75)`,
    );
  }
  if (name === 'equal' && rest.length === 0 && arg !== undefined && /^\s*\d+\s*$/.test(arg) && Number(arg) >= 1)
    return { generator: 'equal', gap: Number(arg) };
  const lastStart = arg === undefined ? undefined : Number(arg);
  if (rest.length > 0 || (arg !== undefined && (arg.trim() === '' || !(lastStart! > 0 && lastStart! < 1))))
    throw new Error(
      `init: got '${text}'; allowed: ${name} or ${name}:<lastStart>, a fraction of T in (0, 1)` +
        (name === 'equal' ? ', or equal:<gap>, an integer >= 1' : ''),
    );
  return { generator: name as InitGenerator, lastStart };
}

/** The init sequence `--init` names for `cores` cores and T = `steps` (see parseInitText). */
export function initFromText(text: string, cores: number, steps: number): number[] {
  const r = parseInitText(text);
  if (Array.isArray(r)) return r;
  if (!(Number.isInteger(cores) && cores >= 1 && Number.isInteger(steps) && steps >= cores))
    throw new Error(
      `init: '${text}' needs 1 <= cores <= steps (one start index per core); got cores ${shown(cores)}, ` +
        `steps ${shown(steps)}`,
    );
  if (r.gap !== undefined) return equalGaps(cores, steps, r.gap, text);
  const o = { cores, steps, ...(r.lastStart !== undefined ? { lastStart: r.lastStart } : {}) };
  return r.generator === 'shaped' ? initSequence(o) : r.generator === 'uniform' ? uniformInit(o) : equalGapInit(o);
}

export interface InitOptions {
  cores: number;
  steps: number;
  /**
   * Where the last core starts at most, as a fraction of T. Default 0.48 + 0.04 K (at most 0.85): 0.64, 0.72, 0.8 for
   * 4, 6, 8 cores, as in the presets.
   */
  lastStart?: number;
  /**
   * Return the paper's presets for 4, 6 and 8 cores at T = 50 (default true); false always applies the formula (which
   * gives the same).
   */
  usePresets?: boolean;
}

/**
 * An init sequence for any (cores, T), shaped like the paper's presets: offsets d * m_k with
 * m = 0, 1, 2, 4, 8, 12, 16, ... (doubling until the gap reaches 4, then gaps of 4), and the scale d
 * as large as keeps the last start at or below lastStart * T and lets the last core be rectified at
 * least once (I[K-1] + (I[K-1] - I[K-2]) <= T). This reproduces all three presets at T = 50
 * (0-8-16-32, 0-3-6-12-24-36, 0-2-4-8-16-24-32-40); 2 cores at T = 50 give 0-25. Where d would
 * fall below 1 it spreads the starts evenly instead.
 */
export function initSequence(options: InitOptions): number[] {
  requireOptions('initSequence', options, '{ cores, steps, lastStart?, usePresets? }');
  const { cores, steps, lastStart, usePresets = true } = options;
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`cores: got ${shown(cores)}; allowed: an integer >= 1`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps: got ${shown(steps)}; allowed: an integer >= 1`);
  if (cores > steps)
    throw new Error(`cores: got ${shown(cores)}; allowed: at most T = ${steps} (every core needs its own start index)`);
  const frac = lastStart ?? Math.min(0.85, 0.48 + 0.04 * cores);
  if (!(frac > 0 && frac < 1)) throw new Error(`lastStart: got ${shown(frac)}; allowed: a number in (0, 1)`);
  if (usePresets && lastStart === undefined && steps === PRESET_STEPS && CHORDS_PRESETS[cores])
    return [...CHORDS_PRESETS[cores]];
  if (cores === 1) return [0];
  const m = [0];
  while (m.length < cores) {
    const k = m.length,
      gap = k === 1 ? 1 : Math.min(m[k - 1], 4);
    m.push(m[k - 1] + gap);
  }
  const last = m[cores - 1],
    prev = m[cores - 2];
  const limit = Math.min(steps - 1, Math.floor(frac * steps));
  const d = Math.min(Math.floor(limit / last), Math.floor(steps / (2 * last - prev)));
  let init = d >= 1 ? m.map((v) => v * d) : m.map((_, k) => Math.round((k * limit) / (cores - 1)));
  // keep strictly increasing and below T (small T with many cores)
  init = init.map((v, k) => Math.min(v, steps - cores + k));
  for (let k = 1; k < cores; k++) init[k] = Math.max(init[k], init[k - 1] + 1);
  validateInit(init, steps, cores);
  return init;
}

/** The arguments of uniformInit and equalGapInit: cores >= 1, steps >= cores, lastStart in (0, 1). */
function checkSpread(cores: number, steps: number, lastStart: number): void {
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`cores: got ${shown(cores)}; allowed: an integer >= 1`);
  if (!Number.isInteger(steps) || steps < cores)
    throw new Error(`steps: got ${shown(steps)}; allowed: an integer >= cores = ${cores}`);
  if (!(lastStart > 0 && lastStart < 1))
    throw new Error(`lastStart: got ${shown(lastStart)}; allowed: a number in (0, 1)`);
}

/**
 * Starts spread evenly over the first `lastStart` fraction of the grid: I[k] = round(k lastStart T / (K - 1)),
 * made strictly increasing. With a multistep fine solver (DPM-Solver++ 2M and the `shift` history rule)
 * starts over 60-85% of T did better than the preset shape on the Gaussian mixture (README, frontier).
 */
export function uniformInit({ cores, steps, lastStart = 0.8 }: Omit<InitOptions, 'usePresets'>): number[] {
  checkSpread(cores, steps, lastStart);
  if (cores === 1) return [0];
  const init = Array.from({ length: cores }, (_, k) => Math.round((k * lastStart * steps) / (cores - 1)));
  for (let k = 1; k < cores; k++) init[k] = Math.max(init[k], init[k - 1] + 1);
  for (let k = cores - 1; k >= 1; k--) init[k] = Math.min(init[k], steps - cores + k);
  validateInit(init, steps, cores);
  return init;
}

/**
 * Equal gaps (ours): I[k] = k d, with d = round(lastStart T / (K - 1)) kept to 1 <= d <= floor(T / K), so that the
 * last core is rectified at least once (a larger lastStart is capped there). With one core spawned a round, every
 * segment of core k then begins at a point core k - 1 has just rectified (so does any sequence whose every gap
 * is a multiple of the gap before it, as in the paper's presets): each rectification passes on the slower core's
 * newest correction, never a point in the middle of its segment (`rectificationSources` labels them). On the
 * mixture with DPM-Solver++ 2M in the cores (8 cores, T = 36), equal gaps of 4 reached the 2M-50 error in 18
 * rounds on held-out and on evaluation seeds; the rounded uniform starts took 20-26, the same sequence with one
 * start moved by one 18-27 (exp:alignment).
 */
export function equalGapInit({ cores, steps, lastStart = 0.75 }: Omit<InitOptions, 'usePresets'>): number[] {
  checkSpread(cores, steps, lastStart);
  if (cores === 1) return [0];
  const d = Math.min(Math.floor(steps / cores), Math.max(1, Math.round((lastStart * steps) / (cores - 1))));
  const init = Array.from({ length: cores }, (_, k) => k * d);
  validateInit(init, steps, cores);
  return init;
}

/** Equal gaps of d for `cores` cores, held to equalGapInit's bound d <= floor(T / K) (the last core is rectified). */
function equalGaps(cores: number, steps: number, d: number, text: string): number[] {
  const most = Math.floor(steps / cores);
  if (d > most)
    throw new Error(
      `init: got '${text}' for ${cores} cores and T = ${steps}; allowed: gaps up to floor(T / cores) = ${most}, ` +
        'so that the last core is rectified at least once',
    );
  return Array.from({ length: cores }, (_, k) => k * d);
}

export interface NamedInit {
  /**
   * e.g. 'shaped 0.8', 'uniform 0.7' (last start at that fraction of T), 'equal 4' (gaps of 4); `--init` reads it
   * with a colon for the space ('shaped:0.8', 'equal:4').
   */
  family: string;
  init: number[];
}

/**
 * Init-sequence families to search over: the preset shape (initSequence's formula), uniform starts and equal gaps
 * (equalGapInit), each with the last start at the given fractions of T (default 0.6, 0.65, ..., 0.85). Duplicates
 * dropped (the first name is kept).
 */
export function initFamilies(
  cores: number,
  steps: number,
  fractions: readonly number[] = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85],
): NamedInit[] {
  const out: NamedInit[] = [],
    seen = new Set<string>();
  const add = (family: string, init: number[]) => {
    if (seen.has(init.join('-'))) return;
    seen.add(init.join('-'));
    out.push({ family, init });
  };
  for (const f of fractions) add(`shaped ${f}`, initSequence({ cores, steps, lastStart: f, usePresets: false }));
  for (const f of fractions) add(`uniform ${f}`, uniformInit({ cores, steps, lastStart: f }));
  for (const f of fractions) {
    const init = equalGapInit({ cores, steps, lastStart: f });
    add(`equal ${init[1] ?? 0}`, init);
  }
  return out;
}
