/** Problems the experiments run: the Gaussian mixture (exact reference) and the shipped DiT (classifier quality). */
import { buildProblem, type Problem } from '../../src/problems/index.ts';

export type { Problem };

/** The flow mixture of `seed` (8 components) with noise seed 1000 + seed. */
export function mixtureProblem({
  steps,
  seed,
  n = 16,
  dim = 64,
}: {
  steps: number;
  seed: number;
  n?: number;
  dim?: number;
}) {
  return buildProblem({ model: 'mixture', steps, n, dim, components: 8, mixtureSeed: seed, seed: 1000 + seed });
}

/** The shipped DiT, classes cycling 0..9, with noise seed 2000 + seed. */
export function ditProblem({
  steps,
  seed,
  n = 20,
  guidance = 2,
}: {
  steps: number;
  seed: number;
  n?: number;
  guidance?: number;
}) {
  return buildProblem({ model: 'dit', steps, n, guidance, seed: 2000 + seed });
}
