/**
 * Trains the quality classifier on procedural digits and ships it in assets/classifier
 * (model.json + weights.bin). Takes under a minute.   npm run train:classifier [-- --steps=3000]
 */
import { initBackend } from '../src/backend.ts';
import { saveClassifier, shippedClassifierPath, trainClassifier } from '../src/metrics/index.ts';
import { progress } from '../src/progress.ts';
import { count, num, parseFlags, runEnv, text } from './lib/flags.ts';

const f = parseFlags(
  'train-classifier',
  { steps: 3000, batch: 128, lr: 2e-3, dataSeed: 1000, out: '' },
  { steps: 300 },
  {
    rules: {
      steps: count(1_000_000),
      batch: count(65536),
      lr: num(0, 1, { above: true }),
      dataSeed: count(2 ** 31 - 1),
      out: text(),
    },
  },
);
await initBackend();
const bar = progress({ total: f.steps, label: 'train-classifier' });
const { params, training } = await trainClassifier({
  steps: f.steps,
  batch: f.batch,
  lr: f.lr,
  dataSeed: f.dataSeed,
  onStep: (s, l) => bar.tick(s + 1, `loss ${l.toFixed(3)}`),
});
bar.done();
const out = f.out || (f.quick ? 'results/classifier-quick' : shippedClassifierPath());
await saveClassifier(out, params, { ...training, ...runEnv() } as typeof training);
process.stderr.write(
  `train-classifier: held-out accuracy ${(100 * training.heldOutAccuracy).toFixed(2)}%, wrote ${out}\n`,
);
