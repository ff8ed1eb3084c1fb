/**
 * API faults, per public sampler (sample(), chords() and every method in the registry, so a newly registered
 * method is covered too) on each in-process executor: a model that throws mid-run, a NaN start, a model
 * returning NaN, a bad grid, a model output of the wrong batch or width, an x that is not a batch of the model's
 * samples. Each is a clear error naming the method
 * (and the round and step where a model output is at fault), and tf.memory().numTensors is unchanged afterwards.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import {
  batchedExecutor,
  chords,
  disposeResult,
  euler,
  getMethod,
  getSchedule,
  methodNames,
  mixtureModel,
  randomMixture,
  runSequential,
  sample,
  serialExecutor,
  timeGrid,
  type Denoiser,
  type Executor,
} from '../src/index.ts';
import { noLeak, throwsWith } from './helpers.ts';

const schedule = getSchedule('flow');
const base = mixtureModel(schedule, randomMixture({ dim: 3, components: 2, seed: 1 }));
const grid = timeGrid(schedule, { steps: 8 });
const x0 = () => tf.tensor2d([0.3, -0.2, 0.5, 1.1, -0.7, 0.1], [2, 3]);

/** The mixture, with a fault from model call `after` on (1-based; a call is one predict). */
function faulty(fault: 'throw' | 'nan' | 'batch' | 'width', after = 3): Denoiser {
  let calls = 0;
  return {
    prediction: base.prediction,
    schedule: base.schedule,
    predict: (x, t) => {
      if (++calls < after) return base.predict(x, t);
      if (fault === 'throw') throw new Error('the model broke');
      return tf.tidy(() => {
        const y = base.predict(x, t);
        if (fault === 'nan') return tf.mul(y, NaN);
        if (fault === 'batch') return tf.slice(y, 0, 1);
        return tf.concat([y, y], 1);
      });
    },
  };
}

type Run = (model: Denoiser, x: tf.Tensor, g: readonly number[], ex: Executor) => Promise<{ hits: { x: tf.Tensor }[] }>;
/** [method name in messages, run, whether it calls the model directly (no executor)]. */
const SAMPLERS: [string, Run, boolean][] = [
  [
    'sample',
    async (m, x, g) => {
      const r = await sample(euler, m, x, g);
      return { hits: [{ x: r.x }] };
    },
    true,
  ],
  ['chords', (m, x, g) => chords(m, x, g, { init: [0, 2, 4] }), true],
  ...methodNames().map((name): [string, Run, boolean] => [
    name,
    (m, x, g, ex) => getMethod(name).run({ executor: ex, param: m, grid: g, x }, getMethod(name).defaults(8, 3)),
    false,
  ]),
];
const EXECUTORS: Record<string, (m: Denoiser) => Executor> = { serial: serialExecutor, batched: batchedExecutor };
const esc = (s: string) => s.replace(/[()]/g, '\\$&');

for (const [name, run, direct] of SAMPLERS)
  test(`${name}: throwing model, NaN in and out, bad grid, wrong output shapes: clear errors, no leak`, async () => {
    for (const [exName, makeEx] of Object.entries(EXECUTORS)) {
      if (direct && exName === 'batched') continue; // sample() and chords() choose their own way to call the model
      const attempt = async (m: Denoiser, x: tf.Tensor, g: readonly number[], ...patterns: RegExp[]) => {
        const ex = makeEx(m);
        try {
          await noLeak(() => throwsWith(() => run(m, x, g, ex).then(disposeResult), ...patterns));
        } finally {
          await ex.close();
        }
      };
      const prefix = new RegExp(`^${esc(name)}: `),
        site = name === 'sample' ? /step \d+/ : /round \d+, .*step \d+/;
      const x = x0(),
        nan = tf.tensor2d([0.3, NaN, 0.5, 1.1, -0.7, 0.1], [2, 3]);
      await attempt(faulty('throw'), x, grid, prefix, /the model broke/);
      await attempt(faulty('nan'), x, grid, prefix, site, /model output is not finite \(NaN or Inf\)/);
      const batchedShape = (exName === 'batched' && name !== 'sample') || name === 'chords'; // chords() batches
      await attempt(faulty('batch'), x, grid, prefix, /has shape \[1,3\]|returned shape \[1,3\]/, /allowed: the input/);
      await attempt(faulty('width'), x, grid, prefix, batchedShape ? /shape \[\d+,6\]/ : /has shape \[2,6\]/);
      if (!batchedShape) await attempt(faulty('width'), x, grid, site, /allowed: the input's shape \[2,3\]/);
      await attempt(base, nan, grid, prefix, /x \(the initial state\) is not finite/);
      // x that is not a batch of the model's samples ([n, 3]): refused before any model call
      let calls = 0;
      const counted: Denoiser = { ...base, predict: (xs, t) => (calls++, base.predict(xs, t)) };
      for (const bad of [tf.zeros([2, 4]), tf.zeros([6]), tf.zeros([2, 3, 1])]) {
        const shape = esc(`[${bad.shape.join(', ')}]`).replace(/[[\]]/g, '\\$&');
        await attempt(counted, bad, grid, prefix, new RegExp(`x has shape ${shape}; allowed: \\[n, 3\\]`));
        bad.dispose();
      }
      assert.is(calls, 0, 'no model call for an x of the wrong shape');
      await attempt(base, x, [1.5, 1, 0.5, 0], prefix, /grid: time 0 is 1\.5; allowed: times in \[0, 1\]/);
      await attempt(base, x, [1, 0.5, 0.7, 0], prefix, /grid: must be strictly monotone/);
      tf.dispose([x, nan]);
    }
  });

test('the guards do not change results: sample() equals the sequential method on the serial executor', async () => {
  const x = x0();
  const a = await sample(euler, base, x, grid);
  const ex = serialExecutor(base);
  const b = await runSequential({ executor: ex, param: base, grid, x });
  assert.equal(Array.from(a.x.dataSync()), Array.from(b.sample.dataSync()));
  tf.dispose([x, a.x]);
  disposeResult(b);
  await ex.close();
});

test.run();
