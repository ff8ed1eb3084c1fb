/**
 * init-sequences: CHORDS with the paper's presets vs uniform spacing vs our generator (its formula,
 * which reproduces the presets at T = 50) vs a searched sequence, for 4 and 8 cores on the Gaussian
 * mixture, T = 50: every hit's round and error to the sequential sample. The search (searchInitSequence)
 * tries random sequences whose fastest core hits no later than the preset's, scored on a separate
 * search problem (mixture seed 100), and keeps the lowest error of that first core hit.
 *   npm run exp:init-sequences [-- --quick --seeds=3 --search=40]
 */
import { initBackend } from '../src/backend.ts';
import { CHORDS_PRESETS, initSequence, searchInitSequence } from '../src/chords/index.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { progress } from '../src/progress.ts';
import { parseFlags } from './lib/flags.ts';
import { runMethod, sequentialValues } from './lib/methods.ts';
import { finish } from './lib/output.ts';
import { mixtureProblem } from './lib/problems.ts';

const f = parseFlags(
  'init-sequences',
  { steps: 50, seeds: 3, n: 16, search: 40, quiet: false },
  { seeds: 1, n: 8, search: 10 },
);
await initBackend();
const T = f.steps;
const sequences = (K: number): [string, number[]][] => {
  const preset = T === 50 && CHORDS_PRESETS[K] ? [...CHORDS_PRESETS[K]] : undefined,
    gen = initSequence({ cores: K, steps: T, usePresets: false });
  const same = preset && preset.join('-') === gen.join('-');
  return [
    ...(preset ? [[same ? 'paper preset = generator' : 'paper preset', preset] as [string, number[]]] : []),
    ['uniform', Array.from({ length: K }, (_, k) => Math.round((k * 0.8 * T) / (K - 1)))],
    ...(same ? [] : [['generator', gen] as [string, number[]]]),
    ...(searched.has(K) && searched.get(K)!.join('-') !== (preset ?? gen).join('-')
      ? [['searched', searched.get(K)!] as [string, number[]]]
      : []),
  ];
};
// search on its own problem, so the evaluation seeds do not choose the sequence
const searched = new Map<number, number[]>();
{
  const p = await mixtureProblem({ steps: T, seed: 100, n: f.n });
  const ex = batchedExecutor(p.model),
    seq = await sequentialValues(p, ex);
  for (const K of [4, 8]) {
    const base = sequences(K)[0][1],
      maxRound = K - 1 + T - base[K - 1];
    const r = await searchInitSequence({
      cores: K,
      steps: T,
      maxRound,
      samples: f.search,
      include: [base],
      seed: K,
      evaluate: async (init) =>
        (await runMethod(p, { method: 'chords', cores: K, init, hit: 1 }, ex, seq.values)).final.relErrorToSequential!,
    });
    searched.set(K, r.best);
    process.stderr.write(
      `init-sequences: ${K} cores, best of ${r.tried.length} with the first hit by round ${maxRound}: ` +
        `${r.best.join('-')} (error ${r.score.toExponential(2)}; the preset's ${r.tried[0].score.toExponential(2)})\n`,
    );
  }
  p.dispose();
}
const rows: Record<string, unknown>[] = [];
const bar = progress({
  total: f.seeds * (sequences(4).length + sequences(8).length),
  label: 'init-sequences',
  quiet: f.quiet,
});
let done = 0;
for (let seed = 0; seed < f.seeds; seed++) {
  const p = await mixtureProblem({ steps: T, seed, n: f.n });
  const ex = batchedExecutor(p.model),
    seq = await sequentialValues(p, ex);
  for (const K of [4, 8])
    for (const [label, init] of sequences(K)) {
      const { all } = await runMethod(p, { method: 'chords', cores: K, init }, ex, seq.values, { allHits: true });
      all.forEach((r, hit) => rows.push({ seed, sequence: `${label} ${init.join('-')}`, hit, ...r }));
      bar.tick(++done);
    }
  p.dispose();
}
bar.done();
await finish('init-sequences', f, rows);
