/** Flow-matching training of the DiT: loss, Adam with warmup and cosine decay, EMA of the weights. */
import * as tf from '@tensorflow/tfjs';
import { normals, uniformRng } from '../../random.ts';
import type { DiTConfig } from './config.ts';
import { ditForward, type DiTParams } from './model.ts';

/**
 * Rectified-flow / flow-matching loss (Liu et al. 2023; Lipman et al. 2023): x_t = (1 - t) x0 + t eps,
 * target velocity eps - x0, mean squared error.
 */
export function flowMatchingLoss(
  params: DiTParams,
  cfg: DiTConfig,
  x0: tf.Tensor4D,
  labels: tf.Tensor1D,
  t: tf.Tensor1D,
  eps: tf.Tensor4D,
): tf.Scalar {
  return tf.tidy(() => {
    const tb = tf.reshape(t, [-1, 1, 1, 1]);
    const xt = tf.add(tf.mul(tf.sub(1, tb), x0), tf.mul(tb, eps)) as tf.Tensor4D;
    return tf.mean(tf.square(tf.sub(ditForward(params, cfg, xt, t, labels), tf.sub(eps, x0)))) as tf.Scalar;
  });
}

export interface TrainerOptions {
  /** Peak learning rate. Default 1e-3. */
  lr?: number;
  /** Linear warmup steps. Default 200. */
  warmup?: number;
  /** Total steps, for the cosine decay to lr / 10. */
  totalSteps: number;
  /** EMA decay of the weights. Default 0.999. */
  emaDecay?: number;
  /** Probability of replacing a label by the null class (trains the unconditional model for guidance). Default 0.1. */
  labelDropout?: number;
}

export interface Trainer {
  /** Trainable variables, by parameter name. */
  readonly vars: Record<string, tf.Variable>;
  /** EMA weights, by parameter name. */
  readonly ema: DiTParams;
  readonly optimizer: tf.AdamOptimizer;
  /** One Adam step on images x0 [B, H, W, C] with labels; noise and times drawn from `seed`. Returns the loss. */
  /** One optimiser step; resolves to the step's loss (read back asynchronously). */
  step(x0: Float32Array, labels: Int32Array, stepIndex: number, seed: number): Promise<number>;
  lrAt(step: number): number;
  dispose(): void;
}

export function createTrainer(cfg: DiTConfig, init: DiTParams, o: TrainerOptions, ema?: DiTParams): Trainer {
  const lr = o.lr ?? 1e-3,
    warmup = o.warmup ?? 200,
    decay = o.emaDecay ?? 0.999,
    drop = o.labelDropout ?? 0.1;
  const vars = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(v, true, `dit/${k}`)]));
  const emaW: DiTParams = ema ?? Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.clone(v)]));
  const optimizer = tf.train.adam(lr);
  const lrAt = (s: number) =>
    s < warmup
      ? (lr * (s + 1)) / warmup
      : lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, (s - warmup) / Math.max(1, o.totalSteps - warmup)))));
  const size = cfg.imageSize * cfg.imageSize * cfg.channels;
  return {
    vars,
    ema: emaW,
    optimizer,
    lrAt,
    async step(x0v, labelsV, stepIndex, seed) {
      const b = labelsV.length,
        u = uniformRng(seed);
      const tv = Float32Array.from(normals(b, seed + 1), (z) => 1 / (1 + Math.exp(-z))); // logit-normal t (SD3)
      const lab = Int32Array.from(labelsV, (l) => (u() < drop ? cfg.classes : l));
      (optimizer as unknown as { learningRate: number }).learningRate = lrAt(stepIndex);
      const cost = tf.tidy(() => {
        const x0 = tf.tensor4d(x0v, [b, cfg.imageSize, cfg.imageSize, cfg.channels]);
        const eps = tf.tensor4d(Float32Array.from(normals(b * size, seed + 2)), x0.shape);
        const c = optimizer.minimize(
          () => flowMatchingLoss(vars, cfg, x0, tf.tensor1d(lab, 'int32'), tf.tensor1d(tv), eps),
          true,
          Object.values(vars),
        )!;
        return c; // scalar
      });
      tf.tidy(() => {
        for (const [k, v] of Object.entries(vars)) {
          const next = tf.keep(tf.add(tf.mul(emaW[k], decay), tf.mul(v, 1 - decay)));
          emaW[k].dispose();
          emaW[k] = next;
        }
      });
      try {
        return (await cost.data())[0]; // asynchronous read: a GPU backend is not blocked
      } finally {
        cost.dispose();
      }
    },
    dispose() {
      tf.dispose(Object.values(vars));
      tf.dispose(Object.values(emaW));
      optimizer.dispose();
    },
  };
}
