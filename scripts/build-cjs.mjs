// Bundles the public API (src/index.ts) into dist/chords.cjs for CommonJS hosts such as the tslab
// notebook kernel. Dependencies stay external, so notebooks and the library share one tfjs.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/chords.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), '@tensorflow/*'],
  define: { 'import.meta.url': '__chordsModuleUrl' },
  banner: { js: "const __chordsModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
console.error('build:cjs: wrote dist/chords.cjs');
