/** Which problem options apply to which models: typing one for another model is an error, before any work. */
import type { Problem, ProblemSpec } from '../problems/index.ts';
import { progress } from '../progress.ts';
import type { ModelName } from './problem.ts';

const ANALYTIC: readonly ModelName[] = ['gaussian', 'mixture', 'linear'];

/** Option -> the models it applies to (options not listed apply to every model). */
export const MODEL_OPTION_OWNERS: Record<string, [string, readonly ModelName[]]> = {
  dim: ['model', ANALYTIC],
  components: ['model', ['mixture']],
  'mixture-seed': ['model', ['mixture']],
  schedule: ['model', ['gaussian', 'mixture', 'dit']], // the linear toy has its own grid
  grid: ['model', ['gaussian', 'mixture', 'dit']],
  shift: ['model', ['gaussian', 'mixture', 'dit']],
  class: ['model', ['dit']],
  guidance: ['model', ['dit']],
  weights: ['model', ['dit']],
};

/**
 * The most values one model call may hold, counted per model: the mixture's largest tensor is [rows, components,
 * dim]; a DiT-S/2 image counts 64K (measured here: 1024 images in one call run, 4096 do not), and with guidance
 * a sample is two images.
 */
export const MAX_CALL_VALUES = 2 ** 26; // 64M float32 (256 MB): [2048, 8, 4096] runs here, [4096, 8, 4096] does not
const DIT_IMAGE_VALUES = 2 ** 16;

/** Refuses, before any work, a problem whose model calls at this parallel width would not fit the wasm heap. */
export function checkCallSize(s: ProblemSpec, width: number): void {
  const rows = s.n * width;
  const per =
    s.model === 'dit'
      ? DIT_IMAGE_VALUES * ((s.guidance ?? 2) === 1 ? 1 : 2)
      : s.model === 'mixture'
        ? (s.components ?? 8) * (s.dim ?? 64)
        : 4 * (s.dim ?? 64);
  if (rows * per <= MAX_CALL_VALUES) return;
  const what =
    s.model === 'dit'
      ? `--n ${s.n} x ${width} parallel call(s)${(s.guidance ?? 2) === 1 ? '' : ' x 2 (guidance)'} images`
      : `--n ${s.n} x ${width} parallel call(s) x --dim ${s.dim ?? 64}` +
        (s.model === 'mixture' ? ` x --components ${s.components ?? 8}` : '');
  throw new Error(
    `${what} need ${((rows * per) / 2 ** 20).toFixed(0)}M values in one model call; allowed: at most ` +
      `${MAX_CALL_VALUES / 2 ** 20}M (the wasm heap): lower --n, --dim, --components or the parallel width`,
  );
}

/** Solves the float64 reference up front with a progress bar on stderr when it takes more than a few seconds. */
export function solveReference(p: Problem): void {
  if (!p.reference) return;
  const dim = p.spec.dim ?? 64,
    estimateMs = p.spec.model === 'mixture' ? p.n * (25 + 0.05 * dim) : 0;
  if (estimateMs < 3000) return void p.reference();
  const bar = progress({ total: p.n, label: 'float64 reference solve', every: 10 });
  p.reference((done) => bar.tick(done, `samples (about ${(estimateMs / 1000).toFixed(0)} s in all)`));
  bar.done();
}
