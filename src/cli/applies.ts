/** Which problem options apply to which models: typing one for another model is an error, before any work. */
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
