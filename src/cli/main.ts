/** The `chords` command: subcommands, help, backend selection, and errors printed as one line. */
import { readFileSync } from 'node:fs';
import { initBackend } from '../backend.ts';
import { packagePath } from '../paths.ts';
import { runCommand } from './run.ts';
import { plotCommand } from './plot.ts';
import { sampleCommand } from './sample.ts';
import { solveCommand } from './solve.ts';

const COMMANDS: Record<
  string,
  { help: string; run: (argv: string[], out: (s: string) => void, backend: () => Promise<string>) => Promise<void> }
> = {
  solve: {
    help: 'one sequential solve: error to the exact solution (analytic models) or sample quality (dit)',
    run: solveCommand,
  },
  run: {
    help: 'CHORDS, ParaDiGMS or SRDS: every result vs the sequential solver and the exact solution or quality',
    run: runCommand,
  },
  plot: { help: 'redraw the plots of results/<name>.json (SVG and PNG) without re-running', run: plotCommand },
  sample: {
    help: 'DiT samples as a PNG grid, sequential or CHORDS, with class accuracy and Frechet distance',
    run: sampleCommand,
  },
};

const HELP = `chords: parallel diffusion sampling (CHORDS, ParaDiGMS, SRDS) on tfjs

Usage: chords <command> [options]     (chords <command> --help for its options; chords --version)

Commands:
${Object.entries(COMMANDS)
  .map(([k, c]) => `  ${k.padEnd(8)} ${c.help}`)
  .join('\n')}

Environment: CHORDS_BACKEND=auto|tensorflow|wasm|cpu picks the tfjs backend (--backend too).
`;

/** Pulls --backend out of argv (any subcommand) and initialises tfjs lazily. */
function backendFrom(argv: string[]): () => Promise<string> {
  const i = argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
  const value = i < 0 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  return async () => (await initBackend({ backend: value })).name;
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
  await c.run(rest, out, backendFrom(rest));
  return 0;
}

export { COMMANDS };
