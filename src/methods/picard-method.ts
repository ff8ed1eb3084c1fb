/** `picard` and `parataa` as registered methods: typed options, flags, defaults (see picard.ts). */
import { FINE_FLAG, fineRule, readFine } from '../sampling/flags.ts';
import {
  PICARD_ACCEPTANCE,
  PICARD_PREDICTORS,
  PICARD_SCALES,
  PICARD_WINDOW_MODES,
  choice,
  int,
  num,
  type PicardAcceptance,
  type PicardPredictor,
  type PicardScale,
  type PicardWindowMode,
} from '../names.ts';
import { asMethodResult, kindHooks, type Method } from '../sampling/method.ts';
import { dpmpp2m } from '../solvers/dpm-solver-pp.ts';
import type { Solver } from '../solvers/solver.ts';
import { runPicard } from './picard.ts';

export interface PicardMethodOptions {
  /** The base solver (with a linear form: ddim, dpmpp-2m, dpmpp-3m). */
  fine: Solver;
  window: number;
  tolerance: number;
  scale: PicardScale;
  predictor: PicardPredictor;
  windows: PicardWindowMode;
  anderson: boolean;
  secant: boolean;
  acceptance: PicardAcceptance;
  andersonDepth: number;
  andersonRegularization: number;
  maxRounds: number;
  maxAdvance: number;
}

const hasLinearForm = (s: Solver) => s.linear !== undefined;
const ON_OFF = ['on', 'off'] as const;

function picardLike(name: 'picard' | 'parataa'): Method<PicardMethodOptions> {
  const taa = name === 'parataa';
  const needs = `${name} needs a solver with a linear form`;
  const defaults = (_T: number, width = 8): PicardMethodOptions => ({
    fine: dpmpp2m,
    window: width,
    tolerance: 1e-3,
    scale: 'noise',
    predictor: 'quadratic',
    windows: 'auto',
    anderson: taa,
    secant: !taa,
    acceptance: 'change',
    andersonDepth: 2,
    andersonRegularization: 0.1,
    maxRounds: Infinity,
    maxAdvance: Infinity,
  });
  return {
    name,
    summary: taa
      ? 'ParaTAA (Tang et al., ICML 2024): Picard over the whole base solver with triangular Anderson ' +
        'acceleration over the last m iterates; tolerance 0 returns the sequential solver bit for bit.'
      : 'Picard over the whole base solver (a generalised ParaDiGMS): a sliding window of K solver steps per ' +
        'sample, history from stored model outputs; tolerance 0 returns the sequential solver bit for bit.',
    flags: {
      window: {
        type: 'string',
        default: '8',
        help: 'window K (model evaluations per sample per round)',
        rule: int(1, 10000),
      },
      tolerance: {
        type: 'string',
        default: '1e-3',
        help: 'a point passes when its RMS change <= tolerance * scale(t); 0 runs to the exact fixed point',
        rule: num(0, 1e9),
      },
      scale: {
        type: 'string',
        default: 'noise',
        help: `tolerance scale: ${PICARD_SCALES.join(' | ')}`,
        rule: choice(PICARD_SCALES),
      },
      predictor: {
        type: 'string',
        default: 'quadratic',
        help:
          `first value of a point entering the window: ${PICARD_PREDICTORS.join(' | ')} (linear, quadratic: ` +
          'the x0 estimate extrapolated in log-SNR through the 2 or 3 furthest evaluated points)',
        rule: choice(PICARD_PREDICTORS),
      },
      windows: {
        type: 'string',
        default: 'auto',
        help: `${PICARD_WINDOW_MODES.join(' | ')} (auto: shared for a row-conditioned model such as the DiT)`,
        rule: choice(PICARD_WINDOW_MODES),
      },
      'fine-solver': {
        ...FINE_FLAG,
        default: 'dpmpp-2m',
        help: 'base solver: ddim | dpmpp-2m | dpmpp-3m',
        rule: fineRule(hasLinearForm, needs),
      },
      ...(taa ? {} : { anderson: { type: 'boolean', help: 'triangular Anderson acceleration (= --method parataa)' } }),
      secant: {
        type: 'string',
        help:
          "on | off: the quasi-Newton sweep (each point's x0 estimate follows its state by a secant dD/dx; " +
          'default: on, off with Anderson: parataa or --anderson)',
        rule: choice(ON_OFF),
      },
      acceptance: {
        type: 'string',
        default: 'change',
        help:
          `${PICARD_ACCEPTANCE.join(' | ')} (secant, with the secant sweep: a point evaluated twice counts its ` +
          "change times the secant's miss there)",
        rule: choice(PICARD_ACCEPTANCE),
      },
      'anderson-depth': {
        type: 'string',
        default: '2',
        help: 'Anderson: earlier iterates m (1 to 5)',
        rule: int(1, 5),
      },
      'anderson-reg': {
        type: 'string',
        default: '0.1',
        help: 'Anderson: ridge relative to the mean diagonal',
        rule: num(1e-12, 1e12),
      },
      'max-rounds': { type: 'string', help: 'stop after this many rounds (default: none)', rule: int(1, 1e9) },
      'max-advance': {
        type: 'string',
        help: 'the window moves by at most this many points a round (default: the window)',
        rule: int(1, 10000),
      },
    },
    defaults,
    // with Anderson the secant sweep is off unless asked for, as in runPicard and with --anderson
    complete(T, o) {
      const anderson = taa || o.anderson === true;
      return { ...defaults(T), anderson, secant: !anderson, ...o };
    },
    fromFlags: (read) => ({
      fine: readFine(read, hasLinearForm, needs),
      window: read.int('window', 1, 10000),
      tolerance: read.num('tolerance', 0, 1e9),
      scale: read.choice('scale', PICARD_SCALES),
      predictor: read.choice('predictor', PICARD_PREDICTORS),
      windows: read.choice('windows', PICARD_WINDOW_MODES),
      anderson: taa || read.flag('anderson'),
      secant: read.given('secant') ? read.choice('secant', ON_OFF) === 'on' : !(taa || read.flag('anderson')),
      acceptance: read.choice('acceptance', PICARD_ACCEPTANCE),
      andersonDepth: read.int('anderson-depth', 1, 5),
      andersonRegularization: read.num('anderson-reg', 1e-12, 1e12),
      maxRounds: read.given('max-rounds') ? read.int('max-rounds', 1, 1e9) : Infinity,
      maxAdvance: read.given('max-advance') ? read.int('max-advance', 1, 10000) : Infinity,
    }),
    width: (T, o) => Math.min(o.window, T), // wider than T: about T nodes a round (warm-up, pool size)
    async run(task, o, hooks = {}) {
      const { fine, ...rest } = o;
      const r = await runPicard(task, { ...rest, solver: fine, anderson: taa || o.anderson, ...kindHooks(hooks) });
      return asMethodResult(r, { nodes: r.nodes, sampleEvals: r.sampleEvals, anderson: r.anderson });
    },
    describe: (o) => ({
      label:
        `${taa || o.anderson ? 'ParaTAA' : 'Picard'}-${o.fine.name} window ${o.window}, tolerance ${o.tolerance}` +
        (o.scale === 'noise' ? '' : ` (${o.scale} scale)`) +
        (o.predictor === 'quadratic' ? '' : `, ${o.predictor} predictor`) +
        (Number.isFinite(o.maxAdvance) ? `, advance <= ${o.maxAdvance}` : '') +
        (o.secant === !(taa || o.anderson) ? '' : o.secant ? ', secant' : ', no secant') +
        (o.acceptance === 'change' ? '' : `, ${o.acceptance} acceptance`),
      config: {
        solver: o.fine.name,
        window: o.window,
        tolerance: o.tolerance,
        scale: o.scale,
        predictor: o.predictor,
        windows: o.windows,
        anderson: taa || o.anderson,
        secant: o.secant,
        acceptance: o.acceptance,
        andersonDepth: o.andersonDepth,
        andersonRegularization: o.andersonRegularization,
        maxRounds: Number.isFinite(o.maxRounds) ? o.maxRounds : 'none',
        maxAdvance: Number.isFinite(o.maxAdvance) ? o.maxAdvance : 'window',
      },
    }),
  };
}

export const picardMethod = picardLike('picard');
export const parataaMethod = picardLike('parataa');
