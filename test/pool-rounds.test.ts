/** Pool rounds: the finiteness of outputs read from the values as they arrive (no kernels), and a profiled round. */
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runChords } from '../src/chords/index.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { buildModel, randomMixture, type ModelSpec } from '../src/models/index.ts';
import { processesExecutor, workersExecutor } from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { noLeak, throwsWith } from './helpers.ts';

const spec: ModelSpec = {
  kind: 'mixture',
  schedule: 'flow',
  mixture: randomMixture({ dim: 8, components: 4, seed: 2 }),
};
const grid = timeGrid(getSchedule('flow'), { steps: 20 });

for (const kind of ['workers', 'processes'] as const)
  test(`${kind}: a NaN output fails the run naming its round and core, with no tensor left`, async () => {
    const faulty: ModelSpec = { kind: 'faulty', inner: spec, after: 3, fault: 'nan' };
    const ex =
      kind === 'workers'
        ? await workersExecutor({ spec: faulty, workers: 2 })
        : await processesExecutor({ spec: faulty, processes: 2 });
    const model = await buildModel(spec),
      x = tf.tensor2d(Float32Array.from(normals(8, 1)), [1, 8]);
    try {
      await noLeak(() =>
        throwsWith(
          () => runChords({ executor: ex, param: model, grid, x }, { init: [0, 8] }),
          /round \d+, core \d, step \d+/,
          /model output is not finite \(NaN or Inf\)/,
        ),
      );
    } finally {
      await ex.close();
      x.dispose();
      model.dispose();
    }
  });

test('workers: the flags a round reports are the outputs own finiteness; profiled and plain rounds agree', async () => {
  const profiled = await workersExecutor({ spec, workers: 2, profile: true }),
    plain = await workersExecutor({ spec, workers: 2 });
  const xs = [0, 1, 2].map((k) => tf.tensor2d(Float32Array.from(normals(16, k)), [2, 8]));
  try {
    for (let round = 0; round < 5; round++) {
      const reqs = xs.map((x, k) => ({ x, t: 0.9 - 0.1 * round - 0.05 * k }));
      const a = await profiled.evaluate(reqs),
        b = await plain.evaluate(reqs);
      const va = a.outputs.map((o) => o.dataSync()),
        vb = b.outputs.map((o) => o.dataSync());
      va.forEach((v, j) => assert.equal(Array.from(v), Array.from(vb[j]), `round ${round}, request ${j}`));
      assert.equal(
        a.finite,
        va.map((v) => v.every(Number.isFinite)),
      );
      const s = a.timings.stagesMs!;
      for (const key of ['readInputs', 'post', 'memberInput', 'memberModel', 'memberRead', 'transit', 'outputs'])
        assert.ok(s[key] >= 0 && s[key] <= a.timings.wallMs, `${key} = ${s[key]} within the round's wall time`);
      assert.ok(s.memberInput + s.memberModel + s.memberRead <= a.timings.computeMs + 1e-6);
      assert.is(b.timings.stagesMs, undefined);
      tf.dispose([...a.outputs, ...b.outputs]);
    }
    // an empty round is no error, for either
    for (const ex of [profiled, plain]) {
      const e = await ex.evaluate([]);
      assert.equal(e.outputs, []);
      assert.equal(e.finite, []);
    }
  } finally {
    await profiled.close();
    await plain.close();
    tf.dispose(xs);
  }
});

test.run();
