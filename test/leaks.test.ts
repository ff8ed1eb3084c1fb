import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runSequential } from '../src/methods/index.ts';
import { disposeResult, runChords } from '../src/chords/index.ts';
import {
  PREDICTIONS,
  coeffsAt,
  coeffsPerSample,
  convertPrediction,
  getSchedule,
  timeGrid,
} from '../src/diffusion/index.ts';
import { psnr } from '../src/metrics/index.ts';
import { buildModel, gaussianModel, linearToyModel, randomMixture } from '../src/models/index.ts';
import { processesExecutor, workersExecutor } from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { JUMPS, SOLVERS } from '../src/solvers/index.ts';
import { noLeak } from './helpers.ts';

test('no leaks: conversions, jumps, analytic predicts (each caller-owned result disposed)', async () => {
  const s = getSchedule('vp-cosine'),
    c = coeffsAt(s, 0.4);
  const x = tf.tensor2d(Float32Array.from(normals(8, 1)), [2, 4]),
    out = tf.tensor2d(Float32Array.from(normals(8, 2)), [2, 4]);
  for (const a of PREDICTIONS)
    for (const b of PREDICTIONS) await noLeak(() => tf.tidy(() => convertPrediction(a, b, out, x, c)).dispose());
  await noLeak(() => {
    const t = tf.tensor1d([0.2, 0.5]);
    tf.dispose(Object.values(coeffsPerSample(s, t, 2)));
    t.dispose();
  });
  const g = gaussianModel({ schedule: s, mean: [0, 1, 0, 1], scale: 0.5 }),
    toy = linearToyModel(4);
  for (const jump of Object.values(JUMPS)) await noLeak(() => tf.tidy(() => jump(g, x, out, 0.4, 0.3)).dispose());
  await noLeak(() => tf.tidy(() => g.predict(x, tf.tensor1d([0.3, 0.3]))).dispose());
  await noLeak(() => tf.tidy(() => toy.predict(x, tf.tensor1d([1, 2]))).dispose());
  tf.dispose([x, out]);
  g.dispose();
  toy.dispose();
});

test(
  'no leaks from whole runs on the worker and process executors (outputs come back as caller-owned ' + 'tensors)',
  async () => {
    const spec = { kind: 'mixture' as const, schedule: 'flow', mixture: randomMixture({ dim: 4, components: 2 }) };
    const model = await buildModel(spec),
      grid = timeGrid(getSchedule('flow'), { steps: 10 });
    const x = tf.tensor2d(Float32Array.from(normals(8, 1)), [2, 4]);
    for (const ex of [await workersExecutor({ spec, workers: 2 }), await processesExecutor({ spec, processes: 2 })]) {
      await noLeak(async () =>
        disposeResult(
          await runChords({ executor: ex, param: model, grid, x }, { init: [0, 3, 6], fine: SOLVERS.heun }),
        ),
      );
      await noLeak(async () => disposeResult(await runSequential({ executor: ex, param: model, grid, x })));
      await ex.close();
    }
    x.dispose();
    model.dispose();
  },
);

test('PSNR: infinite for equal images, 20 log10(range / rmse) otherwise', () => {
  assert.is(psnr([1, 2], [1, 2]), Infinity);
  assert.ok(Math.abs(psnr([0, 0], [0.2, -0.2]) - 20 * Math.log10(2 / 0.2)) < 1e-12);
});

test.run();
