/** The one model interface: a network's raw prediction at (x, per-sample t), plus how to read it. */
import { checkKeys, requireOptions } from '../options.ts';
import * as tf from '@tensorflow/tfjs';
import {
  checkPrediction,
  coeffsPerSample,
  timesVector,
  x0From,
  type Parametrization,
  type Prediction,
} from './prediction.ts';
import type { NoiseSchedule } from './schedule.ts';

/**
 * A model as solvers see it. `predict` returns the network's own prediction (eps, x0, v or the flow
 * velocity) for x: [N, ...] at per-sample times t: [N]; solvers convert it with `x0Of`/`velocityOf`,
 * so a velocity model stepped by Euler uses its output untouched (the diffusers FlowMatchEuler update).
 * One batched call can therefore serve cores at different points of the trajectory.
 */
export interface Denoiser extends Parametrization {
  predict(x: tf.Tensor, t: tf.Tensor1D): tf.Tensor;
}

export interface AsDenoiserOptions {
  prediction: Prediction;
  schedule?: NoiseSchedule;
  /** The shape of one sample, if the model takes only that shape (samplers then check x before any work). */
  sampleShape?: readonly number[];
}

const AS_DENOISER_KEYS: Record<keyof AsDenoiserOptions, true> = { prediction: true, schedule: true, sampleShape: true };

/** Adapts any model function `(x, t) -> prediction` into a Denoiser. */
export function asDenoiser(fn: (x: tf.Tensor, t: tf.Tensor1D) => tf.Tensor, options: AsDenoiserOptions): Denoiser {
  if (typeof fn !== 'function') throw new Error('asDenoiser: fn must be a function (x, t) -> prediction');
  requireOptions('asDenoiser', options, '{ prediction, schedule?, sampleShape? }');
  checkKeys('asDenoiser', options, AS_DENOISER_KEYS);
  const { prediction, schedule, sampleShape } = options;
  checkPrediction(prediction);
  if (schedule !== undefined && typeof (schedule as { alpha?: unknown }).alpha !== 'function')
    throw new Error(
      `asDenoiser: schedule got ${typeof schedule === 'string' ? `'${schedule}'` : String(schedule)}; ` +
        `allowed: a NoiseSchedule object${typeof schedule === 'string' ? ` (getSchedule('${schedule}'))` : ''}`,
    );
  if (
    sampleShape !== undefined &&
    !(Array.isArray(sampleShape) && sampleShape.every((d) => Number.isInteger(d) && d > 0))
  )
    throw new Error(`sampleShape: got ${JSON.stringify(sampleShape)}; allowed: an array of positive integers`);
  return { prediction, schedule, predict: fn, ...(sampleShape ? { sampleShape: [...sampleShape] } : {}) };
}

/** The x0 estimate D(x; t) of any Denoiser, per sample. */
export function denoise(model: Denoiser, x: tf.Tensor, t: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const out = model.predict(x, t);
    if (model.prediction === 'x0') return out;
    if (!model.schedule)
      throw new Error(`denoise: a '${model.prediction}' model without a noise schedule has no x0 estimate`);
    return x0From(model.prediction, out, x, coeffsPerSample(model.schedule, t, x.rank));
  });
}

/** A time vector [N] holding one time for every sample. */
export const timeVector = (t: number, n: number): tf.Tensor1D => timesVector(new Float32Array(n).fill(t));
