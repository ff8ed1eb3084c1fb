/**
 * A worker thread of exp:concurrency: builds its jobs once, then runs `calls` calls of the job a message names and
 * answers with the milliseconds per call.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend.ts';
import { timesVector } from '../../src/diffusion/prediction.ts';
import { buildModel } from '../../src/models/index.ts';
import { benchDiTPath } from './dit-weights.ts';

await initBackend({ backend: 'wasm' });
const { path } = await benchDiTPath();
const dit = await buildModel({ kind: 'dit', path, labels: [0, 1, 2, 3], guidance: 2 });
const x4 = tf.randomNormal([4, 16, 16, 1]); // 4 samples: 8 images per call with guidance
const a = tf.randomNormal([512, 512]) as tf.Tensor2D,
  b = tf.randomNormal([512, 512]) as tf.Tensor2D;
const big = tf.randomNormal([4 * 1024 * 1024]); // 16 MB
/** Each job: one call; a tensor it returns is freed. */
export const JOBS: Record<string, () => tf.Tensor | number> = {
  dit: () => {
    const t = timesVector([0.5, 0.5, 0.5, 0.5]); // [4]
    const out = dit.predict(x4, t); // [4, 16, 16, 1]
    t.dispose();
    return out;
  },
  matmul: () => tf.matMul(a, b), // [512, 512]
  add: () => tf.add(big, 1), // [4M]
  scalar: () => {
    let s = 0;
    for (let i = 0; i < 3e6; i++) s += Math.sqrt(i) * 1e-9;
    return s;
  },
};
parentPort!.on('message', (m: { job: string; calls: number }) => {
  const t0 = performance.now();
  for (let i = 0; i < m.calls; i++) {
    const o = JOBS[m.job]();
    if (o instanceof tf.Tensor) o.dispose();
  }
  parentPort!.postMessage({ ms: (performance.now() - t0) / m.calls });
});
parentPort!.postMessage({ ready: true });
