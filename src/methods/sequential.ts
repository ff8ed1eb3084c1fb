/** The sequential baseline over an executor: one solver step after another, one model call per round. */
import { checkKeys } from '../options.ts';
import * as tf from '@tensorflow/tfjs';
import { euler } from '../solvers/euler.ts';
import { requireSolver } from '../solvers/registry.ts';
import type { Solver } from '../solvers/solver.ts';
import { Trajectory } from '../solvers/trajectory.ts';
import { FINE_FLAG, readFine } from '../sampling/flags.ts';
import { asMethodResult, type Method } from '../sampling/method.ts';
import { roundMeter } from '../sampling/meter.ts';
import {
  validateTask,
  type RoundReport,
  type SamplerHit,
  type SamplerResult,
  type SamplingTask,
} from '../sampling/task.ts';

export interface SequentialOptions {
  solver?: Solver;
  onRound?: (r: RoundReport) => void;
}

const SEQUENTIAL_KEYS: Record<keyof SequentialOptions, true> = { solver: true, onRound: true };

/** Equals sample() bit for bit; T rounds for one-call solvers. The only hit is the final sample. */
export async function runSequential(
  task: SamplingTask,
  options: SequentialOptions = {},
): Promise<SamplerResult<SamplerHit>> {
  checkKeys('sequential', options, SEQUENTIAL_KEYS);
  const { solver = euler, onRound } = options ?? {};
  requireSolver('sequential: solver', solver);
  await validateTask(task, 'sequential');
  const { executor, param, grid } = task;
  const meter = roundMeter(executor, onRound, { method: 'sequential' });
  const path = new Trajectory(solver, param, grid, { x: tf.clone(task.x), i: 0, owned: true });
  let round = 0;
  try {
    while (path.i + 1 < grid.length) {
      const i = path.i,
        s = path.evaluated;
      const [out] = await meter.evaluate([path.request()], () => `step ${i} (t = ${grid[i]}), stage ${s}`);
      path.receive(out);
      const last = path.ready && i + 1 === grid.length - 1;
      meter.endRound(++round, last ? 1 : 0);
      if (path.ready) path.finish();
    }
  } catch (e) {
    path.dispose();
    throw e;
  }
  const x = path.take();
  return {
    ...meter.totals(),
    hits: [{ index: 0, round, modelCalls: meter.modelCalls, wallMs: meter.elapsed(), x }],
    sample: x,
  };
}

export const sequentialMethod: Method<{ fine: Solver }> = {
  name: 'sequential',
  summary: 'The sequential solver over the executor: one stage per round, T rounds for one-call solvers.',
  flags: { 'fine-solver': FINE_FLAG },
  defaults: () => ({ fine: euler }),
  fromFlags: (read) => ({ fine: readFine(read) }),
  width: () => 1,
  async run(task, o, hooks = {}) {
    const r = asMethodResult(await runSequential(task, { solver: o.fine, onRound: hooks.onRound }));
    r.hits.forEach((h) => hooks.onHit?.(h));
    return r;
  },
  describe: (o) => ({ label: `sequential ${o.fine.name}`, config: {} }),
};
