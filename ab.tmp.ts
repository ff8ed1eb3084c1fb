import * as tf from '@tensorflow/tfjs';
import { initBackend } from './src/backend.ts';
import { ditForward, flopsPerImage } from './src/models/dit/index.ts';
import { ditForward as ditOrig } from './src/models/dit/origtmp/model.ts';
import { loadDiT } from './src/models/dit/weights.ts';
import { shippedDiTPath } from './src/models/dit/denoiser.ts';
await initBackend();
const { params: p, config: cfg } = loadDiT(shippedDiTPath());
const B = Number(process.argv[2] ?? 8);
const x = tf.randomNormal([B, 16, 16, 1]) as tf.Tensor4D, t = tf.fill([B], 0.5) as tf.Tensor1D, y = tf.tensor1d(Array.from({length: B}, (_, i) => i % 11), 'int32');
const a = ditOrig(p, cfg, x, t, y).dataSync(), b = ditForward(p, cfg, x, t, y).dataSync();
let md = 0; for (let i = 0; i < a.length; i++) md = Math.max(md, Math.abs(a[i] - b[i]));
console.log('max diff', md);
const ma = tf.randomNormal([512, 512]) as tf.Tensor2D, mb = tf.randomNormal([512, 512]) as tf.Tensor2D;
const fns: Record<string, [() => tf.Tensor, number]> = { orig: [() => ditOrig(p, cfg, x, t, y), flopsPerImage(cfg) * B], new: [() => ditForward(p, cfg, x, t, y), flopsPerImage(cfg) * B], mm: [() => tf.matMul(ma, mb), 2 * 512 ** 3] };
for (const [f] of Object.values(fns)) for (let i = 0; i < 20; i++) f().dispose();
const wall: Record<string, number> = {}, cpu: Record<string, number[]> = {};
for (let trial = 0; trial < 15; trial++) for (const [k, [f]] of Object.entries(fns)) {
  const c0 = process.cpuUsage(), t0 = performance.now(); for (let i = 0; i < 10; i++) { const o = f(); if (i === 9) o.dataSync(); o.dispose(); }
  const ms = (performance.now() - t0) / 10, c = process.cpuUsage(c0); const cms = (c.user + c.system) / 1e3 / 10;
  wall[k] = Math.min(wall[k] ?? Infinity, ms); (cpu[k] ??= []).push(cms);
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
for (const k of Object.keys(fns)) { const fl = fns[k][1]; console.log(`${k.padEnd(5)} wall best ${wall[k].toFixed(2)} ms (${(fl / wall[k] / 1e6).toFixed(1)} GF/s), cpu median ${med(cpu[k]).toFixed(2)} min ${Math.min(...cpu[k]).toFixed(2)} ms (${(fl / med(cpu[k]) / 1e6).toFixed(1)} GF/s)`); }
const g = (k: string, m: (a: number[]) => number) => fns[k][1] / m(cpu[k]);
console.log(`ratio to mm (cpu median): orig ${(100 * g('orig', med) / g('mm', med)).toFixed(1)}%, new ${(100 * g('new', med) / g('mm', med)).toFixed(1)}%`);
