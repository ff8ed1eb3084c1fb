/**
 * `chords sample`: DiT samples as a PNG grid, sequentially or with CHORDS, with their class accuracy and Frechet
 * distance.
 */
import { disposeResult, initSequence, parseStop, runChords, validateStop } from '../chords/index.ts';
import { batchedExecutor } from '../executors/index.ts';
import { writeGrid } from '../plots/grid.ts';
import { formatFrechet } from '../metrics/quality.ts';
import { SOLVER_NAMES, getSolver, sample } from '../solvers/index.ts';
import { choice, int } from '../names.ts';
import { checkApplies, choiceArg, helpText, intArg, outFileArg, parseOptions, type Spec } from './args.ts';
import { MODEL_OPTION_OWNERS, checkCallSize } from './applies.ts';
import { PROBLEM_OPTIONS, buildProblem, problemSpec } from './problem.ts';
import { adapterField } from './report.ts';

/** The problem options that apply to the DiT (sample has no analytic models). */
const { dim, components, 'mixture-seed': mixtureSeed, ...DIT_OPTIONS } = PROBLEM_OPTIONS;

export const SAMPLE_OPTIONS: Spec = {
  ...DIT_OPTIONS,
  model: { type: 'string', default: 'dit', help: 'model: dit (the only image model)', rule: choice(['dit']) },
  schedule: {
    type: 'string',
    default: 'flow',
    help: 'noise schedule: flow (the DiT is trained by flow matching)',
    rule: choice(['flow']),
  },
  x0: { type: 'string', help: 'initial noise as v1,v2,... (n * 256 values for 16 x 16 digits; overrides --seed)' },
  n: { type: 'string', default: '16', help: 'number of samples (1..4096)', rule: int(1, 4096) },
  solver: {
    type: 'string',
    default: 'euler',
    help: `solver (the fine solver with --cores): ${SOLVER_NAMES.join(' | ')}`,
    rule: choice(SOLVER_NAMES),
  },
  cores: { type: 'string', help: 'sample with CHORDS on this many cores (default: sequential)', rule: int(1, 64) },
  stop: {
    type: 'string',
    default: 'core-index:1',
    help: 'CHORDS stop rule with --cores',
    rule: { kind: 'stop', when: { option: 'cores' } },
  },
  out: {
    type: 'string',
    default: 'results/samples.png',
    help: "PNG grid to write; its own folder is created if missing, that folder's parent must exist",
    rule: { kind: 'file', ext: '.png' },
  },
  json: { type: 'boolean', help: 'print one JSON object (with classAccuracy and frechetDistance)' },
  backend: { type: 'string', help: 'tfjs backend: auto | tensorflow | wasm | cpu | webgpu', rule: { kind: 'backend' } },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const SAMPLE_HELP = helpText(
  'Usage: chords sample [options]\n\nSamples the shipped DiT (no download) and writes a PNG grid; without --class, ' +
    'classes cycle 0..9.',
  SAMPLE_OPTIONS,
);

export async function sampleCommand(
  argv: string[],
  out: (s: string) => void,
  backendName: () => Promise<string>,
): Promise<void> {
  const o = parseOptions('sample', argv, SAMPLE_OPTIONS);
  if (o.help) return out(SAMPLE_HELP);
  choiceArg('model', o.model, ['dit'] as const);
  const solverName = choiceArg('solver', o.solver, SOLVER_NAMES);
  const cores = typeof o.cores === 'string' ? intArg('cores', o.cores, 1, 64) : undefined;
  if (cores === undefined && argv.some((a) => a === '--stop' || a.startsWith('--stop=')))
    throw new Error('--stop applies to CHORDS sampling only; allowed with --cores');
  const stop = parseStop(String(o.stop));
  if (cores !== undefined) validateStop(stop, cores);
  const file = outFileArg('out', o.out, '.png');
  checkApplies('sample', o, MODEL_OPTION_OWNERS);
  checkCallSize(problemSpec(o), cores ?? 1);
  const backend = await backendName();
  const p = await buildProblem(o);
  const x = p.x;
  try {
    const t0 = performance.now();
    let values: Float32Array, modelCalls: number, rounds: number;
    if (cores === undefined) {
      const r = await sample(getSolver(solverName), p.model, x, p.grid);
      values = (await r.x.data()) as Float32Array;
      modelCalls = r.modelCalls;
      rounds = r.modelCalls;
      r.x.dispose();
    } else {
      const init = initSequence({ cores, steps: p.grid.length - 1 });
      const r = await runChords(
        { executor: batchedExecutor(p.model), param: p.model, grid: p.grid, x },
        { init, fine: getSolver(solverName), stop },
      );
      values = (await r.sample.data()) as Float32Array;
      modelCalls = r.modelCalls;
      rounds = r.rounds;
      disposeResult(r);
    }
    const wallMs = performance.now() - t0;
    writeGrid(file, values, p.n, x.shape[1]!, x.shape[3]!);
    const report = {
      command: 'sample',
      backend,
      ...adapterField(),
      config: { ...p.config, solver: solverName, ...(cores ? { cores, stop: String(o.stop) } : {}) },
      rounds,
      modelCalls,
      wallMs,
      out: file,
      ...(await p.quality!(values)),
    };
    if (o.json) return out(JSON.stringify(report));
    const how = `${cores ? `CHORDS, ${cores} cores` : 'sequential'}, ${solverName}, ${p.grid.length - 1} steps`;
    const quality = `class accuracy ${(100 * report.classAccuracy).toFixed(1)}%`;
    out(
      `${p.n} DiT samples (${how}, guidance ${p.config.guidance}): ` +
        `${rounds} rounds, ${modelCalls} model calls, ${wallMs.toFixed(0)} ms\n` +
        `  ${quality}, Frechet distance ${formatFrechet(report.frechetDistance)}\n  wrote ${file}\n`,
    );
  } finally {
    p.dispose();
  }
}
