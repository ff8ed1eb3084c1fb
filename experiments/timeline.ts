/**
 * timeline: a core-by-round diagram of one CHORDS run (8 cores, T = 50 by default): which core
 * evaluates which step in each round, where rectifications and hits happen. Pure plan data.
 *   npm run exp:timeline [-- --steps=50 --init=0-2-4-8-16-24-32-40]
 */
import { initSequence, parseInit, planChords, validateInit } from '../src/chords/index.ts';
import { count, int, parseFlags, text } from './lib/flags.ts';
import { finish } from './lib/output.ts';

const f = parseFlags(
  'timeline',
  { steps: 50, cores: 8, init: '' },
  {},
  { rules: { steps: count(10000), cores: int(1, 64), init: text() } },
);
const init = f.init ? parseInit(f.init) : initSequence({ cores: f.cores, steps: f.steps });
validateInit(init, f.steps);
const rows: Record<string, unknown>[] = [];
for (const r of planChords({ steps: f.steps, init })) {
  for (const e of r.evals) rows.push({ event: 'eval', core: e.core, round: r.round, i: e.i });
  for (const op of r.ops)
    if (op.kind === 'rectify') rows.push({ event: 'rectify', core: op.core, round: r.round, i: op.i + 1 });
  for (const h of r.hits)
    rows.push({ event: h.kind === 'core' ? 'hit' : 'shoot', core: h.core, round: r.round, i: f.steps });
}
await finish('timeline', { ...f, init: init.join('-') }, rows);
