/** Time grids t_0 > t_1 > ... > t_T on [0, 1]: uniform with shift, Karras (rho = 7), uniform in log-SNR. */
import { checkKeys, shown } from '../options.ts';
import type { NoiseSchedule } from './schedule.ts';

import { GRIDS, type GridName } from '../names.ts';

export { GRIDS, type GridName };

export interface GridOptions {
  /** Number of steps T (the grid has T + 1 points). */
  steps: number;
  kind?: GridName;
  /** SD3/Flux shift for `uniform`: t' = shift t / (1 + (shift - 1) t). Default 1 (no shift). */
  shift?: number;
  /** Karras exponent. Default 7. */
  rho?: number;
  /** First time (most noise). Default 1. */
  tStart?: number;
  /** Last time (data). Default 0. */
  tEnd?: number;
  /** Noise-to-signal sigma/alpha used in place of an infinite end for karras/logsnr. Defaults 80 and 0.002 (EDM). */
  nsrMax?: number;
  nsrMin?: number;
}

function check(name: string, v: number, ok: boolean, allowed: string): void {
  if (!ok) throw new Error(`${name}: got ${shown(v)}; allowed: ${allowed}`);
}

const GRID_KEYS: Record<keyof GridOptions, true> = {
  steps: true,
  kind: true,
  shift: true,
  rho: true,
  tStart: true,
  tEnd: true,
  nsrMax: true,
  nsrMin: true,
};

/** Validates grid options before any work; errors name the argument and the allowed range. */
export function validateGrid(o: GridOptions): void {
  if (!o || typeof o !== 'object')
    throw new Error(`grid options: got ${shown(o)}; allowed: an object such as { steps: 50 }`);
  checkKeys('grid', o, GRID_KEYS);
  check(
    'steps',
    o.steps,
    Number.isInteger(o.steps) && o.steps >= 1 && o.steps <= 100000,
    'an integer from 1 to 100000',
  );
  const kind = o.kind ?? 'uniform';
  if (!(GRIDS as readonly string[]).includes(kind))
    throw new Error(`grid: unknown grid '${kind}'; allowed: ${GRIDS.join(', ')}`);
  const shift = o.shift ?? 1,
    rho = o.rho ?? 7,
    t0 = o.tStart ?? 1,
    t1 = o.tEnd ?? 0;
  check('shift', shift, Number.isFinite(shift) && shift > 0, 'a finite number > 0');
  check('rho', rho, Number.isFinite(rho) && rho > 0, 'a finite number > 0');
  check('tStart', t0, t0 > 0 && t0 <= 1, 'a number in (0, 1]');
  check('tEnd', t1, t1 >= 0 && t1 < t0, `a number in [0, tStart = ${t0})`);
  // options of another kind of grid would be silently ignored
  if (shift !== 1 && kind !== 'uniform')
    throw new Error(
      `shift: got ${shown(shift)} for a ${kind} grid; allowed: a shift on uniform grids only (1 elsewhere)`,
    );
  if (rho !== 7 && kind !== 'karras')
    throw new Error(`rho: got ${shown(rho)} for a ${kind} grid; allowed: rho on karras grids only (7 elsewhere)`);
  const nsrMax = o.nsrMax ?? 80,
    nsrMin = o.nsrMin ?? 0.002;
  if (kind === 'uniform' && (o.nsrMax !== undefined || o.nsrMin !== undefined))
    throw new Error('nsrMax, nsrMin: apply to karras and logsnr grids only; allowed: leave them out for uniform');
  check('nsrMax', nsrMax, Number.isFinite(nsrMax) && nsrMax > 0, 'a finite number > 0');
  check(
    'nsrMin',
    nsrMin,
    Number.isFinite(nsrMin) && nsrMin > 0 && nsrMin < nsrMax,
    `a number in (0, nsrMax = ${nsrMax})`,
  );
}

/** Uniform in t from tStart to tEnd, then the SD3/Flux time shift (Esser et al. 2024). */
function uniform(o: Required<Pick<GridOptions, 'steps' | 'shift' | 'tStart' | 'tEnd'>>): number[] {
  const out: number[] = [];
  for (let i = 0; i <= o.steps; i++) {
    const u = i === o.steps ? o.tEnd : o.tStart + ((o.tEnd - o.tStart) * i) / o.steps;
    out.push(o.shift === 1 || u === 0 || u === 1 ? u : (o.shift * u) / (1 + (o.shift - 1) * u)); // exact at 0 and 1
  }
  return out;
}

/**
 * Karras et al. (2022, Eq. 5) spacing in rho-th roots of sigma/alpha, or uniform spacing in lambda,
 * between the ends; an end noisier than nsrMax or cleaner than nsrMin (pure noise, clean data) is
 * kept as its own point and the spacing runs from the cap instead.
 */
function spaced(schedule: NoiseSchedule, o: Required<GridOptions>): number[] {
  const capHi = -Math.log(o.nsrMax),
    capLo = -Math.log(o.nsrMin);
  const lHi = schedule.lambda(o.tStart),
    lLo = schedule.lambda(o.tEnd);
  // An end beyond the caps (or infinite: pure noise, clean data) stays as it is; the spacing runs between the caps.
  const hiOut = !(lHi >= capHi),
    loOut = !(lLo <= capLo);
  const m = o.steps + 1 - (hiOut ? 1 : 0) - (loOut ? 1 : 0);
  const a = hiOut ? capHi : lHi,
    b = loOut ? capLo : lLo;
  const inner: number[] = [];
  for (let j = 0; j < m; j++) {
    const f = m === 1 ? 0.5 : j / (m - 1);
    if (o.kind === 'logsnr') inner.push(a + (b - a) * f);
    else {
      const sMax = Math.exp(-a / o.rho),
        sMin = Math.exp(-b / o.rho);
      inner.push(-o.rho * Math.log(sMax + f * (sMin - sMax)));
    }
  }
  const ts = inner.map((l) => schedule.tOfLambda(l));
  if (!hiOut && ts.length) ts[0] = o.tStart;
  if (!loOut && ts.length) ts[ts.length - 1] = o.tEnd;
  return [...(hiOut ? [o.tStart] : []), ...ts, ...(loOut ? [o.tEnd] : [])];
}

/** The time grid t_0 = tStart > ... > t_T = tEnd for a schedule. */
export function timeGrid(schedule: NoiseSchedule, options: GridOptions): number[] {
  validateGrid(options);
  if ((options.kind ?? 'uniform') !== 'uniform' && typeof schedule?.lambda !== 'function')
    throw new Error(
      `timeGrid: schedule got ${typeof schedule === 'string' ? `'${schedule}'` : String(schedule)}; allowed: a ` +
        `NoiseSchedule (getSchedule('flow')), which ${options.kind} spacing needs`,
    );
  const o: Required<GridOptions> = {
    kind: 'uniform',
    shift: 1,
    rho: 7,
    tStart: 1,
    tEnd: 0,
    nsrMax: 80,
    nsrMin: 0.002,
    ...options,
  };
  const grid = o.kind === 'uniform' ? uniform(o) : spaced(schedule, o);
  for (let i = 1; i < grid.length; i++)
    if (!(grid[i] < grid[i - 1]))
      throw new Error(
        `grid: ${o.kind} grid is not strictly decreasing at step ${i} (${grid[i - 1]} -> ${grid[i]}); use fewer ` +
          `steps or other ends`,
      );
  return grid;
}
