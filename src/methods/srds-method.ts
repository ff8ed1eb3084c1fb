/** SRDS and pipelined SRDS as registered methods: options, flags, width and run. */
import {
  COARSE_FLAG,
  FINE_FLAG,
  TOLERANCE_FLAG,
  fineRule,
  readCoarse,
  readFine,
  readTolerance,
} from '../sampling/flags.ts';
import { asMethodResult, kindHooks, type Method } from '../sampling/method.ts';
import { euler } from '../solvers/euler.ts';
import { eulerJump, jumpName, type Jump } from '../solvers/jump.ts';
import type { Solver } from '../solvers/solver.ts';
import { runSrdsPipelined } from './srds-pipelined.ts';
import { runSrds } from './srds.ts';

export interface SrdsMethodOptions {
  blocks: number;
  fine: Solver;
  coarse: Jump;
  tolerance: number;
  /** Run the pipelined schedule (same samples, fewer rounds). */
  pipelined: boolean;
}

const singleStep = (s: Solver) => !s.multistep;
const NEEDS = 'SRDS needs a single-step fine solver (blocks restart it)';
/** Hit 0 is the coarse sweep, then one per iteration. */
const srdsKind = (index: number) => (index === 0 ? 'coarse' : 'iteration');

/** SRDS and its pipelined schedule as registered methods (they differ in the schedule only). */
export function srdsMethodOf(name: string, pipelined: boolean): Method<SrdsMethodOptions> {
  return {
    name,
    summary:
      `${pipelined ? 'Pipelined ' : ''}SRDS (Selvam et al., NeurIPS 2024): Parareal over blocks of the T steps, a ` +
      'coarse sweep then fine solves of every open block in parallel and a predictor-corrector sweep.',
    flags: {
      blocks: {
        type: 'string',
        help: 'number of blocks (default: round(sqrt(T)))',
        rule: { kind: 'int', min: 1, max: 10000, maxOf: 'steps' },
      },
      ...(pipelined ? {} : { pipelined: { type: 'boolean', help: 'pipelined schedule (same samples, fewer rounds)' } }),
      tolerance: TOLERANCE_FLAG,
      'fine-solver': { ...FINE_FLAG, help: `${FINE_FLAG.help} (single-step ones)`, rule: fineRule(singleStep, NEEDS) },
      coarse: COARSE_FLAG,
    },
    defaults: (T, width) => ({
      blocks: width ?? Math.max(1, Math.round(Math.sqrt(T))),
      fine: euler,
      coarse: eulerJump,
      tolerance: 0.1,
      pipelined,
    }),
    fromFlags(read, T) {
      const fine = readFine(read, singleStep, NEEDS),
        coarse = readCoarse(read);
      const tolerance = readTolerance(read);
      const blocks = read.given('blocks') ? read.int('blocks', 1, T) : Math.max(1, Math.round(Math.sqrt(T)));
      return { blocks, fine, coarse, tolerance, pipelined: pipelined || read.flag('pipelined') };
    },
    width: (_T, o) => o.blocks,
    async run(task, o, hooks = {}) {
      const { pipelined, ...rest } = o;
      const run = pipelined ? runSrdsPipelined : runSrds;
      const r = await run(task, { ...rest, ...kindHooks(hooks, srdsKind) });
      return asMethodResult(r, { iterations: r.iterations, blocks: r.blocks }, srdsKind);
    },
    describe: (o) => ({
      label: `${o.pipelined ? 'pipelined ' : ''}SRDS ${o.blocks} blocks, tolerance ${o.tolerance}`,
      config: { blocks: o.blocks, tolerance: o.tolerance, coarse: jumpName(o.coarse), pipelined: o.pipelined },
    }),
  };
}

export const srdsMethod = srdsMethodOf('srds', false);
export const srdsPipelinedMethod = srdsMethodOf('srds-pipelined', true);
