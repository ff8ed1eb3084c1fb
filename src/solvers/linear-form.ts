/**
 * The linear form of a solver step, as capability data for Picard-type parallel samplers:
 *
 *     x_{j+1} = c_j x_j + sum_m g_{j,m} D_{j-m}
 *
 * where D_i is the model's x0 estimate at grid point i (read from the model output at the point where
 * the model was evaluated) and c_j, g_{j,m} depend on times only. In the data-prediction form of DDIM
 * and DPM-Solver++ (Lu et al. 2022b) c_j = sigma(t_{j+1}) / sigma(t_j) exactly, so on y = x / sigma
 * the linear part is the identity and a Picard iteration over the whole solver is a cumulative sum of
 * x0 terms. A stage point of a multi-stage step (the DPM-Solver++(2S) start of 3M) has the same form
 * with its own time in place of t_{j+1}. A solver without a linear form (Euler on a VP schedule, Heun,
 * the noise-form DPM-Solver) is refused by `requireLinearForm`.
 */
import type { Parametrization } from '../diffusion/prediction.ts';
import { paramCoeffs } from '../diffusion/prediction.ts';
import type { Solver } from './solver.ts';
import { NOISE_LAMBDA, lambdaAt } from './util.ts';

export interface LinearStep {
  /** Coefficient of the state x_j. */
  c: number;
  /** Coefficients of the x0 estimates D_j, D_{j-1}, ... (newest first). */
  g: number[];
}

export interface LinearForm {
  /** Earlier grid points whose x0 estimates a step reads (its multistep history): 0 DDIM, 1 for 2M, 2 for 3M. */
  readonly history: number;
  /** c of a step or stage from time `from` to time `to`: sigma(to) / sigma(from). */
  stateCoefficient(p: Parametrization, from: number, to: number): number;
  /**
   * c and g of the one-call step t -> tNext, given the earlier grid times of the trajectory (newest
   * first); null for a step with more than one model call (the 3M start), whose stage has its own form.
   */
  coefficients(p: Parametrization, t: number, tNext: number, past: readonly number[]): LinearStep | null;
}

/** A solver that declares its linear form. */
export type LinearSolver = Solver & { readonly linear: LinearForm };

const stateCoefficient = (p: Parametrization, from: number, to: number): number =>
  paramCoeffs(p, to, 'a linear-form step').sigma / paramCoeffs(p, from, 'a linear-form step').sigma;

/**
 * The data-prediction linear form of multistep DPM-Solver++ of the given order (1 = DDIM): the
 * coefficients follow dpm-solver-pp.ts term by term (first order from pure noise or to clean data).
 */
export function dataPredictionLinearForm(order: 1 | 2 | 3): LinearForm {
  const who = order === 1 ? 'ddim' : `dpmpp-${order}m`;
  return {
    history: order - 1,
    stateCoefficient,
    coefficients(p, t, tNext, past) {
      if (order === 3 && p.schedule && !past.some((u) => lambdaAt(p, u, who) >= NOISE_LAMBDA)) {
        const regular = lambdaAt(p, t, who) >= NOISE_LAMBDA && Number.isFinite(lambdaAt(p, tNext, who));
        if (regular) return null; // the DPM-Solver++(2S) start: two model calls
      }
      const c = stateCoefficient(p, t, tNext);
      const ls = lambdaAt(p, t, who),
        h = lambdaAt(p, tNext, who) - ls,
        a = paramCoeffs(p, tNext, who).alpha,
        e = Math.expm1(-h);
      const g = [-a * e];
      const hist = past
        .slice(0, order - 1)
        .map((u) => lambdaAt(p, u, who))
        .filter((l) => l >= NOISE_LAMBDA);
      if (order === 1 || !Number.isFinite(h) || hist.length === 0) return { c, g };
      const h1 = ls - hist[0];
      if (order === 2) {
        const k = -a * e * (h / (2 * h1));
        return { c, g: [g[0] + k, -k] };
      }
      const phi2 = e / h + 1;
      const d10 = [h / h1, -h / h1, 0]; // (D0 - D1) / r0 as coefficients of D0, D1, D2
      if (hist.length === 1) return { c, g: [g[0] + a * phi2 * d10[0], a * phi2 * d10[1]] };
      const h2 = hist[0] - hist[1],
        r0 = h1 / h,
        r1 = h2 / h,
        phi3 = phi2 / h - 0.5;
      const d11 = [0, h / h2, -h / h2];
      const d1 = d10.map((v, i) => v + (v - d11[i]) * (r0 / (r0 + r1)));
      const d2 = d10.map((v, i) => (v - d11[i]) / (r0 + r1));
      const extra = d1.map((v, i) => a * (v * phi2 - d2[i] * 2 * phi3));
      return { c, g: [g[0] + extra[0], extra[1], extra[2]] };
    },
  };
}

/** The solver's linear form, or a clear error naming the solvers that have one. */
export function requireLinearForm(solver: Solver, who: string, allowed: readonly string[]): LinearSolver {
  const lf = (solver as Partial<LinearSolver>).linear;
  if (!lf)
    throw new Error(
      `${who}: solver '${solver.name}' has no linear form x_{j+1} = c x_j + sum g D (a Picard iteration over it ` +
        `would not have the sequential solver as its fixed point); allowed: ${allowed.join(', ')}`,
    );
  return solver as LinearSolver;
}
