/** `chords plot results/<name>.json`: re-draws an experiment's plots (SVG + PNG) from its rows, without re-running. */
import { plotResults } from '../plots/results.ts';
import { PLOT_NO_FILE, helpText, parseOptions, type Spec } from './args.ts';

export const PLOT_OPTIONS: Spec = { help: { type: 'boolean', short: 'h', help: 'show this help' } };
export const PLOT_HELP = helpText(
  'Usage: chords plot <results/name.json> [...]\n\nRe-draws the plots of experiment results next to the JSON file,\n' +
    'named after it (name.svg, name.png, name.vl.json).',
  PLOT_OPTIONS,
);

export async function plotCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const files = argv.filter((a) => !a.startsWith('-'));
  const o = parseOptions(
    'plot',
    argv.filter((a) => a.startsWith('-')),
    PLOT_OPTIONS,
  );
  if (o.help) return out(PLOT_HELP);
  if (files.length === 0) throw new Error(PLOT_NO_FILE);
  for (const f of files) for (const png of await plotResults(f)) out(`wrote ${png}`);
}
