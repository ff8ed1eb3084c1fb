/** `chords run`: CHORDS on an analytic model, every hit compared with the sequential solver and the reference solution. */
import * as tf from '@tensorflow/tfjs';
import { disposeResult, initSequence, parseInit, parseStop, runChords, validateInit } from '../chords/index.ts';
import { batchedExecutor, serialExecutor } from '../parallel/index.ts';
import { JUMPS, SOLVER_NAMES, getJump, getSolver, sample, type JumpName } from '../solvers/index.ts';
import { rmse } from '../tensor.ts';
import { choiceArg, helpText, intArg, parseOptions, type Spec } from './args.ts';
import { PROBLEM_OPTIONS, buildProblem } from './problem.ts';

export const EXECUTORS = ['batched', 'serial'] as const;

export const RUN_OPTIONS: Spec = {
  ...PROBLEM_OPTIONS,
  init: { type: 'string', help: 'init sequence, e.g. 0-2-4-8-16-24-32-40 (default: the generator for --cores)' },
  cores: { type: 'string', default: '8', help: 'number of cores K when --init is not given (1..64)' },
  stop: { type: 'string', default: 'complete', help: 'core-index:<i> | residual[:<tol>] | residual-rmse:<tol> | complete' },
  'fine-solver': { type: 'string', default: 'euler', help: `fine solver of every core: ${SOLVER_NAMES.join(' | ')}` },
  coarse: { type: 'string', default: 'euler', help: `coarse jump: ${Object.keys(JUMPS).join(' | ')}` },
  'no-rectify': { type: 'boolean', help: 'disable rectification (ablation)' },
  executor: { type: 'string', default: 'batched', help: `executor: ${EXECUTORS.join(' | ')}` },
  json: { type: 'boolean', help: 'print one JSON object instead of a table' },
  values: { type: 'boolean', help: "add each hit's sample values to the JSON" },
  backend: { type: 'string', help: 'tfjs backend: auto | tensorflow | wasm | cpu (default: $CHORDS_BACKEND or auto)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const RUN_HELP = helpText(`Usage: chords run [options]

Runs CHORDS (Han et al., ICCV 2025) on an analytic model. Every hit is reported with its round,
cumulative model calls, RMSE to the sequential solver (same fine solver, grid and noise) and error
to the exact/reference ODE solution. --model linear is the reference code's own toy problem.`, RUN_OPTIONS);

export async function runCommand(argv: string[], out: (s: string) => void, backendName: () => Promise<string>): Promise<void> {
  const o = parseOptions('run', argv, RUN_OPTIONS);
  if (o.help) return out(RUN_HELP);
  const fineName = choiceArg('fine-solver', o['fine-solver'], SOLVER_NAMES);
  const coarseName = choiceArg<JumpName>('coarse', o.coarse, Object.keys(JUMPS) as JumpName[]);
  const executorName = choiceArg('executor', o.executor, EXECUTORS);
  const stop = parseStop(String(o.stop));
  const steps = intArg('steps', o.steps, 1, 10000);
  const init = typeof o.init === 'string' ? parseInit(o.init) : initSequence({ cores: intArg('cores', o.cores, 1, 64), steps });
  if (typeof o.init === 'string' && argv.some((a) => a === '--cores' || a.startsWith('--cores='))) validateInit(init, steps, intArg('cores', o.cores, 1, 64));
  validateInit(init, steps);
  const backend = await backendName();
  const p = buildProblem(o);
  const fine = getSolver(fineName), coarse = getJump(coarseName);
  const x = tf.tensor(p.x0, p.shape);
  try {
    const executor = executorName === 'serial' ? serialExecutor(p.model) : batchedExecutor(p.model);
    const res = await runChords({ executor, param: p.model, grid: p.grid, x }, { init, fine, coarse, stop, rectify: !o['no-rectify'] });
    const seq = sample(fine, p.model, x, p.grid);
    const seqValues = await seq.x.data();
    seq.x.dispose();
    const reference = p.reference?.();
    const hits = res.hits.map((h) => {
      const v = h.x.dataSync() as Float32Array;
      return {
        kind: h.kind, core: h.core, round: h.round, modelCalls: h.modelCalls,
        speedupRounds: seq.modelCalls / h.round, rmseToSequential: rmse(v, seqValues),
        ...(reference ? { errorToReference: rmse(v, reference) } : {}),
        ...(p.quality ? p.quality(v) : {}),
        ...(o.values ? { values: Array.from(v) } : {}),
      };
    });
    disposeResult(res);
    const report = {
      command: 'run', backend,
      config: { ...p.config, init: init.join('-'), cores: init.length, stop: String(o.stop), fineSolver: fineName, coarse: coarseName, rectify: !o['no-rectify'], executor: executorName },
      rounds: res.rounds, modelCalls: res.modelCalls, wallMs: res.wallMs, modelMs: res.modelMs, overheadMs: res.overheadMs, stoppedBy: res.stoppedBy,
      sequential: {
        rounds: seq.modelCalls, modelCalls: seq.modelCalls,
        ...(reference ? { errorToReference: rmse(seqValues, reference) } : {}),
        ...(p.quality ? p.quality(seqValues as Float32Array) : {}),
        ...(o.values ? { values: Array.from(seqValues) } : {}),
      },
      hits,
    };
    if (o.json) return out(JSON.stringify(report));
    const last = (h: Record<string, unknown>) => ('errorToReference' in h ? (h.errorToReference as number).toExponential(2).padStart(12)
      : 'classAccuracy' in h ? `${(100 * (h.classAccuracy as number)).toFixed(0).padStart(5)}% ${(h.frechetDistance as number).toFixed(1).padStart(6)}` : '');
    const rows = hits.map((h) => `  ${(h.kind === 'coarse' ? 'coarse' : `core ${h.core}`).padEnd(8)} ${String(h.round).padStart(5)} ${h.speedupRounds.toFixed(2).padStart(8)}x ${String(h.modelCalls).padStart(7)} ${h.rmseToSequential.toExponential(2).padStart(12)} ${last(h)}`);
    out(`CHORDS on ${p.name}: init ${init.join('-')}, fine ${fineName}, coarse ${coarseName}, stop ${o.stop}, ${executorName} executor, ${backend}\n` +
      `  hit      round  speedup   calls   rmse-to-seq   ${reference ? 'err-to-ref' : p.quality ? 'acc     FD' : ''}\n${rows.join('\n')}\n` +
      `  sequential ${fineName}: ${seq.modelCalls} rounds${report.sequential.errorToReference !== undefined ? `, error to reference ${report.sequential.errorToReference.toExponential(2)}` : ''}\n` +
      `  ${res.rounds} rounds, ${res.modelCalls} model calls, ${res.wallMs.toFixed(1)} ms (model ${res.modelMs.toFixed(1)} ms)\n`);
  } finally {
    x.dispose();
    p.model.dispose();
  }
}
