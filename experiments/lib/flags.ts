/** Experiment configuration: typed defaults overridden by --key=value flags; unknown keys are an error. */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';

type Value = string | number | boolean;

/** Parses --key=value (and bare --flag for booleans; --kebab-case or --camelCase) over typed defaults; --quick merges the quick overrides. */
export function parseFlags<T extends Record<string, Value>>(
  name: string,
  defaults: T,
  quick: Partial<T> = {},
  argv = process.argv.slice(2),
): T & { quick: boolean } {
  const out: Record<string, Value> = { ...defaults };
  const given: Record<string, Value> = {};
  let isQuick = false;
  for (const arg of argv) {
    const m = arg.match(/^--([a-zA-Z][\w-]*)(?:=(.*))?$/);
    if (!m)
      throw new Error(
        `${name}: cannot read '${arg}'; use --key=value (allowed keys: ${Object.keys(defaults).join(', ')}, quick)`,
      );
    const [, spelled, raw] = m;
    const key = spelled.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()); // --save-every = --saveEvery
    if (key === 'quick') {
      isQuick = raw === undefined || raw === 'true';
      continue;
    }
    if (!(key in defaults))
      throw new Error(`${name}: unknown key '${key}'; allowed: ${Object.keys(defaults).join(', ')}, quick`);
    const d = defaults[key];
    if (typeof d === 'boolean')
      given[key] =
        raw === undefined || raw === 'true'
          ? true
          : raw === 'false'
            ? false
            : (() => {
                throw new Error(`${name}: --${key} takes true or false, got '${raw}'`);
              })();
    else if (typeof d === 'number') {
      const n = Number(raw);
      if (raw === undefined || raw.trim() === '' || !Number.isFinite(n))
        throw new Error(`${name}: --${key} needs a number, got '${raw ?? ''}'`);
      given[key] = n;
    } else {
      if (raw === undefined) throw new Error(`${name}: --${key} needs a value`);
      given[key] = raw;
    }
  }
  return { ...out, ...(isQuick ? quick : {}), ...given, quick: isQuick } as T & { quick: boolean };
}

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
