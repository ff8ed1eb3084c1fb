/**
 * The webgpu backend (Dawn on Vulkan; lavapipe in CI) against wasm: solver order, the DiT forward, leaks and the
 * load errors. Skips with its reason when webgpu cannot load, unless CHORDS_REQUIRE_WEBGPU=1 (CI), which fails.
 */
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend, type BackendInfo } from '../src/backend.ts';
import { chords, disposeResult, parseStop } from '../src/chords/index.ts';
import { main } from '../src/cli/main.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { runParadigms } from '../src/methods/index.ts';
import { runParataa } from '../src/methods/parataa.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { timesVector } from '../src/diffusion/prediction.ts';
import { gaussianModel, mixtureModel, randomMixture } from '../src/models/index.ts';
import { ditForward, getDiTConfig, initDiT, type DiTParams } from '../src/models/dit/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, getSolver, sample, type SolverName } from '../src/solvers/index.ts';
import { readValues, rmse } from '../src/tensor.ts';
import { logSlope, throwsWith } from './helpers.ts';

let gpu: BackendInfo | undefined;
let why = '';
try {
  gpu = await initBackend({ backend: 'webgpu' });
} catch (e) {
  why = (e as Error).message;
}
if (!gpu && process.env.CHORDS_REQUIRE_WEBGPU === '1')
  throw new Error(`webgpu.test.ts: CHORDS_REQUIRE_WEBGPU=1 but webgpu is unavailable: ${why}`);
if (!gpu) console.log(`webgpu.test.ts: skipped, webgpu is unavailable: ${why}`);
// Without webgpu no test is registered (uvu's test.skip would not count as run, and the runner reads its counts).
const gpuTest: (name: string, fn: () => Promise<void>) => void = gpu ? test : () => undefined;
// Run every kernel on the GPU: by default tfjs-webgpu runs ops on small CPU-resident inputs on the CPU.
if (gpu) tf.env().set('WEBGPU_CPU_FORWARD', false);
const use = (backend: 'wasm' | 'webgpu') => initBackend({ backend });

/** Max |a - b| over max |b|: the relative difference of two samples. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0,
    m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

/** Runs fn on webgpu; asserts live tensors and GPU bytes are back to their start values. */
async function noGpuLeak<T>(fn: () => Promise<T>): Promise<T> {
  await use('webgpu');
  const before = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
  const out = await fn();
  const after = tf.memory() as tf.MemoryInfo & { numBytesInGPU: number };
  assert.is(after.numTensors, before.numTensors, `leaked ${after.numTensors - before.numTensors} tensor(s)`);
  assert.is(after.numBytesInGPU, before.numBytesInGPU, 'GPU bytes not returned');
  return out;
}

// A Gaussian data model with an exact solution; the same setup as the order tests in solvers.test.ts.
const D = 16,
  rows = 8,
  mean = Array.from({ length: D }, (_, j) => 0.5 * Math.sin(j + 1));
const schedule = getSchedule('vp-cosine');
const tStart = schedule.tOfLambda(-2.5),
  tEnd = schedule.tOfLambda(2.5);
const a0 = schedule.alpha(tStart),
  sd0 = Math.sqrt(a0 * a0 * 0.25 + schedule.sigma(tStart) ** 2);
const start = Float32Array.from(normals(rows * D, 5), (z, j) => a0 * mean[j % D] + sd0 * z);

/** The sample from `start` after `steps` log-SNR-uniform steps, read back asynchronously. */
async function solve(solver: SolverName, steps: number): Promise<Float32Array> {
  const model = gaussianModel({ schedule, mean, scale: 0.5 });
  const x = tf.tensor2d(start, [rows, D]);
  const { x: y } = await sample(
    getSolver(solver),
    model,
    x,
    timeGrid(schedule, { steps, kind: 'logsnr', tStart, tEnd }),
  );
  const v = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  model.dispose();
  return v;
}

gpuTest('reports its adapter: vendor, architecture and description', async () => {
  const info = await use('webgpu');
  assert.is(info.name, 'webgpu');
  assert.is(tf.getBackend(), 'webgpu');
  for (const k of ['vendor', 'architecture', 'description'] as const)
    assert.type(info.adapter?.[k], 'string', `adapter.${k}`);
  assert.ok(info.adapter!.description.length > 0);
  assert.type((tf.memory() as { numBytesInGPU?: number }).numBytesInGPU, 'number');
});

for (const name of ['euler', 'heun'] as const)
  gpuTest(`${name}: declared order on webgpu, and the same samples as wasm within 1e-4 relative`, async () => {
    const steps = [16, 32, 64];
    const exact = gaussianModel({ schedule, mean, scale: 0.5 });
    const ref = exact.solve(Float64Array.from(start), tStart, tEnd);
    exact.dispose();
    await use('wasm');
    const onWasm = [];
    for (const s of steps) onWasm.push(await solve(name, s));
    await use('webgpu');
    const onGpu = [];
    for (const s of steps) onGpu.push(await solve(name, s));
    const order = -logSlope(
      steps,
      onGpu.map((v) => rmse(v, ref)),
    );
    assert.ok(Math.abs(order - SOLVERS[name].order) <= 0.3, `${name}: slope ${order.toFixed(2)}`);
    for (let i = 0; i < steps.length; i++) {
      const r = relDiff(onGpu[i], onWasm[i]);
      assert.ok(r <= 1e-4, `${name}, ${steps[i]} steps: webgpu vs wasm ${r.toExponential(2)}`);
    }
  });

/** A DiT-T/2 whose adaLN and output layers are no longer zero, so the output depends on the input. */
function perturbedDiT(seed: number): DiTParams {
  const p = initDiT(getDiTConfig('DiT-T/2'), seed);
  for (const k of Object.keys(p))
    if (/ada|final\.out/.test(k)) {
      const old = p[k];
      p[k] = tf.tensor(
        Float32Array.from(normals(old.size, seed + k.length), (z) => 0.05 * z),
        old.shape,
      );
      old.dispose();
    }
  return p;
}

async function ditOutput(): Promise<Float32Array> {
  const cfg = getDiTConfig('DiT-T/2');
  const p = perturbedDiT(3);
  const n = 2,
    s = cfg.imageSize;
  const x = tf.tensor4d(Float32Array.from(normals(n * s * s * cfg.channels, 7)), [n, s, s, cfg.channels]);
  const t = tf.tensor1d([0.3, 0.8]),
    y = tf.tensor1d([1, 4], 'int32');
  const out = ditForward(p, cfg, x, t, y);
  const v = (await out.data()) as Float32Array;
  tf.dispose([x, t, y, out, ...Object.values(p)]);
  return v;
}

gpuTest('one DiT forward on webgpu equals wasm within 1e-4 relative', async () => {
  await use('wasm');
  const onWasm = await ditOutput();
  await use('webgpu');
  const onGpu = await ditOutput();
  assert.is(onGpu.length, onWasm.length);
  const r = relDiff(onGpu, onWasm);
  assert.ok(r <= 1e-4, `webgpu vs wasm ${r.toExponential(2)}`);
  assert.ok(Math.max(...onWasm.map(Math.abs)) > 1e-3, 'the output is not trivially zero');
});

gpuTest('no leaks on webgpu: sample() and ditForward return every tensor and GPU byte', async () => {
  await noGpuLeak(() => solve('heun', 8));
  await noGpuLeak(ditOutput);
});

gpuTest('load errors: each missing piece has its own one-line error, and nothing leaks', async () => {
  await noGpuLeak(async () => {
    await throwsWith(
      () => initBackend({ backend: 'webgpu', webgpu: { packages: { dawn: 'webgpu', tfjs: '@chords-ts/no-tfjs' } } }),
      /'webgpu' needs the optional packages/,
      /no-tfjs/,
      /npm install webgpu@0\.6\.2 @tensorflow\/tfjs-backend-webgpu@4\.22\.0/,
    );
    await throwsWith(
      () => initBackend({ backend: 'webgpu', webgpu: { vulkanLoader: 'libvulkan-chords-missing.so.1' } }),
      /needs the Vulkan loader libvulkan-chords-missing\.so\.1/,
      /libvulkan1/,
    );
    await throwsWith(
      () => initBackend({ backend: 'webgpu', webgpu: { adapter: 'no-such-gpu-chords' } }),
      /found no GPU adapter matching 'no-such-gpu-chords'/,
      /Vulkan driver/,
    );
    for (const m of [/\n/]) {
      const e = await initBackend({ backend: 'webgpu', webgpu: { adapter: 'no-such-gpu-chords' } }).catch((x) => x);
      assert.not.match((e as Error).message, m, 'one line');
    }
    // The backend that was working stays usable after the failed attempts.
    assert.is((await use('webgpu')).name, 'webgpu');
  });
});

/** CHORDS (and ParaDiGMS) on a small mixture: every hit's round and values, and the sequential sample. */
async function samplers(stop: string) {
  const flow = getSchedule('flow'),
    grid = timeGrid(flow, { steps: 20 });
  const model = mixtureModel(flow, randomMixture({ dim: 8, components: 4, seed: 3 }));
  const x = tf.tensor2d(Float32Array.from(normals(16, 5)), [2, 8]);
  const seq = await sample(getSolver('euler'), model, x, grid);
  const r = await chords(model, x, grid, { init: [0, 2, 5, 10], stop: parseStop(stop) });
  const task = { executor: batchedExecutor(model), param: model, grid, x };
  const p = await runParadigms(task, { window: 4, tolerance: 0.05 });
  const q = await runParataa(task, { window: 4, tolerance: 0.05, solver: getSolver('ddim') });
  const [seqValues, ...hitValues] = await readValues([seq.x, ...r.hits.map((h) => h.x), p.sample, q.sample]);
  const out = {
    seq: seqValues,
    rounds: r.hits.map((h) => h.round),
    hits: hitValues.slice(0, -2),
    lastCore: r.hits[r.hits.length - 1].core,
    paradigms: { rounds: p.rounds, sample: hitValues[hitValues.length - 2] },
    parataa: { rounds: q.rounds, sample: hitValues[hitValues.length - 1] },
  };
  disposeResult(r);
  tf.dispose([...p.hits, ...q.hits].map((h) => h.x));
  tf.dispose([x, seq.x]);
  model.dispose();
  return out;
}

gpuTest(
  'CHORDS == sequential on webgpu; the same hit rounds and samples (1e-4) as wasm; ParaDiGMS, ParaTAA too',
  async () => {
    for (const stop of ['complete', 'residual:1e-3']) {
      await use('wasm');
      const w = await samplers(stop);
      await use('webgpu');
      const g = await samplers(stop);
      assert.equal(g.rounds, w.rounds, `${stop}: hit rounds`);
      g.hits.forEach((v, j) => assert.ok(relDiff(v, w.hits[j]) <= 1e-4, `${stop}: hit ${j}`));
      if (stop === 'complete') {
        assert.is(g.lastCore, 0);
        assert.ok(relDiff(g.hits[g.hits.length - 1], g.seq) <= 1e-6, 'the slowest core is the sequential solver');
      } else assert.ok(g.rounds.length < w.rounds.length + 1 && g.rounds[g.rounds.length - 1] < 20, 'stopped early');
      assert.is(g.paradigms.rounds, w.paradigms.rounds, 'ParaDiGMS rounds');
      assert.ok(relDiff(g.paradigms.sample, w.paradigms.sample) <= 1e-4, 'ParaDiGMS sample');
      assert.is(g.parataa.rounds, w.parataa.rounds, 'ParaTAA rounds');
      assert.ok(relDiff(g.parataa.sample, w.parataa.sample) <= 1e-4, 'ParaTAA sample');
    }
  },
);

gpuTest('no leaks on webgpu: CHORDS, ParaDiGMS and ParaTAA return every tensor and GPU byte', async () => {
  await noGpuLeak(() => samplers('residual:1e-3'));
});

gpuTest('chords run --backend webgpu: the adapter in the JSON, and the same hits as --backend wasm', async () => {
  const run = async (backend: string) => {
    let text = '';
    const argv = ['run', '--model', 'mixture', '--dim', '8', '--steps', '20', '--cores', '4', '--values', '--json'];
    await main([...argv, '--stop', 'residual:1e-3', '--backend', backend], (s) => (text += s));
    return JSON.parse(text) as {
      backend: string;
      adapter?: { description: string };
      hits: { round: number; values: number[]; rmseToSequential: number }[];
    };
  };
  const w = await run('wasm'),
    g = await run('webgpu');
  assert.is(g.backend, 'webgpu');
  assert.is(g.adapter?.description, gpu!.adapter!.description);
  assert.is(w.adapter, undefined);
  assert.equal(
    g.hits.map((h) => h.round),
    w.hits.map((h) => h.round),
  );
  g.hits.forEach((h, j) => assert.ok(relDiff(h.values, w.hits[j].values) <= 1e-4, `hit ${j}`));
});

gpuTest('--adapters gives each processes child its CHORDS_WEBGPU_ADAPTER; misuse is a one-line error', async () => {
  const argv = ['run', '--model', 'mixture', '--dim', '4', '--steps', '4', '--cores', '2', '--json'];
  await throwsWith(
    () => main([...argv, '--backend', 'webgpu', '--executor', 'processes', '--workers', '1', '--adapters', 'no-gpu-x']),
    /found no GPU adapter matching 'no-gpu-x'/,
  );
  await throwsWith(
    () => main([...argv, '--backend', 'wasm', '--executor', 'processes', '--adapters', 'llvmpipe']),
    /--adapters belongs to --executor processes with --backend webgpu/,
  );
});

gpuTest('a time vector not made by timesVector runs on webgpu without a readback (schedule tensor forms)', async () => {
  await use('webgpu');
  for (const name of ['flow', 'vp-linear', 'vp-cosine', 've']) {
    const schedule = getSchedule(name);
    const model = mixtureModel(schedule, randomMixture({ dim: 3, components: 2, seed: 1 }));
    const x = tf.tensor2d(Float32Array.from(normals(6, 3)), [2, 3]);
    const own = tf.tensor1d([0.5, 0.2]); // a user's own time vector: no host copy
    const lib = timesVector([0.5, 0.2]);
    const [a, b] = await readValues([model.predict(x, own), model.predict(x, lib)]);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-4 * (1 + Math.abs(b[i])), `${name}: ${v} vs ${b[i]}`));
    tf.dispose([x, own, lib]);
    model.dispose();
  }
});

test.run();
