/**
 * Multistep DPM-Solver++ in the data-prediction form: 2M (Lu et al. 2022b, Alg. 2) and 3M (the
 * third-order multistep update as in k-diffusion's dpmpp_3m with eta = 0). The history of x0
 * estimates is the carried state, newest first. 2M starts with one first-order step. 3M starts with
 * one singlestep DPM-Solver++(2S) step (Lu et al. 2022b, Alg. 1, r1 = 1/2; one extra model call),
 * then one second-order multistep step: a first-order start would cap its global order at 2. The
 * third-order term uses D2 = (D1_0 - D1_1) / (r0 + r1), a divided difference that estimates
 * h^2 x0''/2, so its coefficient is 2 phi_3 (the Taylor integral of e^{tau-h} tau^2/2 is -h^2 phi_3);
 * with phi_3 alone, as commonly written, the measured global order falls to 2 (test/solvers). A step
 * to clean data (infinite log-SNR) is first order (k-diffusion's convention), and so is a step from
 * pure noise (util.ts NOISE_LAMBDA), which also leaves no usable history.
 */
import * as tf from '@tensorflow/tfjs';
import { paramCoeffs, x0Of, type Parametrization } from '../diffusion/prediction.ts';
import { dataPredictionLinearForm } from './linear-form.ts';
import type { HistoryEntry, Solver } from './solver.ts';
import { NOISE_LAMBDA, isNoise, lambdaAt, regularStep } from './util.ts';

/** x_t = (s_t / s_s) x - a_t expm1(-h) D: the data-prediction update from s to t with the estimate D. */
function ppUpdate(
  p: Parametrization,
  x: tf.Tensor,
  d: tf.Tensor,
  s: number,
  t: number,
  h: number,
  who: string,
): tf.Tensor {
  const cs = paramCoeffs(p, s, who),
    ct = paramCoeffs(p, t, who);
  return tf.sub(tf.mul(x, ct.sigma / cs.sigma), tf.mul(d, ct.alpha * Math.expm1(-h)));
}

function dpmSolverPP(order: 2 | 3): Solver {
  const name = `dpmpp-${order}m`;
  const usable = (p: Parametrization, past: readonly number[]) => past.some((u) => !isNoise(p, u, name));
  return {
    name,
    order,
    callsPerStep: 1,
    multistep: true,
    linear: dataPredictionLinearForm(order),
    calls: (p, t, tNext, past) => (order === 3 && !usable(p, past) && regularStep(p, t, tNext, name) ? 2 : 1),
    init: () => ({ history: [] }),
    stage(p, { x, t, tNext }, [e0]) {
      // DPM-Solver++(2S) midpoint: lambda_u = lambda_s + h / 2
      const ls = lambdaAt(p, t, name),
        h = lambdaAt(p, tNext, name) - ls,
        u = p.schedule!.tOfLambda(ls + h / 2);
      return { x: ppUpdate(p, x, x0Of(p, e0.out, x, t), t, u, h / 2, name), t: u };
    },
    finish(p, { x, t, tNext, state }, evals) {
      const [e0, e1] = evals;
      const ls = lambdaAt(p, t, name),
        h = lambdaAt(p, tNext, name) - ls;
      const x0 = x0Of(p, e0.out, x, t);
      const history: HistoryEntry[] = [{ x0: tf.clone(x0), lambda: ls }];
      // 2S start: D = x0 at the midpoint
      if (e1) return { x: ppUpdate(p, x, x0Of(p, e1.out, e1.x, e1.t), t, tNext, h, name), state: { history } };
      let next = ppUpdate(p, x, x0, t, tNext, h, name); // first order (DDIM)
      // a history entry at pure noise carries no usable slope
      const hist = state.history.filter((e) => e.lambda >= NOISE_LAMBDA);
      history.push(...hist.slice(0, order - 2).map((e) => ({ x0: tf.clone(e.x0), lambda: e.lambda })));
      if (!Number.isFinite(h) || hist.length === 0) return { x: next, state: { history } };
      const at = paramCoeffs(p, tNext, name).alpha,
        h1 = ls - hist[0].lambda;
      if (order === 2) {
        // D = x0 + (1 / 2r)(x0 - x0_prev), r = h1 / h  (Lu et al. 2022b, Alg. 2)
        next = tf.sub(next, tf.mul(tf.sub(x0, hist[0].x0), at * Math.expm1(-h) * (h / (2 * h1))));
        return { x: next, state: { history } };
      }
      const phi2 = Math.expm1(-h) / h + 1;
      const d10 = tf.mul(tf.sub(x0, hist[0].x0), h / h1); // (x0 - x0_1) / r0
      if (hist.length === 1) return { x: tf.add(next, tf.mul(d10, at * phi2)), state: { history } };
      const h2 = hist[0].lambda - hist[1].lambda,
        r0 = h1 / h,
        r1 = h2 / h,
        phi3 = phi2 / h - 0.5;
      const d11 = tf.mul(tf.sub(hist[0].x0, hist[1].x0), h / h2); // (x0_1 - x0_2) / r1
      const d1 = tf.add(d10, tf.mul(tf.sub(d10, d11), r0 / (r0 + r1)));
      const d2 = tf.div(tf.sub(d10, d11), r0 + r1);
      return { x: tf.add(next, tf.mul(tf.sub(tf.mul(d1, phi2), tf.mul(d2, 2 * phi3)), at)), state: { history } };
    },
  };
}

export const dpmpp2m = dpmSolverPP(2);
export const dpmpp3m = dpmSolverPP(3);
