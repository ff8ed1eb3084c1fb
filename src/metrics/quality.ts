/**
 * Sample quality without human eyes: classifier accuracy against the requested labels and a Frechet distance to real
 * digits.
 */
import * as tf from '@tensorflow/tfjs';
import { digitBatch } from '../data/digits.ts';
import { classify, type ClassifierParams } from './classifier.ts';
import { featureStats, frechetDistance, type FeatureStats } from './frechet.ts';

export interface Quality {
  /** Share of samples the classifier assigns to their requested label. */
  classAccuracy: number;
  /** Frechet distance between classifier features of the samples and of real procedural digits. */
  frechetDistance: number;
  n: number;
}

/** Classifier features of images (Float32Array of n x 256) as a flat array. */
export function features(p: ClassifierParams, images: Float32Array, n: number): Float32Array {
  return tf.tidy(() => classify(p, tf.tensor2d(images, [n, 256])).features.dataSync() as Float32Array);
}

const realCache = new Map<string, FeatureStats>();
/** Feature statistics of n real digits (seeded; cached per classifier instance, n and seed). */
export function realStats(p: ClassifierParams, n = 2000, seed = 424242): FeatureStats {
  const key = `${p['l1.w'].id}:${n}:${seed}`;
  if (!realCache.has(key)) realCache.set(key, featureStats(features(p, digitBatch(n, seed).images, n), n, 64));
  return realCache.get(key)!;
}

/** Quality of generated samples (values in [-1, 1], n x 16 x 16) for their requested labels. */
export function sampleQuality(
  p: ClassifierParams,
  images: Float32Array,
  labels: ArrayLike<number>,
  real: FeatureStats = realStats(p),
): Quality {
  const n = labels.length;
  const pred = tf.tidy(() => tf.argMax(classify(p, tf.tensor2d(images, [n, 256])).logits, 1).dataSync());
  let ok = 0;
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) ok++;
  return {
    classAccuracy: ok / n,
    frechetDistance: frechetDistance(featureStats(features(p, images, n), n, 64), real),
    n,
  };
}

/**
 * The floor of the Frechet distance measured as sampleQuality measures it: n real digits (an
 * independent seed) against the same real statistics (2000 digits by default). What n generated
 * samples score above this is model error; the rest is the estimator's small-sample bias.
 */
export function realVsReal(p: ClassifierParams, n: number, seed = 1, real: FeatureStats = realStats(p)): number {
  const a = digitBatch(n, seed);
  return frechetDistance(featureStats(features(p, a.images, n), n, 64), real);
}
