#!/usr/bin/env node
// Entry point of the `chords` command: runs the TypeScript sources through tsx; errors print as one line.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`chords: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
