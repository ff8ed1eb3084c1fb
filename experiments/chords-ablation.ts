/**
 * chords-ablation: what each change to CHORDS with a multistep fine solver gives, on the 64-D mixture
 * (all component scales --scale, flow, T = 50, 3 seeds x 16 samples): the init sequence (paper preset vs
 * uniform starts over 70% of T), the grid (uniform vs log-SNR on [-4, 4]), the fine solver (2M, 3M) and
 * the history rule (keep, drop, shift). Prints the rounds to reach the error of sequential 2M at 50
 * uniform steps ("reach" = the first round from which the mean error over seeds stays at or below it).
 *   node --import tsx experiments/chords-ablation.ts [--scale=0.3 --cores=4,8]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { CHORDS_PRESETS, chords, disposeResult, uniformInit, type HistoryRule } from '../src/chords/index.ts';
import { getSchedule, timeGrid, type GridOptions } from '../src/diffusion/index.ts';
import { buildModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { SOLVERS, sample } from '../src/solvers/index.ts';
import { relativeRmse } from '../src/tensor.ts';
import { count, intList, num, parseFlags } from './lib/flags.ts';

const f = parseFlags(
  'chords-ablation',
  { scale: 0.3, cores: '4,8', seeds: 3 },
  {},
  { rules: { scale: num(0, 10, { above: true }), cores: intList(2, 64), seeds: count(100) } },
);
await initBackend();
const schedule = getSchedule('flow');
const probs: { model: Awaited<ReturnType<typeof buildModel>>; x: tf.Tensor; ref: Float64Array }[] = [];
for (let seed = 0; seed < f.seeds; seed++) {
  const mixture = { ...randomMixture({ dim: 64, components: 8, seed }), scales: Array<number>(8).fill(f.scale) };
  const model = await buildModel({ kind: 'mixture', schedule: 'flow', mixture });
  const x = tf.tensor2d(Float32Array.from(normals(16 * 64, 1000 + seed)), [16, 64]);
  const solve = (model as unknown as { solve: (x: Float64Array, a: number, b: number) => Float64Array }).solve;
  probs.push({ model, x, ref: solve(Float64Array.from(x.dataSync()), 1, 0) });
}
const err = (x: tf.Tensor, ref: Float64Array) => relativeRmse(x.dataSync() as Float32Array, ref);
let target = 0;
for (const p of probs) {
  const r = await sample(SOLVERS['dpmpp-2m'], p.model, p.x, timeGrid(schedule, { steps: 50 }));
  target += err(r.x, p.ref) / probs.length;
  r.x.dispose();
}
const grids: Record<string, Omit<GridOptions, 'steps'>> = {
  uniform: {},
  'logsnr 4': { kind: 'logsnr', nsrMax: Math.exp(4), nsrMin: Math.exp(-4) },
};
const rules: HistoryRule[] = ['keep', 'drop', 'shift'];
process.stdout.write(
  `mixture ${f.scale}: rounds to the 2M-50 error ${target.toExponential(2)} (T = 50)\n\n` +
    `| K | init | grid | fine | ${rules.join(' | ')} |\n|---|---|---|---|${rules.map(() => '---|').join('')}\n`,
);
for (const K of f.cores.split(',').map(Number)) {
  const inits: Record<string, number[]> = {
    ...(CHORDS_PRESETS[K] ? { preset: [...CHORDS_PRESETS[K]] } : {}),
    'uniform 0.7': uniformInit({ cores: K, steps: 50, lastStart: 0.7 }),
  };
  for (const [name, init] of Object.entries(inits))
    for (const [g, go] of Object.entries(grids))
      for (const fine of ['dpmpp-2m', 'dpmpp-3m'] as const) {
        const cells: string[] = [];
        for (const history of rules) {
          const per: { round: number; e: number }[][] = [];
          for (const p of probs) {
            const r = await chords(p.model, p.x, timeGrid(schedule, { steps: 50, ...go }), {
              init,
              fine: SOLVERS[fine],
              history,
            });
            per.push(r.hits.map((h) => ({ round: h.round, e: err(h.x, p.ref) })));
            disposeResult(r);
          }
          const curve = per[0].map((h, j) => ({ round: h.round, e: per.reduce((a, q) => a + q[j].e, 0) / per.length }));
          let reach: number | undefined;
          for (let j = curve.length - 1; j >= 0 && curve[j].e <= target; j--) reach = curve[j].round;
          cells.push(reach === undefined ? '-' : String(reach));
        }
        process.stdout.write(`| ${K} | ${name} ${init.join('-')} | ${g} | ${fine} | ${cells.join(' | ')} |\n`);
      }
}
for (const p of probs) {
  p.x.dispose();
  p.model.dispose();
}
