/** Small float64 linear algebra for metrics: means, covariances, symmetric eigendecomposition (Jacobi). */

/** Row means of an n x d row-major matrix. */
export function mean(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) m[j] += x[i * d + j] / n;
  return m;
}

/** Unbiased covariance (d x d, row-major) of n rows. */
export function covariance(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const m = mean(x, n, d),
    c = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++) {
      const xa = x[i * d + a] - m[a];
      for (let b = a; b < d; b++) c[a * d + b] += xa * (x[i * d + b] - m[b]);
    }
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      c[a * d + b] /= Math.max(1, n - 1);
      c[b * d + a] = c[a * d + b];
    }
  return c;
}

/** Eigenvalues and eigenvectors (columns of v) of a symmetric d x d matrix by cyclic Jacobi rotations. */
export function symmetricEigen(a: ArrayLike<number>, d: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a),
    v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += m[p * d + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * d + q] - m[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < d; k++) {
          // columns p, q
          const mkp = m[k * d + p],
            mkq = m[k * d + q];
          m[k * d + p] = c * mkp - s * mkq;
          m[k * d + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < d; k++) {
          // rows p, q
          const mpk = m[p * d + k],
            mqk = m[q * d + k];
          m[p * d + k] = c * mpk - s * mqk;
          m[q * d + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p],
            vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  return { values: Float64Array.from({ length: d }, (_, i) => m[i * d + i]), vectors: v };
}

/** Symmetric PSD square root: V diag(sqrt(max(lambda, 0))) V^T. */
export function sqrtPsd(a: ArrayLike<number>, d: number): Float64Array {
  const { values, vectors: v } = symmetricEigen(a, d),
    out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(Math.max(0, values[k]));
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[i * d + j] += v[i * d + k] * s * v[j * d + k];
  }
  return out;
}

/** Product of d x d matrices. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  return out;
}
