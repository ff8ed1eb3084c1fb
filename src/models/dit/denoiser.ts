/** The DiT as a Denoiser: flow-matching velocity with classifier-free guidance (Ho & Salimans 2022). */
import { checkKeys, isNumberList, requireOptions, shown } from '../../options.ts';
import * as tf from '@tensorflow/tfjs';
import { packagePath } from '../../paths.ts';
import type { Denoiser } from '../../diffusion/denoiser.ts';
import { flowSchedule } from '../../diffusion/schedule.ts';
import { getDiTConfig, type DiTConfig } from './config.ts';
import { ditForward, labelTensor, type DiTParams } from './model.ts';
import { loadDiT } from './weights.ts';

export interface DiTDenoiserOptions {
  /**
   * Class of every sample; row r of a batch gets labels[r mod labels.length], so a batch must hold a
   * whole number of label sets (k cores x n samples). The null class (cfg.classes) is unconditional.
   */
  labels: ArrayLike<number>;
  /** Guidance scale w: v = v_null + w (v_y - v_null). 1 = the conditional prediction alone. Default 1. */
  guidance?: number;
}

export interface DiTDenoiser extends Denoiser {
  readonly config: DiTConfig;
  readonly params: DiTParams;
  dispose(): void;
}

/** The DiT's options must be an object (a plain-JavaScript call without them would fail on destructuring). */
function requireDiTOptions(o: unknown): asserts o is DiTDenoiserOptions {
  requireOptions('dit', o, '{ labels: [class, ...], guidance? }');
  checkKeys('dit', o as DiTDenoiserOptions, { labels: true, guidance: true });
  const labels = (o as DiTDenoiserOptions).labels;
  if (labels !== undefined && !isNumberList(labels))
    throw new Error(`labels: got ${shown(labels)}; allowed: an array of class labels such as [3] or [0, 1, 2]`);
}

export function ditDenoiser(params: DiTParams, config: DiTConfig, options: DiTDenoiserOptions): DiTDenoiser {
  requireDiTOptions(options);
  const { labels, guidance = 1 } = options;
  if (!labels || labels.length === 0) throw new Error('labels: need at least one class label');
  for (let i = 0; i < labels.length; i++)
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] > config.classes)
      throw new Error(
        `labels: got ${shown(labels[i])}; allowed: integers 0..${config.classes} (${config.classes} is the null class)`,
      );
  if (!Number.isFinite(guidance)) throw new Error(`guidance: got ${shown(guidance)}; allowed: a finite number`);
  return {
    prediction: 'velocity',
    schedule: flowSchedule(),
    rowConditioned: labels.length > 1, // row r gets labels[r mod labels.length]
    sampleShape: [config.imageSize, config.imageSize, config.channels],
    config,
    params,
    predict: (x, t) =>
      tf.tidy(() => {
        const n = x.shape[0];
        if (n % labels.length !== 0)
          throw new Error(
            `dit: a batch of ${n} for ${labels.length} labels; ` +
              'allowed: a multiple of the label count (one label per sample)',
          );
        const y = labelTensor(labels, n);
        if (guidance === 1) return ditForward(params, config, x as tf.Tensor4D, t, y);
        const out = ditForward(
          params,
          config,
          tf.concat([x, x]) as tf.Tensor4D,
          tf.concat([t, t]),
          tf.concat([y, tf.fill([n], config.classes, 'int32')]) as tf.Tensor1D,
        );
        const [cond, uncond] = tf.split(out, 2, 0);
        return tf.add(uncond, tf.mul(tf.sub(cond, uncond), guidance));
      }),
    dispose: () => tf.dispose(Object.values(params)),
  };
}

/** Directory of the weights shipped with the package for a preset ('DiT-S/2' -> assets/dit/dit-s2). */
export function shippedDiTPath(preset = 'DiT-S/2'): string {
  getDiTConfig(preset);
  const dir = preset.toLowerCase().replace(/[^a-z0-9]/g, '');
  return packagePath('assets', 'dit', dir);
}

/** A saved DiT (folder or model.json) as a Denoiser; bad options free the loaded weights. */
export function loadDiTDenoiser(path: string, options: DiTDenoiserOptions): DiTDenoiser {
  requireDiTOptions(options);
  const { config, params } = loadDiT(path);
  try {
    return ditDenoiser(params, config, options);
  } catch (e) {
    tf.dispose(Object.values(params));
    throw e;
  }
}

/** The shipped, trained DiT as a Denoiser (no download). */
export const loadShippedDiT = (options: DiTDenoiserOptions, preset = 'DiT-S/2'): DiTDenoiser =>
  loadDiTDenoiser(shippedDiTPath(preset), options);
