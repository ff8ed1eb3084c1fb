/** Frechet distance between Gaussians fitted to two feature sets (Heusel et al. 2017, the FID formula). */
import { covariance, matmul, mean, sqrtPsd, symmetricEigen } from './linalg.ts';
import { shown } from '../options.ts';

export interface FeatureStats {
  mean: Float64Array;
  cov: Float64Array;
  dim: number;
  n: number;
}

export function featureStats(features: ArrayLike<number>, n: number, dim: number): FeatureStats {
  if (n < 2) throw new Error(`features: need at least 2 samples for a covariance; got ${shown(n)}`);
  return { mean: mean(features, n, dim), cov: covariance(features, n, dim), dim, n };
}

/** d^2 = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2}). */
export function frechetDistance(a: FeatureStats, b: FeatureStats): number {
  if (a.dim !== b.dim) throw new Error(`frechetDistance: feature dimensions differ (${a.dim} vs ${b.dim})`);
  const d = a.dim;
  let dm = 0,
    tr = 0;
  for (let i = 0; i < d; i++) {
    dm += (a.mean[i] - b.mean[i]) ** 2;
    tr += a.cov[i * d + i] + b.cov[i * d + i];
  }
  const s1 = sqrtPsd(a.cov, d),
    inner = matmul(matmul(s1, b.cov, d), s1, d);
  for (let i = 0; i < d; i++)
    for (let j = i + 1; j < d; j++) {
      const avg = (inner[i * d + j] + inner[j * d + i]) / 2;
      inner[i * d + j] = avg;
      inner[j * d + i] = avg;
    }
  const cross = symmetricEigen(inner, d).values.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
  return Math.max(0, dm + tr - 2 * cross);
}
