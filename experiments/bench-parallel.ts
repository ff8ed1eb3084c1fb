/**
 * bench:parallel: wall-clock speedup on real parallel hardware next to the speedup in rounds, measured
 * the way the CLI runs: every executor warms up during its start-up (a pool's members on their own
 * model with the real batch shape, the serial executor on this thread), reported as startupMs, and
 * no other warm-up. Model: the DiT-S/2 (shipped weights, or random ones of the same cost), n samples
 * with guidance 2 (2n images per call). Sequential = serial executor, T = 50.
 * - CHORDS with 2 cores on 2 worker threads, `runs` times, each with a fresh pool as a CLI run starts
 *   one: parallel efficiency = wall speedup / rounds speedup, per-round overhead (everything but model
 *   compute) as a fraction of model time, and the first round against the tenth;
 * - start-up: a pool with and without warm-up (start-up time, first round vs tenth);
 * - every other registered method at width 2 on a warmed 2-worker pool;
 * - CHORDS with 4 and 8 cores on the batched executor (virtual cores), and the batched throughput.
 * On webgpu (one GPU) the worker-thread sections are skipped: its executor is batched.
 * Usage: npm run bench:parallel [-- --steps=50 --n=4 --runs=5 --warmup=20 --backend=webgpu]
 */
import * as tf from '@tensorflow/tfjs';
import { cpus } from 'node:os';
import { describeBackend, initBackend } from '../src/backend.ts';
import { runSequential } from '../src/methods/index.ts';
import { initSequence, runChords, type StopRule } from '../src/chords/index.ts';
import { buildModel, type ModelSpec } from '../src/models/index.ts';
import {
  batchedExecutor,
  serialExecutor,
  warmExecutor,
  workersExecutor,
  type Executor,
} from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { disposeResult, getMethod, methodNames, type SamplerResult } from '../src/sampling/index.ts';
import { timeGrid } from '../src/diffusion/index.ts';
import { benchDiTPath } from './lib/dit-weights.ts';
import { count, int, num, oneOf, parseFlags } from './lib/flags.ts';

const f = parseFlags(
  'bench-parallel',
  { steps: 50, n: 4, runs: 5, guidance: 2, warmup: 20, backend: process.env.CHORDS_BACKEND ?? 'auto' },
  { steps: 20, runs: 2, warmup: 10 },
  {
    rules: {
      steps: int(8, 10000),
      n: count(1000),
      runs: count(100),
      guidance: num(0, 100),
      warmup: int(0, 10000),
      backend: oneOf(['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu']),
    },
  },
);
const backend = await initBackend({ backend: f.backend });
// One GPU: the batched executor is its mode, so the worker-thread sections are skipped on webgpu.
const gpu = backend.name === 'webgpu';
const { path, trained } = await benchDiTPath();
const spec: ModelSpec = {
  kind: 'dit',
  path,
  labels: Array.from({ length: f.n }, (_, i) => i % 10),
  guidance: f.guidance,
};
const model = await buildModel(spec),
  grid = timeGrid(model.schedule!, { steps: f.steps });
const shape = [f.n, 16, 16, 1];
const x = tf.tensor4d(Float32Array.from(normals(f.n * 256, 1)), shape as [number, number, number, number]);
const warmup = { shape, calls: f.warmup };
console.log(
  `bench:parallel  backend ${describeBackend(backend)}, ${cpus().length} CPUs; DiT-S/2 ` +
    `(${trained ? 'shipped weights' : 'random weights, same cost'}), ${f.n} samples, guidance ${f.guidance} ` +
    `(${2 * f.n} images per call), T = ${f.steps}, warm-up ${f.warmup} calls at start-up, ${f.runs} runs\n`,
);

const overhead = (r: SamplerResult) => (r.overheadMs + r.transferMs) / r.modelMs;
const range = (v: number[], digits = 2) =>
  v.length === 1 ? v[0].toFixed(digits) : `${Math.min(...v).toFixed(digits)}-${Math.max(...v).toFixed(digits)}`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
/** The first round's model time over the tenth's (the median of rounds 9-11, one noisy round is not a trend). */
const firstOverTenth = (r: SamplerResult) => {
  const m = r.timings.map((t) => t.modelMs);
  return m.length >= 11 ? m[0] / median(m.slice(8, 11)) : NaN;
};
const table = (head: string[], rows: string[][]) => {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log(
    `| ${head.map((h, i) => h.padEnd(width[i])).join(' | ')} |\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`,
  );
  for (const r of rows)
    console.log(`| ${r.map((c, i) => (i < 1 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(' | ')} |`);
};

// 1. CHORDS K = 2 on two worker threads against the sequential solve, each run as the CLI runs it.
const init2 = initSequence({ cores: 2, steps: f.steps }),
  stop2: StopRule = { kind: 'core-index', index: 1 };
const perRun: string[][] = [];
const eff: number[] = [],
  wallSpeeds: number[] = [],
  overheads: number[] = [],
  firsts: number[] = [],
  startups: number[] = [];
/** Per run: the median over rounds of each stage of a round (ms; the pool's stagesMs and the driver's share). */
const stageRuns: Record<string, number>[] = [];
let seqRounds = 0,
  chordsRounds = 0;
for (let run = 0; run < (gpu ? 0 : f.runs); run++) {
  // `chords solve --executor serial`: warm-up on this thread (startupMs), then the solve.
  const serial = serialExecutor(model);
  const seqStartup = await warmExecutor(serial, warmup);
  const seq = await runSequential({ executor: serial, param: model, grid, x });
  // `chords run --executor workers --workers 2`: a fresh pool, warmed at start-up, then CHORDS.
  const pool = await workersExecutor({ spec, workers: 2, warmup, profile: true });
  const rounds: Record<string, number>[] = [];
  const traced: Executor = {
    name: pool.name,
    evaluate: async (requests) => {
      const e = await pool.evaluate(requests);
      rounds.push({ ...e.timings.stagesMs, beyondCompute: e.timings.wallMs - e.timings.computeMs });
      return e;
    },
    close: () => pool.close(),
  };
  let r: SamplerResult;
  try {
    r = await runChords({ executor: traced, param: model, grid, x }, { init: init2, stop: stop2 });
  } finally {
    await pool.close();
  }
  const stageMedians: Record<string, number> = {
    model: median(r.timings.map((t) => t.modelMs)),
    driver: median(r.timings.map((t) => t.otherMs)),
  };
  for (const k of Object.keys(rounds[0])) stageMedians[k] = median(rounds.map((q) => q[k]));
  stageRuns.push(stageMedians);
  const wallSpeed = seq.wallMs / r.wallMs,
    roundSpeed = seq.rounds / r.rounds;
  seqRounds = seq.rounds;
  chordsRounds = r.rounds;
  eff.push(wallSpeed / roundSpeed);
  wallSpeeds.push(wallSpeed);
  overheads.push(100 * overhead(r));
  firsts.push(firstOverTenth(r));
  startups.push(pool.startupMs);
  perRun.push([
    String(run + 1),
    `${seqStartup.toFixed(0)} / ${pool.startupMs.toFixed(0)} (${pool.warmupMs.toFixed(0)})`,
    seq.wallMs.toFixed(0),
    r.wallMs.toFixed(0),
    roundSpeed.toFixed(2),
    wallSpeed.toFixed(2),
    (wallSpeed / roundSpeed).toFixed(2),
    (100 * overhead(seq)).toFixed(1),
    (100 * overhead(r)).toFixed(1),
    firstOverTenth(r).toFixed(2),
  ]);
  disposeResult(seq);
  disposeResult(r);
}
console.log(
  `CHORDS 2 cores ${init2.join('-')} (fastest core: ${chordsRounds} rounds) on 2 worker threads vs the sequential ` +
    `solve (${seqRounds} rounds) on this thread; each run as the CLI runs it (a fresh pool, warm-up in start-up):`,
);
table(
  [
    'run',
    'start-up ms: serial / pool (its warm-up)',
    'sequential wall ms',
    'CHORDS wall ms',
    'speedup (rounds)',
    'speedup (wall)',
    'parallel efficiency',
    'overhead % (seq)',
    'overhead % (CHORDS)',
    'first / tenth round',
  ],
  perRun,
);
console.log(
  `\nOver ${f.runs} runs: parallel efficiency ${range(eff)} (median ${median(eff).toFixed(2)}; target >= 0.9), ` +
    `wall speedup ${range(wallSpeeds)}, overhead ${range(overheads, 1)}% of model time (target < 2%), ` +
    `first round / tenth ${range(firsts)} (target <= 1.3), pool start-up ${range(startups, 0)} ms.`,
);

if (stageRuns.length) {
  console.log(
    '\nWhere a CHORDS round goes (ms; per run the median over its rounds, here the range over runs). model: the ' +
      "round's model time as the meter counts it (the slower member's compute, and the finiteness check); " +
      "beyondCompute: the pool's wall time beyond the slower member's compute; driver: the CHORDS driver " +
      "outside evaluate (solver and rectification math, bookkeeping, the round's one readback):",
  );
  const what: Record<string, string> = {
    model: 'model (slower member, as the meter counts it)',
    beyondCompute: 'pool: wall beyond the slower member compute',
    readInputs: '  main: read the inputs',
    post: '  main: post the requests',
    transit: '  last member: round trip beyond its compute',
    skew: '  first to last answer',
    resolve: '  main: last answer to the round resolved',
    outputs: '  main: output tensors and finiteness',
    memberInput: 'slower member: input tensors (in its compute)',
    memberModel: 'slower member: model call',
    memberRead: 'slower member: readback (in its compute)',
    driver: 'driver outside evaluate',
  };
  table(
    ['stage', 'ms per round'],
    Object.keys(what).map((k) => [
      what[k],
      range(
        stageRuns.map((q) => q[k]),
        3,
      ),
    ]),
  );
}

// 1b. Two members at once against one alone, on one warmed 2-worker pool per model (rounds of 1 and 2 requests,
// interleaved): the round waits for the slower member, so its compute together over one's compute alone caps the
// parallel efficiency. A matMul-bound model (four 512^3 matMuls per call) beside the DiT tells the machine's own
// scaling from the model's.
if (!gpu) {
  const loadSpec: ModelSpec = { kind: 'load', inner: { kind: 'linear', dim: 8 }, width: 512, extra: 4 };
  const crows: string[][] = [];
  for (const [label, s, xs] of [
    [`DiT-S/2, ${2 * f.n} images per call`, spec, x],
    ['four 512^3 matMuls per call', loadSpec, tf.zeros([32, 8])],
  ] as const) {
    const pool = await workersExecutor({ spec: s, workers: 2, warmup: { shape: xs.shape, calls: f.warmup } });
    const alone: number[] = [],
      together: number[] = [];
    try {
      for (let i = 0; i < 40; i++)
        for (const k of [1, 2]) {
          const { outputs, timings } = await pool.evaluate(
            Array.from({ length: k }, (_, j) => ({ x: xs, t: 0.5 - 0.1 * j })),
          );
          tf.dispose(outputs);
          (k === 1 ? alone : together).push(timings.computeMs);
        }
    } finally {
      await pool.close();
      if (xs !== x) xs.dispose();
    }
    crows.push([
      label,
      median(alone).toFixed(2),
      median(together).toFixed(2),
      (median(together) / median(alone)).toFixed(2),
    ]);
  }
  console.log(
    '\nOne member alone vs both at once (a 2-worker pool, 40 interleaved rounds of each; compute ms, medians):',
  );
  table(['model', 'alone', 'together (slower member)', 'together / alone'], crows);
}

// 2. Start-up: the same pool with and without warm-up; the cold one pays in its first rounds.
console.log('\nStart-up: a 2-worker pool with and without the warm-up (first CHORDS run after start-up):');
const startRows: string[][] = [];
for (const calls of gpu ? [] : [0, f.warmup]) {
  const pool = await workersExecutor({ spec, workers: 2, warmup: { shape, calls } });
  try {
    const r = await runChords({ executor: pool, param: model, grid, x }, { init: init2, stop: stop2 });
    startRows.push([
      calls === 0 ? 'none' : `${calls} calls`,
      pool.startupMs.toFixed(0),
      pool.warmupMs.toFixed(0),
      r.timings[0].modelMs.toFixed(1),
      median(r.timings.slice(8, 11).map((t) => t.modelMs)).toFixed(1),
      firstOverTenth(r).toFixed(2),
      r.wallMs.toFixed(0),
      (pool.startupMs + r.wallMs).toFixed(0),
    ]);
    disposeResult(r);
  } finally {
    await pool.close();
  }
}
table(
  [
    'warm-up',
    'start-up ms',
    'of it warm-up ms',
    'round 1 model ms',
    'round 10 model ms',
    'first / tenth',
    'CHORDS wall ms',
    'start-up + wall ms',
  ],
  startRows,
);

// 3. Every other registered method at parallel width 2 on one warmed 2-worker pool (one run each),
// against the sequential run of its own fine solver on this thread.
if (!gpu) {
  const pool = await workersExecutor({ spec, workers: 2, warmup });
  const serial = serialExecutor(model);
  const mrows: string[][] = [];
  try {
    for (const name of methodNames().filter((m) => m !== 'sequential')) {
      const method = getMethod(name),
        options = method.defaults(f.steps, 2);
      if (method.width(f.steps, options) !== 2) continue;
      const seq = await runSequential({ executor: serial, param: model, grid, x }, { solver: options.fine });
      const r = await method.run({ executor: pool, param: model, grid, x }, options);
      const wallSpeed = seq.wallMs / r.wallMs,
        roundSpeed = seq.rounds / r.rounds;
      mrows.push([
        method.describe(options).label,
        `${r.rounds} / ${seq.rounds}`,
        roundSpeed.toFixed(2),
        wallSpeed.toFixed(2),
        (wallSpeed / roundSpeed).toFixed(2),
        (100 * overhead(r)).toFixed(1),
      ]);
      disposeResult(seq);
      disposeResult(r);
    }
  } finally {
    await pool.close();
  }
  console.log(
    '\nEvery registered method at width 2 on a warmed 2-worker pool (one run each; sequential: its own solver):',
  );
  table(['method', 'rounds / sequential', 'speedup (rounds)', 'speedup (wall)', 'efficiency', 'overhead %'], mrows);
}

// 4. Virtual cores on the batched executor (one device): rounds, not wall time.
const batched = batchedExecutor(model);
await warmExecutor(batched, { ...warmup, requests: 4 });
const seq = await runSequential({ executor: serialExecutor(model), param: model, grid, x });
const vrows: string[][] = [];
for (const cores of [4, 8]) {
  const init = initSequence({ cores, steps: f.steps });
  const r = await runChords({ executor: batched, param: model, grid, x }, { init, stop: stop2 });
  vrows.push([
    `CHORDS ${cores} cores ${init.join('-')}, fastest core`,
    String(r.rounds),
    r.wallMs.toFixed(0),
    (seq.rounds / r.rounds).toFixed(2),
    (seq.wallMs / r.wallMs).toFixed(2),
    (100 * overhead(r)).toFixed(1),
  ]);
  disposeResult(r);
}
console.log(`\nVirtual cores on the batched executor (sequential: ${seq.rounds} rounds, ${seq.wallMs.toFixed(0)} ms):`);
table(['method', 'rounds', 'wall ms', 'speedup (rounds)', 'speedup (wall)', 'overhead % of model'], vrows);
disposeResult(seq);

console.log('\nbatched throughput: one call evaluating k cores (k x the batch) vs k separate calls');
console.log('| cores k | ms per call | ms per core | throughput vs k calls |');
console.log('|---------|-------------|-------------|-----------------------|');
let single = 0;
for (const k of [1, 2, 4, 8]) {
  const reqs = Array.from({ length: k }, () => ({ x, t: 0.5 }));
  const call = async () => {
    const { outputs } = await batched.evaluate(reqs);
    await outputs[outputs.length - 1].data(); // completion, on asynchronous backends too
    tf.dispose(outputs);
  };
  for (let i = 0; i < 2; i++) await call();
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) await call();
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
