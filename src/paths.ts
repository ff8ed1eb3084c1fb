/**
 * Paths inside the package (shipped weights, worker entries), found from this module's own URL, never from the
 * working directory: they hold in the sources (src/), in the compiled build (dist/) and in an installed package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding chords-ts's package.json (walking up from this module). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'chords-ts') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('chords-ts: cannot find the package root (package.json named chords-ts)');
    dir = up;
  }
}

/** A path under the package root. */
export const packagePath = (...parts: string[]): string => join(packageRoot(), ...parts);

/** True when this code runs from the compiled build (dist/*.js), false from the TypeScript sources (tsx). */
export const compiled = !fileURLToPath(import.meta.url).endsWith('.ts');

/**
 * How to start one of this package's modules (path relative to src/ or dist/, no extension) as a worker thread
 * or child process: the compiled `dist/<module>.js` itself, or from the sources `src/tsx-entry.mjs`, which
 * registers tsx and then imports `src/<module>.ts` (given as its first argument, `argv` of Worker or fork).
 */
export function entryPoint(module: string): { script: string; argv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  if (compiled) return { script: join(here, `${module}.js`), argv: [] };
  return { script: join(here, 'tsx-entry.mjs'), argv: [join(here, `${module}.ts`)] };
}
