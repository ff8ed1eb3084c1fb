/** Builds an analytic problem (model, grid, initial noise) from command-line options; shared by solve and run. */
import { GRIDS, SCHEDULES, getSchedule, timeGrid, type GridName } from '../diffusion/index.ts';
import { gaussianModel, linearToyGrid, linearToyModel, mixtureModel, randomMixture, type AnalyticModel } from '../models/index.ts';
import { normals } from '../random.ts';
import { choiceArg, intArg, numArg, numListArg, type Parsed, type Spec } from './args.ts';

export const MODELS = ['gaussian', 'mixture', 'linear'] as const;
export type ModelName = (typeof MODELS)[number];

export const PROBLEM_OPTIONS: Spec = {
  model: { type: 'string', default: 'mixture', help: `model: ${MODELS.join(' | ')} (linear = the CHORDS reference toy)` },
  schedule: { type: 'string', default: 'flow', help: `noise schedule: ${SCHEDULES.join(' | ')}` },
  grid: { type: 'string', default: 'uniform', help: `time grid: ${GRIDS.join(' | ')}` },
  shift: { type: 'string', default: '1', help: 'SD3/Flux time shift of the uniform grid (> 0)' },
  steps: { type: 'string', default: '50', help: 'number of steps T (1..10000)' },
  dim: { type: 'string', default: '64', help: 'data dimension D of the analytic model (1..4096)' },
  components: { type: 'string', default: '8', help: 'mixture components (1..64)' },
  'mixture-seed': { type: 'string', default: '0', help: 'seed of the random mixture (means, scales, weights)' },
  n: { type: 'string', default: '1', help: 'number of samples in the batch (1..4096)' },
  seed: { type: 'string', default: '0', help: 'seed of the initial noise' },
  x0: { type: 'string', help: 'initial noise as v1,v2,... (n * dim values; overrides --seed)' },
};

export interface Problem {
  name: ModelName;
  model: AnalyticModel;
  grid: number[];
  /** Initial state at grid[0], [n, dim] row-major, float32 values. */
  x0: Float32Array;
  n: number;
  config: Record<string, string | number>;
}

/** Validates every option first, then builds the problem. */
export function buildProblem(o: Parsed): Problem {
  const name = choiceArg('model', o.model, MODELS);
  const steps = intArg('steps', o.steps, 1, 10000), n = intArg('n', o.n, 1, 4096), seed = intArg('seed', o.seed, 0, 2 ** 31);
  const dim = intArg('dim', o.dim, 1, 4096);
  let x0: Float32Array | undefined;
  if (typeof o.x0 === 'string') {
    const v = numListArg('x0', o.x0);
    if (v.length !== n * dim) throw new Error(`--x0: got ${v.length} values; allowed: exactly n * dim = ${n} * ${dim} = ${n * dim}`);
    x0 = Float32Array.from(v);
  }
  if (name === 'linear') {
    const model = linearToyModel(dim);
    return {
      name, model, grid: linearToyGrid(steps), n,
      x0: x0 ?? Float32Array.from(normals(n * dim, seed)),
      config: { model: name, steps, dim, n, seed },
    };
  }
  const scheduleName = choiceArg('schedule', o.schedule, SCHEDULES), kind = choiceArg<GridName>('grid', o.grid, GRIDS);
  const shift = numArg('shift', o.shift, 0, 1000, { above: true });
  const components = intArg('components', o.components, 1, 64), mixtureSeed = intArg('mixture-seed', o['mixture-seed'], 0, 2 ** 31);
  const schedule = getSchedule(scheduleName), grid = timeGrid(schedule, { steps, kind, shift });
  const model = name === 'gaussian'
    ? gaussianModel({ schedule, mean: Array.from({ length: dim }, (_, j) => 0.5 * Math.sin(j + 1)), scale: 0.5 })
    : mixtureModel(schedule, randomMixture({ dim, components, seed: mixtureSeed }));
  // initial noise at t_0: sigma(t_0) z (the prior; for flow from t = 1 exactly pure noise)
  const s0 = schedule.sigma(grid[0]);
  return {
    name, model, grid, n,
    x0: x0 ?? Float32Array.from(normals(n * dim, seed), (z) => z * s0),
    config: { model: name, schedule: scheduleName, grid: kind, shift, steps, dim, ...(name === 'mixture' ? { components, mixtureSeed } : {}), n, seed },
  };
}
