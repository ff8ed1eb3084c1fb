/**
 * Serialisable model specifications: plain data from which a worker thread or child process builds
 * its own copy of a model (executors send specs, never tensors or closures).
 */
import * as tf from '@tensorflow/tfjs';
import type { Denoiser } from '../diffusion/denoiser.ts';
import { getSchedule } from '../diffusion/schedule.ts';
import { gaussianModel } from './analytic/gaussian.ts';
import { linearToyModel } from './analytic/linear.ts';
import { mixtureModel, type MixtureSpec } from './analytic/mixture.ts';
import { getDiTConfig } from './dit/config.ts';
import { loadDiTDenoiser, shippedDiTPath } from './dit/denoiser.ts';
import { loadTfjsModel, type TfjsModelOptions } from './tfjs.ts';

export type ModelSpec =
  | { kind: 'gaussian'; schedule: string; mean: number[]; scale: number }
  | { kind: 'mixture'; schedule: string; mixture: MixtureSpec }
  | { kind: 'linear'; dim: number }
  /** The DiT from a weights folder (default: the shipped one), with labels and guidance. */
  | { kind: 'dit'; path?: string; labels: number[]; guidance?: number }
  /** A user's converted tfjs model from disk. */
  | ({ kind: 'tfjs'; path: string } & TfjsModelOptions)
  /**
   * `inner` plus `extra` matMuls of [rows, width] x [width, width] per call: an analytic model with a realistic compute
   * load.
   */
  | { kind: 'load'; inner: ModelSpec; width: number; extra: number }
  /**
   * For testing executors: `inner`, failing on call `after` (1-based) by throwing, exiting, crashing, hanging or
   * returning NaN.
   */
  | { kind: 'faulty'; inner: ModelSpec; after: number; fault: 'throw' | 'exit' | 'crash' | 'hang' | 'nan' };

export type BuiltModel = Denoiser & { dispose(): void };

/**
 * The sample shape a spec's model will declare, when the spec alone tells it (no model is built): [dim] for the
 * analytic models with one, the shipped DiT's [16, 16, 1]; undefined for a weights folder or a user's model.
 */
export function specSampleShape(spec: ModelSpec): number[] | undefined {
  switch (spec?.kind) {
    case 'gaussian':
      return Array.isArray(spec.mean) ? [spec.mean.length] : undefined;
    case 'mixture':
      return Array.isArray(spec.mixture?.means?.[0]) ? [spec.mixture.means[0].length] : undefined;
    case 'dit': {
      if (spec.path !== undefined) return undefined;
      const c = getDiTConfig('DiT-S/2');
      return [c.imageSize, c.imageSize, c.channels];
    }
    case 'load':
    case 'faulty':
      return specSampleShape(spec.inner);
    default:
      return undefined;
  }
}

export const MODEL_KINDS = ['gaussian', 'mixture', 'linear', 'dit', 'tfjs', 'load', 'faulty'] as const;

/** Builds a model from its spec (in this thread). */
export async function buildModel(spec: ModelSpec): Promise<BuiltModel> {
  switch (spec?.kind) {
    case 'gaussian':
      return gaussianModel({ schedule: getSchedule(spec.schedule), mean: spec.mean, scale: spec.scale });
    case 'mixture':
      return mixtureModel(getSchedule(spec.schedule), spec.mixture);
    case 'linear':
      return linearToyModel(spec.dim);
    case 'dit':
      return loadDiTDenoiser(spec.path ?? shippedDiTPath(), { labels: spec.labels, guidance: spec.guidance });
    case 'tfjs':
      return loadTfjsModel(spec.path, spec);
    case 'load': {
      const inner = await buildModel(spec.inner);
      const w = tf.keep(
        tf.mul(tf.randomNormal([spec.width, spec.width], 0, 1, 'float32', 7), 1 / Math.sqrt(spec.width)),
      );
      return {
        ...inner,
        predict: (x, t) =>
          tf.tidy(() => {
            let h = tf.ones([Math.max(1, x.shape[0]) * 16, spec.width]) as tf.Tensor2D;
            for (let i = 0; i < spec.extra; i++) h = tf.sigmoid(tf.matMul(h, w as tf.Tensor2D)) as tf.Tensor2D;
            return tf.add(inner.predict(x, t), tf.mul(tf.sum(h), 0)); // the load's result joins the graph, adding 0
          }),
        dispose: () => {
          w.dispose();
          inner.dispose();
        },
      };
    }
    case 'faulty': {
      const inner = await buildModel(spec.inner);
      let calls = 0;
      return {
        ...inner,
        predict: (x, t) => {
          if (++calls === spec.after) {
            if (spec.fault === 'nan') return tf.tidy(() => tf.mul(inner.predict(x, t), NaN)); // a non-finite output
            if (spec.fault === 'exit') process.exit(3);
            // never answers (blocks this thread without spinning), as a hung or stopped member would
            if (spec.fault === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
            if (spec.fault === 'crash')
              setImmediate(() => {
                throw new Error('faulty model: crashed');
              });
            else throw new Error(`faulty model: failed on call ${calls}`);
          }
          return inner.predict(x, t);
        },
      };
    }
    default:
      throw new Error(
        `model spec: unknown kind '${(spec as { kind?: string })?.kind}'; allowed: ${MODEL_KINDS.join(', ')}`,
      );
  }
}
