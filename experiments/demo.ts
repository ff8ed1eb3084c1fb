/**
 * npm run demo: the main job on its embedded default, no download, no GPU. The shipped DiT (trained
 * here on procedural digits) samples 20 digits sequentially and with CHORDS at 2 (one core per CPU
 * here), 4 and 8 cores; prints
 * rounds, wall time, speedups and quality (classifier accuracy, Frechet distance, RMSE to the
 * sequential sample), and writes results/demo-samples.png and results/demo-speedup.png.
 *   npm run demo [-- --n=20 --steps=50 --guidance=2 --executor=workers|batched]
 * --quick writes results/demo-samples-quick.png and results/demo-speedup-quick.png instead.
 */
import * as tf from '@tensorflow/tfjs';
import { cpus } from 'node:os';
import { initBackend } from '../src/backend.ts';
import { runSequential } from '../src/methods/index.ts';
import { CHORDS_PRESETS, disposeResult, initSequence, runChords } from '../src/chords/index.ts';
import { timeGrid } from '../src/diffusion/index.ts';
import { loadClassifier, realStats, realVsReal, sampleQuality } from '../src/metrics/index.ts';
import { buildModel, shippedDiTPath, type ModelSpec } from '../src/models/index.ts';
import {
  batchedExecutor,
  serialExecutor,
  warmExecutor,
  workersExecutor,
  type Executor,
} from '../src/executors/index.ts';
import { writeGrid, writePlot, speedupSpec } from '../src/plots/index.ts';
import { progress } from '../src/progress.ts';
import { normals } from '../src/random.ts';
import { relativeRmse } from '../src/tensor.ts';
import { int, num, oneOf, parseFlags, resultsName } from './lib/flags.ts';

const f = parseFlags(
  'demo',
  { n: 20, steps: 50, guidance: 2, seed: 7, executor: cpus().length > 1 ? 'workers' : 'batched', quiet: false },
  { n: 10, steps: 30 },
  {
    rules: {
      n: int(2, 1000), // the Frechet distance needs two samples or more
      steps: int(8, 10000), // CHORDS runs up to 8 cores, one start index each
      guidance: num(0, 100),
      seed: int(0, 2 ** 31 - 1),
      executor: oneOf(['workers', 'batched']),
    },
  },
);
const out = (name: string) => `results/${resultsName(name, f.quick)}`;
const backend = await initBackend();
const labels = Array.from({ length: f.n }, (_, i) => i % 10);
const spec: ModelSpec = { kind: 'dit', path: shippedDiTPath(), labels, guidance: f.guidance };
const model = await buildModel(spec),
  grid = timeGrid(model.schedule!, { steps: f.steps });
const x = tf.tensor4d(Float32Array.from(normals(f.n * 256, f.seed)), [f.n, 16, 16, 1]);
const clf = loadClassifier(),
  real = await realStats(clf.params);
const quality = (v: Float32Array) => sampleQuality(clf.params, v, labels, real);
console.log(
  `chords-ts demo: the shipped DiT-S/2, ${f.n} digits (classes 0-9), guidance ${f.guidance}, flow matching, Euler, ` +
    `T = ${f.steps}, backend ${backend.name}`,
);

// progress in rounds: the warm-up (2), the sequential run and five CHORDS runs (at most T rounds each)
const bar = progress({ total: 2 + 6 * f.steps, label: 'demo', quiet: f.quiet });
let base = 0;
const onRound = (what: string) => (r: { round: number }) => bar.tick(base + Math.min(r.round, f.steps), what);
const serial = serialExecutor(model);
await warmExecutor(serial, { shape: x.shape }); // warm-up on this thread, as the CLI's start-up does
bar.tick(2, 'warm-up');
base = 2;
const seq = await runSequential({ executor: serial, param: model, grid, x }, { onRound: onRound('sequential') });
base += f.steps;
const seqValues = (await seq.sample.data()) as Float32Array,
  seqQ = await quality(seqValues);
type Row = {
  method: string;
  rounds: number;
  wallMs: number;
  calls: number;
  acc: number;
  fd: number;
  rmse: number;
  values: Float32Array;
};
const rows: Row[] = [
  {
    method: 'sequential',
    rounds: seq.rounds,
    wallMs: seq.wallMs,
    calls: seq.modelCalls,
    acc: seqQ.classAccuracy,
    fd: seqQ.frechetDistance ?? NaN, // n >= 2 (checked)
    rmse: 0,
    values: seqValues,
  },
];
let executor: Executor = batchedExecutor(model),
  executorLabel = 'batched (one device, virtual cores)';
if (f.executor === 'workers') {
  const pool = await workersExecutor({ spec, workers: Math.min(2, cpus().length), warmup: { shape: x.shape } });
  executor = pool;
  executorLabel = `workers (${pool.size} worker threads, started in ${pool.startupMs.toFixed(0)} ms)`;
}
for (const [cores, index] of [
  [2, 1],
  [4, 1],
  [4, 2],
  [8, 1],
  [8, 2],
]) {
  const init =
    f.steps === 50 && CHORDS_PRESETS[cores] ? [...CHORDS_PRESETS[cores]] : initSequence({ cores, steps: f.steps });
  const r = await runChords(
    { executor, param: model, grid, x },
    { init, stop: { kind: 'core-index', index }, onRound: onRound(`CHORDS ${cores} cores`) },
  );
  base += f.steps;
  const v = (await r.sample.data()) as Float32Array,
    q = await quality(v);
  rows.push({
    method: `CHORDS ${cores} cores, ${index === 1 ? 'fastest' : 'second'} core`,
    rounds: r.rounds,
    wallMs: r.wallMs,
    calls: r.modelCalls,
    acc: q.classAccuracy,
    fd: q.frechetDistance ?? NaN,
    rmse: relativeRmse(v, seqValues),
    values: v,
  });
  disposeResult(r);
}
await executor.close();
bar.done();
const head = [
  'method',
  'rounds',
  'speedup (rounds)',
  'wall ms',
  'speedup (wall)',
  'model calls',
  'class accuracy',
  'Frechet distance',
  'rel. RMSE to sequential',
];
const cells = rows.map((r) => [
  r.method,
  String(r.rounds),
  (seq.rounds / r.rounds).toFixed(2),
  r.wallMs.toFixed(0),
  (seq.wallMs / r.wallMs).toFixed(2),
  String(r.calls),
  `${(100 * r.acc).toFixed(0)}%`,
  r.fd.toFixed(1),
  r.rmse.toFixed(4),
]);
const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
console.log(`\nCHORDS executor: ${executorLabel}; sequential: one model call per round on the main thread\n`);
console.log(
  `| ${head.map((h, i) => h.padEnd(width[i])).join(' | ')} |\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`,
);
for (const c of cells)
  console.log(`| ${c.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join(' | ')} |`);
console.log(
  `\nFrechet distance of ${f.n} real digits against the same real statistics (the floor at this sample size): ` +
    `${(await realVsReal(clf.params, f.n)).toFixed(1)}`,
);
// sample grid: one row per method (sequential first), 10 digits each
const show = [
    rows[0],
    rows.find((r) => r.method === 'CHORDS 4 cores, fastest core')!,
    rows.find((r) => r.method === 'CHORDS 8 cores, fastest core')!,
  ],
  per = Math.min(10, f.n),
  grid10 = new Float32Array(show.length * per * 256);
show.forEach((r, k) => grid10.set(r.values.subarray(0, per * 256), k * per * 256));
writeGrid(`${out('demo-samples')}.png`, grid10, show.length * per, 16, 1, { columns: per, scale: 4 });
const plotRows = rows
  .filter((r) => r.method.includes('fastest') || r.method === 'sequential')
  .map((r) => ({
    model: 'dit',
    method: r.method === 'sequential' ? 'sequential' : 'chords',
    cores: r.method === 'sequential' ? 1 : Number(r.method.split(' ')[1]),
    speedupRounds: seq.rounds / r.rounds,
    speedupWall: seq.wallMs / r.wallMs,
    relErrorToSequential: r.rmse,
    classAccuracy: r.acc,
  }));
await writePlot(out('demo-speedup'), speedupSpec(plotRows, 'Demo: CHORDS fastest core on the shipped DiT'));
console.log(
  `\nwrote ${out('demo-samples')}.png (rows: sequential, CHORDS 4 cores, CHORDS 8 cores; fastest core) and ` +
    `${out('demo-speedup')}.png`,
);
tf.dispose([x, seq.sample]);
model.dispose();
