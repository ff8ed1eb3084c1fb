/**
 * frontier: error against latency in rounds on the Gaussian mixture: sequential solvers (euler, heun,
 * dpmpp-2m, dpmpp-3m) at many step counts, next to every intermediate result of CHORDS, ParaDiGMS
 * (with Euler, and with DPM-Solver++ 2M as its fine solver) and SRDS (T = 50, 4 and 8 cores). It shows
 * where parallel sampling beats simply taking fewer steps with a better solver.
 *   npm run exp:frontier [-- --quick --seeds=3]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { timeGrid } from '../src/diffusion/index.ts';
import { batchedExecutor } from '../src/executors/index.ts';
import { progress } from '../src/progress.ts';
import { SOLVER_NAMES, getSolver, sample } from '../src/solvers/index.ts';
import { count, int, intList, ints, listOf, parseFlags } from './lib/flags.ts';
import { qualityOf, runMethod, sequentialValues, type MethodName } from './lib/methods.ts';
import { finish } from './lib/output.ts';
import { mixtureProblem } from './lib/problems.ts';

const f = parseFlags(
  'frontier',
  { steps: 50, seeds: 3, n: 16, cores: '4,8', solvers: 'euler,heun,dpmpp-2m,dpmpp-3m', quiet: false },
  { seeds: 1, n: 8 },
  {
    rules: {
      steps: int(2, 10000),
      seeds: count(100),
      n: count(4096),
      cores: intList(2, 64),
      solvers: listOf(SOLVER_NAMES),
    },
  },
);
const solvers = f.solvers.split(','),
  coreList = ints(f.cores);
if (Math.max(...coreList) > f.steps)
  throw new Error(`--cores: got '${f.cores}'; allowed: at most --steps (${f.steps}) cores`);
await initBackend();
const stepCounts = [3, 5, 8, 10, 12, 15, 17, 20, 25, 30, 40, 50, 70, 100];
const methods: MethodName[] = ['chords', 'chords (dpmpp-2m fine)', 'paradigms', 'srds', 'srds (pipelined)'];
const bar = progress({
  total: f.seeds * (solvers.length + coreList.length * methods.length),
  label: 'frontier',
  quiet: f.quiet,
});
const rows: Record<string, unknown>[] = [];
let done = 0;
for (let seed = 0; seed < f.seeds; seed++) {
  const p = await mixtureProblem({ steps: f.steps, seed, n: f.n });
  const ex = batchedExecutor(p.model),
    seq = await sequentialValues(p, ex);
  for (const name of solvers) {
    for (const steps of stepCounts) {
      const r = await sample(getSolver(name), p.model, p.x, timeGrid(p.model.schedule!, { steps }));
      rows.push({
        model: 'mixture',
        seed,
        method: 'sequential',
        solver: name,
        steps,
        round: r.modelCalls,
        modelCalls: r.modelCalls,
        cores: 1,
        ...(await qualityOf(p, (await r.x.data()) as Float32Array, seq.values)),
      });
      tf.dispose(r.x);
    }
    bar.tick(++done);
  }
  for (const cores of coreList)
    for (const method of methods) {
      const { all } = await runMethod(p, { method, cores }, ex, seq.values, { allHits: true });
      all.forEach((r, hit) =>
        rows.push({ model: 'mixture', seed, solver: 'euler', steps: f.steps, variant: `${cores} cores`, hit, ...r }),
      );
      bar.tick(++done);
    }
  p.dispose();
}
bar.done();
await finish('frontier', f, rows);
