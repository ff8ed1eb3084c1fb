#!/usr/bin/env node
// Runs every test/*.test.ts in its own process (uvu + tsx), two at a time, each with a time limit,
// and ends with the plain line "N passed, N failed". Exit code 1 if any test or file failed.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts') && (!filter.length || filter.some((p) => f.includes(p))))
  .sort();
const limitMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 420_000);
// Files that need more: package.test.ts packs and installs the package (about 20 s from a warm npm cache,
// minutes from a cold one).
const fileLimitMs = { 'package.test.ts': 900_000 };
const jobs = Math.max(1, Math.min(Number(process.env.TEST_JOBS ?? cpus().length), 2));
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

function runFile(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(dir, file)], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(
      () => {
        out += `\n[run] ${file}: killed after ${Math.max(limitMs, fileLimitMs[file] ?? 0)} ms\n`;
        child.kill('SIGKILL');
      },
      Math.max(limitMs, fileLimitMs[file] ?? 0),
    );
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = strip(out);
      const num = (k) => {
        const m = text.match(new RegExp(`${k}:\\s+(\\d+)`));
        return m ? Number(m[1]) : undefined;
      };
      const total = num('Total'),
        passed = num('Passed') ?? 0,
        skipped = num('Skipped') ?? 0;
      let failed = total === undefined ? 1 : total - passed - skipped;
      if (code !== 0 && failed === 0) failed = 1; // crashed after its summary, or hook error
      resolve({ file, passed, failed, ms: Date.now() - t0, text });
    });
  });
}

const queue = [...files],
  results = [];
await Promise.all(
  Array.from({ length: jobs }, async () => {
    while (queue.length) {
      const r = await runFile(queue.shift());
      results.push(r);
      console.log(
        `${r.failed ? 'FAIL' : 'ok  '} ${r.file.padEnd(28)} ${String(r.passed).padStart(3)} passed ` +
          `${String(r.failed).padStart(2)} failed  ${(r.ms / 1000).toFixed(1)} s`,
      );
      if (r.failed) {
        const lines = r.text.split('\n').filter((l) => !l.startsWith('var Module') && l.length < 2000);
        console.log(lines.slice(-80).join('\n'));
      }
    }
  }),
);
const passed = results.reduce((a, r) => a + r.passed, 0),
  failed = results.reduce((a, r) => a + r.failed, 0);
if (!files.length) console.log('no test files found');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || !files.length ? 1 : 0);
