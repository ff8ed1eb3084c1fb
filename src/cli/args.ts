/** Command-line parsing: node:util parseArgs plus typed, range-checked values with clear errors. */
import { parseArgs } from 'node:util';

export interface OptSpec {
  type: 'string' | 'boolean';
  help: string;
  default?: string;
  short?: string;
}
export type Spec = Record<string, OptSpec>;
export type Parsed = Record<string, string | boolean | undefined>;

/** Parses argv against a spec; unknown options are an error listing the allowed ones. */
export function parseOptions(command: string, argv: string[], spec: Spec): Parsed {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.entries(spec).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
      ),
    });
    const out: Parsed = {};
    for (const [k, o] of Object.entries(spec)) out[k] = (values as Parsed)[k] ?? o.default;
    return out;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    const m = msg.match(/Unknown option '([^']+)'/);
    if (m)
      throw new Error(
        `unknown option ${m[1]} for 'chords ${command}'; allowed: ${Object.keys(spec)
          .map((k) => `--${k}`)
          .join(', ')}`,
      );
    throw new Error(`chords ${command}: ${msg}`);
  }
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

/** A comma-separated list of finite numbers. */
export function numListArg(name: string, v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (!v.trim() || xs.some((x) => !Number.isFinite(x)))
    throw new Error(`--${name}: got '${v}'; allowed: comma-separated finite numbers`);
  return xs;
}

/** Help text of a spec. */
export function helpText(usage: string, spec: Spec): string {
  const rows = Object.entries(spec).map(([k, o]) => {
    const flag = `  --${k}${o.type === 'string' ? ' <value>' : ''}`;
    return `${flag.padEnd(26)} ${o.help}${o.default !== undefined ? ` (default: ${o.default})` : ''}`;
  });
  return `${usage}\n\nOptions:\n${rows.join('\n')}\n`;
}
