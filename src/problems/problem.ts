/**
 * One problem type, spec first: a ProblemSpec (plain data) fixes the model, grid and initial noise;
 * the model is built from the ModelSpec derived from it, the same spec that worker and process
 * executors receive, so a local model and its workers cannot disagree. Shared by cli/ and experiments/.
 */
import * as tf from '@tensorflow/tfjs';
import { GRIDS, SCHEDULES, getSchedule, timeGrid, type GridName } from '../diffusion/index.ts';
import { loadClassifier, realStats, sampleQuality, type Quality } from '../metrics/index.ts';
import { linearToyGrid } from '../models/analytic/linear.ts';
import { randomMixture } from '../models/analytic/mixture.ts';
import { shippedDiTPath } from '../models/dit/denoiser.ts';
import { loadDiTConfig } from '../models/dit/weights.ts';
import { buildModel, type BuiltModel, type ModelSpec } from '../models/spec.ts';
import { normals } from '../random.ts';
import { PROBLEM_MODELS, type ProblemModel } from '../names.ts';

export { PROBLEM_MODELS, type ProblemModel };

/** Everything that fixes a problem, as plain data. */
export interface ProblemSpec {
  model: ProblemModel;
  steps: number;
  /** Samples in the batch. */
  n: number;
  /** Seed of the initial noise. */
  seed: number;
  /** Noise schedule (analytic models; the DiT is flow). Default 'flow'. */
  schedule?: string;
  grid?: GridName;
  shift?: number;
  /** Data dimension of an analytic model. Default 64. */
  dim?: number;
  /** Mixture components and the seed of the random mixture. Defaults 8 and 0. */
  components?: number;
  mixtureSeed?: number;
  /** The initial noise itself (overrides seed): n * sample size values. */
  x0?: readonly number[];
  /** DiT: one class for every sample, or 'cycle' (0, 1, ..., classes - 1, 0, ...). Default 'cycle'. */
  labels?: number | 'cycle';
  /** DiT classifier-free guidance. Default 2. */
  guidance?: number;
  /** DiT weights (a model.json or folder). Default: the shipped DiT-S/2. */
  weights?: string;
}

export interface Problem {
  spec: ProblemSpec;
  /** The model as plain data: what `model` was built from and what workers build. */
  modelSpec: ModelSpec;
  model: BuiltModel;
  grid: number[];
  /** The initial state at grid[0], [n, ...sample shape] (owned by the problem). */
  x: tf.Tensor;
  /** Its values, row-major float32. */
  x0: Float32Array;
  n: number;
  /** The problem as flat key = value pairs, for reports. */
  config: Record<string, string | number>;
  /**
   * The exact (Gaussian, linear) or float64 reference (mixture) ODE solution at grid[T] (computed once; the
   * mixture's takes about 30 ms per sample at D = 64 and 240 ms at D = 4096, so `onRow` reports samples done).
   */
  reference?: (onRow?: (done: number, rows: number) => void) => Float64Array;
  /** DiT: classifier accuracy against the requested labels and a Frechet distance. */
  quality?: (values: Float32Array) => Promise<Quality>;
  /** Frees the model and x. */
  dispose(): void;
}

const check = (ok: boolean, name: string, got: unknown, allowed: string) => {
  if (!ok) throw new Error(`${name}: got ${JSON.stringify(got)}; allowed: ${allowed}`);
};

/** Checks a problem spec before any work. */
export function validateProblemSpec(s: ProblemSpec): void {
  check((PROBLEM_MODELS as readonly string[]).includes(s.model), 'model', s.model, PROBLEM_MODELS.join(', '));
  check(Number.isInteger(s.steps) && s.steps >= 1, 'steps', s.steps, 'an integer >= 1');
  check(Number.isInteger(s.n) && s.n >= 1, 'n', s.n, 'an integer >= 1');
  if (s.schedule !== undefined)
    check((SCHEDULES as readonly string[]).includes(s.schedule), 'schedule', s.schedule, SCHEDULES.join(', '));
  if (s.grid !== undefined) check(GRIDS.includes(s.grid), 'grid', s.grid, GRIDS.join(', '));
  if (s.dim !== undefined) check(Number.isInteger(s.dim) && s.dim >= 1, 'dim', s.dim, 'an integer >= 1');
}

/** Values of the initial noise: the given x0 (its length checked) or seeded normals scaled by `scale`. */
function noise(s: ProblemSpec, size: number, what: string, scale = 1): Float32Array {
  if (s.x0 === undefined) return Float32Array.from(normals(s.n * size, s.seed), (z) => z * scale);
  if (s.x0.length !== s.n * size)
    throw new Error(`--x0: got ${s.x0.length} values; allowed: exactly ${what} = ${s.n * size}`);
  return Float32Array.from(s.x0);
}

/** Memoises a reference solution (it is costly for the mixture). */
function once<A extends unknown[]>(f: (...a: A) => Float64Array): (...a: A) => Float64Array {
  let v: Float64Array | undefined;
  return (...a) => (v ??= f(...a));
}

type Solvable = {
  solve(x: Float64Array, t0: number, t1: number, onRow?: (done: number, rows: number) => void): Float64Array;
};

async function finish(
  spec: ProblemSpec,
  modelSpec: ModelSpec,
  grid: number[],
  x0: Float32Array,
  shape: number[],
  config: Record<string, string | number>,
  extra: Pick<Problem, 'quality'> & { exact?: boolean } = {},
): Promise<Problem> {
  const model = await buildModel(modelSpec);
  const x = tf.tensor(x0, shape);
  const T = grid.length - 1;
  const reference = extra.exact
    ? once((onRow?: (done: number, rows: number) => void) =>
        (model as unknown as Solvable).solve(Float64Array.from(x0), grid[0], grid[T], onRow),
      )
    : undefined;
  return {
    spec,
    modelSpec,
    model,
    grid,
    x,
    x0,
    n: spec.n,
    config,
    reference,
    quality: extra.quality,
    dispose() {
      x.dispose();
      model.dispose();
    },
  };
}

/** Where the noise came from, as the report records it: the given x0 values (which override the seed), or the seed. */
const noiseConfig = (s: ProblemSpec): Record<string, string | number> =>
  s.x0 ? { x0: Array.from(s.x0).join(',') } : { seed: s.seed };

/** The shift, recorded only where it applies (uniform grids). */
const shiftConfig = (kind: string, shift: number): Record<string, number> => (kind === 'uniform' ? { shift } : {});

let classifier: ReturnType<typeof loadClassifier> | undefined;

async function ditProblem(s: ProblemSpec): Promise<Problem> {
  const schedule = s.schedule ?? 'flow';
  check(schedule === 'flow', '--schedule', schedule, 'flow');
  const kind = s.grid ?? 'uniform',
    shift = s.shift ?? 1,
    guidance = s.guidance ?? 2;
  const path = s.weights ?? shippedDiTPath();
  const config = loadDiTConfig(path); // fixes the labels and the sample shape; the weights load once, below
  const one = typeof s.labels === 'number' ? s.labels : undefined;
  const classes = Array.from({ length: s.n }, (_, i) => one ?? i % config.classes);
  const size = config.imageSize,
    per = size * size * config.channels;
  const x0 = noise(s, per, `n * ${per}`);
  const grid = timeGrid(getSchedule('flow'), { steps: s.steps, kind, shift });
  const problemConfig = {
    model: 'dit',
    schedule,
    grid: kind,
    ...shiftConfig(kind, shift),
    steps: s.steps,
    n: s.n,
    ...noiseConfig(s),
    guidance,
    labels: one ?? 'cycle',
  };
  const quality = async (values: Float32Array) => {
    classifier ??= loadClassifier();
    return sampleQuality(classifier.params, values, classes, await realStats(classifier.params));
  };
  const modelSpec: ModelSpec = { kind: 'dit', path, labels: classes, guidance };
  return finish(s, modelSpec, grid, x0, [s.n, size, size, config.channels], problemConfig, { quality });
}

/** Builds a problem from its spec: the model from the derived ModelSpec, the grid, the noise and its scoring. */
export async function buildProblem(s: ProblemSpec): Promise<Problem> {
  validateProblemSpec(s);
  if (s.model === 'dit') return ditProblem(s);
  const dim = s.dim ?? 64,
    steps = s.steps;
  if (s.model === 'linear') {
    const x0 = noise(s, dim, `n * dim = ${s.n} * ${dim}`);
    const config = { model: 'linear', steps, dim, n: s.n, ...noiseConfig(s) };
    return finish(s, { kind: 'linear', dim }, linearToyGrid(steps), x0, [s.n, dim], config, { exact: true });
  }
  const scheduleName = s.schedule ?? 'flow',
    kind = s.grid ?? 'uniform',
    shift = s.shift ?? 1;
  const components = s.components ?? 8,
    mixtureSeed = s.mixtureSeed ?? 0;
  const schedule = getSchedule(scheduleName),
    grid = timeGrid(schedule, { steps, kind, shift });
  const modelSpec: ModelSpec =
    s.model === 'gaussian'
      ? {
          kind: 'gaussian',
          schedule: scheduleName,
          mean: Array.from({ length: dim }, (_, j) => 0.5 * Math.sin(j + 1)),
          scale: 0.5,
        }
      : { kind: 'mixture', schedule: scheduleName, mixture: randomMixture({ dim, components, seed: mixtureSeed }) };
  // initial noise at t_0: sigma(t_0) z (the prior; for flow from t = 1 exactly pure noise)
  const x0 = noise(s, dim, `n * dim = ${s.n} * ${dim}`, schedule.sigma(grid[0]));
  const config = {
    model: s.model,
    schedule: scheduleName,
    grid: kind,
    ...shiftConfig(kind, shift),
    steps,
    dim,
    ...(s.model === 'mixture' ? { components, mixtureSeed } : {}),
    n: s.n,
    ...noiseConfig(s),
  };
  return finish(s, modelSpec, grid, x0, [s.n, dim], config, { exact: true });
}
