/** CHORDS init sequences I (core k starts at fine index I[k]): validation, parsing, presets, a generator. */

/** The paper's presets for T = 50 (REFERENCE.md; the 8-core one is the code's default). */
export const CHORDS_PRESETS: Readonly<Record<number, readonly number[]>> = {
  4: [0, 8, 16, 32],
  6: [0, 3, 6, 12, 24, 36],
  8: [0, 2, 4, 8, 16, 24, 32, 40],
};
export const PRESET_STEPS = 50;

/** Checks I[0] = 0 < I[1] < ... < I[K-1] < T, integers, one per core; errors name what is wrong. */
export function validateInit(init: readonly number[], steps: number, cores?: number): void {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps: got ${steps}; allowed: an integer >= 1`);
  if (!Array.isArray(init) || init.length === 0) throw new Error('init: needs at least one start index (core 0 starts at 0)');
  if (cores !== undefined && init.length !== cores) throw new Error(`init: has ${init.length} entries but ${cores} cores were asked for; allowed: one start index per core`);
  if (init[0] !== 0) throw new Error(`init: must start at 0 (core 0 is the sequential solver); got ${init[0]}`);
  for (let k = 0; k < init.length; k++) {
    if (!Number.isInteger(init[k])) throw new Error(`init: entry ${k} is ${init[k]}; allowed: integers`);
    if (k > 0 && !(init[k] > init[k - 1])) throw new Error(`init: must be strictly increasing; entries ${k - 1} and ${k} are ${init[k - 1]}, ${init[k]}`);
    if (init[k] >= steps) throw new Error(`init: entry ${k} is ${init[k]}; allowed: below the number of steps T = ${steps}`);
  }
}

/** Parses the reference's string form '0-2-4-8'. */
export function parseInit(text: string): number[] {
  if (!/^\d+(-\d+)*$/.test(text.trim())) throw new Error(`init: got '${text}'; allowed: start indices joined by '-', e.g. 0-2-4-8-16-24-32-40`);
  return text.trim().split('-').map(Number);
}

export interface InitOptions {
  cores: number;
  steps: number;
  /** Where the last core starts, as a fraction of T. Default 0.8 (the 8-core preset's 40/50). */
  lastStart?: number;
}

/**
 * An init sequence for any (cores, T), shaped like the paper's presets: offsets d * m_k with
 * m = 0, 1, 2, 4, 8, 12, 16, ... (doubling until the gap reaches 4d, then gaps of 4d), and the
 * scale d as large as keeps the last start at or below lastStart * T. Gives 0-2-4-8-16-24-32-40
 * for 8 cores at T = 50; where d would fall below 1 it spreads the starts evenly instead. The
 * presets themselves are returned for 4, 6 and 8 cores at T = 50.
 */
export function initSequence({ cores, steps, lastStart = 0.8 }: InitOptions): number[] {
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`cores: got ${cores}; allowed: an integer >= 1`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps: got ${steps}; allowed: an integer >= 1`);
  if (cores > steps) throw new Error(`cores: got ${cores}; allowed: at most T = ${steps} (every core needs its own start index)`);
  if (!(lastStart > 0 && lastStart < 1)) throw new Error(`lastStart: got ${lastStart}; allowed: a number in (0, 1)`);
  if (steps === PRESET_STEPS && CHORDS_PRESETS[cores] && lastStart === 0.8) return [...CHORDS_PRESETS[cores]];
  const m = [0];
  while (m.length < cores) {
    const k = m.length, gap = k === 1 ? 1 : Math.min(m[k - 1], 4);
    m.push(m[k - 1] + gap);
  }
  const limit = Math.min(steps - 1, Math.floor(lastStart * steps));
  const d = cores === 1 ? 1 : Math.floor(limit / m[cores - 1]);
  let init = d >= 1 ? m.map((v) => v * d) : m.map((_, k) => Math.round((k * limit) / Math.max(1, cores - 1)));
  // keep strictly increasing and below T (small T with many cores)
  init = init.map((v, k) => Math.min(v, steps - cores + k));
  for (let k = 1; k < cores; k++) init[k] = Math.max(init[k], init[k - 1] + 1);
  validateInit(init, steps, cores);
  return init;
}
