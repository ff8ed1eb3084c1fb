/**
 * bench:dit: time per DiT-S/2 call at batch 1, 2, 4, 8 and the achieved GFLOP/s, next to plain 2-D
 * matMuls measured in the same run (a large 512^3 one and one shaped like the DiT's MLP linear);
 * then where the batch-8 call's time goes, kernel by kernel (tf.profile).
 * Usage: npm run bench:dit [-- --reps=10 --preset=DiT-S/2 --backend=webgpu]
 */
import * as tf from '@tensorflow/tfjs';
import { describeBackend, initBackend } from '../src/backend.ts';
import {
  attentionBatched,
  attentionDepthwise,
  attentionWeights,
  ditForward,
  flopsPerImage,
  tokens,
  getDiTConfig,
  initDiT,
  paramCount,
  DIT_PRESET_NAMES,
} from '../src/models/dit/index.ts';
import { count, oneOf, parseFlags } from './lib/flags.ts';

const f = parseFlags(
  'bench-dit',
  { reps: 10, preset: 'DiT-S/2', backend: process.env.CHORDS_BACKEND ?? 'auto' },
  { reps: 3 },
  {
    rules: {
      reps: count(10000),
      preset: oneOf(DIT_PRESET_NAMES),
      backend: oneOf(['auto', 'tensorflow', 'wasm', 'cpu', 'webgpu']),
    },
  },
);
const backend = await initBackend({ backend: f.backend });
const cfg = getDiTConfig(f.preset),
  p = initDiT(cfg, 1);
/**
 * Milliseconds per call: the best of `trials` runs of `reps` calls (noise on a shared machine only
 * adds time). Each run reads back only its last output, so an output's copy-out is not charged per
 * call (wasm computes eagerly; on webgpu the read waits for the queue, and is asynchronous: webgpu in Node has
 * no synchronous readback).
 */
const time = async (fn: () => tf.Tensor, reps: number, trials = 5) => {
  for (let i = 0; i < 5; i++) await fn().data(); // warm-up: JIT, XNNPACK operator creation, shader compilation
  let best = Infinity;
  for (let trial = 0; trial < trials; trial++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const o = fn();
      if (i === reps - 1) await o.data();
      o.dispose();
    }
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
};
const mm = async (m: number, k: number, n: number) => {
  const a = tf.randomNormal([m, k]) as tf.Tensor2D,
    b = tf.randomNormal([k, n]) as tf.Tensor2D;
  const ms = await time(() => tf.matMul(a, b), 20);
  tf.dispose([a, b]);
  return (2 * m * k * n) / ms / 1e6;
};
const big = await mm(512, 512, 512),
  shaped = await mm(512, cfg.hidden, cfg.mlpRatio * cfg.hidden);
console.log(
  `bench:dit  ${f.preset}: ${paramCount(cfg)} parameters, ${(flopsPerImage(cfg) / 1e6).toFixed(1)} MFLOP per image, ` +
    `backend ${describeBackend(backend)}`,
);
console.log(
  `plain 2-D matMul: 512x512x512 ${big.toFixed(2)} GFLOP/s; 512x${cfg.hidden}x${cfg.mlpRatio * cfg.hidden} ` +
    `(DiT MLP shape at batch 8) ${shaped.toFixed(2)} GFLOP/s\n`,
);
console.log('| batch | ms per call | ms per image | GFLOP/s | % of 512^3 matMul | % of DiT-shaped matMul |');
console.log('|-------|-------------|--------------|---------|-------------------|------------------------|');
const batches = [1, 2, 4, 8];
const inputs = (B: number) =>
  [
    tf.randomNormal([B, cfg.imageSize, cfg.imageSize, cfg.channels]) as tf.Tensor4D,
    tf.fill([B], 0.5) as tf.Tensor1D,
    tf.zeros([B], 'int32') as tf.Tensor1D,
  ] as const;
for (const B of batches) {
  const [x, t, y] = inputs(B);
  await time(() => ditForward(p, cfg, x, t, y), 5);
  tf.dispose([x, t, y]);
} // warm every shape first
let batch8 = 0;
for (const B of batches) {
  const [x, t, y] = inputs(B);
  const ms = await time(() => ditForward(p, cfg, x, t, y), f.reps),
    g = (flopsPerImage(cfg) * B) / ms / 1e6;
  console.log(
    `| ${String(B).padStart(5)} | ${ms.toFixed(1).padStart(11)} | ${(ms / B).toFixed(2).padStart(12)} | ` +
      `${g.toFixed(2).padStart(7)} | ${((100 * g) / big).toFixed(0).padStart(16)}% | ` +
      `${((100 * g) / shaped).toFixed(0).padStart(21)}% |`,
  );
  tf.dispose([x, t, y]);
  if (B === 8) batch8 = g / big;
}
// One block's attention at batch 8 in both formulations (same result; see src/models/dit/attention.ts).
const h8 = tf.randomNormal([8, tokens(cfg), cfg.hidden]) as tf.Tensor3D;
const w = attentionWeights(p, 0);
const msB = await time(() => attentionBatched(h8, cfg.heads, w), f.reps * 3),
  msD = await time(() => attentionDepthwise(h8, cfg.heads, w), f.reps * 3);
h8.dispose();
console.log(
  `\nOne block's attention at batch 8: batched matMul ${msB.toFixed(2)} ms, ` +
    `depthwise convolution ${msD.toFixed(2)} ms (${(msB / msD).toFixed(1)}x).`,
);
// The headline ratio from interleaved trials (a 512^3 matMul trial, then a batch-8 trial, alternately), so
// both see the same swings of a shared machine's load; best of each.
const paired = await (async () => {
  const a = tf.randomNormal([512, 512]) as tf.Tensor2D,
    b = tf.randomNormal([512, 512]) as tf.Tensor2D;
  const [x, t, y] = inputs(8);
  let mmBest = Infinity,
    ditBest = Infinity;
  for (let trial = 0; trial < 3 * f.reps; trial++) {
    mmBest = Math.min(mmBest, await time(() => tf.matMul(a, b), 10, 1));
    ditBest = Math.min(ditBest, await time(() => ditForward(p, cfg, x, t, y), 5, 1));
  }
  tf.dispose([a, b, x, t, y]);
  return (flopsPerImage(cfg) * 8) / ditBest / ((2 * 512 ** 3) / mmBest);
})();
console.log(
  `Batch 8 reaches ${(100 * batch8).toFixed(0)}% of the 512^3 matMul rate in the table, ` +
    `${(100 * paired).toFixed(0)}% in interleaved trials (target >= 60%): ${paired >= 0.6 ? 'met' : 'NOT met'}.`,
);

// Where the batch-8 call's time goes: kernel time by kernel (best of 5 profiled calls per kernel
// name; the op wrappers tf.profile also lists, e.g. fusedMatMul__op, contain their kernels and are left out).
{
  const [x, t, y] = inputs(8);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (let r = 0; r < 5; r++) {
    const info = await tf.profile(() => ditForward(p, cfg, x, t, y).dispose());
    const run = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels.filter((k) => !k.name.endsWith('__op'))) {
      const e = run.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += k.kernelTimeMs as number;
      e.calls++;
      run.set(k.name, e);
    }
    for (const [name, e] of run) if (!byKernel.has(name) || e.ms < byKernel.get(name)!.ms) byKernel.set(name, e);
  }
  tf.dispose([x, t, y]);
  const total = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  console.log('\nThe batch-8 call by kernel (tf.profile kernel times, best of 5 calls):');
  console.log('| kernel | calls | ms | % of kernel time |');
  console.log('|--------|-------|----|------------------|');
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms))
    console.log(`| ${name} | ${e.calls} | ${e.ms.toFixed(2)} | ${((100 * e.ms) / total).toFixed(1)}% |`);
  console.log(`| all | ${[...byKernel.values()].reduce((a, e) => a + e.calls, 0)} | ${total.toFixed(2)} | 100% |`);
}
console.log('On wasm, ditForward runs attention as depthwise convolutions (XNNPACK), one channel per (sample, head);');
console.log(
  "wasm's batched matMul runs outside XNNPACK as a scalar loop. " +
    "Training uses the same form (channelMatMul's own gradient).",
);
