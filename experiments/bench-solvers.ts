/**
 * bench:solvers: error to the reference solution vs model calls for every solver, on a 2-D and a
 * 64-D Gaussian mixture (flow matching, uniform grid, 8 components), plus wall time per step.
 * Usage: npm run bench:solvers [-- --n=16 --schedule=flow]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { mixtureModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { SOLVER_NAMES, getSolver, sample } from '../src/solvers/index.ts';
import { rmse } from '../src/tensor.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const n = Number(args.n ?? 16),
  scheduleName = args.schedule ?? 'flow';
const backend = await initBackend();
const schedule = getSchedule(scheduleName);
console.log(
  `bench:solvers  backend=${backend.name}  schedule=${scheduleName}  grid=uniform  samples=${n}  mixture: 8 ` +
    `components, seed 0`,
);
for (const dim of [2, 64]) {
  const model = mixtureModel(schedule, randomMixture({ dim, components: 8, seed: 0 }));
  const start = Float32Array.from(normals(n * dim, 1), (z) => z * schedule.sigma(1));
  const reference = model.solve(Float64Array.from(start), 1, 0);
  const stepsList = [5, 10, 20, 50, 100];
  console.log(`\n${dim}-D mixture: RMS error to the reference (model calls) and wall ms per step`);
  console.log(`| solver   | ${stepsList.map((s) => `T=${s}`.padEnd(18)).join(' | ')} | ms/step |`);
  console.log(`|----------|${stepsList.map(() => '-'.repeat(20)).join('|')}|---------|`);
  for (const name of SOLVER_NAMES) {
    const cells: string[] = [];
    let ms = 0,
      stepsRun = 0;
    for (const steps of stepsList) {
      const x = tf.tensor2d(start, [n, dim]);
      sample(getSolver(name), model, x, timeGrid(schedule, { steps: 2 })).x.dispose(); // warm-up
      const t0 = performance.now();
      const r = sample(getSolver(name), model, x, timeGrid(schedule, { steps }));
      const y = await r.x.data();
      ms += performance.now() - t0;
      stepsRun += steps;
      cells.push(`${rmse(y, reference).toExponential(2)} (${r.modelCalls})`.padEnd(18));
      tf.dispose([x, r.x]);
    }
    console.log(`| ${name.padEnd(8)} | ${cells.join(' | ')} | ${(ms / stepsRun).toFixed(2).padStart(7)} |`);
  }
  model.dispose();
}
