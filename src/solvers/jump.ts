/** First-order jumps Phi(x, t -> s) that reuse the model output already computed at (x, t) (REFERENCE.md). */
import * as tf from '@tensorflow/tfjs';
import { JUMP_NAMES, type JumpName } from '../names.ts';
import { epsOf, paramCoeffs, velocityOf, x0Of, type Parametrization } from '../diffusion/prediction.ts';

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

export const JUMPS = { euler: eulerJump, ddim: ddimJump } as const satisfies Record<JumpName, Jump>;
export { JUMP_NAMES, type JumpName };

export function getJump(name: string): Jump {
  const j = JUMPS[name as JumpName];
  if (!j) throw new Error(`coarse: unknown jump '${name}'; allowed: ${Object.keys(JUMPS).join(', ')}`);
  return j;
}

/** The registered name of a jump ('custom' for one that is not registered). */
export const jumpName = (jump: Jump): string =>
  (Object.keys(JUMPS) as JumpName[]).find((k) => JUMPS[k] === jump) ?? 'custom';
