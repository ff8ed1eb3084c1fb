/**
 * bench:parallel: wall-clock speedup on real parallel hardware next to the speedup in rounds.
 * Model: the DiT-S/2 (shipped weights, or random ones of the same cost), 4 samples with guidance 2
 * (8 images per call, tens of ms). Sequential = serial executor, T = 50.
 * - CHORDS with 2 cores on the workers executor (one worker thread per core);
 * - CHORDS with 4 and 8 cores on the batched executor (virtual cores), and the batched throughput;
 * - per-round overhead (everything but model compute) as a fraction of model time.
 * Usage: npm run bench:parallel [-- --steps=50 --n=4 --reps=2 --warmup=30]
 */
import * as tf from '@tensorflow/tfjs';
import { cpus } from 'node:os';
import { initBackend } from '../src/backend.ts';
import { runSequential } from '../src/methods/index.ts';
import { disposeResult, initSequence, runChords, type StopRule } from '../src/chords/index.ts';
import { buildModel, type ModelSpec } from '../src/models/index.ts';
import { batchedExecutor, serialExecutor, workersExecutor, type Executor } from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import type { SamplerResult } from '../src/sampling/index.ts';
import { timeGrid } from '../src/diffusion/index.ts';
import { benchDiTPath } from './lib/dit-weights.ts';
import { parseFlags } from './lib/flags.ts';

const f = parseFlags(
  'bench-parallel',
  { steps: 50, n: 4, reps: 2, guidance: 2, warmup: 30 },
  { steps: 20, reps: 1, warmup: 10 },
);
const backend = await initBackend();
const { path, trained } = await benchDiTPath();
const spec: ModelSpec = {
  kind: 'dit',
  path,
  labels: Array.from({ length: f.n }, (_, i) => i % 10),
  guidance: f.guidance,
};
const model = await buildModel(spec),
  grid = timeGrid(model.schedule!, { steps: f.steps });
const x = tf.tensor4d(Float32Array.from(normals(f.n * 256, 1)), [f.n, 16, 16, 1]);
console.log(
  `bench:parallel  backend ${backend.name}, ${cpus().length} CPUs; DiT-S/2 ` +
    `(${trained ? 'shipped weights' : 'random weights, same cost'}), ${f.n} samples, guidance ${f.guidance} ` +
    `(${2 * f.n} images per call), T = ${f.steps}, best of ${f.reps}\n`,
);

const best = async (run: () => Promise<SamplerResult>) => {
  let keep: SamplerResult | undefined;
  for (let r = 0; r < f.reps; r++) {
    const res = await run();
    if (!keep || res.wallMs < keep.wallMs) {
      if (keep) disposeResult(keep);
      keep = res;
    } else disposeResult(res);
  }
  return keep!;
};
const overhead = (r: SamplerResult) => (r.overheadMs + r.transferMs) / r.modelMs;
const serial = serialExecutor(model);
// Warm-up: the same number of model calls on the main thread and in each worker (V8 tiers wasm up over the first ~20
// calls).
const warmGrid = timeGrid(model.schedule!, { steps: f.warmup });
await runSequential({ executor: serial, param: model, grid: warmGrid, x }).then(disposeResult);
const seq = await best(() => runSequential({ executor: serial, param: model, grid, x }));
const rows: string[][] = [
  [
    'sequential',
    'serial',
    String(seq.rounds),
    seq.wallMs.toFixed(0),
    '1.00',
    '1.00',
    '-',
    (100 * overhead(seq)).toFixed(1),
  ],
];
const chordsRow = async (label: string, executor: Executor, cores: number, stop: StopRule) => {
  const init = initSequence({ cores, steps: f.steps });
  const r = await best(() => runChords({ executor, param: model, grid, x }, { init, stop }));
  const wallSpeed = seq.wallMs / r.wallMs,
    roundSpeed = seq.rounds / r.rounds;
  rows.push([
    `CHORDS ${cores} cores ${init.join('-')}, ${stop.kind === 'core-index' ? 'fastest core' : 'complete'}`,
    label,
    String(r.rounds),
    r.wallMs.toFixed(0),
    roundSpeed.toFixed(2),
    wallSpeed.toFixed(2),
    (wallSpeed / roundSpeed).toFixed(2),
    (100 * overhead(r)).toFixed(1),
  ]);
  disposeResult(r);
};
const pool = await workersExecutor({ spec, workers: 2 });
await runChords({ executor: pool, param: model, grid: warmGrid, x }, { init: [0, 1], stop: { kind: 'complete' } }).then(
  disposeResult,
);
await chordsRow(`workers (2), start-up ${pool.startupMs.toFixed(0)} ms`, pool, 2, { kind: 'core-index', index: 1 });
await chordsRow('workers (2)', pool, 2, { kind: 'complete' });
await pool.close();
const batched = batchedExecutor(model);
for (const cores of [4, 8]) await chordsRow('batched', batched, cores, { kind: 'core-index', index: 1 });
const head = [
  'method',
  'executor',
  'rounds',
  'wall ms',
  'speedup (rounds)',
  'speedup (wall)',
  'parallel efficiency',
  'overhead % of model',
];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
console.log(
  `| ${head.map((h, i) => h.padEnd(width[i])).join(' | ')} |\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`,
);
for (const r of rows)
  console.log(`| ${r.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(' | ')} |`);

console.log('\nbatched throughput: one call evaluating k cores (k x the batch) vs k separate calls');
console.log('| cores k | ms per call | ms per core | throughput vs k calls |');
console.log('|---------|-------------|-------------|-----------------------|');
let single = 0;
for (const k of [1, 2, 4, 8]) {
  const reqs = Array.from({ length: k }, () => ({ x, t: 0.5 }));
  for (let i = 0; i < 2; i++) tf.dispose((await batched.evaluate(reqs)).outputs);
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) tf.dispose((await batched.evaluate(reqs)).outputs);
  const ms = (performance.now() - t0) / 3;
  if (k === 1) single = ms;
  console.log(
    `| ${String(k).padStart(7)} | ${ms.toFixed(1).padStart(11)} | ${(ms / k).toFixed(1).padStart(11)} | ` +
      `${((k * single) / ms).toFixed(2).padStart(20)}x |`,
  );
}
console.log(
  '\nOn one CPU device a batched round costs about k single calls, so virtual cores save rounds, not wall time;',
);
console.log('on a GPU a batched round costs about one call until the device is full, so rounds are wall time there.');
tf.dispose(x);
model.dispose();
