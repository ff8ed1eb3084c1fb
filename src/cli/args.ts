/** Command-line parsing: node:util parseArgs plus typed, range-checked values with clear errors. */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  rmdirSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { coresAboveSteps, parseInitText, validateInit } from '../chords/init.ts';
import { parseStop } from '../chords/stop.ts';
import { SOLVER_NAMES, capableSolver, parseBackend, type ValueRule } from '../names.ts';

export interface OptSpec {
  type: 'string' | 'boolean';
  help: string;
  default?: string;
  short?: string;
  /** The rule of its value as plain data (checkRule), for the catalogue's checks without tfjs. */
  rule?: ValueRule;
}
export type Spec = Record<string, OptSpec>;
export type Parsed = Record<string, string | boolean | undefined>;

const GIVEN = new WeakMap<Parsed, Set<string>>();
/** The options the user typed (not filled in from defaults) of a parseOptions result. */
export const givenOptions = (o: Parsed): Set<string> => GIVEN.get(o) ?? new Set();

/**
 * Options that apply only to some values of another option: { option: [owner option, allowed values] }.
 * Typing one for another value is an error naming both (e.g. --class with --model mixture).
 */
export function checkApplies(
  command: string,
  o: Parsed,
  owners: Record<string, [string, readonly string[]]>,
  values: Parsed = o,
): void {
  for (const k of givenOptions(o)) {
    const own = owners[k];
    if (own && !own[1].includes(String(values[own[0]])))
      throw new Error(
        `--${k} does not apply to 'chords ${command}' with --${own[0]} ${values[own[0]]}; ` +
          `allowed with --${own[0]} ${own[1].join(' or ')}`,
      );
  }
}

/** `chords plot` without a file (the command and the catalogue's preflight give the same error). */
export const PLOT_NO_FILE =
  "plot: needs a results file; allowed: one or more experiment results, e.g. 'results/frontier.json'";

/** Parses argv against a spec; unknown options are an error listing the allowed ones. */
export function parseOptions(command: string, argv: string[], spec: Spec): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      tokens: true,
      options: Object.fromEntries(
        Object.entries(spec).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
      ),
    });
  } catch (e) {
    throw parseError(command, argv, spec, e);
  }
  // an option with a value given twice would silently keep the last value (a repeated switch is harmless)
  const times = new Map<string, number>();
  for (const t of parsed.tokens ?? [])
    if (t.kind === 'option' && spec[t.name]?.type === 'string') times.set(t.name, (times.get(t.name) ?? 0) + 1);
  for (const [name, n] of times)
    if (n > 1) throw new Error(`--${name}: given ${n} times; allowed: once (the value to use)`);
  const values = parsed.values as Parsed;
  const out: Parsed = {};
  for (const [k, o] of Object.entries(spec)) out[k] = values[k] ?? o.default;
  GIVEN.set(out, new Set(Object.keys(values).filter((k) => values[k] !== undefined)));
  return out;
}

/** node's parseArgs error as one line naming the option and what is allowed. */
function parseError(command: string, argv: string[], spec: Spec, e: unknown): Error {
  const msg = (e as Error).message.split('\n')[0];
  // a value starting with a dash after a space (--x0 -0.5,1): keep node's hint, with the value typed
  const dash = msg.match(/Option '(?:-\w, )?(--[\w-]+)[^']*' argument is ambiguous/);
  if (dash) {
    const i = argv.findIndex(
      (a) => a === dash[1] || (spec[dash[1].slice(2)]?.short && a === `-${spec[dash[1].slice(2)].short}`),
    );
    const value = i >= 0 ? argv[i + 1] : '-...';
    // the next word is one of the command's options: the value was left out
    const short = Object.values(spec).some((o) => o.short !== undefined && value === `-${o.short}`);
    if (short || (/^--[\w-]+/.test(value) && Object.hasOwn(spec, value.slice(2).split('=')[0])))
      return new Error(`${dash[1]}: needs a value, e.g. ${dash[1]}=<value>`);
    // a value the option's rule refuses anyway (--seed -1): its rule's error, not advice that leads to it
    // (not a file rule: its check creates and removes the file, a side effect on an error path)
    const rule = spec[dash[1].slice(2)]?.rule;
    if (rule && rule.kind !== 'file' && i >= 0)
      try {
        checkRule(dash[1].slice(2), value, rule);
      } catch (err) {
        return err as Error;
      }
    return new Error(
      `${dash[1]}: the value '${value}' starts with a dash and reads as an option; write ${dash[1]}=${value}`,
    );
  }
  const missing = msg.match(/Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/);
  if (missing) return new Error(`${missing[1]}: needs a value, e.g. ${missing[1]}=<value>`);
  const positional = msg.match(/Unexpected argument '([^']*)'/);
  if (positional)
    return new Error(
      `unexpected argument '${positional[1]}' for 'chords ${command}'; ` +
        'allowed: options only (--name value or --name=value)',
    );
  const m = msg.match(/Unknown option '([^']+)'/);
  if (m)
    return new Error(
      `unknown option ${m[1]} for 'chords ${command}'; allowed: ${Object.keys(spec)
        .map((k) => `--${k}`)
        .join(', ')}`,
    );
  return new Error(`chords ${command}: ${msg}`);
}

export function intArg(name: string, v: string | boolean | undefined, min: number, max: number): number {
  const n = Number(v);
  if (typeof v !== 'string' || !/^-?\d+$/.test(v.trim()) || n < min || n > max)
    throw new Error(`--${name}: got '${v}'; allowed: an integer from ${min} to ${max}`);
  return n;
}

export function numArg(
  name: string,
  v: string | boolean | undefined,
  min: number,
  max: number,
  { above = false } = {},
): number {
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || (above ? n <= min : n < min) || n > max)
    throw new Error(`--${name}: got '${v}'; allowed: a number ${above ? '>' : '>='} ${min} and <= ${max}`);
  return n;
}

export function choiceArg<T extends string>(name: string, v: string | boolean | undefined, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new Error(`--${name}: unknown value '${v}'; allowed: ${allowed.join(', ')}`);
  return v as T;
}

/** The largest finite float32 (tensors hold float32; larger values would become Infinity). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A comma-separated list of numbers that are finite in float32; every entry must be there (no '1,' or ',1'). */
export function numListArg(name: string, v: string): number[] {
  const parts = v.split(',');
  const bad = parts.findIndex((s) => {
    const x = Number(s.trim());
    return s.trim() === '' || !Number.isFinite(x) || Math.abs(x) > FLOAT32_MAX;
  });
  if (bad >= 0) {
    const entry = parts[bad].trim();
    const why =
      entry === ''
        ? `entry ${bad + 1} of ${parts.length} is empty`
        : Number.isFinite(Number(entry))
          ? `entry ${bad + 1} (${entry}) overflows float32 (|x| <= ${FLOAT32_MAX.toPrecision(4)})`
          : `entry ${bad + 1} ('${entry}') is not a number`;
    throw new Error(`--${name}: got '${v}': ${why}; allowed: comma-separated finite numbers`);
  }
  return parts.map((s) => Number(s.trim()));
}

/**
 * An output file: a path ending in `ext`, not a folder, whose folder exists or can be made as one
 * new folder inside an existing one (no folders are created anywhere else). Returns the absolute path.
 */
export function outFileArg(name: string, v: string | boolean | undefined, ext: string): string {
  if (typeof v !== 'string' || v.trim() === '' || !v.toLowerCase().endsWith(ext))
    throw new Error(`--${name}: got '${v ?? ''}'; allowed: a file name ending in ${ext}`);
  const file = resolve(v),
    dir = dirname(file);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new Error(`--${name}: '${v}' is a folder; allowed: a file name ending in ${ext}`);
  if (existsSync(dir) ? !statSync(dir).isDirectory() : !existsSync(dirname(dir)))
    throw new Error(
      `--${name}: the folder of '${v}' (${dir}) does not exist, nor does its parent; ` +
        'allowed: a file in an existing folder, or in one new folder inside an existing one',
    );
  probeWritable(name, v, file, dir);
  return file;
}

/**
 * So that an unwritable path fails before any work: a new file is created and removed again (and its one new
 * folder), an existing one (or the folder of a dangling link) is only checked for writing, never opened.
 */
function probeWritable(name: string, v: string, file: string, dir: string): void {
  const newDir = !existsSync(dir);
  let exists = true; // the path itself, maybe a link to nothing (existsSync follows links)
  try {
    lstatSync(file);
  } catch {
    exists = false;
  }
  const fail = (what: string, e: unknown) =>
    new Error(
      `--${name}: cannot ${what} '${v}' (${(e as NodeJS.ErrnoException).code ?? String(e)}); ` +
        'allowed: a file in a folder this user can write',
    );
  try {
    if (newDir) mkdirSync(dir);
  } catch (e) {
    throw fail('create the folder of', e);
  }
  let err: Error | undefined;
  try {
    if (!exists) {
      closeSync(openSync(file, 'wx'));
      unlinkSync(file);
    } else accessSync(existsSync(file) ? file : dir, constants.W_OK);
  } catch (e) {
    err = fail('write', e);
  }
  try {
    if (newDir) rmdirSync(dir);
  } catch (e) {
    err ??= fail('remove the probe folder of', e);
  }
  if (err) throw err;
}

/**
 * Checks one value against its rule with the functions the commands call (the same messages). `values` are the
 * parsed options (typed or default): they pick a --model override and say whether a `when` rule applies.
 */
export function checkRule(name: string, v: string | boolean | undefined, rule: ValueRule, values: Parsed = {}): void {
  const w = rule.when;
  if (w && (values[w.option] === undefined || (w.values && !w.values.includes(String(values[w.option]))))) return;
  const r = rule.model?.[String(values.model)] ?? rule;
  const maxOf = r.kind === 'int' && r.maxOf !== undefined ? Number(values[r.maxOf]) : NaN;
  if (r.kind === 'int') intArg(name, v, r.min, Number.isInteger(maxOf) ? Math.min(r.max, maxOf) : r.max);
  else if (r.kind === 'number') numArg(name, v, r.min, r.max, { above: r.above });
  else if (r.kind === 'choice') choiceArg(name, v, r.values);
  else if (r.kind === 'solver') capableSolver(name, choiceArg(name, v, SOLVER_NAMES), r.allowed, r.needs);
  else if (typeof v !== 'string') return;
  else if (r.kind === 'numbers') numListArg(name, v);
  else if (r.kind === 'init') {
    // as CHORDS's fromFlags: against T (--steps) and, where typed, one entry per --cores
    const init = parseInitText(v);
    const cores = values.cores !== undefined ? intArg('cores', values.cores, 1, 64) : undefined;
    const steps = values.steps !== undefined ? intArg('steps', values.steps, 1, 10000) : undefined;
    if (Array.isArray(init) && steps !== undefined) validateInit(init, steps, cores);
    if (!Array.isArray(init) && cores !== undefined && steps !== undefined && cores > steps)
      throw coresAboveSteps(cores, steps);
  } else if (r.kind === 'stop') parseStop(v);
  else if (r.kind === 'backend') parseBackend(v);
  else if (r.kind === 'file') outFileArg(name, v, r.ext);
}

/** Help text of a spec. */
export function helpText(usage: string, spec: Spec): string {
  const rows = Object.entries(spec).map(([k, o]) => {
    const flag = `  --${k}${o.type === 'string' ? ' <value>' : ''}`;
    return `${flag.padEnd(26)} ${o.help}${o.default !== undefined ? ` (default: ${o.default})` : ''}`;
  });
  return `${usage}\n\nOptions:\n${rows.join('\n')}\n`;
}

/** --values only adds to the JSON report: without --json it would be silently ignored. */
export function checkValuesFlag(o: Parsed): void {
  if (o.values && !o.json) throw new Error('--values: adds the sample values to the JSON report; allowed with --json');
}
