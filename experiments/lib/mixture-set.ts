/**
 * The flow mixture problems of the frontier-style experiments (exp:frontier, exp:alignment): named grids, problem
 * sets with float64 reference solutions, and the mean error-vs-rounds curve of a sampler over a set.
 */
import * as tf from '@tensorflow/tfjs';
import { getSchedule, timeGrid, type GridOptions } from '../../src/diffusion/index.ts';
import { buildModel, randomMixture, type BuiltModel, type ModelSpec } from '../../src/models/index.ts';
import type { Executor } from '../../src/executors/index.ts';
import { normals } from '../../src/random.ts';
import { disposeResult, type SamplerResult, type SamplingTask } from '../../src/sampling/task.ts';
import { relativeRmse } from '../../src/tensor.ts';
import { dpmpp2m, sample } from '../../src/solvers/index.ts';

const logsnr = (r: number): Omit<GridOptions, 'steps'> => ({
  kind: 'logsnr',
  nsrMax: Math.exp(r),
  nsrMin: Math.exp(-r),
});
/** The grid families the experiments search, by name. */
export const GRIDS: Record<string, Omit<GridOptions, 'steps'>> = {
  uniform: {},
  'shift 1.5': { shift: 1.5 },
  'shift 2': { shift: 2 },
  'shift 2.5': { shift: 2.5 },
  'shift 3': { shift: 3 },
  'logsnr 3': logsnr(3),
  'logsnr 3.5': logsnr(3.5),
  'logsnr 4': logsnr(4),
  'logsnr 4.5': logsnr(4.5),
  'logsnr 5': logsnr(5),
  'logsnr edm': { kind: 'logsnr' },
  karras: { kind: 'karras' },
};
export const schedule = getSchedule('flow');
/** The time grid of a named family with `steps` steps on the flow schedule. */
export const gridOf = (name: string, steps: number) => timeGrid(schedule, { steps, ...GRIDS[name] });

/** One problem instance: a model, the noise, the reference sample. */
export interface Instance {
  model: BuiltModel;
  spec: ModelSpec;
  x: tf.Tensor;
  ref: Float32Array | Float64Array;
}
export interface ProblemSet {
  name: string;
  instances: Instance[];
}

/** The 64-D mixture of 8 components of `seed` with every component scale `scale`, noise seed 1000 + seed. */
export async function mixtureInstance(scale: number, seed: number, n: number): Promise<Instance> {
  const mixture = { ...randomMixture({ dim: 64, components: 8, seed }), scales: Array<number>(8).fill(scale) };
  const spec: ModelSpec = { kind: 'mixture', schedule: 'flow', mixture };
  const model = await buildModel(spec);
  const x = tf.tensor2d(Float32Array.from(normals(n * 64, 1000 + seed)), [n, 64]); // [n, 64]
  const solve = (model as unknown as { solve: (x: Float64Array, a: number, b: number) => Float64Array }).solve;
  return { model, spec, x, ref: solve(Float64Array.from(x.dataSync()), 1, 0) };
}

export const mixtureSet = async (scale: number, seeds: number[], n: number): Promise<ProblemSet> => ({
  name: `mixture ${scale}`,
  instances: await Promise.all(seeds.map((s) => mixtureInstance(scale, s, n))),
});

export const disposeSet = (p: ProblemSet) =>
  p.instances.forEach((i) => {
    i.x.dispose();
    i.model.dispose();
  });

/** Relative RMS error of a sample to the instance's reference. */
export const errorOf = (inst: Instance, x: tf.Tensor) => relativeRmse(x.dataSync() as Float32Array, inst.ref);

/** The target of the frontier-style experiments on a set: the mean error of sequential 2M on 50 uniform steps. */
export async function sequentialTarget(p: ProblemSet): Promise<number> {
  let sum = 0;
  for (const inst of p.instances) {
    const r = await sample(dpmpp2m, inst.model, inst.x, gridOf('uniform', 50));
    sum += errorOf(inst, r.x);
    r.x.dispose();
  }
  return sum / p.instances.length;
}

export interface CurvePoint {
  round: number;
  error: number;
  modelCalls: number;
}

/** A sampler on one instance's task. */
export type RunOnTask = (task: SamplingTask) => Promise<SamplerResult>;

/**
 * Every intermediate result of a sampler on every instance (grid `grid` with T steps), averaged on the union of
 * rounds: at each round, each instance's latest result so far (rounds before every instance has one are left out).
 */
export async function curveOf(
  run: RunOnTask,
  grid: string,
  T: number,
  p: ProblemSet,
  executorOf: (m: BuiltModel) => Executor,
): Promise<CurvePoint[]> {
  const per: CurvePoint[][] = [];
  for (const inst of p.instances) {
    const task = { executor: executorOf(inst.model), param: inst.model, grid: gridOf(grid, T), x: inst.x };
    const res = await run(task);
    per.push(res.hits.map((h) => ({ round: h.round, error: errorOf(inst, h.x), modelCalls: h.modelCalls })));
    disposeResult(res);
  }
  const rounds = [...new Set(per.flat().map((h) => h.round))].sort((a, b) => a - b);
  const out: CurvePoint[] = [];
  for (const round of rounds) {
    const at = per.map((hs) => hs.filter((h) => h.round <= round).pop());
    if (at.some((h) => !h)) continue;
    out.push({
      round,
      error: at.reduce((a, h) => a + h!.error, 0) / at.length,
      modelCalls: at.reduce((a, h) => a + h!.modelCalls, 0) / at.length,
    });
  }
  return out;
}

/** The first point from which the curve stays at or below the target. */
export function reach(curve: CurvePoint[], target: number): CurvePoint | undefined {
  let r: CurvePoint | undefined;
  for (let j = curve.length - 1; j >= 0 && curve[j].error <= target; j--) r = curve[j];
  return r;
}
