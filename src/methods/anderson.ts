/**
 * Triangular Anderson acceleration (ParaTAA, Tang et al., ICML 2024) of a Picard map over a window of
 * nodes. For node j with the plain update F_j and residual R_j = F_j - x_j, and the last m differences
 * dX_j, dR_j of its iterates and residuals, gamma_j solves the ridge least-squares problem over the
 * residuals of the window nodes up to j (the triangular structure: node j depends only on earlier nodes),
 *
 *     min_gamma  sum_{i <= j} |R_i - dR_i gamma|^2 + reg * mean(diag) * |gamma|^2,
 *
 * and x_j <- x_j + R_j - (dX_j + dR_j) gamma_j. Computed in float64 on the host (m <= 5).
 */
import * as tf from '@tensorflow/tfjs';
import { shown } from '../options.ts';

/** Earlier iterates of one node, newest first: states and their residuals. */
export interface AndersonHistory {
  xs: Float64Array[];
  rs: Float64Array[];
}

export function validateAnderson(depth: number, reg: number): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > 5)
    throw new Error(`andersonDepth: got ${shown(depth)}; allowed: an integer from 1 to 5`);
  if (!(reg > 0) || !Number.isFinite(reg))
    throw new Error(`andersonRegularization: got ${shown(reg)}; allowed: a finite number > 0`);
}

const dot = (u: Float64Array, v: Float64Array) => {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
};

/** Solves the small symmetric system A g = b by Gaussian elimination with partial pivoting; null if singular. */
export function solveSmall(A: number[][], b: number[]): number[] | null {
  const k = b.length,
    M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    if (!(Math.abs(M[piv][c]) > 0)) return null;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = c + 1; r < k; r++) {
      const f = M[r][c] / M[c][c];
      for (let q = c; q <= k; q++) M[r][q] -= f * M[c][q];
    }
  }
  const g = new Array<number>(k).fill(0);
  for (let c = k - 1; c >= 0; c--) {
    let s = M[c][k];
    for (let q = c + 1; q < k; q++) s -= M[c][q] * g[q];
    g[c] = s / M[c][c];
  }
  return g.every(Number.isFinite) ? g : null;
}

/**
 * Accelerates nodes f+1..e of a window that starts at a: `next[m - a - 1]` holds the plain update F_m
 * (replaced in place by the accelerated state, the old tensor disposed), `old[m]` the current state.
 * Nodes without an earlier state, and node f itself (computed from converged nodes), keep F. Every
 * node a+1..e with a state records this iterate in `hist`.
 */
export function andersonStep(
  hist: Map<number, AndersonHistory>,
  next: tf.Tensor[],
  old: readonly (tf.Tensor | undefined)[],
  a: number,
  f: number,
  e: number,
  depth: number,
  reg: number,
  values: ReadonlyMap<tf.Tensor, ArrayLike<number>>,
): void {
  interface Row {
    x: Float64Array;
    r: Float64Array;
    dX: Float64Array[];
    dR: Float64Array[];
  }
  const rows = new Map<number, Row>();
  for (let m = a + 1; m <= e; m++) {
    const xo = old[m];
    if (!xo) continue;
    const x = Float64Array.from(values.get(xo)!),
      F = values.get(next[m - a - 1])!;
    const r = x.map((v, i) => F[i] - v);
    const h = hist.get(m) ?? { xs: [], rs: [] };
    const dX: Float64Array[] = [],
      dR: Float64Array[] = [];
    let px: Float64Array = x,
      pr: Float64Array = r;
    for (let c = 0; c < Math.min(depth, h.xs.length); c++) {
      dX.push(px.map((v, i) => v - h.xs[c][i]));
      dR.push(pr.map((v, i) => v - h.rs[c][i]));
      px = h.xs[c];
      pr = h.rs[c];
    }
    rows.set(m, { x, r, dX, dR });
    h.xs.unshift(x);
    h.rs.unshift(r);
    h.xs.length = Math.min(h.xs.length, depth);
    h.rs.length = Math.min(h.rs.length, depth);
    hist.set(m, h);
  }
  // prefix sums over the window of dR_i^T dR_i and dR_i^T R_i (missing columns count as zero)
  const G = Array.from({ length: depth }, () => new Array<number>(depth).fill(0)),
    B = new Array<number>(depth).fill(0);
  for (let m = a + 1; m <= e; m++) {
    const row = rows.get(m);
    if (!row) continue;
    for (let c = 0; c < row.dR.length; c++) {
      B[c] += dot(row.dR[c], row.r);
      for (let q = 0; q < row.dR.length; q++) G[c][q] += dot(row.dR[c], row.dR[q]);
    }
    const k = row.dR.length;
    if (m <= f || k === 0) continue;
    let tr = 0;
    for (let c = 0; c < k; c++) tr += G[c][c];
    if (!(tr > 0)) continue;
    const A = Array.from({ length: k }, (_, c) =>
      Array.from({ length: k }, (_, q) => G[c][q] + (c === q ? (reg * tr) / k : 0)),
    );
    const gamma = solveSmall(A, B.slice(0, k));
    if (!gamma) continue;
    const out = new Float32Array(row.x.length);
    for (let i = 0; i < out.length; i++) {
      let v = row.x[i] + row.r[i];
      for (let c = 0; c < k; c++) v -= (row.dX[c][i] + row.dR[c][i]) * gamma[c];
      out[i] = v;
    }
    if (!out.every(Number.isFinite)) continue;
    const plain = next[m - a - 1];
    next[m - a - 1] = tf.tensor(out, plain.shape, 'float32');
    plain.dispose();
  }
}
