/**
 * The quality classifier: an MLP on 16 x 16 digits (256 -> 256 -> 64 features -> 10 classes),
 * trained on the procedural digits with heavier noise than the DiT saw, so it judges generated
 * samples robustly. Its 64 features feed the Frechet distance.
 */
import * as tf from '@tensorflow/tfjs';
import { packagePath } from '../paths.ts';
import { digitBatch } from '../data/digits.ts';
import { linear } from '../models/nn.ts';
import { checkShapes, loadWeights, saveWeights } from '../models/weights-io.ts';
import { uniformRng } from '../random.ts';

export const CLASSIFIER_SHAPES: [string, number[]][] = [
  ['l1.w', [256, 256]],
  ['l1.b', [256]],
  ['l2.w', [256, 64]],
  ['l2.b', [64]],
  ['l3.w', [64, 10]],
  ['l3.b', [10]],
];
export type ClassifierParams = Record<string, tf.Tensor>;
const FORMAT = 'chords-ts-digit-classifier';

export function initClassifier(seed = 0): ClassifierParams {
  const u = uniformRng(seed + 11);
  return Object.fromEntries(
    CLASSIFIER_SHAPES.map(([name, shape]) => {
      const size = shape.reduce((a, b) => a * b, 1),
        a = shape.length === 2 ? Math.sqrt(6 / (shape[0] + shape[1])) : 0;
      return [
        name,
        tf.tensor(
          Float32Array.from({ length: size }, () => (2 * u() - 1) * a),
          shape,
        ),
      ];
    }),
  );
}

/** Logits [N, 10] and features [N, 64] of images [N, 16, 16, 1] (or [N, 256]). */
export function classify(p: ClassifierParams, images: tf.Tensor): { logits: tf.Tensor2D; features: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.reshape(images, [-1, 256]) as tf.Tensor2D;
    const features = tf.relu(
      linear(tf.relu(linear(x, p['l1.w'], p['l1.b'])) as tf.Tensor2D, p['l2.w'], p['l2.b']),
    ) as tf.Tensor2D;
    return { logits: linear(features, p['l3.w'], p['l3.b']), features };
  });
}

export interface ClassifierTraining {
  steps: number;
  batch: number;
  lr: number;
  dataSeed: number;
  heldOutAccuracy: number;
  finalLoss: number;
}

/** Trains the classifier with Adam on procedural digits (noise level drawn per batch in [0.05, 0.25]). */
export async function trainClassifier({
  steps = 3000,
  batch = 128,
  lr = 2e-3,
  dataSeed = 1000,
  seed = 0,
  onStep,
}: {
  steps?: number;
  batch?: number;
  lr?: number;
  dataSeed?: number;
  seed?: number;
  onStep?: (s: number, loss: number) => void;
} = {}): Promise<{ params: ClassifierParams; training: ClassifierTraining }> {
  const init = initClassifier(seed);
  const vars = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(v, true, `clf/${k}/${seed}`)]));
  tf.dispose(Object.values(init));
  const opt = tf.train.adam(lr),
    u = uniformRng(dataSeed);
  let loss = NaN;
  for (let s = 0; s < steps; s++) {
    const d = digitBatch(batch, dataSeed * 1_000_003 + s, { noise: 0.05 + 0.2 * u() });
    (opt as unknown as { learningRate: number }).learningRate = lr * (s < steps * 0.7 ? 1 : 0.2);
    const cost = tf.tidy(() => {
      const x = tf.tensor2d(d.images, [batch, 256]),
        y = tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10);
      return opt.minimize(
        () => tf.losses.softmaxCrossEntropy(y, classify(vars, x).logits) as tf.Scalar,
        true,
        Object.values(vars),
      )!; // scalar
    });
    try {
      loss = (await cost.data())[0]; // asynchronous read: a GPU backend is not blocked
    } finally {
      cost.dispose();
    }
    onStep?.(s, loss);
  }
  opt.dispose();
  const params = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, tf.clone(v)]));
  tf.dispose(Object.values(vars));
  const held = digitBatch(2000, dataSeed + 999_999);
  const acc = await accuracy(params, held.images, held.labels);
  return { params, training: { steps, batch, lr, dataSeed, heldOutAccuracy: acc, finalLoss: loss } };
}

/** Share of images classified as their label. */
export async function accuracy(p: ClassifierParams, images: Float32Array, labels: ArrayLike<number>): Promise<number> {
  const predT = tf.tidy(() => tf.argMax(classify(p, tf.tensor2d(images, [labels.length, 256])).logits, 1)); // [n]
  let pred: ArrayLike<number>;
  try {
    pred = await predT.data();
  } finally {
    predT.dispose();
  }
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return ok / labels.length;
}

export const saveClassifier = (dir: string, p: ClassifierParams, training: ClassifierTraining) =>
  saveWeights(
    dir,
    FORMAT,
    { training },
    CLASSIFIER_SHAPES.map(([name]) => ({ name, tensor: p[name] })),
  );

export function loadClassifier(path = shippedClassifierPath()): {
  params: ClassifierParams;
  training: ClassifierTraining;
} {
  const { meta, tensors } = loadWeights<{ training: ClassifierTraining }>(path, FORMAT);
  checkShapes(tensors, CLASSIFIER_SHAPES, `classifier weights '${path}'`);
  return { params: tensors, training: meta?.training };
}

export const shippedClassifierPath = () => packagePath('assets', 'classifier');
