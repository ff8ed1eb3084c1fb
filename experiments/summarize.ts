/**
 * exp:summary: markdown tables from results/*.json (as pasted into the README): speedup and quality
 * per model, method and cores; CHORDS hits against T; the init-sequence comparisons; the frontier.
 *   npm run exp:summary
 */
import { existsSync } from 'node:fs';
import { readResults } from '../src/plots/index.ts';
import { parseFlags } from './lib/flags.ts';

parseFlags('summary', {}, {}, { rules: {} }); // no flags: anything given is an error

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
if (existsSync('results/frontier.json')) {
  const r = readResults('results/frontier.json');
  const rows = r.rows as Row[];
  console.log(`### Frontier (npm run exp:frontier; ${r.config.seeds} seeds x ${r.config.n} samples)\n`);
  const front = (p: unknown, t: string) => rows.find((x) => x.kind === 'table' && x.problem === p && x.target === t);
  for (const problem of [...new Set(rows.filter((x) => x.kind === 'table').map((x) => x.problem))]) {
    const target = (t: string) => rows.find((x) => x.kind === 'target' && x.problem === problem && x.target === t);
    const head = (t: string) =>
      `${t} error ${Number(target(t)?.relErrorToReference).toExponential(2)} ` +
      `(frontier: ${front(problem, t)?.frontierRounds} rounds, ${front(problem, t)?.frontierSolver})`;
    console.log(`**${problem}**: ${head('2M-50')}, ${head('2M-20')}\n`);
    const Ks = [...new Set(rows.filter((x) => x.kind === 'table').map((x) => Number(x.K)))].sort((a, b) => a - b);
    const kHead = Ks.map((K, i) => (i ? `K = ${K}` : `K = ${K}: rounds to 2M-50 / to 2M-20 (speedup)`));
    console.log(`| method | ${kHead.join(' | ')} | model calls to 2M-50, K = ${Ks[Ks.length - 1]} |`);
    console.log(`|---|${Ks.map(() => '---|').join('')}---|`);
    const table = rows.filter((x) => x.kind === 'table' && x.problem === problem);
    for (const method of [...new Set(table.map((x) => x.method))]) {
      const cell = (K: number, t: string) => {
        const x = table.find((y) => y.method === method && y.K === K && y.target === t);
        return x?.rounds === undefined || x?.rounds === null ? '-' : `${x.rounds} (${fmt(Number(x.speedup))}x)`;
      };
      const last = table.find((y) => y.method === method && y.K === Ks[Ks.length - 1] && y.target === '2M-50');
      const calls = last?.modelCalls === undefined || last?.modelCalls === null ? '-' : fmt(Number(last.modelCalls), 0);
      console.log(
        `| ${method} | ${Ks.map((K) => `${cell(K, '2M-50')} / ${cell(K, '2M-20')}`).join(' | ')} | ${calls} |`,
      );
    }
    console.log();
  }
  for (const x of rows.filter((y) => y.kind === 'choice'))
    console.log(`- K = ${x.K}, ${x.method}: ${x.config} (best of ${x.candidates})`);
  for (const x of rows.filter((y) => y.kind === 'wall'))
    console.log(
      `- wall, DiT, K = 2: ${x.method} ${fmt(Number(x.parallelMs), 0)} ms on 2 workers vs ${x.sequential} ` +
        `${fmt(Number(x.sequentialMs), 0)} ms on the main thread: ${fmt(Number(x.ratio))}x`,
    );
}
if (existsSync('results/alignment.json')) {
  const r = readResults('results/alignment.json');
  const rows = (r.rows as Row[]).filter((x) => x.kind === 'summary');
  const sets = [...new Set(rows.map((x) => String(x.set)))];
  console.log(
    `\n### CHORDS init sequences, fresh vs stale rectification points (npm run exp:alignment; ${r.config.K} cores, ` +
      `T = ${r.config.T}, ${r.config.grid}, ${r.config.seeds} seeds per set)\n`,
  );
  console.log(`| init | stale / all | ${sets.map((s) => `${s}: first hit (x target) | to target`).join(' | ')} |`);
  console.log(`|---|---|${sets.map(() => '---|---|').join('')}`);
  for (const [, rs] of group(rows, ['sequence'])) {
    const cells = sets.map((s) => {
      const x = rs.find((y) => y.set === s);
      const first = x?.firstHit === undefined ? '-' : `${x.firstHit} (${fmt(Number(x.firstHitToTarget))})`;
      return `${first} | ${x?.roundsToTarget ?? 'never'}`;
    });
    console.log(
      `| ${rs[0].sequence} | ${rs[0].stale} / ${Number(rs[0].stale) + Number(rs[0].fresh)} | ${cells.join(' | ')} |`,
    );
  }
}
if (existsSync('results/spawn.json')) {
  const r = readResults('results/spawn.json');
  const rows = (r.rows as Row[]).filter((x) => x.kind === 'summary');
  console.log(
    `\n### A spawned CHORDS core's first value (npm run exp:spawn; 2M cores, shift history, ` +
      `${(r.config.sets as unknown[]).length} sets of ${r.config.seeds} seeds from 200)\n`,
  );
  console.log('| configuration | predictor | first hit (x target), per set | rounds to target, per set | mean |');
  console.log('|---|---|---|---|---|');
  for (const [, rs] of group(rows, ['config', 'predictor'])) {
    const first = rs.map((x) => (x.firstHit == null ? '-' : `${x.firstHit} (${fmt(Number(x.firstHitToTarget))})`));
    const reach = rs.map((x) => x.roundsToTarget ?? 'never');
    const met = rs.every((x) => typeof x.roundsToTarget === 'number');
    console.log(
      `| ${rs[0].config} | ${rs[0].predictor} | ${first.join(', ')} | ${reach.join(', ')} | ` +
        `${met ? fmt(num(rs, 'roundsToTarget'), 1) : '-'} |`,
    );
  }
}
