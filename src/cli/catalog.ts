/**
 * Every command's help and option spec as plain data (for `chords run`, per registered method too). The build
 * writes it to dist/cli/catalog.json, so the installed `chords` answers --help and rejects unknown or misplaced
 * options, misplaced options and bad option values (each option's rule, names.ts ValueRule) without loading tfjs
 * (main.ts); from the sources main.ts goes straight to the commands.
 */
import { getMethod, methodNames } from '../sampling/registry.ts';
import type { ValueRule } from '../names.ts';
import type { Spec } from './args.ts';
import { MODEL_OPTION_OWNERS } from './applies.ts';
import { PLOT_HELP, PLOT_OPTIONS } from './plot.ts';
import { flagOwners, runHelp, runOptions } from './run.ts';
import { SAMPLE_HELP, SAMPLE_OPTIONS } from './sample.ts';
import { SOLVE_HELP, SOLVE_OPTIONS } from './solve.ts';

export interface CatalogEntry {
  help: string;
  /** The options parseOptions accepts (without defaults: only names, types and short forms matter here). */
  options: Spec;
  /** Options that apply to some models only (checkApplies), checked before the values. */
  applies?: Record<string, [string, readonly string[]]>;
}

export interface Catalog {
  commands: Record<string, CatalogEntry>;
  /** `chords run --method <name> --help`. */
  methods: Record<string, { help: string; rules: Record<string, ValueRule> }>;
  /** `chords run`: the methods that declare each method flag. */
  flagOwners: Record<string, string[]>;
}

export function buildCatalog(): Catalog {
  return {
    commands: {
      solve: { help: SOLVE_HELP, options: SOLVE_OPTIONS, applies: MODEL_OPTION_OWNERS },
      run: { help: runHelp(), options: runOptions({ defaults: false }), applies: MODEL_OPTION_OWNERS },
      plot: { help: PLOT_HELP, options: PLOT_OPTIONS },
      sample: { help: SAMPLE_HELP, options: SAMPLE_OPTIONS, applies: MODEL_OPTION_OWNERS },
    },
    methods: Object.fromEntries(
      methodNames().map((name) => {
        const m = getMethod(name);
        const rules = Object.entries(m.flags).flatMap(([k, f]) => (f.rule ? [[k, f.rule]] : []));
        return [name, { help: runHelp(m), rules: Object.fromEntries(rules) }];
      }),
    ),
    flagOwners: Object.fromEntries([...flagOwners()].map(([flag, owners]) => [flag, owners.map((m) => m.name)])),
  };
}
