/** `chords run`: CHORDS, ParaDiGMS or SRDS on a model; every intermediate result vs the sequential solver and the reference. */
import * as tf from '@tensorflow/tfjs';
import { runParadigms, runSrds, runSrdsPipelined } from '../baselines/index.ts';
import { disposeResult, initSequence, parseInit, parseStop, runChords, validateInit } from '../chords/index.ts';
import { JUMPS, SOLVER_NAMES, getJump, getSolver, sample, type JumpName } from '../solvers/index.ts';
import type { SamplerHit, SamplerResult } from '../task.ts';
import { formatFrechet } from '../metrics/quality.ts';
import { rmse } from '../tensor.ts';
import { checkApplies, choiceArg, helpText, intArg, numArg, parseOptions, type Spec } from './args.ts';
import { MODEL_OPTION_OWNERS } from './applies.ts';
import { EXECUTOR_OPTIONS, chooseExecutor, makeExecutor } from './executor.ts';
import { PROBLEM_OPTIONS, buildProblem } from './problem.ts';

export const METHODS = ['chords', 'paradigms', 'srds'] as const;
type Method = (typeof METHODS)[number];

export const RUN_OPTIONS: Spec = {
  ...PROBLEM_OPTIONS,
  method: { type: 'string', default: 'chords', help: `sampler: ${METHODS.join(' | ')}` },
  init: {
    type: 'string',
    help: 'chords: init sequence, e.g. 0-2-4-8-16-24-32-40 (default: the generator for --cores)',
  },
  cores: { type: 'string', default: '8', help: 'chords: number of cores K when --init is not given (1..64)' },
  stop: {
    type: 'string',
    default: 'complete',
    help: 'chords: core-index:<i> | residual[:<tol>] | residual-rmse:<tol> | complete',
  },
  'no-rectify': { type: 'boolean', help: 'chords: disable rectification (ablation)' },
  window: { type: 'string', default: '8', help: 'paradigms: window size (parallel model calls per round)' },
  blocks: { type: 'string', help: 'srds: number of blocks (default: round(sqrt(T)))' },
  pipelined: { type: 'boolean', help: 'srds: pipelined schedule (same samples, fewer rounds)' },
  tolerance: {
    type: 'string',
    default: '0.1',
    help: 'paradigms, srds: converged when RMS change <= tolerance * sigma(t) of the step',
  },
  'fine-solver': {
    type: 'string',
    default: 'euler',
    help: `fine solver: ${SOLVER_NAMES.join(' | ')} (paradigms: euler | ddim; srds: single-step ones)`,
  },
  coarse: { type: 'string', default: 'euler', help: `chords, srds: coarse jump: ${Object.keys(JUMPS).join(' | ')}` },
  ...EXECUTOR_OPTIONS,
  json: { type: 'boolean', help: 'print one JSON object instead of a table' },
  values: { type: 'boolean', help: "add each result's sample values to the JSON" },
  backend: { type: 'string', help: 'tfjs backend: auto | tensorflow | wasm | cpu (default: $CHORDS_BACKEND or auto)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

/** Options that belong to some methods only. */
const OWNERS: Record<string, Method[]> = {
  init: ['chords'],
  cores: ['chords'],
  stop: ['chords'],
  'no-rectify': ['chords'],
  window: ['paradigms'],
  blocks: ['srds'],
  pipelined: ['srds'],
  tolerance: ['paradigms', 'srds'],
  coarse: ['chords', 'srds'],
};

export const RUN_HELP = helpText(
  `Usage: chords run [options]

Runs CHORDS (Han et al., ICCV 2025), ParaDiGMS or SRDS. Every intermediate result (CHORDS hits,
baseline iterations) is reported with its round, cumulative model calls, RMSE to the sequential
solver (same fine solver, grid and noise), and the error to the exact/reference ODE solution
(analytic models) or the class accuracy and Frechet distance (dit). --model linear is the
reference code's own toy problem.`,
  RUN_OPTIONS,
);

export async function runCommand(
  argv: string[],
  out: (s: string) => void,
  backendName: () => Promise<string>,
): Promise<void> {
  const o = parseOptions('run', argv, RUN_OPTIONS);
  if (o.help) return out(RUN_HELP);
  const method = choiceArg('method', o.method, METHODS);
  const given = (k: string) => argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`));
  for (const [k, owners] of Object.entries(OWNERS))
    if (given(k) && !owners.includes(method))
      throw new Error(`--${k} belongs to --method ${owners.join(' or ')}, not ${method}`);
  const fineName = choiceArg('fine-solver', o['fine-solver'], SOLVER_NAMES);
  if (method === 'paradigms' && !['euler', 'ddim'].includes(fineName))
    throw new Error(
      `--fine-solver: paradigms needs a one-call first-order step; got '${fineName}'; allowed: euler, ddim`,
    );
  const coarseName = choiceArg<JumpName>('coarse', o.coarse, Object.keys(JUMPS) as JumpName[]);
  const steps = intArg('steps', o.steps, 1, 10000);
  const stop = parseStop(String(o.stop));
  const init =
    method !== 'chords'
      ? []
      : typeof o.init === 'string'
        ? parseInit(o.init)
        : initSequence({ cores: intArg('cores', o.cores, 1, 64), steps });
  if (method === 'chords')
    validateInit(init, steps, given('cores') && given('init') ? intArg('cores', o.cores, 1, 64) : undefined);
  const window = intArg('window', o.window, 1, 10000),
    tolerance = numArg('tolerance', o.tolerance, 0, 1e9);
  const blocks =
    o.blocks === undefined ? Math.max(1, Math.round(Math.sqrt(steps))) : intArg('blocks', o.blocks, 1, steps);
  const width = method === 'chords' ? init.length : method === 'paradigms' ? window : blocks;
  checkApplies('run', o, MODEL_OPTION_OWNERS);
  const backend = await backendName();
  chooseExecutor(o, backend, String(o.model), width);
  const p = buildProblem(o);
  const fine = getSolver(fineName),
    coarse = getJump(coarseName);
  const x = tf.tensor(p.x0, p.shape);
  let made: Awaited<ReturnType<typeof makeExecutor>> | undefined;
  try {
    made = await makeExecutor(o, backend, p.name, p.model, p.spec, width);
    const task = { executor: made.executor, param: p.model, grid: p.grid, x };
    let res: SamplerResult<SamplerHit & { kind?: string; core?: number }>,
      extra: Record<string, unknown> = {};
    if (method === 'chords') {
      const r = await runChords(task, { init, fine, coarse, stop, rectify: !o['no-rectify'] });
      res = r;
      extra = { stoppedBy: r.stoppedBy };
    } else if (method === 'paradigms') {
      res = await runParadigms(task, { window, tolerance, step: getJump(fineName) });
    } else {
      const r = await (o.pipelined ? runSrdsPipelined : runSrds)(task, { blocks, fine, coarse, tolerance });
      res = { ...r, hits: r.hits.map((h, j) => ({ ...h, kind: j === 0 ? 'coarse' : 'iteration' })) };
      extra = { iterations: r.iterations, blocks: r.blocks };
    }
    const seq = sample(fine, p.model, x, p.grid);
    const seqValues = (await seq.x.data()) as Float32Array;
    seq.x.dispose();
    const reference = p.reference?.();
    const hits = res.hits.map((h) => {
      const v = h.x.dataSync() as Float32Array;
      return {
        kind: h.kind ?? 'iteration',
        ...(h.core !== undefined ? { core: h.core } : {}),
        round: h.round,
        modelCalls: h.modelCalls,
        speedupRounds: seq.modelCalls / h.round,
        rmseToSequential: rmse(v, seqValues),
        ...(reference ? { errorToReference: rmse(v, reference) } : {}),
        ...(p.quality ? p.quality(v) : {}),
        ...(o.values ? { values: Array.from(v) } : {}),
      };
    });
    disposeResult(res);
    const config = {
      ...p.config,
      method,
      fineSolver: fineName,
      executor: made.name,
      ...(made.size > 1 ? { workers: made.size } : {}),
      ...(method === 'chords'
        ? {
            init: init.join('-'),
            cores: init.length,
            stop: String(o.stop),
            coarse: coarseName,
            rectify: !o['no-rectify'],
          }
        : {}),
      ...(method === 'paradigms' ? { window, tolerance } : {}),
      ...(method === 'srds' ? { blocks, tolerance, coarse: coarseName, pipelined: !!o.pipelined } : {}),
    };
    const report = {
      command: 'run',
      backend,
      config,
      startupMs: made.startupMs,
      rounds: res.rounds,
      modelCalls: res.modelCalls,
      wallMs: res.wallMs,
      modelMs: res.modelMs,
      transferMs: res.transferMs,
      overheadMs: res.overheadMs,
      ...extra,
      sequential: {
        rounds: seq.modelCalls,
        modelCalls: seq.modelCalls,
        ...(reference ? { errorToReference: rmse(seqValues, reference) } : {}),
        ...(p.quality ? p.quality(seqValues) : {}),
        ...(o.values ? { values: Array.from(seqValues) } : {}),
      },
      hits,
      timings: res.timings.map((t) => ({
        round: t.round,
        evals: t.evals,
        modelMs: t.modelMs,
        transferMs: t.transferMs,
        otherMs: t.otherMs,
      })),
    };
    if (o.json) return out(JSON.stringify(report));
    const last = (h: Record<string, unknown>) =>
      'errorToReference' in h
        ? (h.errorToReference as number).toExponential(2).padStart(12)
        : 'classAccuracy' in h
          ? `${(100 * (h.classAccuracy as number)).toFixed(0).padStart(5)}% ${(h.frechetDistance === null ? 'n/a' : (h.frechetDistance as number).toFixed(1)).padStart(6)}`
          : '';
    const label = (h: (typeof hits)[number]) => (h.kind === 'core' ? `core ${h.core}` : h.kind);
    const rows = hits.map(
      (h) =>
        `  ${label(h).padEnd(9)} ${String(h.round).padStart(5)} ${h.speedupRounds.toFixed(2).padStart(8)}x ${String(h.modelCalls).padStart(7)} ${h.rmseToSequential.toExponential(2).padStart(12)} ${last(h)}`,
    );
    const what =
      method === 'chords'
        ? `CHORDS init ${init.join('-')}, stop ${o.stop}`
        : method === 'paradigms'
          ? `ParaDiGMS window ${window}, tolerance ${tolerance}`
          : `${o.pipelined ? 'pipelined ' : ''}SRDS ${blocks} blocks, tolerance ${tolerance}`;
    out(
      `${what} on ${p.name}: fine ${fineName}, ${made.name} executor${made.size > 1 ? ` (${made.size})` : ''}, ${backend}\n` +
        `  result    round  speedup   calls   rmse-to-seq   ${reference ? 'err-to-ref' : p.quality ? 'acc     FD' : ''}\n${rows.join('\n')}\n` +
        `  sequential ${fineName}: ${seq.modelCalls} rounds${report.sequential.errorToReference !== undefined ? `, error to reference ${report.sequential.errorToReference.toExponential(2)}` : ''}` +
        `${'classAccuracy' in report.sequential ? `, accuracy ${(100 * (report.sequential.classAccuracy as number)).toFixed(0)}%, Frechet distance ${formatFrechet(report.sequential.frechetDistance as number | null, 1)}` : ''}\n` +
        `  ${res.rounds} rounds, ${res.modelCalls} model calls, ${res.wallMs.toFixed(1)} ms (model ${res.modelMs.toFixed(1)}, transfer ${res.transferMs.toFixed(1)}, other ${res.overheadMs.toFixed(1)}), start-up ${made.startupMs.toFixed(0)} ms\n`,
    );
  } finally {
    await made?.executor.close();
    x.dispose();
    p.model.dispose();
  }
}
