/**
 * exp:concurrency: what two worker threads at once cost each other on this machine. Each job runs alone on one
 * thread and on both at once, in interleaved trials (alone on thread 0, both, alone on thread 1); the table gives
 * the medians, the slowdown together / alone and the throughput of two threads over one. Jobs: the shipped DiT
 * call of bench:parallel (8 images), a 512^3 matMul (compute-bound), an add over 16 MB (memory-bound) and a
 * scalar JavaScript loop (neither: it only needs the CPU). A DiT that slows like the add and unlike the matMul
 * is bound by the memory system it shares, not by the CPUs.
 * Usage: npm run exp:concurrency [-- --trials=41 --calls=1 --jobs=dit,matmul,add,scalar]
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { int, listOf, parseFlags } from './lib/flags.ts';

const JOB_NAMES = ['dit', 'matmul', 'add', 'scalar'];
const f = parseFlags(
  'concurrency',
  { trials: 41, calls: 1, jobs: JOB_NAMES.join(',') },
  { trials: 9 },
  { rules: { trials: int(3, 1000), calls: int(1, 1000), jobs: listOf(JOB_NAMES) } },
);
const entry = join(import.meta.dirname, '../src/tsx-entry.mjs'),
  script = join(import.meta.dirname, 'lib/concurrency-worker.ts');
const spawn = () =>
  new Promise<Worker>((resolve, reject) => {
    const w = new Worker(entry, { argv: [script] });
    w.once('message', () => resolve(w));
    w.once('error', reject);
  });
const ask = (w: Worker, job: string, calls: number) =>
  new Promise<number>((resolve) => {
    w.once('message', (m: { ms: number }) => resolve(m.ms));
    w.postMessage({ job, calls });
  });
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];
/** Calls per trial, so that a trial of the fast jobs is not only the message round trip. */
const perTrial: Record<string, number> = { dit: f.calls, matmul: 2 * f.calls, add: 10 * f.calls, scalar: 2 * f.calls };

const [w0, w1] = await Promise.all([spawn(), spawn()]);
console.log(
  `exp:concurrency  two worker threads, ${f.trials} interleaved trials per job (ms per call, medians); ` +
    `load average ${(await import('node:os')).loadavg()[0].toFixed(2)}\n`,
);
console.log('| job | alone (thread 0, 1) | together (thread 0, 1) | together / alone | throughput 2 threads / 1 |');
console.log('|---|---|---|---|---|');
try {
  for (const job of String(f.jobs).split(',')) {
    const c = perTrial[job];
    for (let i = 0; i < 5; i++) await Promise.all([ask(w0, job, c), ask(w1, job, c)]); // warm-up
    const a0: number[] = [],
      a1: number[] = [],
      t0: number[] = [],
      t1: number[] = [];
    for (let t = 0; t < f.trials; t++) {
      a0.push(await ask(w0, job, c));
      const [x, y] = await Promise.all([ask(w0, job, c), ask(w1, job, c)]);
      t0.push(x);
      t1.push(y);
      a1.push(await ask(w1, job, c));
    }
    const alone = (median(a0) + median(a1)) / 2,
      together = (median(t0) + median(t1)) / 2;
    const pair = (p: number[], q: number[]) => `${median(p).toFixed(2)}, ${median(q).toFixed(2)}`;
    console.log(
      `| ${job} | ${pair(a0, a1)} | ${pair(t0, t1)} | ${(together / alone).toFixed(2)} | ` +
        `${((2 * alone) / together).toFixed(2)} |`,
    );
  }
} finally {
  await w0.terminate();
  await w1.terminate();
}
