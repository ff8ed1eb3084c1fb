/** CHORDS as a registered method: its options, flags, width and run. */
import { COARSE_FLAG, FINE_FLAG, readCoarse, readFine } from '../sampling/flags.ts';
import type { Method } from '../sampling/method.ts';
import { CHORDS_PREDICTORS, choice, int, type ChordsPredictor } from '../names.ts';
import { euler } from '../solvers/euler.ts';
import { eulerJump, jumpName, type Jump } from '../solvers/jump.ts';
import type { Solver } from '../solvers/solver.ts';
import { HISTORY_RULES, type HistoryRule } from './history.ts';
import { INIT_GENERATORS, coresAboveSteps, initFromText, initSequence, parseInitText, validateInit } from './init.ts';
import { runChords } from './run.ts';
import { formatStop, parseStop, validateStop, type StopRule } from './stop.ts';
import { shown } from '../options.ts';

export interface ChordsMethodOptions {
  init: number[];
  fine: Solver;
  coarse: Jump;
  stop: StopRule;
  rectify: boolean;
  /** A multistep fine solver's history after a rectification: keep (default), drop or shift (history.ts). */
  history: HistoryRule;
  /** Cores spawned at once from the newest core's first point: 1 (default, the reference's chain); >= K - 1: all. */
  spawnPerRound: number;
  /** A spawned core's first value: the coarse jump (default, the reference) or an extrapolated x0 jump (math.ts). */
  predictor: ChordsPredictor;
}

export const chordsMethod: Method<ChordsMethodOptions> = {
  name: 'chords',
  summary:
    'CHORDS (Han et al., ICCV 2025): K cores run the fine solver from staggered starts; slower cores rectify faster ' +
    'ones, and every core that reaches T is a hit (the fastest first).',
  flags: {
    init: {
      type: 'string',
      help:
        `init sequence, e.g. 0-2-4-8-16-24-32-40, or a generator for --cores: ${INIT_GENERATORS.join(' | ')}` +
        `[:<last start / T>], or equal:<gap> (default: shaped, which gives the paper's presets at T = 50)`,
      rule: { kind: 'init' },
    },
    cores: {
      type: 'string',
      default: '8',
      help: 'number of cores K when --init is not given or names a generator (1..64)',
      rule: int(1, 64),
    },
    stop: {
      type: 'string',
      default: 'complete',
      help: 'core-index:<i> | residual[:<tol>] | residual-rmse:<tol> | complete',
      rule: { kind: 'stop' },
    },
    'no-rectify': { type: 'boolean', help: 'disable rectification (ablation)' },
    history: {
      type: 'string',
      default: 'keep',
      help: 'multistep fine solver history after a rectification: keep | drop | shift (add the x0 discrepancy)',
      rule: choice(HISTORY_RULES),
    },
    'spawn-per-round': {
      type: 'string',
      default: '1',
      help: "cores spawned at once from the newest core's first point: 1 (the reference's chain); K - 1 or more: all",
      rule: int(1, 64),
    },
    predictor: {
      type: 'string',
      default: 'coarse',
      help:
        "a spawned core's first value: coarse (the coarse jump, the reference) | linear | quadratic (the x0 " +
        "estimate extrapolated in log-SNR through the slower cores' newest 1 or 2, with a multistep --fine-solver)",
      rule: choice(CHORDS_PREDICTORS),
    },
    'fine-solver': FINE_FLAG,
    coarse: COARSE_FLAG,
  },
  defaults: (T, width = Math.min(8, T)) => ({
    init: initSequence({ cores: width, steps: T }),
    fine: euler,
    coarse: eulerJump,
    stop: { kind: 'complete' },
    rectify: true,
    history: 'keep',
    spawnPerRound: 1,
    predictor: 'coarse',
  }),
  fromFlags(read, T) {
    const fine = readFine(read),
      coarse = readCoarse(read);
    const stop = parseStop(read.text('stop') ?? 'complete');
    const text = read.text('init');
    const cores = read.int('cores', 1, 64);
    // a generator name (--init equal) sizes its sequence by --cores, as the default does
    const byName = text !== undefined && !Array.isArray(parseInitText(text));
    if ((text === undefined || byName) && cores > T)
      throw read.given('cores')
        ? coresAboveSteps(cores, T)
        : new Error(
            `--steps: got ${shown(T)}; CHORDS runs --cores ${cores} by default, one start index per core; ` +
              `allowed: --steps >= ${cores}, or --cores (or --init) for T = ${T}`,
          );
    const init = text !== undefined ? initFromText(text, cores, T) : initSequence({ cores, steps: T });
    validateInit(init, T, read.given('cores') && text !== undefined ? read.int('cores', 1, 64) : undefined);
    validateStop(stop, init.length);
    const history = read.choice('history', HISTORY_RULES);
    const spawnPerRound = read.int('spawn-per-round', 1, 64);
    const predictor = read.choice('predictor', CHORDS_PREDICTORS);
    return { init, fine, coarse, stop, rectify: !read.flag('no-rectify'), history, spawnPerRound, predictor };
  },
  width: (_T, o) => o.init.length,
  async run(task, o, hooks = {}) {
    const r = await runChords(task, { ...o, onHit: hooks.onHit, onRound: hooks.onRound });
    return { ...r, extra: { stoppedBy: r.stoppedBy } };
  },
  describe: (o) => ({
    label: `CHORDS init ${o.init.join('-')}, stop ${formatStop(o.stop)}`,
    config: {
      init: o.init.join('-'),
      cores: o.init.length,
      stop: formatStop(o.stop),
      coarse: jumpName(o.coarse),
      rectify: o.rectify,
      history: o.history,
      spawnPerRound: o.spawnPerRound,
      predictor: o.predictor,
    },
  }),
};
