/**
 * Trains a DiT preset by flow matching on the procedural digits (src/data), with Adam, EMA, a
 * progress line, checkpoints every --save-every steps and --resume. Writes the EMA weights with a
 * manifest (config, data seed, steps, final loss) to --out, and the loss curve to results/train-dit.json.
 *   npm run train:dit                       # DiT-S/2, the shipped weights (about 0.3 s per step on 2 cores)
 *   npm run train:dit -- --quick            # DiT-T/2, 60 steps, into results/train-dit-quick
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { digitBatch } from '../src/data/index.ts';
import {
  DIT_PRESET_NAMES,
  createTrainer,
  getDiTConfig,
  initDiT,
  loadDiT,
  paramCount,
  saveDiT,
  shippedDiTPath,
} from '../src/models/dit/index.ts';
import { progress } from '../src/progress.ts';
import { count, int, num, oneOf, parseFlags, runEnv, text } from './lib/flags.ts';

const cfgFlags = parseFlags(
  'train-dit',
  {
    preset: 'DiT-S/2',
    steps: 6000,
    batch: 32,
    lr: 1e-3,
    warmup: 200,
    ema: 0.999,
    labelDropout: 0.1,
    seed: 0,
    dataSeed: 1,
    out: '',
    checkpoint: 'checkpoints/train-dit',
    saveEvery: 250,
    logEvery: 25,
    resume: false,
    quiet: false,
    name: 'train-dit',
  },
  {
    preset: 'DiT-T/2',
    steps: 60,
    batch: 16,
    warmup: 10,
    saveEvery: 30,
    logEvery: 10,
    checkpoint: 'checkpoints/train-dit-quick',
    name: 'train-dit-quick',
  },
  {
    rules: {
      preset: oneOf(DIT_PRESET_NAMES),
      steps: count(10_000_000),
      batch: count(65536),
      lr: num(0, 1, { above: true }),
      warmup: int(0, 10_000_000),
      ema: num(0, 1),
      labelDropout: num(0, 1),
      seed: int(0, 2 ** 31 - 1),
      dataSeed: int(0, 2 ** 31 - 1),
      out: text(),
      checkpoint: (v) => (String(v) ? undefined : 'a folder name'),
      saveEvery: count(10_000_000),
      logEvery: count(10_000_000),
      name: (v) => (/^[\w.-]+$/.test(String(v)) ? undefined : 'a file name (letters, digits, . _ -)'),
    },
  },
);
const out = cfgFlags.out || (cfgFlags.quick ? 'results/train-dit-quick' : shippedDiTPath(cfgFlags.preset));
const backend = await initBackend();
const cfg = getDiTConfig(cfgFlags.preset);
const ckpt = cfgFlags.checkpoint;

type Row = { step: number; loss: number; lossEma: number; lr: number; seconds: number };
let start = 0,
  rows: Row[] = [],
  init = initDiT(cfg, cfgFlags.seed),
  ema: Record<string, tf.Tensor> | undefined;
if (cfgFlags.resume && existsSync(join(ckpt, 'state.json'))) {
  const state = JSON.parse(readFileSync(join(ckpt, 'state.json'), 'utf8'));
  start = state.step;
  rows = state.rows;
  tf.dispose(Object.values(init));
  init = loadDiT(join(ckpt, 'params')).params;
  ema = loadDiT(join(ckpt, 'ema')).params;
  process.stderr.write(`resuming from step ${start} (${ckpt})\n`);
}
const trainer = createTrainer(
  cfg,
  init,
  {
    lr: cfgFlags.lr,
    warmup: cfgFlags.warmup,
    totalSteps: cfgFlags.steps,
    emaDecay: cfgFlags.ema,
    labelDropout: cfgFlags.labelDropout,
  },
  ema,
);
tf.dispose(Object.values(init));
if (start > 0) {
  const spec = JSON.parse(readFileSync(join(ckpt, 'optimizer.json'), 'utf8'));
  const buf = readFileSync(join(ckpt, 'optimizer.bin'));
  const named = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), spec);
  await trainer.optimizer.setWeights(Object.entries(named).map(([name, tensor]) => ({ name, tensor })));
}

async function checkpoint(step: number): Promise<void> {
  mkdirSync(ckpt, { recursive: true });
  await saveDiT(join(ckpt, 'params'), cfg, trainer.vars);
  await saveDiT(join(ckpt, 'ema'), cfg, trainer.ema);
  const { data, specs } = await tf.io.encodeWeights(await trainer.optimizer.getWeights());
  writeFileSync(join(ckpt, 'optimizer.bin'), Buffer.from(data as ArrayBuffer));
  writeFileSync(join(ckpt, 'optimizer.json'), JSON.stringify(specs));
  writeFileSync(join(ckpt, 'state.json'), JSON.stringify({ step, rows }));
}

process.stderr.write(
  `train-dit: ${cfgFlags.preset} (${paramCount(cfg)} parameters), ${cfgFlags.steps} steps of batch ` +
    `${cfgFlags.batch}, backend ${backend.name}, out ${out}\n`,
);
const bar = progress({ total: cfgFlags.steps, label: 'train-dit', quiet: cfgFlags.quiet });
const t0 = performance.now() - (rows.at(-1)?.seconds ?? 0) * 1000;
let lossEma = rows.at(-1)?.lossEma ?? NaN;
for (let s = start; s < cfgFlags.steps; s++) {
  const data = digitBatch(cfgFlags.batch, cfgFlags.dataSeed * 1_000_003 + s);
  const loss = await trainer.step(data.images, data.labels, s, cfgFlags.seed * 1_000_003 + s * 7919);
  lossEma = Number.isNaN(lossEma) ? loss : 0.98 * lossEma + 0.02 * loss;
  if (!Number.isFinite(loss)) throw new Error(`train-dit: loss is ${loss} at step ${s}`);
  if ((s + 1) % cfgFlags.logEvery === 0 || s + 1 === cfgFlags.steps)
    rows.push({ step: s + 1, loss, lossEma, lr: trainer.lrAt(s), seconds: (performance.now() - t0) / 1000 });
  bar.tick(s + 1, `loss ${lossEma.toFixed(4)}`);
  if ((s + 1) % cfgFlags.saveEvery === 0 && s + 1 < cfgFlags.steps) await checkpoint(s + 1);
}
bar.done(`loss ${lossEma.toFixed(4)}`);
await checkpoint(cfgFlags.steps);
const training = {
  preset: cfgFlags.preset,
  dataSeed: cfgFlags.dataSeed,
  seed: cfgFlags.seed,
  steps: cfgFlags.steps,
  batch: cfgFlags.batch,
  lr: cfgFlags.lr,
  emaDecay: cfgFlags.ema,
  labelDropout: cfgFlags.labelDropout,
  finalLoss: lossEma,
  seconds: rows.at(-1)?.seconds,
  weights: 'EMA',
  script: 'experiments/train-dit.ts',
  ...runEnv(),
};
await saveDiT(out, cfg, trainer.ema, training);
mkdirSync('results', { recursive: true });
writeFileSync(
  join('results', `${cfgFlags.name}.json`),
  JSON.stringify({ config: { ...cfgFlags, out }, env: runEnv(), rows }, null, 1),
);
process.stderr.write(
  `train-dit: wrote ${out}/model.json + weights.bin and results/${cfgFlags.name}.json (final loss ` +
    `${lossEma.toFixed(4)})\n`,
);
trainer.dispose();
