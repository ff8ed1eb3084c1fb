/** `chords solve`: one sequential solve of an analytic model, with its error to the exact or reference solution. */
import * as tf from '@tensorflow/tfjs';
import { SOLVER_NAMES, getSolver, sample } from '../solvers/index.ts';
import { rmse } from '../tensor.ts';
import { choiceArg, helpText, parseOptions, type Spec } from './args.ts';
import { PROBLEM_OPTIONS, buildProblem } from './problem.ts';

export const SOLVE_OPTIONS: Spec = {
  ...PROBLEM_OPTIONS,
  solver: { type: 'string', default: 'euler', help: `solver: ${SOLVER_NAMES.join(' | ')}` },
  json: { type: 'boolean', help: 'print one JSON object instead of a summary' },
  values: { type: 'boolean', help: 'include the sample values in the JSON' },
  backend: { type: 'string', help: 'tfjs backend: auto | tensorflow | wasm | cpu (default: $CHORDS_BACKEND or auto)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const SOLVE_HELP = helpText('Usage: chords solve [options]\n\nRuns one sequential solve and reports model calls, wall time and the RMS error to the\nexact (gaussian, linear) or float64 reference (mixture) ODE solution from the same noise;\nfor the DiT, the class accuracy and Frechet distance of the samples.', SOLVE_OPTIONS);

export async function solveCommand(argv: string[], out: (s: string) => void, backendName: () => Promise<string>): Promise<void> {
  const o = parseOptions('solve', argv, SOLVE_OPTIONS);
  if (o.help) return out(SOLVE_HELP);
  const solverName = choiceArg('solver', o.solver, SOLVER_NAMES);
  const backend = await backendName();
  const p = buildProblem(o);
  const solver = getSolver(solverName);
  const x = tf.tensor(p.x0, p.shape);
  const t0 = performance.now();
  const res = sample(solver, p.model, x, p.grid);
  const values = await res.x.data();
  const wallMs = performance.now() - t0;
  tf.dispose([x, res.x]);
  const report = {
    command: 'solve', config: { ...p.config, solver: solverName }, backend,
    modelCalls: res.modelCalls, wallMs: Number(wallMs.toFixed(3)),
    ...(p.reference ? { errorToReference: rmse(values, p.reference()) } : {}),
    ...(p.quality ? p.quality(values as Float32Array) : {}),
    ...(o.values ? { values: Array.from(values) } : {}),
  };
  p.model.dispose();
  if (o.json) return out(JSON.stringify(report));
  out(`${solverName} on ${p.name} (${Object.entries(p.config).map(([k, v]) => `${k}=${v}`).join(' ')})\n` +
    `  model calls        ${report.modelCalls}\n  wall time          ${report.wallMs.toFixed(1)} ms\n` +
    ('errorToReference' in report ? `  error to reference ${(report.errorToReference as number).toExponential(3)} (RMS)\n` : '') +
    ('classAccuracy' in report ? `  class accuracy     ${(100 * (report.classAccuracy as number)).toFixed(1)}%\n  Frechet distance   ${(report.frechetDistance as number).toFixed(2)}\n` : ''));
}
