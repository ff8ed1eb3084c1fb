#!/usr/bin/env node
/** Entry point of the `chords` command (dist/cli/bin.js when installed); errors print as one line. */
import { main } from './main.ts';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`chords: error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
}
