/** First-order jumps Phi(x, t -> s) that reuse the model output already computed at (x, t) (REFERENCE.md). */
import * as tf from '@tensorflow/tfjs';
import { JUMP_NAMES, type JumpName } from '../names.ts';
import { epsOf, paramCoeffs, velocityOf, x0Of, type Parametrization } from '../diffusion/prediction.ts';
import { shown } from '../options.ts';

export type Jump = (p: Parametrization, x: tf.Tensor, out: tf.Tensor, t: number, tTarget: number) => tf.Tensor;

/** Euler: x + (s - t) dx/dt; for a flow-velocity model exactly the diffusers FlowMatchEuler update. */
export const eulerJump: Jump = (p, x, out, t, tTarget) => tf.add(x, tf.mul(velocityOf(p, out, x, t), tTarget - t));

/**
 * DDIM = DPM-Solver-1 (Song et al. 2021; Lu et al. 2022): x_s = alpha_s x0 + sigma_s eps, exact for the linear part.
 */
export const ddimJump: Jump = (p, x, out, t, tTarget) => {
  const c = paramCoeffs(p, tTarget, 'the ddim jump');
  return tf.add(tf.mul(x0Of(p, out, x, t), c.alpha), tf.mul(epsOf(p, out, x, t), c.sigma));
};

/**
 * The exponential integrator in data-prediction form (DPM-Solver++, Lu et al. 2022, eq. 9) from (x, t) to
 * tTarget with a given x0 estimate D(l) = x0 + u dx0 + u^2 ddx0 over log-SNR l (u = l - lambda0), integrated
 * exactly: x_s = r x + alpha_s Q(u_s) - r alpha_t Q(u_t), r = sigma_s/sigma_t, Q(u) = x0 + (u - 1) dx0 +
 * (u^2 - 2u + 2) ddx0.
 * Without a slope (or when l_s is infinite: the data end) it is the DDIM jump with that x0 estimate.
 */
export function x0Jump(
  p: Parametrization,
  x: tf.Tensor,
  t: number,
  tTarget: number,
  x0: tf.Tensor,
  slope?: X0Slope,
): tf.Tensor {
  const ct = paramCoeffs(p, t, 'the x0 jump'),
    cs = paramCoeffs(p, tTarget, 'the x0 jump');
  const r = cs.sigma / ct.sigma;
  const lt = p.schedule?.lambda(t) ?? NaN,
    ls = p.schedule?.lambda(tTarget) ?? NaN;
  if (!slope || !Number.isFinite(ls) || !Number.isFinite(lt))
    return tf.tidy(() => tf.add(tf.mul(x0, cs.alpha), tf.mul(tf.sub(x, tf.mul(x0, ct.alpha)), r)));
  return tf.tidy(() => {
    // int e^l u^i dl = e^l P_i(u), u = l - lambda0: P_1 = u - 1, P_2 = u^2 - 2u + 2
    const Q = (u: number) => {
      const q1 = tf.add(x0, tf.mul(slope.dx0, u - 1)); // [n, ...]
      return slope.ddx0 ? tf.add(q1, tf.mul(slope.ddx0, u * u - 2 * u + 2)) : q1;
    };
    const ds = Q(ls - slope.lambda0); // [n, ...]
    const dt = Q(lt - slope.lambda0); // [n, ...]
    return tf.add(tf.mul(x, r), tf.sub(tf.mul(ds, cs.alpha), tf.mul(dt, r * ct.alpha)));
  });
}

/** An x0 estimate polynomial in log-SNR around lambda0 (x0Jump's slope argument). */
export interface X0Slope {
  dx0: tf.Tensor;
  ddx0?: tf.Tensor;
  lambda0: number;
}

/**
 * The interpolating polynomial (Newton form) of x0 estimates at log-SNR points, newest first, 2 or 3 of them
 * (the DPM-Solver++ 2M / 3M idea), as x0Jump's slope about the newest point; undefined for one point. Call in
 * a tidy scope. A point at lambda = -Infinity (pure noise) makes its difference 0: the order drops, finite.
 */
export function x0Slope(points: readonly { x0: tf.Tensor; lambda: number }[]): X0Slope | undefined {
  if (points.length < 2) return undefined;
  const [p0, p1, p2] = points;
  const a1 = tf.div(tf.sub(p0.x0, p1.x0), p0.lambda - p1.lambda); // [n, ...]
  if (!p2) return { dx0: a1, lambda0: p0.lambda };
  const b1 = tf.div(tf.sub(p1.x0, p2.x0), p1.lambda - p2.lambda); // [n, ...]
  const a2 = tf.div(tf.sub(a1, b1), p0.lambda - p2.lambda); // [n, ...]
  // D(u) = x0 + a1 u + a2 u (u - (l1 - l0)), u = l - l0: dx0 = a1 - a2 (l1 - l0), ddx0 = a2
  return { dx0: tf.sub(a1, tf.mul(a2, p1.lambda - p0.lambda)), ddx0: a2, lambda0: p0.lambda };
}

export const JUMPS = { euler: eulerJump, ddim: ddimJump } as const satisfies Record<JumpName, Jump>;
export { JUMP_NAMES, type JumpName };

export function getJump(name: string): Jump {
  const j = JUMPS[name as JumpName];
  if (!j) throw new Error(`coarse: unknown jump '${name}'; allowed: ${Object.keys(JUMPS).join(', ')}`);
  return j;
}

/** `j` itself when it is a jump function; a jump's name or anything else is a clear error naming the argument. */
export function requireJump(name: string, j: unknown): Jump {
  if (typeof j === 'function') return j as Jump;
  throw new Error(
    `${name}: got ${shown(j)}; allowed: a jump function, such as JUMPS.${Object.keys(JUMPS).join(' or JUMPS.')}` +
      (typeof j === 'string' ? ` (getJump('${j}'))` : ''),
  );
}

/** The registered name of a jump ('custom' for one that is not registered). */
export const jumpName = (jump: Jump): string =>
  (Object.keys(JUMPS) as JumpName[]).find((k) => JUMPS[k] === jump) ?? 'custom';
