/**
 * A sampling method as a plug-in: a name, typed options with defaults and validation, its parallel
 * width for T steps, and run(task, options). The CLI and the experiments know methods only through
 * this interface and the registry (registry.ts); adding one is one file and one registry line.
 */
import type { SamplerHit, SamplerHooks, SamplerResult, SamplingTask } from './task.ts';
import type { Solver } from '../solvers/solver.ts';
import type { ValueRule } from '../names.ts';
import { checkKeys, requireOptions } from '../options.ts';

/** A command-line flag of a method (the same shape as the CLI's option specs). */
export interface FlagSpec {
  type: 'string' | 'boolean';
  help: string;
  default?: string;
  /** The rule of its value as plain data (names.ts), checked by the CLI's catalogue without tfjs. */
  rule?: ValueRule;
}

/** Reads a method's flags: each value is the given one or the flag's default; bad values are clear errors. */
export interface FlagReader {
  /** True if the flag was given on the command line. */
  given(name: string): boolean;
  int(name: string, min: number, max: number): number;
  num(name: string, min: number, max: number): number;
  choice<T extends string>(name: string, allowed: readonly T[]): T;
  /** The raw text, or undefined where the flag has no value and no default. */
  text(name: string): string | undefined;
  flag(name: string): boolean;
}

/** An intermediate result with what it is: 'coarse', 'core' (with its core) or 'iteration'. */
export interface MethodHit extends SamplerHit {
  kind: string;
  core?: number;
}

/** A method's result: the shared fields, plus plain facts of its own (CHORDS's stoppedBy, SRDS's iterations). */
export interface MethodResult extends SamplerResult<MethodHit> {
  extra: Record<string, string | number | boolean>;
}

/** Streaming callbacks every method accepts. */
export type RunHooks = SamplerHooks<MethodHit>;

/** What every method's options hold: the solver whose sequential run it is compared with. */
export interface BaseOptions {
  fine: Solver;
}

export interface Method<O extends BaseOptions = BaseOptions> {
  readonly name: string;
  /** One paragraph for `chords run --method <name> --help`. */
  readonly summary: string;
  /** Its command-line flags (without the leading --). */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /**
   * Typed defaults for T steps at parallel width `width` (CHORDS cores, ParaDiGMS window, SRDS blocks): every
   * option, since the registry fills partial options from them and refuses keys they do not have.
   */
  defaults(T: number, width?: number): O;
  /**
   * Partial options made whole, for a method whose defaults depend on other options (ParaTAA-style Picard:
   * the secant sweep is on unless Anderson is). Default: defaults(T) overridden by the given keys.
   */
  complete?(T: number, options: Partial<O>): O;
  /** Typed options from command-line flags, validated (every value checked before any work). */
  fromFlags(read: FlagReader, T: number): O;
  /** Parallel width for T steps: the most model calls in one round (cores, window, blocks). */
  width(T: number, options: O): number;
  /** Through the registry (getMethod), options may be partial: what is left out comes from defaults(T). */
  run(task: SamplingTask, options: O, hooks?: RunHooks): Promise<MethodResult>;
  /** A one-line label and the options as plain data (for reports and results/*.json); every option needed. */
  describe(options: O): { label: string; config: Record<string, string | number | boolean> };
}

/** Any registered method (options typed per method; callers pass what that method's defaults/fromFlags made). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethod = Method<any>;

/** What kind of result hit `index` is, for drivers whose hits are plain SamplerHits. */
export type KindOf = (index: number) => string;
export const iterationKind: KindOf = () => 'iteration';

/** The hooks for a driver that streams plain SamplerHits: each hit gets its kind on the way out. */
export function kindHooks(hooks: RunHooks, kind: KindOf = iterationKind) {
  const { onHit, onRound } = hooks;
  return { onRound, onHit: onHit && ((h: SamplerHit) => onHit({ ...h, kind: kind(h.index) })) };
}

/** A driver's result as a method result: every hit with its kind, plus the method's own facts. */
export function asMethodResult(
  r: SamplerResult<SamplerHit>,
  extra: MethodResult['extra'] = {},
  kind: KindOf = iterationKind,
): MethodResult {
  return { ...r, hits: r.hits.map((h) => ({ ...h, kind: kind(h.index) })), extra };
}

/**
 * The method as the registry hands it out: run() and width() take partial options, the rest from defaults(T) for
 * the task's T (an unknown key is an error naming the method's options), so `getMethod('picard').run(task, {})`
 * runs the defaults. A task without a grid is left to run()'s own task check.
 */
export function withDefaultOptions<O extends BaseOptions>(m: Method<O>): Method<O> {
  const complete = (T: number | undefined, o: Partial<O> | undefined): O => {
    if (o !== undefined) requireOptions(m.name, o);
    if (T === undefined) return o as O;
    const given = o ?? {};
    const d = m.defaults(T);
    checkKeys(m.name, given, Object.fromEntries(Object.keys(d).map((k) => [k, true])) as Record<keyof O, true>);
    return m.complete ? m.complete(T, given) : { ...d, ...given };
  };
  const stepsOf = (task: SamplingTask) => {
    const g = (task as Partial<SamplingTask> | undefined)?.grid;
    return Array.isArray(g) && g.length >= 2 ? g.length - 1 : undefined;
  };
  // describe has no T to fill options from: a partial object is a clear error (the keys do not depend on T)
  const whole = (o: O): O => {
    requireOptions(m.name, o);
    const missing = Object.keys(m.defaults(64)).filter((k) => !(k in (o as object)));
    if (missing.length > 0)
      throw new Error(
        `${m.name}: describe needs every option; missing: ${missing.join(', ')}; allowed: ` +
          `{ ...getMethod('${m.name}').defaults(T), ...yours }`,
      );
    return o;
  };
  // a view of m (its prototype too, for a method written as a class) with the entry points wrapped
  return Object.assign(Object.create(m) as Method<O>, {
    width: (T: number, o: O) => m.width(T, complete(T, o)),
    run: (task: SamplingTask, o: O, hooks?: RunHooks) => m.run(task, complete(stepsOf(task), o), hooks),
    describe: (o: O) => m.describe(whole(o)),
  });
}
