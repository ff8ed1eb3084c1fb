// npm run build (also `prepare`, so `npm install` on a clone and `npm pack` build): compiles src/ to dist/
// (ESM JavaScript, .d.ts, source maps with the sources inlined) with the pinned TypeScript, then writes
// dist/cli/catalog.json (every command's help and options, src/cli/catalog.ts) so that the installed `chords`
// answers --help and option-name errors without loading tfjs. dist/ is removed first so no module from an
// older layout lingers. Runs TypeScript's own tsc by path: tslab's embedded
// TypeScript 5.0 also declares a `tsc` binary and may own node_modules/.bin/tsc.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const check = process.argv.includes('--check');
if (!check) rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [tsc, ...(check ? ['--noEmit', '-p', 'tsconfig.json'] : ['-p', 'tsconfig.build.json'])],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (!check) {
  const { buildCatalog } = await import(pathToFileURL(join(root, 'dist', 'cli', 'catalog.js')).href);
  writeFileSync(join(root, 'dist', 'cli', 'catalog.json'), `${JSON.stringify(buildCatalog(), null, 1)}\n`);
  // the `chords` bin: npm marks it executable when it links it at install, so a later rebuild must too
  chmodSync(join(root, 'dist', 'cli', 'bin.js'), 0o755);
}
