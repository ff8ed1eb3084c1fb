/**
 * bench:chords: CHORDS on the Gaussian mixture (flow matching, T = 50, Euler fine and coarse) with
 * the paper's 4-, 6- and 8-core presets: every hit's round, speedup in rounds (T / round), model
 * calls, RMSE to the sequential sample and error to the reference solution; then the overhead of
 * planning and rectification as a fraction of model time.
 * Usage: npm run bench:chords [-- --dim=64 --n=16 --seeds=3]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { CHORDS_PRESETS, chords, disposeResult } from '../src/chords/index.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { mixtureModel, randomMixture } from '../src/models/index.ts';
import { normals } from '../src/random.ts';
import { euler, sample } from '../src/solvers/index.ts';
import { readValues } from '../src/tensor.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const dim = Number(args.dim ?? 64),
  n = Number(args.n ?? 16),
  seeds = Number(args.seeds ?? 3),
  T = 50;
const backend = await initBackend();
const schedule = getSchedule('flow'),
  grid = timeGrid(schedule, { steps: T });
console.log(
  `bench:chords  backend=${backend.name}  ${dim}-D mixture of 8 Gaussians, flow, T=${T}, euler fine+coarse, ${n} ` +
    `samples, mean of ${seeds} seeds`,
);
console.log(
  'errors: per-sample relative RMS ||x - y|| / ||y|| (as in REFERENCE.md), median and mean over all samples and seeds;',
);
console.log(
  '"switched": share of samples whose hit landed in another mixture mode than the sequential one (relative RMSE to ' +
    'sequential > 0.5)',
);

type Row = { round: number; calls: number; seq: number[]; ref: number[] };
/** Per-sample relative RMS error of rows of a against rows of b. */
function perSample(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  return Array.from({ length: n }, (_, i) => {
    let num = 0,
      den = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) {
      num += (a[j] - b[j]) ** 2;
      den += b[j] ** 2;
    }
    return Math.sqrt(num / den);
  });
}
const seqRef: number[] = [];
const table = new Map<string, Row[]>();
const overhead: { cores: number; planMs: number; otherMs: number; modelMs: number }[] = [];
for (let seed = 0; seed < seeds; seed++) {
  const model = mixtureModel(schedule, randomMixture({ dim, components: 8, seed }));
  const x = tf.tensor2d(Float32Array.from(normals(n * dim, 100 + seed)), [n, dim]);
  const ref = model.solve(Float64Array.from(await x.data()), 1, 0);
  const seq = sample(euler, model, x, grid),
    s = await seq.x.data();
  seqRef.push(...perSample(s, ref));
  for (const K of [4, 6, 8]) {
    await chords(model, x, grid, { init: CHORDS_PRESETS[K] }).then(disposeResult); // warm-up
    const r = await chords(model, x, grid, { init: CHORDS_PRESETS[K] });
    const values = await readValues(r.hits.map((h) => h.x));
    r.hits.forEach((h, j) => {
      const key = `${K}:${j}`,
        rows = table.get(key) ?? [];
      const v = values[j];
      rows.push({ round: h.round, calls: h.modelCalls, seq: perSample(v, s), ref: perSample(v, ref) });
      table.set(key, rows);
    });
    overhead.push({ cores: K, planMs: r.planMs, otherMs: r.overheadMs, modelMs: r.modelMs });
    disposeResult(r);
  }
  tf.dispose([x, seq.x]);
  model.dispose();
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const s2 = [...xs].sort((a, b) => a - b);
  return s2[Math.floor(s2.length / 2)];
};
const cell = (xs: number[]) => `${median(xs).toFixed(4)} / ${mean(xs).toFixed(4)}`;
console.log(`\nsequential Euler, ${T} steps: relative error to reference (median / mean) ${cell(seqRef)}`);
for (const K of [4, 6, 8]) {
  console.log(`\n${K} cores, init ${CHORDS_PRESETS[K].join('-')}`);
  console.log(
    '| hit | kind   | round | speedup (T/round) | model calls | to sequential (median / mean) | to reference ' +
      '(median / mean) | switched |',
  );
  console.log(
    '|-----|--------|-------|-------------------|-------------|' +
      '-------------------------------|------------------------------|----------|',
  );
  for (let j = 0; table.has(`${K}:${j}`); j++) {
    const rows = table.get(`${K}:${j}`)!;
    const seqErr = rows.flatMap((r) => r.seq),
      refErr = rows.flatMap((r) => r.ref);
    const switched = seqErr.filter((e) => e > 0.5).length / seqErr.length;
    console.log(
      `| ${String(j).padStart(3)} | ${(j === 0 ? 'coarse' : 'core').padEnd(6)} | ` +
        `${String(rows[0].round).padStart(5)} | ${(T / rows[0].round).toFixed(2).padStart(17)} | ` +
        `${String(rows[0].calls).padStart(11)} | ${cell(seqErr).padStart(29)} | ${cell(refErr).padStart(28)} | ` +
        `${(100 * switched).toFixed(1).padStart(7)}% |`,
    );
  }
}
console.log('\noverhead (everything but executor.evaluate) relative to model time, mean over seeds');
console.log('| cores | plan ms | overhead ms | model ms | overhead / model |');
console.log('|-------|---------|-------------|----------|------------------|');
for (const K of [4, 6, 8]) {
  const o = overhead.filter((r) => r.cores === K);
  console.log(
    `| ${String(K).padStart(5)} | ${mean(o.map((r) => r.planMs))
      .toFixed(2)
      .padStart(7)} | ${mean(o.map((r) => r.otherMs))
      .toFixed(1)
      .padStart(11)} | ${mean(o.map((r) => r.modelMs))
      .toFixed(1)
      .padStart(8)} | ${(mean(o.map((r) => r.otherMs)) / mean(o.map((r) => r.modelMs))).toFixed(2).padStart(16)} |`,
  );
}
console.log('\nThe analytic mixture costs well under a millisecond per call, so this ratio is an upper bound;');
console.log('with a network that costs tens of ms per call (bench:parallel) the same overhead is a small fraction.');
