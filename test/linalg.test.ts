import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { featureStats, frechetDistance, matmul, sqrtPsd, symmetricEigen } from '../src/metrics/index.ts';
import { throwsWith } from './helpers.ts';

/** A = Q diag(lam) Q^T with Q a product of Householder reflections: the spectrum and sqrt(A) are known exactly. */
function knownSpd(d: number, lam: number[]) {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const q = new Float64Array(d * d);
  for (let i = 0; i < d; i++) q[i * d + i] = 1;
  for (let h = 0; h < 3; h++) {
    const u = Float64Array.from({ length: d }, rnd),
      nn = u.reduce((s, x) => s + x * x, 0);
    for (let i = 0; i < d; i++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k] * u[k];
      for (let k = 0; k < d; k++) q[i * d + k] -= (2 * dot * u[k]) / nn;
    }
  }
  const form = (f: (l: number) => number) => {
    const m = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) m[i * d + j] += q[i * d + k] * f(lam[k]) * q[j * d + k];
    return m;
  };
  return { a: form((l) => l), sqrt: form(Math.sqrt) };
}

const maxAbs = (x: ArrayLike<number>, y: ArrayLike<number>) =>
  Array.from(x).reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);

test('symmetricEigen: the known spectrum of Q diag(lam) Q^T, A v = lam v, orthonormal vectors', () => {
  const d = 40,
    lam = Array.from({ length: d }, (_, i) => 10 ** (-2 + (4 * i) / (d - 1)));
  const { a } = knownSpd(d, lam);
  const { values, vectors: v } = symmetricEigen(a, d);
  const sorted = [...values].sort((x, y) => x - y);
  sorted.forEach((x, i) => assert.ok(Math.abs(x - lam[i]) < 1e-12 * lam[d - 1], `eigenvalue ${i}: ${x} vs ${lam[i]}`));
  const av = matmul(a, v, d);
  for (let k = 0; k < d; k++)
    for (let i = 0; i < d; i++) assert.ok(Math.abs(av[i * d + k] - values[k] * v[i * d + k]) < 1e-11 * lam[d - 1]);
  const vtv = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) vtv[i * d + j] += v[k * d + i] * v[k * d + j];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) assert.ok(Math.abs(vtv[i * d + j] - (i === j ? 1 : 0)) < 1e-12);
});

test('sqrtPsd: matches Q diag(sqrt lam) Q^T; a zero eigenvalue (rounding noise either side) stays finite', () => {
  const d = 30,
    lam = Array.from({ length: d }, (_, i) => 0.5 + i);
  const { a, sqrt } = knownSpd(d, lam);
  assert.ok(maxAbs(sqrtPsd(a, d), sqrt) < 1e-12 * Math.sqrt(d));
  const singular = knownSpd(d, [0, ...lam.slice(1)]);
  const s0 = sqrtPsd(singular.a, d);
  assert.ok(s0.every(Number.isFinite));
  // sqrt amplifies the ~1e-15 eigenvalue noise at 0 to ~3e-8: the bound is sqrt(eps * |A|).
  assert.ok(maxAbs(s0, singular.sqrt) < 1e-6);
});

test('frechetDistance: y = 3x + shift gives |mean shift|^2 + 4 tr(Sx) (Sy = 9 Sx commutes with Sx)', () => {
  const n = 4000,
    d = 3;
  let seed = 3;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const x = Float64Array.from({ length: n * d }, rnd),
    y = x.map((v, j) => 3 * v + (j % d === 1 ? 1 : 0));
  const sx = featureStats(x, n, d),
    sy = featureStats(y, n, d);
  // Sy = 9 Sx, and (Sx^1/2 Sy Sx^1/2)^1/2 = 3 Sx, so d^2 = |my - mx|^2 + tr(Sx)(1 + 9 - 6).
  let tr = 0,
    dm = 0;
  for (let i = 0; i < d; i++) {
    tr += sx.cov[i * d + i];
    dm += (sy.mean[i] - sx.mean[i]) ** 2;
  }
  assert.ok(Math.abs(frechetDistance(sx, sy) - (dm + 4 * tr)) < 1e-9);
});

test('symmetricEigen: a wrong length is an error naming the sizes', async () => {
  await throwsWith(() => symmetricEigen([1, 2, 3], 2), /symmetricEigen/, /4 entries/, /got 3/);
});

test.run();
