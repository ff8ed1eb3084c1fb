/**
 * alignment: do CHORDS init sequences hit sooner when every rectification uses a fresh point of the slower core?
 * CHORDS with DPM-Solver++ 2M cores and the shift history (--fine, --history) on the 64-D flow mixture (component
 * scale 0.3): the error-vs-rounds curve of every init sequence on two seed sets (held-out 100.., evaluation 0..),
 * against the error of sequential 2M at 50 uniform steps on the same set (exp:frontier's target). Sequences:
 * initFamilies(K, T) (preset shape, rounded uniform starts, equal gaps) and the equal-gap sequence with one interior
 * start moved by one (same last two starts). For each: how many rectifications compare against a stale point of
 * the slower core (rectificationSources), the first hit, and the rounds from which the mean error stays at or below
 * the target.
 *   npm run exp:alignment [-- --quick] [--steps=36 --grid='shift 2' --cores=8 --fine=dpmpp-2m --history=shift --n=16]
 */
import { initBackend } from '../src/backend.ts';
import {
  HISTORY_RULES,
  equalGapInit,
  initFamilies,
  planChords,
  rectificationSources,
  runChords,
  type HistoryRule,
  type NamedInit,
} from '../src/chords/index.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { SOLVERS, callsAt, type SolverName } from '../src/solvers/index.ts';
import { progress } from '../src/progress.ts';
import { count, int, oneOf, parseFlags } from './lib/flags.ts';
import { finish } from './lib/output.ts';
import { GRIDS, curveOf, disposeSet, gridOf, mixtureSet, reach, sequentialTarget } from './lib/mixture-set.ts';

const f = parseFlags(
  'alignment',
  { steps: 36, grid: 'shift 2', cores: 8, fine: 'dpmpp-2m', history: 'shift', n: 16, seeds: 6, quiet: false },
  { n: 8, seeds: 2 },
  {
    rules: {
      steps: int(8, 1000),
      grid: oneOf(Object.keys(GRIDS)),
      cores: int(3, 32),
      fine: oneOf(Object.keys(SOLVERS)),
      history: oneOf(HISTORY_RULES),
      n: count(4096),
      seeds: count(100),
    },
  },
);
const { steps: T, grid, cores: K } = f;
if (K > T / 2) throw new Error(`--cores: got ${K}; allowed: at most --steps / 2 = ${Math.floor(T / 2)} (gaps of 2)`);
await initBackend();

/** The sequences: the families, then the equal-gap one with interior start j moved by -1 or +1. */
function sequences(): NamedInit[] {
  const out = initFamilies(K, T);
  const base = equalGapInit({ cores: K, steps: T, lastStart: 0.75 });
  for (const j of [K - 4, K - 3])
    for (const by of [-1, 1]) {
      const init = base.map((v, k) => (k === j ? v + by : v));
      if (!out.some((s) => s.init.join('-') === init.join('-')))
        out.push({ family: `equal ${base[1]}, start ${j} ${by > 0 ? '+1' : '-1'}`, init });
    }
  return out;
}

const sets = [
  { name: 'held-out', seeds: Array.from({ length: f.seeds }, (_, i) => 100 + i) },
  { name: 'evaluation', seeds: Array.from({ length: f.seeds }, (_, i) => i) },
];
const seqs = sequences();
const fine = SOLVERS[f.fine as SolverName];
const rows: Record<string, unknown>[] = [];
const bar = progress({ label: 'alignment', total: seqs.length * sets.length, quiet: f.quiet });
let done = 0;
const summary = new Map<string, string[]>();
for (const s of sets) {
  const p = await mixtureSet(0.3, s.seeds, f.n);
  const target = await sequentialTarget(p);
  rows.push({ kind: 'target', set: s.name, seeds: s.seeds, target });
  for (const q of seqs) {
    // the plan runChords makes: the fine solver's model calls per step on this grid (one for 2M)
    const calls = (i: number, start: number) => callsAt(fine, p.instances[0].model, gridOf(grid, T), i, start);
    const src = rectificationSources(planChords({ steps: T, init: q.init, calls }));
    const stale = src.filter((r) => r.source === 'stale').length;
    const curve = await curveOf(
      (task) => runChords(task, { init: q.init, fine, history: f.history as HistoryRule }),
      grid,
      T,
      p,
      (m) => batchedExecutor(m),
    );
    const sequence = `${q.family} ${q.init.join('-')}`;
    for (const c of curve)
      rows.push({
        kind: 'curve',
        set: s.name,
        sequence,
        stale,
        round: c.round,
        relErrorToReference: c.error,
        errorToTarget: c.error / target,
      });
    // the coarse shot (hit 0, round K) is not a core's hit
    const first = curve.find((c) => c.round > K);
    const hit = reach(curve, target);
    rows.push({
      kind: 'summary',
      set: s.name,
      sequence,
      stale,
      fresh: src.length - stale,
      firstHit: first?.round,
      firstHitToTarget: first && first.error / target,
      roundsToTarget: hit?.round,
    });
    const cells = summary.get(sequence) ?? [q.family, q.init.join('-'), `${stale} / ${src.length}`];
    cells.push(
      first ? `${first.round} (${(first.error / target).toFixed(2)})` : '-',
      hit ? String(hit.round) : 'never',
    );
    summary.set(sequence, cells);
    bar.tick(++done, `${s.name} ${sequence}`);
  }
  disposeSet(p);
}
bar.done();
const table = [...summary.values()];

const head = [
  'family',
  'init',
  'stale / all',
  ...sets.flatMap((s) => [`${s.name}: first hit (x target)`, 'to target']),
];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(
  `CHORDS, ${f.fine} fine (${f.history} history), ${K} cores, T = ${T}, ${grid}, mixture 0.3, n = ${f.n} per seed`,
);
console.log(
  'rounds to the target (sequential 2M at 50 uniform steps on the same seeds); first hit: round (error / target)',
);
console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n'));
// other fine solvers or history rules write results/alignment-<fine>-<history>.* (the README shows the default)
const name = f.fine === 'dpmpp-2m' && f.history === 'shift' ? 'alignment' : `alignment-${f.fine}-${f.history}`;
await finish(name, { ...f, T, grid, K }, rows);
