/**
 * Results files results/<name>.json = { name, config, env, rows } and their plots, re-drawn without re-running
 * anything.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writePlot } from './render.ts';
import { frontierSpec, initSequencesSpec, lossSpec, speedupSpec, stepsSpec, timelineSpec } from './specs.ts';

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
  steps: [['', (r) => stepsSpec(r)]],
  timeline: [['', (r) => timelineSpec(r)]],
  'train-dit': [['', (r) => lossSpec(r)]],
};

export function writeResults(dir: string, file: ResultsFile): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${file.name}.json`);
  writeFileSync(path, JSON.stringify(file, null, 1));
  return path;
}

export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) throw new Error(`plot: no results file at '${path}'`);
  const r = JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
  if (!Array.isArray(r.rows)) throw new Error(`plot: '${path}' has no rows`);
  r.name ??= basename(path, '.json');
  return r;
}

/** Draws every plot of a results file next to it (<dir>/<name>.svg/.png); returns the PNG paths. */
export async function plotResults(path: string): Promise<string[]> {
  const r = readResults(path);
  const key = Object.keys(PLOTS).find((k) => r.name === k || r.name.startsWith(`${k}-`));
  if (!key) throw new Error(`plot: no plot for '${r.name}'; known experiments: ${Object.keys(PLOTS).join(', ')}`);
  const out: string[] = [];
  for (const [suffix, build] of PLOTS[key])
    out.push((await writePlot(join(dirname(path), `${r.name}${suffix}`), build(r.rows))).png);
  return out;
}
