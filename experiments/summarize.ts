/**
 * exp:summary: markdown tables from results/*.json (as pasted into the README): speedup and quality
 * per model, method and cores; CHORDS hits against T; the init-sequence comparison.
 *   npm run exp:summary
 */
import { existsSync } from 'node:fs';
import { readResults } from '../src/plots/index.ts';

type Row = Record<string, number | string | null | undefined>;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const group = (rows: Row[], keys: string[]) => {
  const m = new Map<string, Row[]>();
  for (const r of rows) {
    const k = keys.map((q) => r[q]).join('|');
    m.set(k, [...(m.get(k) ?? []), r]);
  }
  return m;
};
const num = (rows: Row[], f: string) => mean(rows.map((r) => r[f]).filter((v): v is number => typeof v === 'number'));
const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '-');

if (existsSync('results/speedup.json')) {
  const r = readResults('results/speedup.json');
  console.log(
    `### Speedup (npm run exp:speedup; T = ${r.config.steps}, ${r.config.seeds} seeds; ${r.env.backend}, ` +
      `${r.env.cpus} CPUs, git ${r.env.gitRev})\n`,
  );
  console.log(
    '| model | method | cores | speedup (rounds) | speedup (wall, real cores) | rel. RMSE to sequential | quality |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [k, rs] of group(r.rows as Row[], ['model', 'method', 'cores'])) {
    const [model, method, cores] = k.split('|');
    const q =
      model === 'dit'
        ? `accuracy ${fmt(100 * num(rs, 'classAccuracy'), 0)}%, FD ${fmt(num(rs, 'frechetDistance'), 1)}`
        : `error to reference ${fmt(num(rs, 'relErrorToReference'), 4)}`;
    console.log(
      `| ${model} | ${method} | ${cores} | ${fmt(num(rs, 'speedupRounds'))} | ${fmt(num(rs, 'speedupWall'))} | ` +
        `${num(rs, 'relErrorToSequential').toExponential(1)} | ${q} |`,
    );
  }
  console.log();
}
if (existsSync('results/steps.json')) {
  const r = readResults('results/steps.json');
  console.log(
    `### CHORDS with ${r.config.cores} cores against T (npm run exp:steps; mixture, ${r.config.seeds} seeds)\n`,
  );
  console.log('| T | init | hit | round | speedup (rounds) | rel. RMSE to sequential |');
  console.log('|---|---|---|---|---|---|');
  for (const [, rs] of group(r.rows as Row[], ['steps', 'hit']))
    console.log(
      `| ${rs[0].steps} | ${rs[0].init} | ${rs[0].hit} | ${rs[0].round} | ${fmt(num(rs, 'speedupRounds'))} | ` +
        `${num(rs, 'relErrorToSequential').toExponential(1)} |`,
    );
  console.log();
}
if (existsSync('results/init-sequences.json')) {
  const r = readResults('results/init-sequences.json');
  console.log(
    `### Init sequences, first two core hits (npm run exp:init-sequences; mixture, T = ${r.config.steps}, ` +
      `${r.config.seeds} seeds)\n`,
  );
  console.log('| cores | sequence | first hit: round, rel. RMSE to sequential | second hit: round, rel. RMSE |');
  console.log('|---|---|---|---|');
  for (const [, rs] of group(r.rows as Row[], ['cores', 'sequence'])) {
    const h = (j: number) => {
      const s = rs.filter((x) => x.hit === j);
      return `${s[0]?.round}, ${num(s, 'relErrorToSequential').toExponential(1)}`;
    };
    console.log(`| ${rs[0].cores} | ${rs[0].sequence} | ${h(1)} | ${h(2)} |`);
  }
}
