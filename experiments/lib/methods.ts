/** Runs one method on a problem and turns every intermediate result into a row with its quality. */
import { runParadigms, runSequential, runSrds, runSrdsPipelined } from '../../src/baselines/index.ts';
import { disposeResult, initSequence, runChords } from '../../src/chords/index.ts';
import type { Executor } from '../../src/parallel/index.ts';
import { dpmpp2m, euler, type Solver } from '../../src/solvers/index.ts';
import { relativeRmse } from '../../src/tensor.ts';
import type { SamplerHit, SamplerResult } from '../../src/task.ts';
import type { Problem } from './problems.ts';

export type MethodName =
  | 'sequential'
  | 'chords'
  | 'paradigms'
  | 'srds'
  | 'srds (pipelined)'
  | 'chords (no rectification)'
  | 'chords (dpmpp-2m fine)';

export interface Run {
  method: MethodName;
  /** Parallel width: CHORDS cores, ParaDiGMS window, SRDS blocks. */
  cores: number;
  /** CHORDS init sequence (default: initSequence). */
  init?: number[];
  /** CHORDS: which hit to return (1 = fastest core). Default 1. */
  hit?: number;
  /** ParaDiGMS/SRDS tolerance. Default 0.1. */
  tolerance?: number;
}

const FINE: Partial<Record<MethodName, Solver>> = { 'chords (dpmpp-2m fine)': dpmpp2m };

export interface Row extends Record<string, unknown> {
  method: MethodName;
  cores: number;
  round: number;
  modelCalls: number;
  kind: string;
  errorToSequential: number;
  errorToReference?: number;
  classAccuracy?: number;
  frechetDistance?: number | null;
}

/** The sequential Euler sample of a problem (values), the reference everything is compared with. */
export async function sequentialValues(
  p: Problem,
  executor: Executor,
  solver: Solver = euler,
): Promise<{ values: Float32Array; wallMs: number }> {
  const r = await runSequential({ executor, param: p.denoiser, grid: p.grid, x: p.x }, { solver });
  const values = r.sample.dataSync() as Float32Array;
  disposeResult(r);
  return { values, wallMs: r.wallMs };
}

export function qualityOf(
  p: Problem,
  v: Float32Array,
  seq: Float32Array,
): Pick<Row, 'errorToSequential' | 'errorToReference' | 'classAccuracy' | 'frechetDistance'> {
  return {
    errorToSequential: relativeRmse(v, seq),
    ...(p.reference ? { errorToReference: relativeRmse(v, p.reference) } : {}),
    ...(p.quality ? p.quality(v) : {}),
  };
}

/** Runs a method to its returned sample; `all` rows hold every intermediate result, `final` the returned one. */
export async function runMethod(
  p: Problem,
  run: Run,
  executor: Executor,
  seq: Float32Array,
  { allHits = false } = {},
): Promise<{ final: Row & { wallMs: number }; all: Row[] }> {
  const task = { executor, param: p.denoiser, grid: p.grid, x: p.x },
    T = p.grid.length - 1;
  let res: SamplerResult<SamplerHit & { kind?: string }>;
  if (run.method === 'sequential') res = await runSequential(task);
  else if (run.method.startsWith('chords')) {
    const init = run.init ?? initSequence({ cores: run.cores, steps: T });
    res = await runChords(task, {
      init,
      fine: FINE[run.method] ?? euler,
      rectify: run.method !== 'chords (no rectification)',
      stop: allHits ? { kind: 'complete' } : { kind: 'core-index', index: Math.min(run.hit ?? 1, init.length) },
    });
  } else if (run.method === 'paradigms')
    res = await runParadigms(task, { window: run.cores, tolerance: run.tolerance ?? 0.1 });
  else
    res = await (run.method === 'srds' ? runSrds : runSrdsPipelined)(task, {
      blocks: run.cores,
      tolerance: run.tolerance ?? 0.1,
    });
  const rowOf = (h: SamplerHit & { kind?: string }): Row => ({
    method: run.method,
    cores: run.cores,
    round: h.round,
    modelCalls: h.modelCalls,
    kind: h.kind ?? 'iteration',
    ...qualityOf(p, h.x.dataSync() as Float32Array, seq),
  });
  const all = allHits ? res.hits.map(rowOf) : [];
  // CHORDS run to completion for all hits: the returned sample is the requested hit
  const pick =
    allHits && run.method.startsWith('chords')
      ? res.hits[Math.min(run.hit ?? 1, res.hits.length - 1)]
      : res.hits[res.hits.length - 1];
  const final = { ...rowOf(pick), wallMs: allHits ? NaN : res.wallMs };
  disposeResult(res);
  return { final, all };
}
