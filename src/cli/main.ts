/**
 * The `chords` command: subcommands, help, backend selection, and errors printed as one line. Nothing here loads
 * tfjs: each command's module is imported only to run it. Installed, --help of any command and unknown or
 * misplaced options are answered from dist/cli/catalog.json (written by the build from catalog.ts), so they
 * too never load tfjs, and so are bad values of every option with a rule (a range, a list of names, a number
 * list, a CHORDS init or stop rule, a backend, an output file). The commands check every value again (the
 * source of truth, with the same messages) and what needs the model (--x0's length, --weights).
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.ts';
import { PLOT_NO_FILE, checkApplies, checkRule, choiceArg, givenOptions, parseOptions } from './args.ts';
import type { Catalog } from './catalog.ts';
import type { ValueRule } from '../names.ts';

type Command = (argv: string[], out: (s: string) => void, backend: () => Promise<string>) => Promise<void>;

const COMMANDS: Record<string, { help: string; load: () => Promise<Command> }> = {
  solve: {
    help: 'one sequential solve: error to the exact solution (analytic models) or sample quality (dit)',
    load: async () => (await import('./solve.ts')).solveCommand,
  },
  run: {
    help: 'CHORDS or a baseline (--method): every result vs the sequential solver and the exact solution or quality',
    load: async () => (await import('./run.ts')).runCommand,
  },
  plot: {
    help: 'redraw the plots of results/<name>.json (SVG and PNG) without re-running',
    load: async () => (await import('./plot.ts')).plotCommand,
  },
  sample: {
    help: 'DiT samples as a PNG grid, sequential or CHORDS, with class accuracy and Frechet distance',
    load: async () => (await import('./sample.ts')).sampleCommand,
  },
};

const HELP = `chords: parallel diffusion sampling (CHORDS, ParaDiGMS, SRDS) on tfjs

Usage: chords <command> [options]     (chords <command> --help for its options; chords --version)

Commands:
${Object.entries(COMMANDS)
  .map(([k, c]) => `  ${k.padEnd(8)} ${c.help}`)
  .join('\n')}

Environment: CHORDS_BACKEND=auto|tensorflow|wasm|cpu|webgpu picks the tfjs backend (--backend too);
CHORDS_WEBGPU_ADAPTER=<name substring> picks the webgpu adapter (Dawn's adapter filter).
`;

/** The build's catalogue next to this module (dist/cli/catalog.json); undefined in the sources. */
function readCatalog(): Catalog | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./catalog.json', import.meta.url), 'utf8')) as Catalog;
  } catch {
    return undefined;
  }
}

/**
 * Checks option names (unknown options, a method's flags given to another method), the options that apply to
 * some models only and every typed value that has a rule, and answers --help from the catalogue: the help text to
 * print, or undefined to go on and run the command.
 */
export function preflight(catalog: Catalog, cmd: string, argv: string[]): string | undefined {
  const entry = catalog.commands[cmd];
  if (!entry) return undefined;
  const dashed = cmd === 'plot' ? argv.filter((a) => a.startsWith('-')) : argv;
  const o = parseOptions(cmd, dashed, entry.options);
  if (cmd === 'plot') {
    if (o.help) return entry.help;
    if (dashed.length === argv.length) throw new Error(PLOT_NO_FILE);
    return undefined;
  }
  let methodRules: Record<string, ValueRule> = {};
  if (cmd === 'run') {
    const given = givenOptions(o).has('method')
      ? choiceArg('method', o.method, Object.keys(catalog.methods))
      : undefined; // parseOptions fills in defaults; givenOptions says what was typed
    if (o.help) return given ? catalog.methods[given].help : entry.help;
    const method = given ?? String(entry.options.method.default);
    for (const [flag, owners] of Object.entries(catalog.flagOwners))
      if (o[flag] !== undefined && !owners.includes(method))
        throw new Error(`--${flag} belongs to --method ${owners.join(' or ')}, not ${method}`);
    methodRules = catalog.methods[method].rules;
  }
  if (o.help) return entry.help;
  if (entry.applies) checkApplies(cmd, o, entry.applies);
  for (const k of givenOptions(o)) {
    const rule = methodRules[k] ?? entry.options[k]?.rule;
    if (rule) checkRule(k, o[k], rule, o);
  }
  return undefined;
}

/** Pulls --backend out of argv (any subcommand) and initialises tfjs lazily. */
export function backendFrom(argv: string[]): () => Promise<string> {
  const i = argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
  const value = i < 0 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  return async () => (await (await import('../backend.ts')).initBackend({ backend: value })).name;
}

export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    out(HELP);
    return 0;
  }
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    out(`chords-ts ${JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version}`);
    return 0;
  }
  const c = COMMANDS[cmd];
  if (!c) throw new Error(`unknown command '${cmd}'; allowed: ${Object.keys(COMMANDS).join(', ')}`);
  const catalog = readCatalog();
  const help = catalog && preflight(catalog, cmd, rest);
  if (help !== undefined) {
    out(help);
    return 0;
  }
  await (
    await c.load()
  )(rest, out, backendFrom(rest));
  return 0;
}

export { COMMANDS };
