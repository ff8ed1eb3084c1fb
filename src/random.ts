/** Seeded random numbers in plain JS (float64), so noise is identical on every backend and in float64 references. */

/** mulberry32: a small, fast 32-bit generator; returns uniforms in [0, 1). */
export function uniformRng(seed: number): () => number {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box-Muller, as float64. */
export function normals(n: number, seed: number): Float64Array {
  const u = uniformRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u())),
      th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < n) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

/** Standard normal samples rounded to float32 (what a tensor holds). */
export const normals32 = (n: number, seed: number): Float32Array => Float32Array.from(normals(n, seed));
