/**
 * Sample quality without human eyes: classifier accuracy against the requested labels and a Frechet distance to real
 * digits.
 */
import * as tf from '@tensorflow/tfjs';
import { digitBatch } from '../data/digits.ts';
import { classify, type ClassifierParams } from './classifier.ts';
import { featureStats, frechetDistance, type FeatureStats } from './frechet.ts';
import { readValues } from '../tensor.ts';
import { shown } from '../options.ts';

export interface Quality {
  /** Share of samples the classifier assigns to their requested label. */
  classAccuracy: number;
  /**
   * Frechet distance between classifier features of the samples and of real procedural digits;
   * null for a single sample (a covariance needs two or more).
   */
  frechetDistance: number | null;
  n: number;
}

/** A Frechet distance for printing: the value, or why it is left out (one sample). */
export const formatFrechet = (fd: number | null, digits = 2): string =>
  fd === null ? 'n/a (one sample; the covariance needs n >= 2)' : fd.toFixed(digits);

/** Classifier features and predicted labels of images (Float32Array of n x 256), in one asynchronous readback. */
async function classifyValues(
  p: ClassifierParams,
  images: Float32Array,
  n: number,
): Promise<{ features: Float32Array; pred: Float32Array }> {
  const { features, pred } = tf.tidy(() => {
    const c = classify(p, tf.tensor2d(images, [n, 256]));
    return { features: c.features, pred: tf.argMax(c.logits, 1) };
  });
  const [f, l] = await readValues([features, pred]);
  tf.dispose([features, pred]);
  return { features: f, pred: l };
}

/** Classifier features of images (Float32Array of n x 256) as a flat array. */
export async function features(p: ClassifierParams, images: Float32Array, n: number): Promise<Float32Array> {
  return (await classifyValues(p, images, n)).features;
}

const realCache = new Map<string, FeatureStats>();
/** Feature statistics of n real digits (seeded; cached per classifier instance, n and seed). */
export async function realStats(p: ClassifierParams, n = 2000, seed = 424242): Promise<FeatureStats> {
  const key = `${p['l1.w'].id}:${n}:${seed}`;
  if (!realCache.has(key)) realCache.set(key, featureStats(await features(p, digitBatch(n, seed).images, n), n, 64));
  return realCache.get(key)!;
}

/** Quality of generated samples (values in [-1, 1], n x 16 x 16) for their requested labels (one readback). */
export async function sampleQuality(
  p: ClassifierParams,
  images: Float32Array,
  labels: ArrayLike<number>,
  real?: FeatureStats,
): Promise<Quality> {
  const n = labels.length;
  if (n === 0 || images.length !== n * 256)
    throw new Error(
      `sample quality: got ${shown(images.length)} values for ${n} labels; ` +
        'allowed: one label per 16 x 16 image (n * 256 values)',
    );
  const stats = real ?? (await realStats(p));
  const { features: f, pred } = await classifyValues(p, images, n);
  let ok = 0;
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) ok++;
  return {
    classAccuracy: ok / n,
    frechetDistance: n < 2 ? null : frechetDistance(featureStats(f, n, 64), stats),
    n,
  };
}

/**
 * The floor of the Frechet distance measured as sampleQuality measures it: n real digits (an
 * independent seed) against the same real statistics (2000 digits by default). What n generated
 * samples score above this is model error; the rest is the estimator's small-sample bias.
 */
export async function realVsReal(p: ClassifierParams, n: number, seed = 1, real?: FeatureStats): Promise<number> {
  const a = digitBatch(n, seed);
  return frechetDistance(featureStats(await features(p, a.images, n), n, 64), real ?? (await realStats(p)));
}
