/**
 * Single-step DPM-Solver-2 and -3 in the noise-prediction form (Lu et al. 2022, Alg. 4 and 5 with
 * r1 = 1/2, and r1 = 1/3, r2 = 2/3). A step from pure noise (util.ts NOISE_LAMBDA) or to clean data
 * has no usable intermediate points and is taken as DDIM.
 */
import * as tf from '@tensorflow/tfjs';
import { epsOf, paramCoeffs, type Parametrization } from '../diffusion/prediction.ts';
import { ddimJump } from './jump.ts';
import { emptyState, type Solver, type StageEval, type StepInput } from './solver.ts';
import { lambdaAt, regularStep } from './util.ts';

const R: Record<2 | 3, number[]> = { 2: [0.5], 3: [1 / 3, 2 / 3] };

/** x_u = (a_u / a_s) x - s_u expm1(r h) eps_s - extra: the shared first-order part of every stage. */
function firstOrder(p: Parametrization, x: tf.Tensor, epsS: tf.Tensor, s: number, u: number, rh: number): tf.Tensor {
  const cs = paramCoeffs(p, s, 'dpm-solver'),
    cu = paramCoeffs(p, u, 'dpm-solver');
  return tf.sub(tf.mul(x, cu.alpha / cs.alpha), tf.mul(epsS, cu.sigma * Math.expm1(rh)));
}

function dpmSolver(order: 2 | 3): Solver {
  const name = `dpm${order}`,
    r = R[order];
  const geometry = (p: Parametrization, { t, tNext }: StepInput) => {
    const ls = lambdaAt(p, t, name),
      h = lambdaAt(p, tNext, name) - ls;
    return { h, tAt: (ri: number) => p.schedule!.tOfLambda(ls + ri * h) };
  };
  const eps = (p: Parametrization, e: StageEval) => epsOf(p, e.out, e.x, e.t);
  return {
    name,
    order,
    callsPerStep: order,
    multistep: false,
    calls: (p, t, tNext) => (regularStep(p, t, tNext, name) ? order : 1),
    init: emptyState,
    stage(p, step, evals) {
      const { h, tAt } = geometry(p, step);
      const k = evals.length,
        u = tAt(r[k - 1]);
      const eps0 = eps(p, evals[0]);
      const base = firstOrder(p, step.x, eps0, step.t, u, r[k - 1] * h);
      if (k === 1) return { x: base, t: u };
      // stage u2 of DPM-Solver-3: - (r2 / r1) s_u2 (expm1(r2 h) / (r2 h) - 1) (eps_u1 - eps_s)
      const su = paramCoeffs(p, u, name).sigma,
        [r1, r2] = r;
      const coef = (r2 / r1) * su * (Math.expm1(r2 * h) / (r2 * h) - 1);
      return { x: tf.sub(base, tf.mul(tf.sub(eps(p, evals[1]), eps0), coef)), t: u };
    },
    finish(p, step, evals) {
      if (evals.length === 1) return { x: ddimJump(p, step.x, evals[0].out, step.t, step.tNext), state: emptyState() };
      const { h } = geometry(p, step);
      const eps0 = eps(p, evals[0]),
        st = paramCoeffs(p, step.tNext, name).sigma;
      const base = firstOrder(p, step.x, eps0, step.t, step.tNext, h);
      const last = eps(p, evals[evals.length - 1]),
        rl = r[r.length - 1];
      // order 2: - s_t / (2 r1) expm1(h) (eps_u - eps_s); order 3: - s_t / r2 (expm1(h) / h - 1) (eps_u2 - eps_s)
      const coef = order === 2 ? (st / (2 * rl)) * Math.expm1(h) : (st / rl) * (Math.expm1(h) / h - 1);
      return { x: tf.sub(base, tf.mul(tf.sub(last, eps0), coef)), state: emptyState() };
    },
  };
}

export const dpm2 = dpmSolver(2);
export const dpm3 = dpmSolver(3);
