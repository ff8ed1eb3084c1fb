/** `chords solve`: one sequential solve, with its error to the exact or reference solution, or its sample quality. */
import { runSequential } from '../methods/sequential.ts';
import { SOLVER_NAMES, getSolver } from '../solvers/index.ts';
import { score } from '../problems/index.ts';
import type { SamplerResult } from '../sampling/task.ts';
import { formatFrechet } from '../metrics/quality.ts';
import { choice } from '../names.ts';
import { checkApplies, checkValuesFlag, choiceArg, helpText, parseOptions, type Spec } from './args.ts';
import { MODEL_OPTION_OWNERS, checkCallSize, solveReference } from './applies.ts';
import { EXECUTOR_OPTIONS, chooseExecutor, makeExecutor, type MadeExecutor } from './executor.ts';
import { PROBLEM_OPTIONS, buildProblem, problemSpec } from './problem.ts';
import { adapterField } from './report.ts';

export const SOLVE_OPTIONS: Spec = {
  ...PROBLEM_OPTIONS,
  solver: {
    type: 'string',
    default: 'euler',
    help: `solver: ${SOLVER_NAMES.join(' | ')}`,
    rule: choice(SOLVER_NAMES),
  },
  ...EXECUTOR_OPTIONS,
  json: { type: 'boolean', help: 'print one JSON object instead of a summary' },
  values: { type: 'boolean', help: 'include the sample values in the JSON' },
  backend: {
    type: 'string',
    help: 'tfjs backend: auto | tensorflow | wasm | cpu | webgpu (default: $CHORDS_BACKEND or auto)',
    rule: { kind: 'backend' },
  },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const SOLVE_HELP = helpText(
  'Usage: chords solve [options]\n\nRuns one sequential solve and reports model calls, wall time and the RMS error ' +
    'to the\n' +
    'exact (gaussian, linear) or float64 reference (mixture) ODE solution from the same noise;\n' +
    'for the DiT, the class accuracy and Frechet distance of the samples.',
  SOLVE_OPTIONS,
);

export async function solveCommand(
  argv: string[],
  out: (s: string) => void,
  backendName: () => Promise<string>,
): Promise<void> {
  const o = parseOptions('solve', argv, SOLVE_OPTIONS);
  if (o.help) return out(SOLVE_HELP);
  checkValuesFlag(o);
  const solverName = choiceArg('solver', o.solver, SOLVER_NAMES);
  checkApplies('solve', o, MODEL_OPTION_OWNERS);
  const backend = await backendName();
  chooseExecutor(o, backend, String(o.model), 1);
  checkCallSize(problemSpec(o), 1);
  const p = await buildProblem(o);
  const solver = getSolver(solverName);
  let made: MadeExecutor | undefined, res: SamplerResult | undefined, values: Float32Array;
  try {
    made = await makeExecutor(o, backend, p.spec.model, p.model, p.modelSpec, 1, p.x.shape);
    res = await runSequential({ executor: made.executor, param: p.model, grid: p.grid, x: p.x }, { solver });
    values = (await res.sample.data()) as Float32Array;
    solveReference(p);
    res.sample.dispose();
  } finally {
    await made?.executor.close();
  }
  const report = {
    command: 'solve',
    config: { ...p.config, solver: solverName, executor: made.name },
    backend,
    ...adapterField(),
    startupMs: made.startupMs,
    modelCalls: res.modelCalls,
    wallMs: Number(res.wallMs.toFixed(3)),
    ...(await score(p, values)),
    ...(o.values ? { values: Array.from(values) } : {}),
  };
  p.dispose();
  if (o.json) return out(JSON.stringify(report));
  const config = Object.entries(p.config)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lines = [
    `${solverName} on ${p.spec.model} (${config})`,
    `  model calls        ${report.modelCalls}`,
    `  wall time          ${report.wallMs.toFixed(1)} ms`,
  ];
  if (report.rmseToReference !== undefined)
    lines.push(`  error to reference ${report.rmseToReference.toExponential(3)} (RMS)`);
  if (report.classAccuracy !== undefined) {
    lines.push(`  class accuracy     ${(100 * report.classAccuracy).toFixed(1)}%`);
    lines.push(`  Frechet distance   ${formatFrechet(report.frechetDistance ?? null)}`);
  }
  out(`${lines.join('\n')}\n`);
}
