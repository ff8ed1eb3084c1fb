/**
 * The method registry: every sampling method by name. The CLI (`chords run --method`) and the
 * experiments know methods only through it. A new method is one file exporting a Method and one
 * line in BUILT_IN (or a registerMethod call from outside the package).
 */
import { chordsMethod } from '../chords/method.ts';
import { paradigmsMethod } from '../methods/paradigms.ts';
import { parataaMethod, picardMethod } from '../methods/picard-method.ts';
import { srdsMethod, srdsPipelinedMethod } from '../methods/srds-method.ts';
import { sequentialMethod } from '../methods/sequential.ts';
import { withDefaultOptions, type AnyMethod } from './method.ts';
import { shown } from '../options.ts';

const BUILT_IN: AnyMethod[] = [
  chordsMethod,
  paradigmsMethod,
  srdsMethod,
  srdsPipelinedMethod,
  sequentialMethod,
  picardMethod,
  parataaMethod,
];

const METHODS = new Map<string, AnyMethod>(BUILT_IN.map((m) => [m.name, withDefaultOptions(m)]));

/** What a method must provide (sampling/method.ts): functions, by name. */
const METHOD_FUNCTIONS = ['defaults', 'fromFlags', 'width', 'run', 'describe'] as const;

/** Adds a method (a name already taken is an error, so a plug-in never silently replaces one). */
export function registerMethod(method: AnyMethod): void {
  if (typeof method !== 'object' || method === null)
    throw new Error(
      `registerMethod: got ${shown(method)}; allowed: a Method object ` +
        `(name, summary, flags, ${METHOD_FUNCTIONS.join(', ')})`,
    );
  const missing = METHOD_FUNCTIONS.filter(
    (k) => typeof (method as unknown as Record<string, unknown>)[k] !== 'function',
  );
  if (missing.length)
    throw new Error(
      `method: '${String(method.name)}' has no ${missing.join(', ')}; ` +
        `allowed: a Method with all of ${METHOD_FUNCTIONS.join(', ')}`,
    );
  if (typeof method.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(method.name))
    throw new Error(`method: name '${method.name}'; allowed: lower-case letters, digits and '-'`);
  if (METHODS.has(method.name)) throw new Error(`method: '${method.name}' is already registered`);
  METHODS.set(method.name, withDefaultOptions(method));
}

/** Removes a method added by registerMethod (tests); built-in methods stay. */
export function unregisterMethod(name: string): void {
  if (BUILT_IN.some((m) => m.name === name)) throw new Error(`method: '${name}' is built in`);
  METHODS.delete(name);
}

/** Every registered name, built-in ones first. */
export const methodNames = (): string[] => [...METHODS.keys()];

/** A method by name; unknown names are an error listing the registered ones. */
export function getMethod(name: string): AnyMethod {
  const m = METHODS.get(name);
  if (!m) throw new Error(`method: unknown method '${name}'; allowed: ${methodNames().join(', ')}`);
  return m;
}
