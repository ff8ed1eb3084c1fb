/** `chords solve`: one sequential solve of an analytic model, with its error to the exact or reference solution. */
import * as tf from '@tensorflow/tfjs';
import { runSequential } from '../baselines/sequential.ts';
import { SOLVER_NAMES, getSolver } from '../solvers/index.ts';
import { rmse } from '../tensor.ts';
import { formatFrechet } from '../metrics/quality.ts';
import { checkApplies, choiceArg, helpText, parseOptions, type Spec } from './args.ts';
import { MODEL_OPTION_OWNERS } from './applies.ts';
import { EXECUTOR_OPTIONS, chooseExecutor, makeExecutor } from './executor.ts';
import { PROBLEM_OPTIONS, buildProblem } from './problem.ts';

export const SOLVE_OPTIONS: Spec = {
  ...PROBLEM_OPTIONS,
  solver: { type: 'string', default: 'euler', help: `solver: ${SOLVER_NAMES.join(' | ')}` },
  ...EXECUTOR_OPTIONS,
  json: { type: 'boolean', help: 'print one JSON object instead of a summary' },
  values: { type: 'boolean', help: 'include the sample values in the JSON' },
  backend: { type: 'string', help: 'tfjs backend: auto | tensorflow | wasm | cpu (default: $CHORDS_BACKEND or auto)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const SOLVE_HELP = helpText(
  'Usage: chords solve [options]\n\nRuns one sequential solve and reports model calls, wall time and the RMS error to the\nexact (gaussian, linear) or float64 reference (mixture) ODE solution from the same noise;\nfor the DiT, the class accuracy and Frechet distance of the samples.',
  SOLVE_OPTIONS,
);

export async function solveCommand(
  argv: string[],
  out: (s: string) => void,
  backendName: () => Promise<string>,
): Promise<void> {
  const o = parseOptions('solve', argv, SOLVE_OPTIONS);
  if (o.help) return out(SOLVE_HELP);
  const solverName = choiceArg('solver', o.solver, SOLVER_NAMES);
  checkApplies('solve', o, MODEL_OPTION_OWNERS);
  const backend = await backendName();
  chooseExecutor(o, backend, String(o.model), 1);
  const p = buildProblem(o);
  const solver = getSolver(solverName);
  const x = tf.tensor(p.x0, p.shape);
  let made: Awaited<ReturnType<typeof makeExecutor>> | undefined,
    values: Float32Array,
    wallMs: number,
    modelCalls: number;
  try {
    made = await makeExecutor(o, backend, p.name, p.model, p.spec, 1);
    const res = await runSequential({ executor: made.executor, param: p.model, grid: p.grid, x }, { solver });
    values = (await res.sample.data()) as Float32Array;
    wallMs = res.wallMs;
    modelCalls = res.modelCalls;
    res.sample.dispose();
  } finally {
    await made?.executor.close();
    x.dispose();
  }
  const report = {
    command: 'solve',
    config: { ...p.config, solver: solverName, executor: made.name },
    backend,
    startupMs: made.startupMs,
    modelCalls,
    wallMs: Number(wallMs.toFixed(3)),
    ...(p.reference ? { errorToReference: rmse(values, p.reference()) } : {}),
    ...(p.quality ? p.quality(values) : {}),
    ...(o.values ? { values: Array.from(values) } : {}),
  };
  p.model.dispose();
  if (o.json) return out(JSON.stringify(report));
  out(
    `${solverName} on ${p.name} (${Object.entries(p.config)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')})\n` +
      `  model calls        ${report.modelCalls}\n  wall time          ${report.wallMs.toFixed(1)} ms\n` +
      ('errorToReference' in report
        ? `  error to reference ${(report.errorToReference as number).toExponential(3)} (RMS)\n`
        : '') +
      ('classAccuracy' in report
        ? `  class accuracy     ${(100 * (report.classAccuracy as number)).toFixed(1)}%\n  Frechet distance   ${formatFrechet(report.frechetDistance as number | null)}\n`
        : ''),
  );
}
