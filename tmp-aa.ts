import * as tf from '@tensorflow/tfjs';
import { initBackend } from './src/backend.ts';
import { getSchedule, timeGrid } from './src/diffusion/index.ts';
import { runPicard } from './src/methods/picard.ts';
import { mixtureModel, randomMixture } from './src/models/index.ts';
import { batchedExecutor } from './src/parallel/index.ts';
import { normals } from './src/random.ts';
import { SOLVERS, sample } from './src/solvers/index.ts';
import { relativeRmse } from './src/tensor.ts';
await initBackend({ backend: 'wasm' });
const schedule = getSchedule('flow');
const seed = Number(process.argv[2] ?? 0);
const spec = randomMixture({ dim: 64, components: 8, seed });
const model = mixtureModel(schedule, { ...spec, scales: spec.scales.map(() => 0.3) });
const x = tf.tensor2d(Float32Array.from(normals(16 * 64, 1000 + seed)), [16, 64]);
const ref = model.solve(Float64Array.from(x.dataSync()), 1, 0);
const err = (t: tf.Tensor) => relativeRmse(t.dataSync(), ref);
const grid = timeGrid(schedule, { steps: 50 });
const s = sample(SOLVERS['dpmpp-2m'], model, x, grid); const target = err(s.x);
const reach = (errs: number[], rounds: number[], tgt: number) => { let r = Infinity; for (let i = errs.length - 1; i >= 0 && errs[i] <= tgt; i--) r = rounds[i]; return r; };
for (const K of [4, 8]) for (const tol of [1e-3, 1e-4, 1e-5]) for (const cfg of [{ anderson: false }, { anderson: true, andersonDepth: 2, andersonRegularization: 1 }]) {
  const r = await runPicard({ executor: batchedExecutor(model), param: model, grid, x }, { window: K, tolerance: tol, ...cfg });
  const errs = r.hits.map((h) => err(h.x)), rounds = r.hits.map((h) => h.round);
  console.log(K, tol, JSON.stringify(cfg), 'reach1.01', reach(errs, rounds, target * 1.01), 'reach1.05', reach(errs, rounds, target * 1.05), 'rounds', r.rounds, 'curve', errs.slice(8, 24).map((e) => (e / target).toFixed(2)).join(' '));
  r.hits.forEach((h) => h.x.dispose());
}
