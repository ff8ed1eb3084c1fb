/**
 * The `chords` command: subcommands, help, backend selection, and errors printed as one line. Nothing here loads
 * tfjs: each command's module is imported only to run it. Installed, --help of any command and unknown or
 * misplaced options are answered from dist/cli/catalog.json (written by the build from catalog.ts), so they
 * too never load tfjs; values are checked by the command itself before any work.
 */
import { readFileSync } from 'node:fs';
import { choiceArg, parseOptions } from './args.ts';
import type { Catalog } from './catalog.ts';

type Command = (argv: string[], out: (s: string) => void, backend: () => Promise<string>) => Promise<void>;

const COMMANDS: Record<string, { help: string; load: () => Promise<Command> }> = {
  solve: {
    help: 'one sequential solve of an analytic model, with its error to the exact solution',
    load: async () => (await import('./solve.ts')).solveCommand,
  },
  run: {
    help: 'CHORDS on a model: every hit vs the sequential solver and the exact solution (or sample quality)',
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

Usage: chords <command> [options]     (chords <command> --help for its options)

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
 * Checks option names (unknown options, a method's flags given to another method) and answers --help from the
 * catalogue: the help text to print, or undefined to go on and run the command.
 */
export function preflight(catalog: Catalog, cmd: string, argv: string[]): string | undefined {
  const entry = catalog.commands[cmd];
  if (!entry) return undefined;
  const dashed = cmd === 'plot' ? argv.filter((a) => a.startsWith('-')) : argv;
  const o = parseOptions(cmd, dashed, entry.options);
  if (cmd === 'plot') return o.help || dashed.length === argv.length ? entry.help : undefined;
  if (cmd === 'run') {
    const given = o.method === undefined ? undefined : choiceArg('method', o.method, Object.keys(catalog.methods));
    if (o.help) return given ? catalog.methods[given].help : entry.help;
    const method = given ?? String(entry.options.method.default);
    for (const [flag, owners] of Object.entries(catalog.flagOwners))
      if (o[flag] !== undefined && !owners.includes(method))
        throw new Error(`--${flag} belongs to --method ${owners.join(' or ')}, not ${method}`);
  }
  return o.help ? entry.help : undefined;
}

/** Pulls --backend out of argv (any subcommand) and initialises tfjs lazily. */
function backendFrom(argv: string[]): () => Promise<string> {
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
