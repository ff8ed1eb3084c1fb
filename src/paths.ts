/**
 * Paths inside the package (assets, worker entries), found from the package root so they hold in src/ and in the CJS
 * bundle.
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
