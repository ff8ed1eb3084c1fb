/**
 * npm run demo: the main job on its embedded default (no download, no GPU): sequential Euler vs
 * CHORDS with 4 and 8 cores on the 64-D Gaussian mixture (flow matching, T = 50), with rounds,
 * wall time, speedups and the error of every result to the float64 reference solution.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { CHORDS_PRESETS, chords, disposeResult } from '../src/chords/index.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { mixtureModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { euler, sample } from '../src/solvers/index.ts';
import { relativeRmse } from '../src/tensor.ts';

const backend = await initBackend();
const T = 50, dim = 64, n = 16, schedule = getSchedule('flow'), grid = timeGrid(schedule, { steps: T });
const model = mixtureModel(schedule, randomMixture({ dim, components: 8, seed: 0 }));
const x = tf.tensor2d(Float32Array.from(normals(n * dim, 1)), [n, dim]);
const reference = model.solve(Float64Array.from(x.dataSync()), 1, 0);
console.log(`chords-ts demo: ${n} samples of a ${dim}-D mixture of 8 Gaussians, flow matching, T = ${T}, Euler, backend ${backend.name}\n`);
sample(euler, model, x, grid).x.dispose(); // warm-up
const t0 = performance.now();
const seq = sample(euler, model, x, grid);
const seqMs = performance.now() - t0, seqValues = seq.x.dataSync();
const rows = [['sequential', String(T), seqMs.toFixed(1), '1.00', '1.00', relativeRmse(seqValues, reference).toFixed(4), '0']];
for (const K of [4, 8]) {
  for (const [label, stop] of [['fastest core', { kind: 'core-index', index: 1 }], ['second core', { kind: 'core-index', index: 2 }]] as const) {
    const r = await chords(model, x, grid, { init: CHORDS_PRESETS[K], stop });
    const v = r.sample.dataSync();
    rows.push([`CHORDS ${K} cores, ${label}`, String(r.rounds), r.wallMs.toFixed(1), (T / r.rounds).toFixed(2), (seqMs / r.wallMs).toFixed(2), relativeRmse(v, reference).toFixed(4), relativeRmse(v, seqValues).toFixed(4)]);
    disposeResult(r);
  }
}
const head = ['method', 'rounds', 'wall ms', 'speedup (rounds)', 'speedup (wall, 1 device)', 'rel. error to reference', 'rel. RMSE to sequential'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
console.log(`| ${head.map((h, i) => h.padEnd(width[i])).join(' | ')} |\n|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(`| ${r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join(' | ')} |`);
console.log('\nRounds are sequential model-call latencies: the speedup a machine with one device per core gets.');
console.log('Wall time here runs all cores as one batched call on one device (virtual cores).');
tf.dispose([x, seq.x]);
model.dispose();
