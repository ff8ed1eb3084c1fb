/**
 * Every command's help and option spec as plain data (for `chords run`, per registered method too). The build
 * writes it to dist/cli/catalog.json, so the installed `chords` answers --help and rejects unknown or misplaced
 * options without loading tfjs (main.ts); from the sources main.ts goes straight to the commands.
 */
import { getMethod, methodNames } from '../sampling/registry.ts';
import type { Spec } from './args.ts';
import { PLOT_HELP, PLOT_OPTIONS } from './plot.ts';
import { flagOwners, runHelp, runOptions } from './run.ts';
import { SAMPLE_HELP, SAMPLE_OPTIONS } from './sample.ts';
import { SOLVE_HELP, SOLVE_OPTIONS } from './solve.ts';

export interface CatalogEntry {
  help: string;
  /** The options parseOptions accepts (without defaults: only names, types and short forms matter here). */
  options: Spec;
}

export interface Catalog {
  commands: Record<string, CatalogEntry>;
  /** `chords run --method <name> --help`. */
  methods: Record<string, { help: string }>;
  /** `chords run`: the methods that declare each method flag. */
  flagOwners: Record<string, string[]>;
}

export function buildCatalog(): Catalog {
  return {
    commands: {
      solve: { help: SOLVE_HELP, options: SOLVE_OPTIONS },
      run: { help: runHelp(), options: runOptions({ defaults: false }) },
      plot: { help: PLOT_HELP, options: PLOT_OPTIONS },
      sample: { help: SAMPLE_HELP, options: SAMPLE_OPTIONS },
    },
    methods: Object.fromEntries(methodNames().map((name) => [name, { help: runHelp(getMethod(name)) }])),
    flagOwners: Object.fromEntries([...flagOwners()].map(([flag, owners]) => [flag, owners.map((m) => m.name)])),
  };
}
