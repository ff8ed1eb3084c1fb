/** Dormand-Prince 5(4) with adaptive steps in float64 (Hairer et al., Solving ODEs I, II.5): the reference solver. */

export interface Dopri5Options {
  rtol?: number;
  atol?: number;
  maxSteps?: number;
}

const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const B4 = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];

/** Integrates dy/dt = f(t, y) from t0 to t1 (either direction); returns y(t1). */
export function dopri5(
  f: (t: number, y: Float64Array) => Float64Array,
  y0: Float64Array,
  t0: number,
  t1: number,
  { rtol = 1e-11, atol = 1e-12, maxSteps = 1_000_000 }: Dopri5Options = {},
): Float64Array {
  const n = y0.length,
    dir = Math.sign(t1 - t0);
  let t = t0,
    y = Float64Array.from(y0),
    h = dir * Math.min(Math.abs(t1 - t0), 1e-3);
  let k1 = f(t, y);
  for (let step = 0; step < maxSteps; step++) {
    if (dir * (t1 - t) <= 0) return y;
    if (dir * (t + h - t1) > 0) h = t1 - t;
    const k: Float64Array[] = [k1];
    for (let s = 1; s < 7; s++) {
      const ys = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        let acc = y[j];
        for (let m = 0; m < s; m++) acc += h * A[s][m] * k[m][j];
        ys[j] = acc;
      }
      k.push(f(t + C[s] * h, ys));
    }
    const y5 = new Float64Array(n);
    let err = 0;
    for (let j = 0; j < n; j++) {
      let a5 = y[j],
        a4 = y[j];
      for (let m = 0; m < 7; m++) {
        a5 += h * B5[m] * k[m][j];
        a4 += h * B4[m] * k[m][j];
      }
      y5[j] = a5;
      const sc = atol + rtol * Math.max(Math.abs(y[j]), Math.abs(a5));
      err = Math.max(err, Math.abs(a5 - a4) / sc);
    }
    if (!Number.isFinite(err)) throw new Error(`dopri5: the field is not finite near t=${t} (step ${h})`);
    if (err <= 1 || Math.abs(h) < 1e-14) {
      t = t + h;
      y = y5;
      k1 = k[6]; // first-same-as-last
    }
    h *= Math.min(5, Math.max(0.2, 0.9 * Math.pow(Math.max(err, 1e-16), -0.2)));
  }
  throw new Error(`dopri5: more than ${maxSteps} steps from t=${t0} to t=${t1}`);
}
