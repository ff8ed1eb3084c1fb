/**
 * spawn: how should a new CHORDS core start? The coarse jump (the reference) against the x0 jump with the estimate
 * extrapolated in log-SNR through the slower cores' newest estimates (`predictor: 'linear' | 'quadratic'`), on seed
 * sets disjoint from exp:frontier's (held-out 100.., evaluation 0..): five sets of six seeds from 200, 300, .., 600
 * by default. CHORDS with DPM-Solver++ 2M cores and the shift history on the 64-D flow mixture (component scale
 * 0.3); per configuration and predictor: the first core hit's error over the target and the rounds from which the
 * mean error stays at or below the target (sequential 2M at 50 uniform steps on the same seeds), per set.
 * exp:frontier fixes its CHORDS families' predictor from this table.
 *   npm run exp:spawn [-- --quick] [--sets=5 --seeds=6 --n=16]
 */
import { initBackend } from '../src/backend.ts';
import { equalGapInit, initSequence, runChords, uniformInit } from '../src/chords/index.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { CHORDS_PREDICTORS, type ChordsPredictor } from '../src/names.ts';
import { dpmpp2m } from '../src/solvers/index.ts';
import { progress } from '../src/progress.ts';
import { count, parseFlags } from './lib/flags.ts';
import { finish } from './lib/output.ts';
import { curveOf, disposeSet, mixtureSet, reach, sequentialTarget } from './lib/mixture-set.ts';

const f = parseFlags(
  'spawn',
  { sets: 5, seeds: 6, n: 16, quiet: false },
  { sets: 2, seeds: 2, n: 8 },
  { rules: { sets: count(9), seeds: count(99), n: count(4096) } },
);
await initBackend();

/** The configurations: exp:frontier's CHORDS choices and the paper's preset shape, with 2M cores. */
const CONFIGS = [
  { K: 8, T: 36, grid: 'shift 2', init: equalGapInit({ cores: 8, steps: 36 }), family: 'equal 4' },
  { K: 8, T: 44, grid: 'shift 3', init: uniformInit({ cores: 8, steps: 44, lastStart: 0.75 }), family: 'uniform 0.75' },
  { K: 8, T: 50, grid: 'shift 3', init: initSequence({ cores: 8, steps: 50 }), family: 'preset' },
  { K: 4, T: 36, grid: 'shift 2', init: equalGapInit({ cores: 4, steps: 36 }), family: 'equal' },
  { K: 4, T: 36, grid: 'shift 2.5', init: initSequence({ cores: 4, steps: 36 }), family: 'shaped' },
];

const sets = Array.from({ length: f.sets }, (_, s) => Array.from({ length: f.seeds }, (_, i) => 200 + 100 * s + i));
const rows: Record<string, unknown>[] = [];
const bar = progress({ label: 'spawn', total: sets.length * CONFIGS.length, quiet: f.quiet });
let done = 0;
const cells = new Map<string, { first: string[]; reach: (number | undefined)[] }>();
for (const seeds of sets) {
  const p = await mixtureSet(0.3, seeds, f.n);
  const target = await sequentialTarget(p);
  rows.push({ kind: 'target', seeds, target });
  for (const c of CONFIGS) {
    const config = `K ${c.K}, T ${c.T}, ${c.grid}, ${c.family} ${c.init.join('-')}`;
    for (const predictor of CHORDS_PREDICTORS) {
      const run = (task: Parameters<typeof runChords>[0]) =>
        runChords(task, { init: c.init, fine: dpmpp2m, history: 'shift', predictor: predictor as ChordsPredictor });
      const curve = await curveOf(run, c.grid, c.T, p, (m) => batchedExecutor(m));
      const first = curve.find((q) => q.round > c.K); // the coarse shot (hit 0, round K) is not a core's hit
      const hit = reach(curve, target);
      rows.push({
        kind: 'summary',
        seeds: `${seeds[0]}-${seeds[seeds.length - 1]}`,
        config,
        predictor,
        firstHit: first?.round,
        firstHitToTarget: first && first.error / target,
        roundsToTarget: hit?.round,
      });
      const cell = cells.get(`${config}|${predictor}`) ?? { first: [], reach: [] };
      cell.first.push(first ? `${first.round} (${(first.error / target).toFixed(2)})` : '-');
      cell.reach.push(hit?.round);
      cells.set(`${config}|${predictor}`, cell);
    }
    bar.tick(++done, config);
  }
  disposeSet(p);
}
bar.done();
const head = ['configuration', 'predictor', 'first hit (x target), per set', 'rounds to target, per set', 'mean'];
const table = [...cells].map(([k, v]) => {
  const [config, predictor] = k.split('|');
  const met = v.reach.filter((r): r is number => r !== undefined);
  const mean = met.length === v.reach.length ? (met.reduce((a, b) => a + b, 0) / met.length).toFixed(1) : '-';
  return [config, predictor, v.first.join(', '), v.reach.map((r) => r ?? 'never').join(', '), mean];
});
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(
  `CHORDS 2M (shift history) on mixture 0.3, ${f.sets} sets of ${f.seeds} seeds from 200, n = ${f.n} per seed`,
);
console.log(
  'rounds from which the mean error stays at or below sequential 2M-50 uniform; first hit: round (error / target)',
);
console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n'));
await finish('spawn', { ...f, sets: sets.map((s) => s.join(',')) }, rows);
