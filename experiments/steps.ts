/**
 * steps: CHORDS with 8 cores (generator init) at T = 25, 50, 100 on the Gaussian mixture: the speedup
 * in rounds of the first, second and third core hits and their error (the paper reports the speedup
 * growing with T).   npm run exp:steps [-- --quick --seeds=3]
 */
import { initBackend } from '../src/backend.ts';
import { initSequence } from '../src/chords/index.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { progress } from '../src/progress.ts';
import { parseFlags } from './lib/flags.ts';
import { runMethod, sequentialValues } from './lib/methods.ts';
import { finish } from './lib/output.ts';
import { mixtureProblem } from './lib/problems.ts';

const f = parseFlags('steps', { seeds: 3, n: 16, cores: 8, stepsList: '25,50,100', quiet: false }, { seeds: 1, n: 8 });
await initBackend();
const rows: Record<string, unknown>[] = [],
  list = f.stepsList.split(',').map(Number);
const bar = progress({ total: f.seeds * list.length, label: 'steps', quiet: f.quiet });
let done = 0;
for (let seed = 0; seed < f.seeds; seed++)
  for (const steps of list) {
    const p = await mixtureProblem({ steps, seed, n: f.n });
    const ex = batchedExecutor(p.model),
      seq = await sequentialValues(p, ex);
    const init = initSequence({ cores: f.cores, steps });
    const { all } = await runMethod(p, { method: 'chords', cores: f.cores, init }, ex, seq.values, { allHits: true });
    all.slice(1, 4).forEach((r, j) =>
      rows.push({
        seed,
        steps,
        init: init.join('-'),
        hit: `core hit ${j + 1}`,
        speedupRounds: steps / r.round,
        ...r,
      }),
    );
    p.dispose();
    bar.tick(++done);
  }
bar.done();
await finish('steps', f, rows);
