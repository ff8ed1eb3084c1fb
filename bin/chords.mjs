#!/usr/bin/env node
// The `chords` command from the TypeScript sources (development: npm run chords, the CLI tests). The installed
// package's `chords` is the compiled dist/cli/bin.js and never loads tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
