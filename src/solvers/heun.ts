/** Heun's method on dx/dt (Karras et al. 2022, Alg. 1): two calls per step, Euler for a step to clean data. */
import * as tf from '@tensorflow/tfjs';
import { velocityOf } from '../diffusion/prediction.ts';
import { eulerJump } from './jump.ts';
import { emptyState, type Solver } from './solver.ts';
import { endsAtData } from './util.ts';

export const heun: Solver = {
  name: 'heun',
  order: 2,
  callsPerStep: 2,
  multistep: false,
  // sigma(tNext) = 0: the second stage is undefined there, so the last step is Euler (Karras Alg. 1, line 6).
  calls: (p, _t, tNext) => (endsAtData(p, tNext) ? 1 : 2),
  init: emptyState,
  stage: (p, { x, t, tNext }, [e0]) => ({ x: eulerJump(p, x, e0.out, t, tNext), t: tNext }),
  finish(p, { x, t, tNext }, evals) {
    const [e0, e1] = evals;
    if (!e1) return { x: eulerJump(p, x, e0.out, t, tNext), state: emptyState() };
    const d = tf.add(velocityOf(p, e0.out, x, t), velocityOf(p, e1.out, e1.x, e1.t)); // u(x, t) + u(x_e, t')
    return { x: tf.add(x, tf.mul(d, 0.5 * (tNext - t))), state: emptyState() };
  },
};
