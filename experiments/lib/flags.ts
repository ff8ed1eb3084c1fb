/**
 * Experiment configuration: typed defaults overridden by --key=value (or --key value) flags, --help lists them;
 * unknown keys are an error, and every value is checked against its rule (counts >= 1, names from their lists,
 * ranges) before any work. A script that reads its own flags also gets one-line errors: anything it throws later
 * prints as `<name>: error: <message>` and exits with code 2, as the `chords` command does.
 */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';

type Value = string | number | boolean;
/** Checks one value; returns what is wrong ("allowed: ..."), or undefined when the value is fine. */
export type Rule = (v: Value) => string | undefined;
export type Rules<T> = { [K in keyof T]?: Rule };

const isInt = (v: Value): v is number => typeof v === 'number' && Number.isInteger(v);
/** An integer in [min, max]. */
export const int =
  (min: number, max: number): Rule =>
  (v) =>
    isInt(v) && v >= min && v <= max ? undefined : `an integer from ${min} to ${max}`;
/** A count: an integer from 1 to max. */
export const count = (max = 1_000_000): Rule => int(1, max);
/** A finite number in [min, max] (or (min, max] with above). */
export const num =
  (min: number, max: number, { above = false } = {}): Rule =>
  (v) =>
    typeof v === 'number' && (above ? v > min : v >= min) && v <= max
      ? undefined
      : `a number ${above ? '>' : '>='} ${min} and <= ${max}`;
/** One name from a list. */
export const oneOf =
  (names: readonly string[]): Rule =>
  (v) =>
    names.includes(String(v)) ? undefined : `one of ${names.join(', ')}`;
/** A comma-separated, non-empty list of distinct names from a list. */
export const listOf =
  (names: readonly string[]): Rule =>
  (v) => {
    const xs = String(v).split(',');
    const ok = String(v) !== '' && xs.every((x) => names.includes(x)) && new Set(xs).size === xs.length;
    return ok ? undefined : `distinct names from ${names.join(', ')}, comma-separated`;
  };
/** A comma-separated, non-empty list of distinct integers in [min, max]. */
export const intList =
  (min: number, max: number): Rule =>
  (v) => {
    const xs = String(v).split(',');
    const ok =
      xs.every((x) => /^\d+$/.test(x.trim()) && Number(x) >= min && Number(x) <= max) &&
      new Set(xs.map(Number)).size === xs.length;
    return ok ? undefined : `distinct integers from ${min} to ${max}, comma-separated`;
  };
/** Free text (a path, an init sequence checked by its own parser). */
export const text = (): Rule => () => undefined;

/** The integers of a list flag (checked by intList). */
export const ints = (v: string): number[] => v.split(',').map(Number);

let entry: string | undefined;
/**
 * Makes errors from here on one line and exit code 2 (no stack trace, no minified source line):
 * called once by a script's own parseFlags. CHORDS_STACK=1 prints the stack as well.
 */
export function exitOnError(name: string): void {
  if (entry) return;
  entry = name;
  const fail = (e: unknown) => {
    const msg = (e instanceof Error ? e.message : String(e)).trim().split('\n')[0];
    if (process.stderr.isTTY) process.stderr.write('\n'); // end a progress bar's line
    process.stderr.write(`${name}: error: ${msg.startsWith(`${name}: `) ? msg.slice(name.length + 2) : msg}\n`);
    if (process.env.CHORDS_STACK && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(2);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);

/**
 * Parses --key=value or --key value (bare --flag or --flag true|false for booleans; --kebab-case or
 * --camelCase) over typed defaults; --help (or -h, where no value is expected) prints every flag and exits;
 * --quick merges the quick overrides. The fourth argument is argv (tests) or { rules, argv }: with
 * rules, every number and string key needs one, and the merged values are checked before returning.
 * Reading process.argv (no argv given) makes the caller a script: see exitOnError.
 */
export function parseFlags<T extends Record<string, Value>>(
  name: string,
  defaults: T,
  quick: Partial<T> = {},
  options: string[] | { rules?: Rules<T>; argv?: string[] } = {},
): T & { quick: boolean } {
  const { rules, argv } = Array.isArray(options) ? { rules: undefined, argv: options } : options;
  if (!argv) exitOnError(name);
  const args = argv ?? process.argv.slice(2);
  const allowed = [...Object.keys(defaults).map(kebab), 'quick'].map((k) => `--${k}`).join(', ');
  const out: Record<string, Value> = { ...defaults };
  const given: Record<string, Value> = {};
  const typed: Record<string, string> = {};
  let isQuick = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      const help = helpText(name, defaults, quick, rules);
      if (argv) throw new Error(help);
      process.stdout.write(`${help}\n`);
      process.exit(0);
    }
    const m = arg.match(/^--([a-zA-Z][\w-]*)(?:=(.*))?$/);
    if (!m) throw new Error(`cannot read '${arg}'; use --key=value or --key value (allowed: ${allowed})`);
    const [, spelled] = m;
    let raw = m[2];
    const key = spelled.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()); // --save-every = --saveEvery
    const switchValue = () =>
      raw === undefined && (args[i + 1] === 'true' || args[i + 1] === 'false') ? args[++i] : raw;
    if (key === 'quick') {
      raw = switchValue();
      if (raw !== undefined && raw !== 'true' && raw !== 'false')
        throw new Error(`--quick takes true or false, got '${raw}'`);
      isQuick = raw !== 'false';
      continue;
    }
    if (!(key in defaults)) throw new Error(`unknown key '${key}' (--${spelled}); allowed: ${allowed}`);
    typed[key] = `--${spelled}`;
    const d = defaults[key];
    // --key value, as the chords command reads it: the next argument unless it starts with '--' (so a negative
    // number is a value, and its rule checks it); a switch takes a following true or false
    if (typeof d !== 'boolean' && raw === undefined && i + 1 < args.length && !args[i + 1].startsWith('--'))
      raw = args[++i];
    if (typeof d === 'boolean') {
      raw = switchValue();
      if (raw !== undefined && raw !== 'true' && raw !== 'false')
        throw new Error(`--${spelled} takes true or false, got '${raw}'`);
      given[key] = raw !== 'false';
    } else if (raw === undefined)
      throw new Error(`--${spelled} needs a value; write --${spelled}=<value> or --${spelled} <value>`);
    else if (typeof d === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`--${spelled} needs a number, got '${raw}'`);
      given[key] = n;
    } else given[key] = raw;
  }
  const merged = { ...out, ...(isQuick ? quick : {}), ...given };
  if (rules)
    for (const [key, v] of Object.entries(merged)) {
      if (typeof v === 'boolean') continue;
      const rule = rules[key as keyof T];
      if (!rule) throw new Error(`${name}: flag --${kebab(key)} has no rule (a bug in the script)`);
      const wrong = rule(v as Value);
      if (wrong) throw new Error(`${typed[key] ?? `--${kebab(key)}`}: got '${v}'; allowed: ${wrong}`);
    }
  return { ...merged, quick: isQuick } as T & { quick: boolean };
}

/** `--help`: every flag with its default, its quick value where it has one, and what it allows. */
function helpText<T extends Record<string, Value>>(
  name: string,
  defaults: T,
  quick: Partial<T>,
  rules: Rules<T> | undefined,
): string {
  const lines = Object.entries(defaults).map(([key, d]) => {
    const q = key in quick ? `, --quick: ${String(quick[key as keyof T])}` : '';
    // a rule says what it allows when given a value no rule accepts
    const allows = typeof d === 'boolean' ? 'true or false' : rules?.[key as keyof T]?.(NaN);
    const flag = `--${kebab(key)}${typeof d === 'boolean' ? '' : '=<value>'}`;
    return `  ${flag}  default ${String(d) === '' ? "''" : String(d)}${q}${allows ? `; ${allows}` : ''}`;
  });
  return [`usage: ${name} [--quick] [--key=value | --key value]...`, ...lines].join('\n');
}

/** The name results are written under: quick runs get their own files, never over the full results. */
export const resultsName = (name: string, quick: boolean): string => (quick ? `${name}-quick` : name);

/** The environment recorded with every result. */
export function runEnv(): { backend: string; node: string; gitRev: string; cpus: number } {
  let gitRev = 'unknown';
  try {
    gitRev = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    /* not a checkout */
  }
  return { backend: tf.getBackend(), node: process.version, gitRev, cpus: cpus().length };
}
