/** Results files results/<name>.json = { name, config, env, rows } and their plots, re-drawn without re-running. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { oneLine } from '../options.ts';
import { writePlot } from './render.ts';
import {
  alignmentSpec,
  frontierSpec,
  initSequencesSpec,
  lossSpec,
  spawnSpec,
  speedupSpec,
  stepsSpec,
  timelineSpec,
} from './specs.ts';

export interface ResultsFile<R = Record<string, unknown>> {
  name: string;
  config: Record<string, unknown>;
  env: { backend: string; node: string; gitRev: string; cpus: number };
  rows: R[];
}

type Rows = Record<string, unknown>[];
/** Plots of each experiment, by name: [file suffix, spec builder]. */
export const PLOTS: Record<string, [string, (rows: Rows) => TopLevelSpec][]> = {
  speedup: [['', (r) => speedupSpec(r)]],
  frontier: [['', (r) => frontierSpec(r.some((x) => x.kind) ? r : r.filter((x) => x.model !== 'dit'))]],
  'init-sequences': [['', (r) => initSequencesSpec(r)]],
  alignment: [['', (r) => alignmentSpec(r)]],
  spawn: [['', (r) => spawnSpec(r)]],
  steps: [['', (r) => stepsSpec(r)]],
  timeline: [['', (r) => timelineSpec(r)]],
  'train-dit': [['', (r) => lossSpec(r)]],
};
/** Which rows a plot draws (default: every row); the frontier file also holds tables, choices and targets. */
const PLOTTED: Record<string, (row: Record<string, unknown>) => boolean> = {
  frontier: (row) => !('kind' in row) || ['sequential', 'frontier', 'curve'].includes(String(row.kind)),
  alignment: (row) => row.kind === 'curve',
  spawn: (row) => row.kind === 'summary',
};
/** The fields every drawn row needs for an experiment's plots (checked before drawing, so no empty plot). */
export const PLOT_FIELDS: Record<string, string[]> = {
  speedup: ['model', 'method', 'cores', 'speedupRounds', 'relErrorToSequential'],
  frontier: ['round', 'relErrorToReference'],
  'init-sequences': ['cores', 'sequence', 'round', 'relErrorToSequential'],
  alignment: ['set', 'sequence', 'stale', 'round', 'errorToTarget'],
  spawn: ['config', 'predictor', 'seeds'],
  steps: ['steps', 'hit', 'speedupRounds', 'relErrorToSequential'],
  timeline: ['event', 'core', 'round'],
  'train-dit': ['step', 'loss', 'lossEma'],
};

export function writeResults(dir: string, file: ResultsFile): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${file.name}.json`);
  writeFileSync(path, JSON.stringify(file, null, 1));
  return path;
}

/** Reads a results file; a missing file, a folder, malformed JSON or rows that are not a list are clear errors. */
export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) throw new Error(`plot: no results file at '${path}'`);
  if (statSync(path).isDirectory())
    throw new Error(`plot: '${path}' is a folder; allowed: a results file such as results/speedup.json`);
  let r: ResultsFile;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
  } catch (e) {
    throw new Error(`plot: '${path}' is not valid JSON (${oneLine(e)})`);
  }
  if (typeof r !== 'object' || r === null || Array.isArray(r))
    throw new Error(`plot: '${path}' holds no results object; allowed: { name, config, env, rows }`);
  if (!Array.isArray(r.rows)) throw new Error(`plot: '${path}' has no rows (a list of objects)`);
  if (r.name !== undefined && typeof r.name !== 'string')
    throw new Error(`plot: '${path}' has a name that is not a string: ${JSON.stringify(r.name)}`);
  r.name ??= basename(path, '.json');
  return r;
}

/** The experiment whose plots fit a results name: the name itself or <experiment>-<anything>. */
const experimentOf = (name: string) =>
  Object.keys(PLOTS)
    .filter((k) => name === k || name.startsWith(`${k}-`))
    .sort((a, b) => b.length - a.length)[0];

/**
 * Draws every plot of a results file next to it, named after the file (<dir>/<file>.svg/.png/.vl.json,
 * so a copy never draws over another experiment's plots); returns the PNG paths. The experiment comes
 * from the file's `name`; a file whose name and file name say different experiments is an error.
 */
export async function plotResults(path: string): Promise<string[]> {
  const r = readResults(path);
  const file = basename(path).replace(/\.json$/i, '');
  const key = experimentOf(r.name),
    byFile = experimentOf(file);
  if (!key)
    throw new Error(`plot: no plot for '${r.name}' (${path}); known experiments: ${Object.keys(PLOTS).join(', ')}`);
  if (byFile && byFile !== key)
    throw new Error(
      `plot: '${path}' holds '${r.name}' results (a ${key} experiment) but its file name says ${byFile}; ` +
        'rename the file or fix its name',
    );
  if (r.rows.length === 0) throw new Error(`plot: '${path}' has 0 rows; nothing to plot`);
  for (const field of PLOT_FIELDS[key]) {
    const drawn = PLOTTED[key] ?? (() => true);
    const i = r.rows.findIndex((row) => typeof row !== 'object' || row === null || (drawn(row) && !(field in row)));
    if (i >= 0)
      throw new Error(
        `plot: '${path}': row ${i} has no '${field}'; the ${key} plot needs ${PLOT_FIELDS[key].join(', ')}`,
      );
  }
  const out: string[] = [];
  for (const [suffix, build] of PLOTS[key])
    out.push((await writePlot(join(dirname(path), `${file}${suffix}`), build(r.rows))).png);
  return out;
}
