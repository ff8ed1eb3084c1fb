import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSequential } from '../src/methods/index.ts';
import { disposeResult, runChords } from '../src/chords/index.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { buildModel, randomMixture, type ModelSpec } from '../src/models/index.ts';
import {
  batchedExecutor,
  processesExecutor,
  serialExecutor,
  workersExecutor,
  type Executor,
} from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { alive, gone, throwsWith } from './helpers.ts';

const spec: ModelSpec = {
  kind: 'mixture',
  schedule: 'flow',
  mixture: randomMixture({ dim: 8, components: 4, seed: 2 }),
};
const grid = timeGrid(getSchedule('flow'), { steps: 20 });

test('every executor gives the same CHORDS sample and the same sequential sample', async () => {
  const model = await buildModel(spec);
  const x = tf.tensor2d(Float32Array.from(normals(16, 3)), [2, 8]);
  const executors: Executor[] = [
    serialExecutor(model),
    batchedExecutor(model),
    await workersExecutor({ spec, workers: 2 }),
    await processesExecutor({ spec, processes: 2 }),
  ];
  const results: number[][] = [];
  for (const executor of executors) {
    const r = await runChords({ executor, param: model, grid, x }, { init: [0, 2, 5, 10] });
    const s = await runSequential({ executor, param: model, grid, x });
    results.push([...r.sample.dataSync(), ...s.sample.dataSync()]);
    if (executor.name === 'workers' || executor.name === 'processes') assert.ok(r.transferMs >= 0 && r.modelMs > 0);
    disposeResult(r);
    disposeResult(s);
    await executor.close();
  }
  for (const r of results.slice(1))
    r.forEach((v, j) => assert.ok(Math.abs(v - results[0][j]) <= 1e-6 * (1 + Math.abs(results[0][j]))));
  x.dispose();
  model.dispose();
});

test('more requests than members: each member evaluates its share as one batch, in order', async () => {
  const ex = await workersExecutor({ spec, workers: 2 }),
    model = await buildModel(spec);
  const xs = [0, 1, 2, 3, 4].map((k) => tf.tensor2d(Float32Array.from(normals(8, k)), [1, 8]));
  const { outputs: outs } = await ex.evaluate(xs.map((x, k) => ({ x, t: 0.1 + 0.15 * k })));
  outs.forEach((o, k) => {
    const want = tf.tidy(() => model.predict(xs[k], tf.tensor1d([0.1 + 0.15 * k])).dataSync());
    Array.from(o.dataSync()).forEach((v, j) => assert.ok(Math.abs(v - want[j]) < 1e-6));
  });
  await ex.close();
  tf.dispose([...xs, ...outs]);
  model.dispose();
});

test('two samplers sharing one pool at once: their rounds queue up, and each gets its own samples', async () => {
  const ex = await workersExecutor({ spec, workers: 2, timeoutMs: 20_000 }),
    model = await buildModel(spec);
  const xa = tf.tensor2d(Float32Array.from(normals(16, 5)), [2, 8]),
    xb = tf.tensor2d(Float32Array.from(normals(16, 6)), [2, 8]);
  const alone = async (x: tf.Tensor) => {
    const r = await runChords({ executor: batchedExecutor(model), param: model, grid, x }, { init: [0, 2, 4] });
    const v = Array.from(r.sample.dataSync());
    disposeResult(r);
    return v;
  };
  const [ra, rb] = await Promise.all([
    runChords({ executor: ex, param: model, grid, x: xa }, { init: [0, 2, 4] }),
    runSequential({ executor: ex, param: model, grid, x: xb }),
  ]);
  const wantA = await alone(xa);
  const seqB = await runSequential({ executor: batchedExecutor(model), param: model, grid, x: xb });
  const close = (got: tf.Tensor, want: ArrayLike<number>) =>
    Array.from(got.dataSync()).forEach((v, j) => assert.ok(Math.abs(v - want[j]) <= 1e-6 * (1 + Math.abs(want[j]))));
  close(ra.sample, wantA);
  close(rb.sample, seqB.sample.dataSync());
  [ra, rb, seqB].forEach(disposeResult);
  await ex.close();
  tf.dispose([xa, xb]);
  model.dispose();
});

for (const fault of ['throw', 'crash', 'exit'] as const) {
  test(
    `workers: a model that ${fault}s fails the run promptly, naming core and round; every worker ends; close() ` +
      `twice is safe`,
    async () => {
      const ex = await workersExecutor({ spec: { kind: 'faulty', inner: spec, after: 3, fault }, workers: 3 });
      const model = await buildModel(spec),
        x = tf.tensor2d(Float32Array.from(normals(8, 1)), [1, 8]);
      const t0 = performance.now();
      await throwsWith(
        () => runChords({ executor: ex, param: model, grid, x }, { init: [0, 4, 8] }),
        /round \d+, core \d, step \d+/,
        /worker \d/,
        fault === 'exit'
          ? /exited unexpectedly \(code 3\)/
          : fault === 'crash'
            ? /crashed/
            : /faulty model: failed on call 3/,
      );
      assert.ok(performance.now() - t0 < 10_000, 'rejected promptly');
      await ex.close();
      await ex.close();
      await throwsWith(() => ex.evaluate([{ x, t: 0.5 }]), /faulty|crashed|exited|closed/);
      x.dispose();
      model.dispose();
    },
  );
}

test(
  'processes: a child killed mid-run fails the run with its signal; no child is left behind; close() twice is ' +
    'safe',
  async () => {
    const ex = await processesExecutor({ spec, processes: 3 });
    assert.ok(ex.pids.every(alive));
    const model = await buildModel(spec),
      x = tf.tensor2d(Float32Array.from(normals(8, 1)), [1, 8]);
    await throwsWith(
      () =>
        runChords(
          { executor: ex, param: model, grid, x },
          {
            init: [0, 4, 8],
            onRound: (r) => {
              if (r.round === 4) process.kill(ex.pids[1], 'SIGKILL');
            },
          },
        ),
      /process 1 exited unexpectedly \(signal SIGKILL\)/,
      /round \d+, core 1/,
    );
    assert.ok(await gone(ex.pids), 'all children ended');
    await ex.close();
    await ex.close();
    x.dispose();
    model.dispose();
  },
);

test('processes: a model error ends every child; a clean close ends them too; each child gets its device', async () => {
  const bad = await processesExecutor({
    spec: { kind: 'faulty', inner: spec, after: 2, fault: 'throw' },
    processes: 2,
  });
  const model = await buildModel(spec),
    x = tf.tensor2d(Float32Array.from(normals(8, 1)), [1, 8]);
  await throwsWith(() => runSequential({ executor: bad, param: model, grid, x }), /process \d failed: faulty model/);
  assert.ok(await gone(bad.pids), 'every child ended after the model error');
  const good = await processesExecutor({
    spec: { kind: 'linear', dim: 1 },
    processes: 2,
    devices: [5, 7],
    backend: 'cpu',
  });
  assert.ok(good.startupMs > 0);
  await good.close();
  assert.ok(await gone(good.pids), 'every child ended after close()');
  x.dispose();
  model.dispose();
});

test('a spec that cannot be built fails the start-up with its error and ends every member', async () => {
  await throwsWith(
    () => workersExecutor({ spec: { kind: 'dit', path: '/nonexistent/dit', labels: [1] }, workers: 2 }),
    /worker \d failed: weights: no model.json/,
  );
  await throwsWith(
    () => processesExecutor({ spec: { kind: 'nope' } as unknown as ModelSpec, processes: 1 }),
    /unknown kind 'nope'/,
  );
  await throwsWith(() => workersExecutor({ spec, workers: 0 }), /size got 0/);
});

test.run();
