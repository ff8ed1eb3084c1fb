/** Builds a problem (model, grid, initial noise, references) from command-line options; shared by solve, run and sample. */
import type { Denoiser } from '../diffusion/denoiser.ts';
import { GRIDS, SCHEDULES, getSchedule, timeGrid, type GridName } from '../diffusion/index.ts';
import {
  gaussianModel,
  linearToyGrid,
  linearToyModel,
  mixtureModel,
  randomMixture,
  type ModelSpec,
} from '../models/index.ts';
import { ditDenoiser, loadDiT, shippedDiTPath } from '../models/dit/index.ts';
import { loadClassifier, realStats, sampleQuality, type Quality } from '../metrics/index.ts';
import { normals } from '../random.ts';
import { choiceArg, intArg, numArg, numListArg, type Parsed, type Spec } from './args.ts';

export const MODELS = ['gaussian', 'mixture', 'linear', 'dit'] as const;
export type ModelName = (typeof MODELS)[number];

export const PROBLEM_OPTIONS: Spec = {
  model: {
    type: 'string',
    default: 'mixture',
    help: `model: ${MODELS.join(' | ')} (linear = the CHORDS reference toy; dit = the shipped DiT)`,
  },
  schedule: { type: 'string', default: 'flow', help: `noise schedule: ${SCHEDULES.join(' | ')} (dit: flow only)` },
  grid: { type: 'string', default: 'uniform', help: `time grid: ${GRIDS.join(' | ')}` },
  shift: { type: 'string', default: '1', help: 'SD3/Flux time shift of the uniform grid (> 0)' },
  steps: { type: 'string', default: '50', help: 'number of steps T (1..10000)' },
  dim: { type: 'string', default: '64', help: 'data dimension D of an analytic model (1..4096)' },
  components: { type: 'string', default: '8', help: 'mixture components (1..64)' },
  'mixture-seed': { type: 'string', default: '0', help: 'seed of the random mixture (means, scales, weights)' },
  n: { type: 'string', default: '1', help: 'number of samples in the batch (1..4096)' },
  seed: { type: 'string', default: '0', help: 'seed of the initial noise' },
  x0: { type: 'string', help: 'initial noise as v1,v2,... (n * dim values; overrides --seed)' },
  class: { type: 'string', help: 'dit: class 0..9 of every sample (default: classes cycle 0, 1, ..., 9)' },
  guidance: { type: 'string', default: '2', help: 'dit: classifier-free guidance scale (1 = conditional only)' },
  weights: { type: 'string', help: 'dit: a DiT model.json or folder (default: the shipped DiT-S/2)' },
};

export interface Problem {
  name: ModelName;
  model: Denoiser & { dispose(): void };
  grid: number[];
  /** Initial state at grid[0], row-major float32 values of `shape`. */
  x0: Float32Array;
  /** [n, ...sample shape]. */
  shape: number[];
  n: number;
  config: Record<string, string | number>;
  /** The exact (Gaussian, linear) or float64 reference (mixture) ODE solution at grid[T]; analytic models only. */
  reference?: () => Float64Array;
  /** Sample quality for the DiT: classifier accuracy against the requested labels and a Frechet distance. */
  quality?: (values: Float32Array) => Quality;
  /** The same model as plain data, for worker and process executors. */
  spec: ModelSpec;
}

function ditProblem(o: Parsed, steps: number, n: number, seed: number): Problem {
  const cls = typeof o.class === 'string' ? intArg('class', o.class, 0, 9) : undefined;
  const guidance = numArg('guidance', o.guidance, 0, 100);
  const schedule = choiceArg('schedule', o.schedule, ['flow'] as const);
  const kind = choiceArg<GridName>('grid', o.grid, GRIDS),
    shift = numArg('shift', o.shift, 0, 1000, { above: true });
  const path = typeof o.weights === 'string' ? o.weights : shippedDiTPath();
  const { config, params } = loadDiT(path);
  const labels = Array.from({ length: n }, (_, i) => cls ?? i % config.classes);
  const model = ditDenoiser(params, config, { labels, guidance });
  const size = config.imageSize,
    per = size * size * config.channels;
  let x0 = Float32Array.from(normals(n * per, seed));
  if (typeof o.x0 === 'string') {
    const v = numListArg('x0', o.x0);
    if (v.length !== n * per) {
      model.dispose();
      throw new Error(`--x0: got ${v.length} values; allowed: exactly n * ${per} = ${n * per}`);
    }
    x0 = Float32Array.from(v);
  }
  let classifier: ReturnType<typeof loadClassifier> | undefined;
  return {
    name: 'dit',
    model,
    grid: timeGrid(model.schedule!, { steps, kind, shift }),
    x0,
    shape: [n, size, size, config.channels],
    n,
    spec: { kind: 'dit', path, labels, guidance },
    config: {
      model: 'dit',
      schedule,
      grid: kind,
      shift,
      steps,
      n,
      seed,
      guidance,
      labels: cls === undefined ? 'cycle' : cls,
    },
    quality: (values) => {
      classifier ??= loadClassifier();
      return sampleQuality(classifier.params, values, labels, realStats(classifier.params));
    },
  };
}

/** Validates every option first, then builds the problem. */
export function buildProblem(o: Parsed): Problem {
  const name = choiceArg('model', o.model, MODELS);
  const steps = intArg('steps', o.steps, 1, 10000),
    n = intArg('n', o.n, 1, 4096),
    seed = intArg('seed', o.seed, 0, 2 ** 31);
  if (name === 'dit') return ditProblem(o, steps, n, seed);
  const dim = intArg('dim', o.dim, 1, 4096);
  let x0: Float32Array | undefined;
  if (typeof o.x0 === 'string') {
    const v = numListArg('x0', o.x0);
    if (v.length !== n * dim)
      throw new Error(`--x0: got ${v.length} values; allowed: exactly n * dim = ${n} * ${dim} = ${n * dim}`);
    x0 = Float32Array.from(v);
  }
  if (name === 'linear') {
    const model = linearToyModel(dim),
      grid = linearToyGrid(steps),
      start = x0 ?? Float32Array.from(normals(n * dim, seed));
    return {
      name,
      model,
      grid,
      n,
      x0: start,
      shape: [n, dim],
      spec: { kind: 'linear', dim },
      config: { model: name, steps, dim, n, seed },
      reference: () => model.solve(Float64Array.from(start), grid[0], grid[steps]),
    };
  }
  const scheduleName = choiceArg('schedule', o.schedule, SCHEDULES),
    kind = choiceArg<GridName>('grid', o.grid, GRIDS);
  const shift = numArg('shift', o.shift, 0, 1000, { above: true });
  const components = intArg('components', o.components, 1, 64),
    mixtureSeed = intArg('mixture-seed', o['mixture-seed'], 0, 2 ** 31);
  const schedule = getSchedule(scheduleName),
    grid = timeGrid(schedule, { steps, kind, shift });
  const mean = Array.from({ length: dim }, (_, j) => 0.5 * Math.sin(j + 1)),
    mixture = randomMixture({ dim, components, seed: mixtureSeed });
  const model = name === 'gaussian' ? gaussianModel({ schedule, mean, scale: 0.5 }) : mixtureModel(schedule, mixture);
  const spec: ModelSpec =
    name === 'gaussian'
      ? { kind: 'gaussian', schedule: scheduleName, mean, scale: 0.5 }
      : { kind: 'mixture', schedule: scheduleName, mixture };
  // initial noise at t_0: sigma(t_0) z (the prior; for flow from t = 1 exactly pure noise)
  const s0 = schedule.sigma(grid[0]),
    start = x0 ?? Float32Array.from(normals(n * dim, seed), (z) => z * s0);
  return {
    name,
    model,
    grid,
    n,
    x0: start,
    shape: [n, dim],
    spec,
    config: {
      model: name,
      schedule: scheduleName,
      grid: kind,
      shift,
      steps,
      dim,
      ...(name === 'mixture' ? { components, mixtureSeed } : {}),
      n,
      seed,
    },
    reference: () => model.solve(Float64Array.from(start), grid[0], grid[steps]),
  };
}
