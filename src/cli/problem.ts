/** Problem options of the command line (model, grid, noise) as a ProblemSpec; shared by solve, run and sample. */
import { GRIDS, SCHEDULES, type GridName } from '../diffusion/index.ts';
import { PROBLEM_MODELS, buildProblem as buildFromSpec, type Problem, type ProblemSpec } from '../problems/index.ts';
import { choice, int, num } from '../names.ts';
import { choiceArg, intArg, numArg, numListArg, type Parsed, type Spec } from './args.ts';

export const MODELS = PROBLEM_MODELS;
export type ModelName = (typeof MODELS)[number];

export const PROBLEM_OPTIONS: Spec = {
  model: {
    type: 'string',
    default: 'mixture',
    help: `model: ${MODELS.join(' | ')} (linear = the CHORDS reference toy; dit = the shipped DiT)`,
    rule: { kind: 'choice', values: MODELS },
  },
  schedule: {
    type: 'string',
    default: 'flow',
    help: `noise schedule: ${SCHEDULES.join(' | ')} (dit: flow only)`,
    rule: { kind: 'choice', values: SCHEDULES, model: { dit: { kind: 'choice', values: ['flow'] } } },
  },
  grid: { type: 'string', default: 'uniform', help: `time grid: ${GRIDS.join(' | ')}`, rule: choice(GRIDS) },
  shift: {
    type: 'string',
    default: '1',
    help: 'SD3/Flux time shift of the uniform grid (> 0)',
    rule: num(0, 1000, true),
  },
  steps: { type: 'string', default: '50', help: 'number of steps T (1..10000)', rule: int(1, 10000) },
  dim: { type: 'string', default: '64', help: 'data dimension D of an analytic model (1..4096)', rule: int(1, 4096) },
  components: { type: 'string', default: '8', help: 'mixture components (1..64)', rule: int(1, 64) },
  'mixture-seed': {
    type: 'string',
    default: '0',
    help: 'seed of the random mixture (means, scales, weights)',
    rule: int(0, 2 ** 31 - 1),
  },
  n: {
    type: 'string',
    default: '1',
    help: 'number of samples in the batch (1..4096; one model call holds at most 64M values, checked up front)',
    rule: int(1, 4096),
  },
  seed: { type: 'string', default: '0', help: 'seed of the initial noise', rule: int(0, 2 ** 31 - 1) },
  x0: {
    type: 'string',
    help: 'initial noise as v1,v2,... (n * dim values; overrides --seed)',
    rule: { kind: 'numbers' },
  },
  class: {
    type: 'string',
    help: 'dit: class 0..9 of every sample (default: classes cycle 0, 1, ..., 9)',
    rule: int(0, 9),
  },
  guidance: {
    type: 'string',
    default: '2',
    help: 'dit: classifier-free guidance scale (1 = conditional only)',
    rule: num(0, 100),
  },
  weights: { type: 'string', help: 'dit: a DiT model.json or folder (default: the shipped DiT-S/2)' },
};

/** Validates every problem option, then builds the problem from its spec (the model from the spec workers get). */
export function buildProblem(o: Parsed): Promise<Problem> {
  return buildFromSpec(problemSpec(o));
}

/** --shift: > 0, and only with --grid uniform (karras and logsnr spacing would ignore it). */
function shiftArg(v: string | boolean | undefined, grid: GridName): number {
  const shift = numArg('shift', v, 0, 1000, { above: true });
  if (shift !== 1 && grid !== 'uniform')
    throw new Error(`--shift applies to --grid uniform, not ${grid} (its spacing ignores a shift); got ${shift}`);
  return shift;
}

/** The problem options as a ProblemSpec (every value checked, nothing built). */
export function problemSpec(o: Parsed): ProblemSpec {
  const model = choiceArg('model', o.model, MODELS);
  const steps = intArg('steps', o.steps, 1, 10000),
    n = intArg('n', o.n, 1, 4096),
    seed = intArg('seed', o.seed, 0, 2 ** 31 - 1);
  const x0 = typeof o.x0 === 'string' ? numListArg('x0', o.x0) : undefined;
  const base = { model, steps, n, seed, ...(x0 ? { x0 } : {}) };
  if (model === 'dit') {
    const labels = typeof o.class === 'string' ? intArg('class', o.class, 0, 9) : 'cycle';
    const guidance = numArg('guidance', o.guidance, 0, 100);
    const schedule = choiceArg('schedule', o.schedule, ['flow'] as const);
    const grid = choiceArg<GridName>('grid', o.grid, GRIDS),
      shift = shiftArg(o.shift, grid);
    const weights = typeof o.weights === 'string' ? o.weights : undefined;
    return { ...base, labels, guidance, schedule, grid, shift, ...(weights ? { weights } : {}) };
  }
  const dim = intArg('dim', o.dim, 1, 4096);
  if (x0 && x0.length !== n * dim)
    throw new Error(`--x0: got ${x0.length} values; allowed: exactly n * dim = ${n} * ${dim} = ${n * dim}`);
  if (model === 'linear') return { ...base, dim };
  const schedule = choiceArg('schedule', o.schedule, SCHEDULES),
    grid = choiceArg<GridName>('grid', o.grid, GRIDS);
  const shift = shiftArg(o.shift, grid);
  const components = intArg('components', o.components, 1, 64),
    mixtureSeed = intArg('mixture-seed', o['mixture-seed'], 0, 2 ** 31 - 1);
  return { ...base, dim, schedule, grid, shift, components, mixtureSeed };
}
