/**
 * boundary: samples near a mode boundary of the 64-D mixture (scale 0.3), where a small error early on
 * sends a sample to another component. For every sample of the held-out seeds: its error to the float64
 * reference under sequential 2M on a few grids and under Picard-2M: window 4, T = 50, log-SNR [-4, 4], with the
 * ddim and the quadratic predictor at several tolerances; window 8, T = 36, shift 2.5, quadratic, tolerance 2e-3,
 * with and without a cap of 5 on the window's advance per round (the plain update), and with the secant sweep and
 * acceptance, without a cap and with a cap of 6. Prints the samples whose error exceeds the threshold (0.1) anywhere.
 *   npm run exp:boundary [-- --seeds=100,101,102,103,104,105 --threshold=0.1]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { runPicard, type PicardOptions } from '../src/methods/picard.ts';
import { mixtureModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, sample } from '../src/solvers/index.ts';
import { relativeRmse } from '../src/tensor.ts';
import { intList, num, parseFlags } from './lib/flags.ts';

const f = parseFlags(
  'boundary',
  { seeds: '100,101,102,103,104,105', threshold: 0.1 },
  { seeds: '100,105' },
  { rules: { seeds: intList(0, 1e6), threshold: num(0, 10, { above: true }) } },
);
await initBackend({ backend: 'wasm' });
const schedule = getSchedule('flow');
const logsnr4 = { kind: 'logsnr' as const, nsrMax: Math.exp(4), nsrMin: Math.exp(-4) };
const seqGrids: [string, number[]][] = [
  ['uniform 40', timeGrid(schedule, { steps: 40 })],
  ['uniform 50', timeGrid(schedule, { steps: 50 })],
  ['shift 3, 50', timeGrid(schedule, { steps: 50, shift: 3 })],
  ['log-SNR 4, 50', timeGrid(schedule, { steps: 50, ...logsnr4 })],
];
const grid = timeGrid(schedule, { steps: 50, ...logsnr4 }),
  shifted = timeGrid(schedule, { steps: 36, shift: 2.5 });
const tolerances = [3e-3, 1e-3, 3e-4];
const predictors = ['ddim', 'quadratic'] as const;
const picardRuns: { label: string; grid: number[]; options: PicardOptions }[] = [
  ...predictors.flatMap((predictor) =>
    tolerances.map((tolerance) => ({
      label: `K 4 ${predictor} ${tolerance}`,
      grid,
      options: { window: 4, tolerance, predictor, secant: false },
    })),
  ),
  ...[Infinity, 5].map((maxAdvance) => ({
    label: `K 8 shift 2.5 T 36 2e-3${maxAdvance < 8 ? ` advance <= ${maxAdvance}` : ''}`,
    grid: shifted,
    options: { window: 8, tolerance: 2e-3, scale: 'state', maxAdvance, secant: false } as PicardOptions,
  })),
  // the secant sweep with the secant acceptance (the frontier's Picard)
  ...[Infinity, 6].map((maxAdvance) => ({
    label: `K 8 shift 2.5 T 36 2e-3 secant${maxAdvance < 8 ? ` advance <= ${maxAdvance}` : ''}`,
    grid: shifted,
    options: {
      window: 8,
      tolerance: 2e-3,
      scale: 'state',
      maxAdvance,
      secant: true,
      acceptance: 'secant',
    } as PicardOptions,
  })),
];
const n = 16,
  dim = 64;
const perSample = (x: tf.Tensor, ref: Float64Array) => {
  const v = x.dataSync() as Float32Array;
  return Array.from({ length: n }, (_, i) =>
    relativeRmse(v.subarray(i * dim, (i + 1) * dim), ref.subarray(i * dim, (i + 1) * dim)),
  );
};
console.log(
  `| seed | sample | ${seqGrids.map(([g]) => `2M ${g}`).join(' | ')} | ` +
    `${picardRuns.map((c) => `Picard ${c.label} (rounds)`).join(' | ')} |`,
);
console.log(`|---|---|${seqGrids.map(() => '---|').join('')}${picardRuns.map(() => '---|').join('')}`);
for (const seed of f.seeds.split(',').map(Number)) {
  const spec = randomMixture({ dim, components: 8, seed });
  const model = mixtureModel(schedule, { ...spec, scales: spec.scales.map(() => 0.3) });
  const x = tf.tensor2d(Float32Array.from(normals(n * dim, 1000 + seed)), [n, dim]);
  const ref = model.solve(Float64Array.from(x.dataSync()), 1, 0);
  const cols: string[][] = Array.from({ length: n }, () => []);
  let flagged = new Set<number>();
  for (const [, g] of seqGrids) {
    const r = await sample(SOLVERS['dpmpp-2m'], model, x, g);
    perSample(r.x, ref).forEach((e, i) => (cols[i].push(e.toExponential(1)), e > f.threshold && flagged.add(i)));
    r.x.dispose();
  }
  for (const c of picardRuns) {
    const task = { executor: batchedExecutor(model), param: model, grid: c.grid, x };
    const r = await runPicard(task, c.options);
    perSample(r.sample, ref).forEach((e, i) => {
      cols[i].push(`${e.toExponential(1)} (${r.rounds})`);
      if (e > f.threshold) flagged.add(i);
    });
    tf.dispose(r.hits.map((h) => h.x));
  }
  flagged = new Set([...flagged].sort((a, b) => a - b));
  for (const i of flagged) console.log(`| ${seed} | ${i} | ${cols[i].join(' | ')} |`);
  x.dispose();
  model.dispose();
}
