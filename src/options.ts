/** Checks of plain option values shared by the samplers: one message form, raised before any work. */

/** A value as an error message shows it: strings quoted (so '8' does not read as the number 8), others as String(). */
export const shown = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

/** An error's message on one line (JSON.parse quotes the text it failed on, line breaks and all). */
export const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');

/** An array of numbers or a typed array (a list of numbers a caller may pass either way). */
export const isNumberList = (v: unknown): v is ArrayLike<number> =>
  Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/** `v` when it is a boolean or undefined; anything else ('no', 0) is an error naming the option. */
export function optionalBoolean(name: string, v: unknown): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  throw new Error(`${name}: got ${shown(v)}; allowed: true or false`);
}

/** `v` when it is a function or undefined (a callback such as onHit); anything else is an error naming it. */
export function optionalCallback<F extends (...args: never[]) => unknown>(name: string, v: unknown): F | undefined {
  if (v === undefined || typeof v === 'function') return v as F | undefined;
  throw new Error(`${name}: got ${shown(v)}; allowed: a function`);
}

/**
 * Throws on a key the options object does not have (a misspelled `windw` would silently run with the default).
 * `keys` lists every option, as a record so the compiler checks it against the options type.
 */
export function checkKeys<O extends object>(where: string, o: O | undefined, keys: Record<keyof O, true>): void {
  if (o === undefined || o === null || typeof o !== 'object') return;
  // a key set to undefined is the same as a missing one (a spread of optional values)
  for (const [k, v] of Object.entries(o))
    if (v !== undefined && !Object.hasOwn(keys, k))
      throw new Error(`${where}: unknown option '${k}'; allowed: ${Object.keys(keys).join(', ')}`);
}

/**
 * Throws unless the options argument is an object (null or a string would fail later on destructuring); `shape`
 * says what is expected, e.g. '{ window: K, tolerance?, step? }'.
 */
export function requireOptions(where: string, o: unknown, shape = 'an options object'): asserts o is object {
  if (typeof o !== 'object' || o === null) throw new Error(`${where}: options got ${shown(o)}; allowed: ${shape}`);
}
