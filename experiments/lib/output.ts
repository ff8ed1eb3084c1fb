/**
 * Writes an experiment's results/<name>.json and its plots; prints where they went. Quick runs
 * (config.quick) write results/<name>-quick.* instead, so they never replace the full results the
 * README shows.
 */
import { plotResults, writeResults, type ResultsFile } from '../../src/plots/index.ts';
import { resultsName, runEnv } from './flags.ts';

export async function finish(
  name: string,
  config: Record<string, unknown>,
  rows: Record<string, unknown>[],
  dir = 'results',
): Promise<void> {
  if (rows.length === 0) throw new Error(`${name}: no rows to write (nothing ran)`);
  const file: ResultsFile = { name: resultsName(name, config.quick === true), config, env: runEnv(), rows };
  const path = writeResults(dir, file);
  const pngs = await plotResults(path);
  process.stderr.write(`${name}: wrote ${path} (${rows.length} rows) and ${pngs.join(', ')}\n`);
}
