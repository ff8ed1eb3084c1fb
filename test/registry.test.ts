import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../src/cli/main.ts';
import { roundMeter } from '../src/sampling/meter.ts';
import {
  FINE_FLAG,
  asMethodResult,
  getMethod,
  methodNames,
  readFine,
  registerMethod,
  unregisterMethod,
  type Method,
} from '../src/sampling/index.ts';
import { euler, type Solver } from '../src/solvers/index.ts';
import { Trajectory } from '../src/solvers/trajectory.ts';
import { noLeak, throwsWith } from './helpers.ts';

/**
 * A toy method known only here: `copies` identical sequential trajectories evaluated side by side in
 * one round each (width = copies). Its hits are the copies' samples, so every hit equals the sequential one.
 */
const toy: Method<{ fine: Solver; copies: number }> = {
  name: 'toy-copies',
  summary: 'A test method: identical sequential trajectories, side by side.',
  flags: {
    copies: { type: 'string', default: '2', help: 'number of identical trajectories (1..8)' },
    'fine-solver': FINE_FLAG,
  },
  defaults: (_T, width = 2) => ({ fine: euler, copies: width }),
  fromFlags: (read) => ({ fine: readFine(read), copies: read.int('copies', 1, 8) }),
  width: (_T, o) => o.copies,
  async run(task, o) {
    const meter = roundMeter(task.executor);
    const paths = Array.from(
      { length: o.copies },
      () => new Trajectory(o.fine, task.param, task.grid, { x: task.x, i: 0 }),
    );
    let round = 0;
    while (paths[0].i + 1 < task.grid.length) {
      const outs = await meter.evaluate(
        paths.map((p) => p.request()),
        (j) => `copy ${j}`,
      );
      paths.forEach((p, j) => p.receive(outs[j]));
      for (const p of paths) if (p.ready) p.finish();
      meter.endRound(++round, 0);
    }
    const progress = meter.progress();
    const hits = paths.map((p, index) => ({ index, round, ...progress, x: p.take() }));
    return asMethodResult({ ...meter.totals(), hits, sample: hits[hits.length - 1].x });
  },
  describe: (o) => ({ label: `toy ${o.copies} copies`, config: { copies: o.copies } }),
};

async function runJson(argv: string[]): Promise<Record<string, any>> {
  let text = '';
  await main(argv, (s) => (text += s));
  return JSON.parse(text);
}

test('a method registered outside src runs through chords run with its own options, help and errors', async () => {
  registerMethod(toy);
  try {
    assert.ok(methodNames().includes('toy-copies'));
    const base = ['run', '--model', 'mixture', '--dim', '4', '--steps', '6', '--json'];
    const r = await noLeak(() => runJson([...base, '--method', 'toy-copies', '--copies', '3', '--values']));
    assert.is(r.config.method, 'toy-copies');
    assert.is(r.config.copies, 3);
    assert.is(r.rounds, 6);
    assert.is(r.modelCalls, 18);
    assert.is(r.hits.length, 3);
    for (const h of r.hits) assert.equal(h.values, r.sequential.values);
    let help = '';
    await main(['run', '--method', 'toy-copies', '--help'], (s) => (help += s));
    assert.match(help, /identical sequential trajectories/);
    assert.match(help, /--copies <value>\s+number of identical trajectories/);
    await throwsWith(() => main(['run', '--method', 'toy-copies', '--copies', '9']), /--copies: got '9'/);
    await throwsWith(() => main(['run', '--copies', '2']), /--copies belongs to --method toy-copies, not chords/);
    await throwsWith(() => registerMethod(toy), /already registered/);
  } finally {
    unregisterMethod('toy-copies');
  }
  await throwsWith(() => main(['run', '--method', 'toy-copies']), /--method: unknown value 'toy-copies'/);
  assert.throws(() => getMethod('toy-copies'), /unknown method/);
});

test(
  'every built-in method reaches the sequential sample at tolerance 0 / to completion, from typed ' + 'defaults',
  async () => {
    const { buildProblem, score } = await import('../src/problems/index.ts');
    const { batchedExecutor } = await import('../src/executors/index.ts');
    const p = await buildProblem({ model: 'mixture', steps: 12, n: 2, seed: 1, dim: 4 });
    const task = { executor: batchedExecutor(p.model), param: p.model, grid: p.grid, x: p.x };
    const seq = getMethod('sequential');
    const converges = (name: string) => name.startsWith('srds') || ['paradigms', 'picard', 'parataa'].includes(name);
    for (const name of methodNames()) {
      const m = getMethod(name);
      const o = { ...m.defaults(12, 3), ...(converges(name) ? { tolerance: 0 } : {}) };
      assert.is(m.width(12, o), name === 'sequential' ? 1 : 3, name);
      // the sequential run of the method's own solver (picard's default is dpmpp-2m)
      const want = await seq.run(task, { ...seq.defaults(12), fine: o.fine });
      const wantValues = want.sample.dataSync() as Float32Array;
      tf.dispose(want.hits.map((h) => h.x));
      await noLeak(async () => {
        const r = await m.run(task, o);
        const s = await score(p, (await r.sample.data()) as Float32Array, wantValues);
        assert.ok(s.rmseToSequential! < 1e-6, `${name}: ${s.rmseToSequential}`);
        assert.ok(typeof m.describe(o).label === 'string');
        // partial options: a one-line error naming what is missing, not a TypeError from inside describe
        const { fine: _fine, ...partial } = o;
        await throwsWith(
          () => m.describe(partial as typeof o),
          new RegExp(`^${name}: describe needs every option; missing: fine;`),
        );
        tf.dispose(r.hits.map((h) => h.x));
      });
    }
    p.dispose();
  },
);

test.run();
