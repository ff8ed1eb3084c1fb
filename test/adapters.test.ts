import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chords, disposeResult } from '../src/chords/index.ts';
import { denoise, getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { digitBatch } from '../src/data/index.ts';
import { classify, initClassifier, sampleQuality, realStats } from '../src/metrics/index.ts';
import { buildModel, loadTfjsModel, mixtureModel, randomMixture } from '../src/models/index.ts';
import { workersExecutor } from '../src/executors/index.ts';
import { normals } from '../src/random.ts';
import { euler, sample } from '../src/solvers/index.ts';
import { noLeak, throwsWith } from './helpers.ts';

/** A small two-input layers model (x, t) -> velocity, saved to disk in the tfjs format. */
async function savedUserModel(dir: string): Promise<tf.LayersModel> {
  const xin = tf.input({ shape: [4] }),
    tin = tf.input({ shape: [1] });
  const h = tf.layers
    .dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ seed: 1 }) })
    .apply(tf.layers.concatenate().apply([xin, tin]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 4, kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) })
    .apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [xin, tin], outputs: out });
  await model.save(
    tf.io.withSaveHandler(async (art) => {
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(art.weightData as ArrayBuffer));
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({
          modelTopology: art.modelTopology,
          format: art.format,
          generatedBy: art.generatedBy,
          weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return model;
}

test(
  "a user's tfjs model from disk: same outputs as the original, samples with CHORDS, runs in workers, no " + 'leaks',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'user-model-'));
    const original = await savedUserModel(dir);
    const mine = await loadTfjsModel(dir, { prediction: 'velocity', schedule: 'flow' });
    const x = tf.tensor2d(Float32Array.from(normals(12, 1)), [3, 4]),
      t = tf.tensor1d([0.9, 0.5, 0.1]);
    const want = tf.tidy(() => (original.predict([x, tf.reshape(t, [-1, 1])]) as tf.Tensor).dataSync());
    const got = tf.tidy(() => mine.predict(x, t).dataSync());
    assert.equal(Array.from(got), Array.from(want));
    const grid = timeGrid(getSchedule('flow'), { steps: 12 });
    // the x input's shape [null, 4] gives the sample shape: another width is refused before any model call
    assert.equal(mine.sampleShape, [4]);
    const wide = tf.zeros([3, 5]);
    await noLeak(() =>
      throwsWith(() => sample(euler, mine, wide, grid), /sample: x has shape \[3, 5\]; allowed: \[n, 4\]/),
    );
    wide.dispose();
    const seq = await sample(euler, mine, x, grid);
    await noLeak(async () => {
      const r = await chords(mine, x, grid, { init: [0, 3, 6] });
      assert.equal(Array.from(r.sample.dataSync()), Array.from(seq.x.dataSync()));
      disposeResult(r);
    });
    const pool = await workersExecutor({
      spec: { kind: 'tfjs', path: dir, prediction: 'velocity', schedule: 'flow' },
      workers: 2,
    });
    const {
      outputs: [o],
    } = await pool.evaluate([{ x, t: 0.5 }]);
    const local = tf.tidy(() => mine.predict(x, tf.fill([3], 0.5) as tf.Tensor1D).dataSync());
    Array.from(o.dataSync()).forEach((v, j) => assert.ok(Math.abs(v - local[j]) < 1e-6));
    await pool.close();
    await throwsWith(
      () => loadTfjsModel(join(dir, 'missing'), { prediction: 'velocity', schedule: 'flow' }),
      /no model.json/,
    );
    await throwsWith(
      () => loadTfjsModel(dir, { prediction: 'score' as never, schedule: 'flow' }),
      /eps, x0, v, velocity/,
    );
    await throwsWith(
      () => buildModel({ kind: 'tfjs', path: dir, prediction: 'velocity', schedule: 'cosine' }),
      /unknown schedule 'cosine'/,
    );
    tf.dispose([x, t, seq.x, o]);
    original.dispose();
    mine.dispose();
    rmSync(dir, { recursive: true });
  },
);

test(
  'no leaks from denoise(), the classifier and the quality metric; quality sees real digits as perfect and noise ' +
    'as hopeless',
  async () => {
    const schedule = getSchedule('vp-linear'),
      m = mixtureModel(schedule, randomMixture({ dim: 3, components: 2 }));
    const x = tf.tensor2d([[0.1, 0.2, 0.3]]),
      t = tf.tensor1d([0.4]);
    await noLeak(() => denoise(m, x, t).dispose());
    const p = initClassifier(1);
    const real = digitBatch(40, 3);
    const imgs = tf.tensor2d(real.images, [40, 256]);
    await noLeak(() => {
      const r = classify(p, imgs);
      r.logits.dispose();
      r.features.dispose();
    });
    imgs.dispose();
    const stats = await realStats(p, 200, 5);
    const qReal = await noLeak(() => sampleQuality(p, real.images, real.labels, stats));
    const qNoise = await sampleQuality(p, Float32Array.from(normals(40 * 256, 9)), real.labels, stats);
    assert.ok(qNoise.frechetDistance! > qReal.frechetDistance!, 'noise is further from real digits than real digits');
    tf.dispose([x, t, ...Object.values(p)]);
    m.dispose();
  },
);

test.run();
