/**
 * The fixed lists of names (solvers, jumps, backends, executors, models, schedules, grids, method options) and the
 * rules of option values, as plain data in a module that loads nothing: the registries import the lists from here,
 * and so does the CLI's catalogue, so the installed `chords` checks option values without loading tfjs.
 */

export const SOLVER_NAMES = ['euler', 'heun', 'ddim', 'dpm2', 'dpm3', 'dpmpp-2m', 'dpmpp-3m'] as const;
export type SolverName = (typeof SOLVER_NAMES)[number];

/** First-order jumps of CHORDS and SRDS (solvers/jump.ts). */
export const JUMP_NAMES = ['euler', 'ddim'] as const;
export type JumpName = (typeof JUMP_NAMES)[number];

export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/** Validates a backend name; the error lists the allowed values. */
export function parseBackend(name: string): BackendChoice {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendChoice;
  throw new Error(`backend: unknown backend '${name}'; allowed: ${BACKENDS.join(', ')}`);
}

export const EXECUTORS = ['serial', 'batched', 'workers', 'processes'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

export const PROBLEM_MODELS = ['gaussian', 'mixture', 'linear', 'dit'] as const;
export type ProblemModel = (typeof PROBLEM_MODELS)[number];

export const SCHEDULES = ['flow', 'vp-linear', 'vp-cosine', 've'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export const GRIDS = ['uniform', 'karras', 'logsnr'] as const;
export type GridName = (typeof GRIDS)[number];

/** The built-in methods of the registry (sampling/registry.ts), in its order. */
export const BUILT_IN_METHODS = [
  'chords',
  'paradigms',
  'srds',
  'srds-pipelined',
  'sequential',
  'picard',
  'parataa',
] as const;

/** A multistep fine solver's history after a CHORDS rectification (chords/history.ts). */
export const HISTORY_RULES = ['keep', 'drop', 'shift'] as const;
export type HistoryRule = (typeof HISTORY_RULES)[number];

/** A spawned CHORDS core's first value (chords/spawn.ts spawnJump): the coarse jump, or an extrapolated x0 jump. */
export const CHORDS_PREDICTORS = ['coarse', 'linear', 'quadratic'] as const;
export type ChordsPredictor = (typeof CHORDS_PREDICTORS)[number];

export const PICARD_SCALES = ['noise', 'state'] as const;
export type PicardScale = (typeof PICARD_SCALES)[number];
export const PICARD_PREDICTORS = ['ddim', 'linear', 'quadratic'] as const;
export type PicardPredictor = (typeof PICARD_PREDICTORS)[number];
export const PICARD_WINDOW_MODES = ['auto', 'per-sample', 'shared'] as const;
export type PicardWindowMode = (typeof PICARD_WINDOW_MODES)[number];
export const PICARD_ACCEPTANCE = ['change', 'secant'] as const;
export type PicardAcceptance = (typeof PICARD_ACCEPTANCE)[number];

/**
 * The rule of an option's value as plain data (cli/args.ts checkRule applies it with the very functions the
 * commands call, so the messages are the same): an integer or number in a range (an int's `maxOf`: at most the
 * value of that option, e.g. --steps), one of a list, a solver with a capability (`allowed`: the solvers that have
 * it), a comma-separated list of float32 numbers, a CHORDS init sequence (checked against --steps and --cores) or
 * stop rule, a backend, an output file ending in `ext`.
 * `model` overrides the rule for some values of --model; `when` checks it only where the option `when.option`
 * was typed with one of `when.values` (elsewhere the command's own "belongs to" check answers).
 */
export type ValueRule = (
  | { kind: 'int'; min: number; max: number; maxOf?: string }
  | { kind: 'number'; min: number; max: number; above?: boolean }
  | { kind: 'choice'; values: readonly string[] }
  | { kind: 'solver'; allowed: readonly string[]; needs: string }
  | { kind: 'numbers' }
  | { kind: 'init' }
  | { kind: 'stop' }
  | { kind: 'backend' }
  | { kind: 'file'; ext: string }
) & { model?: Record<string, ValueRule>; when?: { option: string; values?: readonly string[] } };

export const int = (min: number, max: number): ValueRule => ({ kind: 'int', min, max });
export const num = (min: number, max: number, above = false): ValueRule => ({ kind: 'number', min, max, above });
export const choice = (values: readonly string[]): ValueRule => ({ kind: 'choice', values });

/** A solver name of the registry that must also be one of `allowed` (those with the capability `needs` names). */
export function capableSolver(name: string, v: string, allowed: readonly string[], needs: string): void {
  if (!allowed.includes(v)) throw new Error(`--${name}: ${needs}; got '${v}'; allowed: ${allowed.join(', ')}`);
}
