/** Noise schedules x_t = alpha(t) x_0 + sigma(t) eps on t in [0, 1] (t = 1 noise, t = 0 data). */

import * as tf from '@tensorflow/tfjs';
import { SCHEDULES, type ScheduleName } from '../names.ts';

export { SCHEDULES, type ScheduleName };

/** Marginal coefficients of a schedule and their time derivatives, as plain float64 functions. */
export interface NoiseSchedule {
  readonly name: ScheduleName;
  alpha(t: number): number;
  sigma(t: number): number;
  /** d alpha / dt */
  dAlpha(t: number): number;
  /** d sigma / dt (infinite at t = 0 for VP schedules) */
  dSigma(t: number): number;
  /** sigma * d sigma / dt = d(sigma^2)/dt / 2, finite everywhere (the reference ODE uses it). */
  sigmaDSigma(t: number): number;
  /** Half log-SNR lambda = log(alpha / sigma) (DPM-Solver, Lu et al. 2022, Eq. 3); +-Infinity at the ends. */
  lambda(t: number): number;
  /** Inverse of lambda on [0, 1]. */
  tOfLambda(lambda: number): number;
  /**
   * alpha, sigma and their derivatives as float32 tensor ops on a time vector [N] (each [N]), for time vectors
   * whose values are only on the device: the coefficients then need no readback. Call in tidy.
   */
  tensors?(t: tf.Tensor1D): ScheduleTensors;
}

/** A schedule's coefficients at a time vector, each [N]. */
export interface ScheduleTensors {
  alpha: tf.Tensor;
  sigma: tf.Tensor;
  dAlpha: tf.Tensor;
  dSigma: tf.Tensor;
}

const full = (t: tf.Tensor1D, v: number): tf.Tensor1D => tf.fill(t.shape, v, 'float32');
/** -expm1(x) = 1 - e^x without float32 cancellation near 0 (its series there: -x (1 + x/2 + x^2/6)); tidy. */
const negExpm1 = (x: tf.Tensor): tf.Tensor =>
  tf.where(
    tf.less(tf.abs(x), 0.01),
    tf.mul(tf.neg(x), tf.add(1, tf.mul(x, tf.add(0.5, tf.div(x, 6))))),
    tf.sub(1, tf.exp(x)),
  );

const softplus = (z: number): number => (z > 30 ? z : Math.log1p(Math.exp(z)));

/** Rectified flow / flow matching: alpha = 1 - t, sigma = t (SD3, Flux). */
export function flowSchedule(): NoiseSchedule {
  return {
    name: 'flow',
    alpha: (t) => 1 - t,
    sigma: (t) => t,
    dAlpha: () => -1,
    dSigma: () => 1,
    sigmaDSigma: (t) => t,
    lambda: (t) => Math.log(1 - t) - Math.log(t),
    tOfLambda: (l) => 1 / (1 + Math.exp(l)),
    tensors: (t) => ({ alpha: tf.sub(1, t), sigma: tf.clone(t), dAlpha: full(t, -1), dSigma: full(t, 1) }),
  };
}

export interface VpLinearOptions {
  beta0?: number;
  beta1?: number;
}

/** VP SDE with linear beta(t) = beta0 + t (beta1 - beta0) (Song et al. 2021; DPM-Solver's NoiseScheduleVP). */
export function vpLinearSchedule({ beta0 = 0.1, beta1 = 20 }: VpLinearOptions = {}): NoiseSchedule {
  const logAlpha = (t: number) => -0.25 * t * t * (beta1 - beta0) - 0.5 * t * beta0;
  const dLogAlpha = (t: number) => -0.5 * t * (beta1 - beta0) - 0.5 * beta0;
  const sigma = (t: number) => Math.sqrt(-Math.expm1(2 * logAlpha(t)));
  return {
    name: 'vp-linear',
    alpha: (t) => Math.exp(logAlpha(t)),
    sigma,
    dAlpha: (t) => Math.exp(logAlpha(t)) * dLogAlpha(t),
    dSigma: (t) => {
      const a = Math.exp(logAlpha(t));
      return (-a * a * dLogAlpha(t)) / sigma(t);
    },
    sigmaDSigma: (t) => -Math.exp(2 * logAlpha(t)) * dLogAlpha(t),
    lambda: (t) => logAlpha(t) - 0.5 * Math.log(-Math.expm1(2 * logAlpha(t))),
    tOfLambda: (l) => {
      // log alpha = -softplus(-2 lambda) / 2; solve the quadratic in t stably.
      const c = 0.5 * softplus(-2 * l);
      const a = 0.25 * (beta1 - beta0),
        b = 0.5 * beta0;
      return (2 * c) / (b + Math.sqrt(b * b + 4 * a * c));
    },
    tensors: (t) => {
      const logA = tf.sub(tf.mul(tf.square(t), -0.25 * (beta1 - beta0)), tf.mul(t, 0.5 * beta0)); // [N]
      const dLogA = tf.sub(tf.mul(t, -0.5 * (beta1 - beta0)), 0.5 * beta0); // [N]
      const alpha = tf.exp(logA); // [N]
      const sigma = tf.sqrt(negExpm1(tf.mul(logA, 2))); // [N]
      const dSigma = tf.div(tf.neg(tf.mul(tf.square(alpha), dLogA)), sigma); // [N]
      return { alpha, sigma, dAlpha: tf.mul(alpha, dLogA), dSigma };
    },
  };
}

export interface VpCosineOptions {
  s?: number;
}

/** VP cosine schedule alpha = cos(pi/2 (t+s)/(1+s)) / cos(pi/2 s/(1+s)) (Nichol & Dhariwal 2021). */
export function vpCosineSchedule({ s = 0.008 }: VpCosineOptions = {}): NoiseSchedule {
  const c0 = Math.cos((Math.PI / 2) * (s / (1 + s)));
  const k = Math.PI / (2 * (1 + s));
  const alpha = (t: number) => Math.min(1, Math.cos(k * (t + s)) / c0);
  const sigma = (t: number) => Math.sqrt(Math.max(0, 1 - alpha(t) ** 2));
  return {
    name: 'vp-cosine',
    alpha,
    sigma,
    dAlpha: (t) => (-k * Math.sin(k * (t + s))) / c0,
    dSigma: (t) => {
      const a = alpha(t),
        sg = sigma(t);
      return sg === 0 ? Infinity : (a * k * Math.sin(k * (t + s))) / c0 / sg;
    },
    sigmaDSigma: (t) => (alpha(t) * k * Math.sin(k * (t + s))) / c0,
    lambda: (t) => Math.log(alpha(t)) - Math.log(sigma(t)),
    tOfLambda: (l) => {
      const a = 1 / Math.sqrt(1 + Math.exp(-2 * l));
      return Math.min(1, Math.max(0, Math.acos(Math.min(1, a * c0)) / k - s));
    },
    tensors: (t) => {
      const u = tf.mul(tf.add(t, s), k); // k (t + s): [N]
      const alpha = tf.minimum(tf.div(tf.cos(u), c0), 1); // [N]
      // 1 - alpha^2 = sin(k t) sin(k (t + 2 s)) / c0^2, free of float32 cancellation near t = 0
      const gap = tf.mul(tf.sin(tf.mul(t, k)), tf.sin(tf.mul(tf.add(t, 2 * s), k))); // [N]
      const sigma = tf.div(tf.sqrt(tf.relu(gap)), c0); // [N]
      const dAlpha = tf.div(tf.mul(tf.sin(u), -k), c0); // [N]
      return { alpha, sigma, dAlpha, dSigma: tf.div(tf.neg(tf.mul(alpha, dAlpha)), sigma) }; // Inf where sigma = 0
    },
  };
}

export interface VeOptions {
  sigmaMax?: number;
}

/** Variance exploding, EDM parametrisation sigma = sigmaMax * t, alpha = 1 (Karras et al. 2022, sigma(t) = t). */
export function veSchedule({ sigmaMax = 80 }: VeOptions = {}): NoiseSchedule {
  return {
    name: 've',
    alpha: () => 1,
    sigma: (t) => sigmaMax * t,
    dAlpha: () => 0,
    dSigma: () => sigmaMax,
    sigmaDSigma: (t) => sigmaMax * sigmaMax * t,
    lambda: (t) => -Math.log(sigmaMax * t),
    tOfLambda: (l) => Math.exp(-l) / sigmaMax,
    tensors: (t) => ({ alpha: full(t, 1), sigma: tf.mul(t, sigmaMax), dAlpha: full(t, 0), dSigma: full(t, sigmaMax) }),
  };
}

const FACTORIES: Record<ScheduleName, () => NoiseSchedule> = {
  flow: flowSchedule,
  'vp-linear': vpLinearSchedule,
  'vp-cosine': vpCosineSchedule,
  ve: veSchedule,
};

/** A schedule by name with its default parameters; unknown names are an error listing the allowed ones. */
export function getSchedule(name: string): NoiseSchedule {
  const make = FACTORIES[name as ScheduleName];
  if (!make) throw new Error(`schedule: unknown schedule '${name}'; allowed: ${SCHEDULES.join(', ')}`);
  return make();
}
