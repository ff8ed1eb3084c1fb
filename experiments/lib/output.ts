/** Writes an experiment's results/<name>.json and its plots; prints where they went. */
import { plotResults, writeResults, type ResultsFile } from '../../src/plots/index.ts';
import { runEnv } from './flags.ts';

export async function finish(
  name: string,
  config: Record<string, unknown>,
  rows: Record<string, unknown>[],
  dir = 'results',
): Promise<void> {
  const file: ResultsFile = { name, config, env: runEnv(), rows };
  const path = writeResults(dir, file);
  const pngs = await plotResults(path);
  process.stderr.write(`${name}: wrote ${path} (${rows.length} rows) and ${pngs.join(', ')}\n`);
}
