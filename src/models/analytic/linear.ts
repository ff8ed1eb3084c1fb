/**
 * The CHORDS reference code's toy problem (algorithms/chords.py::test): the field
 * f(x, tau) = 0.1 x + 0.01 tau on the integer grid tau = 0..T, stepped by the unit-step Euler jump
 * x + f(x, i) (j - i). It is a `velocity` model with no noise schedule; its grid increases.
 */
import * as tf from '@tensorflow/tfjs';
import type { AnalyticModel } from './types.ts';
import { shown } from '../../options.ts';

export const LINEAR_A = 0.1;
export const LINEAR_B = 0.01;

export function linearToyModel(dim: number): AnalyticModel {
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`dim: got ${shown(dim)}; allowed: an integer >= 1`);
  return {
    name: 'linear',
    dim,
    prediction: 'velocity',
    predict: (x, t) =>
      tf.tidy(() => tf.add(tf.mul(x, LINEAR_A), tf.mul(tf.reshape(t, [-1, ...Array(x.rank - 1).fill(1)]), LINEAR_B))),
    dispose: () => undefined,
    /** Exact: x(tau) = C e^{a tau} - (b/a) tau - b/a^2. */
    solve(x, from, to) {
      const p = (tau: number) => -(LINEAR_B / LINEAR_A) * tau - LINEAR_B / (LINEAR_A * LINEAR_A);
      return x.map((xi) => (xi - p(from)) * Math.exp(LINEAR_A * (to - from)) + p(to));
    },
  };
}

/** The toy's integer grid 0, 1, ..., T. */
export const linearToyGrid = (steps: number): number[] => Array.from({ length: steps + 1 }, (_, i) => i);
