/** Exact conversions between model predictions eps, x0, v and the flow velocity dx/dt. */
import * as tf from '@tensorflow/tfjs';
import type { NoiseSchedule } from './schedule.ts';

export const PREDICTIONS = ['eps', 'x0', 'v', 'velocity'] as const;
/** eps: the noise; x0: the clean sample; v = alpha eps - sigma x0 (Salimans & Ho 2022); velocity: dx/dt of the ODE. */
export type Prediction = (typeof PREDICTIONS)[number];

/** A scalar coefficient (one time for the whole batch) or a tensor broadcastable against x (per sample). */
export type Coef = number | tf.Tensor;

/** alpha, sigma and their time derivatives at one time (or per sample). */
export interface Coeffs<C extends Coef = Coef> {
  alpha: C;
  sigma: C;
  dAlpha: C;
  dSigma: C;
}

/** How to read a model's output: its prediction type and, where conversions need it, its schedule. */
export interface Parametrization {
  readonly prediction: Prediction;
  /** Absent for fields that are not diffusion models (the reference's linear toy): only `velocity` reads then. */
  readonly schedule?: NoiseSchedule;
  /**
   * True when the model conditions row r of a batch on something fixed per row position (the shipped DiT gives
   * row r labels[r mod labels.length]): a request must then hold the whole batch, in order. Default false.
   */
  readonly rowConditioned?: boolean;
  /**
   * The shape of one sample (x without its batch axis) when the model takes only that shape: [dim] for the
   * analytic mixtures, [size, size, channels] for the DiT. The samplers refuse any other x before any work.
   */
  readonly sampleShape?: readonly number[];
}

export function checkPrediction(name: string): Prediction {
  if (!(PREDICTIONS as readonly string[]).includes(name))
    throw new Error(`prediction: unknown prediction '${name}'; allowed: ${PREDICTIONS.join(', ')}`);
  return name as Prediction;
}

const isNum = (c: Coef): c is number => typeof c === 'number';
const mul = (p: Coef, q: Coef): Coef => (isNum(p) && isNum(q) ? p * q : tf.mul(p, q));
const add = (p: Coef, q: Coef): Coef => (isNum(p) && isNum(q) ? p + q : tf.add(p, q));
const sub = (p: Coef, q: Coef): Coef => (isNum(p) && isNum(q) ? p - q : tf.sub(p, q));
/** a x + b y for tensors x, y and coefficients a, b. */
const lin = (a: Coef, x: tf.Tensor, b: Coef, y: tf.Tensor): tf.Tensor => tf.add(tf.mul(x, a), tf.mul(y, b));

/** Schedule coefficients at a scalar time. */
export function coeffsAt(schedule: NoiseSchedule, t: number): Coeffs<number> {
  return { alpha: schedule.alpha(t), sigma: schedule.sigma(t), dAlpha: schedule.dAlpha(t), dSigma: schedule.dSigma(t) };
}

/** Host copies of the time vectors made by timesVector, so coefficients never read a time back from a GPU. */
const hostTimes = new WeakMap<tf.Tensor, Float32Array>();

/** A float32 time vector [N] whose values are also kept on the host (see coeffsPerSample). */
export function timesVector(ts: ArrayLike<number>): tf.Tensor1D {
  const v = Float32Array.from(ts);
  const t = tf.tensor1d(v, 'float32');
  hostTimes.set(t, v);
  return t;
}

/**
 * Per-sample coefficients [N, 1, ...] (rank of x) from a time vector t: [N]. A vector made by timesVector (every
 * library path makes its time vectors so) has a host copy: float64 math there. Any other (a user's tf.fill) is
 * never read back: the schedule's float32 tensor ops run on the device, or, for a schedule without them, it is
 * a clear error.
 */
export function coeffsPerSample(schedule: NoiseSchedule, t: tf.Tensor1D, rank: number): Coeffs<tf.Tensor> {
  const host = hostTimes.get(t);
  const shape = [t.shape[0], ...Array(Math.max(0, rank - 1)).fill(1)];
  if (!host) {
    if (!schedule.tensors)
      throw new Error(
        `t: a time vector not made by timesVector() for a schedule ('${schedule.name}') without tensor forms; ` +
          'allowed: timesVector(times) (it keeps a host copy), or a schedule with tensors(t)',
      );
    const c = tf.tidy(() => {
      const v = schedule.tensors!(t);
      return [v.alpha, v.sigma, v.dAlpha, v.dSigma].map((x) => tf.reshape(x, shape));
    });
    return { alpha: c[0], sigma: c[1], dAlpha: c[2], dSigma: c[3] };
  }
  const ts = Array.from(host);
  const make = (f: (u: number) => number) => tf.tensor(ts.map(f), shape, 'float32');
  return {
    alpha: make(schedule.alpha),
    sigma: make(schedule.sigma),
    dAlpha: make(schedule.dAlpha),
    dSigma: make(schedule.dSigma),
  };
}

/** The x0 (data) estimate from any prediction (`out` itself for x0; use inside tf.tidy). */
export function x0From(kind: Prediction, out: tf.Tensor, x: tf.Tensor, c: Coeffs): tf.Tensor {
  const { alpha: a, sigma: s, dAlpha: da, dSigma: ds } = c;
  switch (kind) {
    case 'x0':
      return out;
    case 'eps':
      return tf.div(tf.sub(x, tf.mul(out, s)), a); // x0 = (x - s eps) / a
    case 'v':
      return tf.div(lin(a, x, mul(-1, s), out), add(mul(a, a), mul(s, s))); // (a x - s v) / (a^2 + s^2)
    case 'velocity':
      return tf.div(lin(ds, x, mul(-1, s), out), sub(mul(a, ds), mul(s, da))); // (s' x - s u) / (a s' - s a')
  }
}

/** The noise estimate eps from any prediction. */
export function epsFrom(kind: Prediction, out: tf.Tensor, x: tf.Tensor, c: Coeffs): tf.Tensor {
  const { alpha: a, sigma: s, dAlpha: da, dSigma: ds } = c;
  switch (kind) {
    case 'eps':
      return out;
    case 'x0':
      return tf.div(tf.sub(x, tf.mul(out, a)), s); // eps = (x - a x0) / s
    case 'v':
      return tf.div(lin(s, x, a, out), add(mul(a, a), mul(s, s))); // (s x + a v) / (a^2 + s^2)
    case 'velocity':
      return tf.div(lin(a, out, mul(-1, da), x), sub(mul(a, ds), mul(s, da))); // (a u - a' x) / (a s' - s a')
  }
}

/** The ODE velocity dx/dt = a' x0 + s' eps from any prediction (identity for `velocity`). */
export function velocityFrom(kind: Prediction, out: tf.Tensor, x: tf.Tensor, c: Coeffs): tf.Tensor {
  if (kind === 'velocity') return out;
  return lin(c.dAlpha, x0From(kind, out, x, c), c.dSigma, epsFrom(kind, out, x, c));
}

/** v = alpha eps - sigma x0 from any prediction. */
export function vFrom(kind: Prediction, out: tf.Tensor, x: tf.Tensor, c: Coeffs): tf.Tensor {
  if (kind === 'v') return out;
  return lin(c.alpha, epsFrom(kind, out, x, c), mul(-1, c.sigma), x0From(kind, out, x, c));
}

/**
 * Converts a prediction of one kind into another, exactly (up to float32 rounding); always a new tensor the caller
 * owns.
 */
export function convertPrediction(
  from: Prediction,
  to: Prediction,
  out: tf.Tensor,
  x: tf.Tensor,
  c: Coeffs,
): tf.Tensor {
  if (from === to) return tf.clone(out);
  switch (to) {
    case 'x0':
      return x0From(from, out, x, c);
    case 'eps':
      return epsFrom(from, out, x, c);
    case 'v':
      return vFrom(from, out, x, c);
    case 'velocity':
      return velocityFrom(from, out, x, c);
  }
}

/** Coefficients at t for a parametrization; a clear error where the model has no schedule. */
export function paramCoeffs(p: Parametrization, t: number, needFor: string): Coeffs<number> {
  if (!p.schedule)
    throw new Error(
      `${needFor} needs a noise schedule, but this model has none (it predicts '${p.prediction}' on its own grid); ` +
        `on such a model use the euler or heun solver and the euler coarse jump`,
    );
  return coeffsAt(p.schedule, t);
}

// The readers below return `out` itself when no conversion is needed: call them inside tf.tidy.

/** Reads the model output as x0 at scalar time t. */
export const x0Of = (p: Parametrization, out: tf.Tensor, x: tf.Tensor, t: number): tf.Tensor =>
  p.prediction === 'x0'
    ? out
    : x0From(p.prediction, out, x, paramCoeffs(p, t, `reading a '${p.prediction}' output as x0`));

/** Reads the model output as eps at scalar time t. */
export const epsOf = (p: Parametrization, out: tf.Tensor, x: tf.Tensor, t: number): tf.Tensor =>
  p.prediction === 'eps'
    ? out
    : epsFrom(p.prediction, out, x, paramCoeffs(p, t, `reading a '${p.prediction}' output as eps`));

/** Reads the model output as the ODE velocity at scalar time t. */
export const velocityOf = (p: Parametrization, out: tf.Tensor, x: tf.Tensor, t: number): tf.Tensor =>
  p.prediction === 'velocity'
    ? out
    : velocityFrom(p.prediction, out, x, paramCoeffs(p, t, `reading a '${p.prediction}' output as a velocity`));
