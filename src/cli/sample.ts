/**
 * `chords sample`: DiT samples as a PNG grid, sequentially or with CHORDS, with their class accuracy and Frechet
 * distance.
 */
import { resolve } from 'node:path';
import { disposeResult, initSequence, parseStop, runChords } from '../chords/index.ts';
import { batchedExecutor } from '../executors/index.ts';
import { writeGrid } from '../plots/grid.ts';
import { SOLVER_NAMES, getSolver, sample } from '../solvers/index.ts';
import { choiceArg, helpText, intArg, parseOptions, type Spec } from './args.ts';
import { PROBLEM_OPTIONS, buildProblem } from './problem.ts';
import { adapterField } from './report.ts';

export const SAMPLE_OPTIONS: Spec = {
  ...PROBLEM_OPTIONS,
  model: { type: 'string', default: 'dit', help: 'model: dit (the only image model)' },
  n: { type: 'string', default: '16', help: 'number of samples (1..4096)' },
  solver: {
    type: 'string',
    default: 'euler',
    help: `solver (the fine solver with --cores): ${SOLVER_NAMES.join(' | ')}`,
  },
  cores: { type: 'string', help: 'sample with CHORDS on this many cores (default: sequential)' },
  stop: { type: 'string', default: 'core-index:1', help: 'CHORDS stop rule with --cores' },
  out: { type: 'string', default: 'results/samples.png', help: 'PNG grid to write' },
  json: { type: 'boolean', help: 'print one JSON object (with classAccuracy and frechetDistance)' },
  backend: { type: 'string', help: 'tfjs backend: auto | tensorflow | wasm | cpu | webgpu' },
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
  const stop = parseStop(String(o.stop));
  const backend = await backendName();
  const p = await buildProblem(o);
  const x = p.x;
  try {
    const t0 = performance.now();
    let values: Float32Array, modelCalls: number, rounds: number;
    if (cores === undefined) {
      const r = sample(getSolver(solverName), p.model, x, p.grid);
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
    const file = resolve(String(o.out));
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
        `  ${quality}, Frechet distance ${report.frechetDistance.toFixed(2)}\n  wrote ${file}\n`,
    );
  } finally {
    p.dispose();
  }
}
