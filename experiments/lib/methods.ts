/** Runs one method on a problem and turns every intermediate result into a row with its scores. */
import type { Executor } from '../../src/executors/index.ts';
import { score, type Problem, type Scores } from '../../src/problems/index.ts';
import { getMethod, type MethodHit } from '../../src/sampling/index.ts';
import { disposeResult } from '../../src/sampling/task.ts';
import { dpmpp2m, euler, type Solver } from '../../src/solvers/index.ts';
import { runSequential } from '../../src/methods/index.ts';

/**
 * The labelled variants the experiments compare (the label is the rows' `method` and picks the plot
 * colour); each is a registered method with option overrides. Any registered name works as its own label.
 */
export const VARIANTS: Record<string, { method: string; options?: Record<string, unknown> }> = {
  sequential: { method: 'sequential' },
  chords: { method: 'chords' },
  'chords (no rectification)': { method: 'chords', options: { rectify: false } },
  'chords (dpmpp-2m fine)': { method: 'chords', options: { fine: dpmpp2m } },
  paradigms: { method: 'paradigms' },
  srds: { method: 'srds' },
  'srds (pipelined)': { method: 'srds-pipelined' },
};
export type MethodName = string;

export interface Run {
  /** A label of VARIANTS or a registered method name. */
  method: MethodName;
  /** Parallel width: CHORDS cores, ParaDiGMS window, SRDS blocks. */
  cores: number;
  /** CHORDS init sequence (default: initSequence). */
  init?: number[];
  /** Methods with a stop rule (CHORDS): which hit to return (1 = fastest core). Default 1. */
  hit?: number;
  /** ParaDiGMS/SRDS tolerance. Default 0.1. */
  tolerance?: number;
}

export interface Row extends Record<string, unknown>, Scores {
  method: MethodName;
  cores: number;
  round: number;
  modelCalls: number;
  kind: string;
}

/** The sequential Euler sample of a problem (values), the reference everything is compared with. */
export async function sequentialValues(
  p: Problem,
  executor: Executor,
  solver: Solver = euler,
): Promise<{ values: Float32Array; wallMs: number }> {
  const r = await runSequential({ executor, param: p.model, grid: p.grid, x: p.x }, { solver });
  const values = (await r.sample.data()) as Float32Array;
  disposeResult(r);
  return { values, wallMs: r.wallMs };
}

/** The scores of sample values (the one scoring function the CLI uses too). */
export const qualityOf = (p: Problem, v: Float32Array, seq: Float32Array): Promise<Scores> => score(p, v, seq);

/** Runs a method to its returned sample; `all` rows hold every intermediate result, `final` the returned one. */
export async function runMethod(
  p: Problem,
  run: Run,
  executor: Executor,
  seq: Float32Array,
  { allHits = false } = {},
): Promise<{ final: Row & { wallMs: number }; all: Row[] }> {
  const variant = VARIANTS[run.method] ?? { method: run.method };
  const method = getMethod(variant.method),
    T = p.grid.length - 1;
  const options = { ...method.defaults(T, run.cores), ...variant.options };
  if (run.init) options.init = run.init;
  if (run.tolerance !== undefined && 'tolerance' in options) options.tolerance = run.tolerance;
  const stops = 'stop' in options,
    hit = run.hit ?? 1;
  if (stops)
    options.stop = allHits ? { kind: 'complete' } : { kind: 'core-index', index: Math.min(hit, options.init.length) };
  const res = await method.run({ executor, param: p.model, grid: p.grid, x: p.x }, options);
  const rowOf = async (h: MethodHit): Promise<Row> => ({
    method: run.method,
    cores: run.cores,
    round: h.round,
    modelCalls: h.modelCalls,
    kind: h.kind,
    ...(await score(p, (await h.x.data()) as Float32Array, seq)),
  });
  const all: Row[] = [];
  if (allHits) for (const h of res.hits) all.push(await rowOf(h));
  // a method run to completion for all hits: the returned sample is the requested hit
  const pick = allHits && stops ? res.hits[Math.min(hit, res.hits.length - 1)] : res.hits[res.hits.length - 1];
  const final = { ...(await rowOf(pick)), wallMs: allHits ? NaN : res.wallMs };
  disposeResult(res);
  return { final, all };
}
