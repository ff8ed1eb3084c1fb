/** Euler on dx/dt (Karras et al. 2022, Alg. 1 first stage): one model call per step. */
import { eulerJump, ddimJump } from './jump.ts';
import { dataPredictionLinearForm } from './linear-form.ts';
import type { Solver } from './solver.ts';
import { jumpSolver } from './one-step.ts';

export const euler = jumpSolver('euler', eulerJump);

/** DDIM = DPM-Solver-1 (Song et al. 2021; Lu et al. 2022, Eq. 3.7 with k = 1). */
export const ddim: Solver = { ...jumpSolver('ddim', ddimJump), linear: dataPredictionLinearForm(1) };
