import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { GRIDS, SCHEDULES, getSchedule, timeGrid, type NoiseSchedule } from '../src/diffusion/index.ts';
import { coeffsPerSample } from '../src/diffusion/prediction.ts';
import { throwsWith } from './helpers.ts';

const tInner = fc.double({ min: 0.02, max: 0.98, noNaN: true });
const arbSchedule = fc.constantFrom(...SCHEDULES).map(getSchedule);

test('flow is the straight path: alpha = 1 - t, sigma = t; VP keeps alpha^2 + sigma^2 = 1', () => {
  fc.assert(
    fc.property(tInner, (t) => {
      const f = getSchedule('flow');
      assert.is(f.alpha(t) + f.sigma(t), 1);
      for (const name of ['vp-linear', 'vp-cosine']) {
        const s = getSchedule(name);
        assert.ok(Math.abs(s.alpha(t) ** 2 + s.sigma(t) ** 2 - 1) < 1e-12);
      }
    }),
  );
});

test('t = 1 is pure noise for flow (alpha = 0) and t = 0 is data (sigma = 0) for all', () => {
  assert.is(getSchedule('flow').alpha(1), 0);
  for (const name of SCHEDULES) assert.is(getSchedule(name).sigma(0), 0, name);
  assert.ok(getSchedule('vp-cosine').alpha(1) < 1e-15);
});

test('derivatives match central differences; sigmaDSigma = sigma * dSigma', () => {
  fc.assert(
    fc.property(arbSchedule, tInner, (s, t) => {
      const d = 1e-6;
      const fdA = (s.alpha(t + d) - s.alpha(t - d)) / (2 * d),
        fdS = (s.sigma(t + d) - s.sigma(t - d)) / (2 * d);
      assert.ok(Math.abs(fdA - s.dAlpha(t)) < 1e-5 * (1 + Math.abs(fdA)), `${s.name} dAlpha at ${t}`);
      assert.ok(Math.abs(fdS - s.dSigma(t)) < 1e-5 * (1 + Math.abs(fdS)), `${s.name} dSigma at ${t}`);
      assert.ok(Math.abs(s.sigmaDSigma(t) - s.sigma(t) * s.dSigma(t)) < 1e-9 * (1 + Math.abs(s.sigmaDSigma(t))));
    }),
    { numRuns: 200 },
  );
});

test('lambda is decreasing and tOfLambda inverts it', () => {
  fc.assert(
    fc.property(arbSchedule, tInner, (s, t) => {
      assert.ok(s.lambda(t + 1e-3) < s.lambda(t));
      assert.ok(Math.abs(s.tOfLambda(s.lambda(t)) - t) < 1e-9, `${s.name} at ${t}`);
    }),
    { numRuns: 300 },
  );
});

test('grids: T + 1 strictly decreasing points from tStart to tEnd, for every schedule and kind', () => {
  fc.assert(
    fc.property(
      arbSchedule,
      fc.constantFrom(...GRIDS),
      fc.integer({ min: 1, max: 200 }),
      fc.double({ min: 0.3, max: 6, noNaN: true }),
      (s, kind, steps, shift) => {
        // the shift belongs to uniform grids (elsewhere it is refused: it would be ignored)
        const g = timeGrid(s, { steps, kind, ...(kind === 'uniform' ? { shift } : {}) });
        assert.is(g.length, steps + 1);
        assert.is(g[0], 1);
        assert.is(g[steps], 0);
        for (let i = 1; i < g.length; i++) assert.ok(g[i] < g[i - 1]);
      },
    ),
    { numRuns: 300 },
  );
});

test("uniform grid applies the SD3 shift t' = s t / (1 + (s - 1) t)", () => {
  const g = timeGrid(getSchedule('flow'), { steps: 4, shift: 3 });
  const expect = [1, 0.75, 0.5, 0.25, 0].map((u) => (3 * u) / (1 + 2 * u));
  g.forEach((t, i) => assert.ok(Math.abs(t - expect[i]) < 1e-15));
});

test('karras grid is uniform in (sigma/alpha)^(1/rho); logsnr grid is uniform in lambda (between caps)', () => {
  const s = getSchedule('vp-linear');
  const k = timeGrid(s, { steps: 10, kind: 'karras', tStart: 0.9, tEnd: 0.05 });
  const roots = k.map((t) => Math.exp(-s.lambda(t) / 7));
  for (let i = 2; i < roots.length; i++) assert.ok(Math.abs(roots[i] - roots[i - 1] - (roots[1] - roots[0])) < 1e-9);
  const l = timeGrid(s, { steps: 10, kind: 'logsnr', tStart: 0.9, tEnd: 0.05 }).map((t) => s.lambda(t));
  for (let i = 2; i < l.length; i++) assert.ok(Math.abs(l[i] - l[i - 1] - (l[1] - l[0])) < 1e-9);
  // flow from pure noise: t = 1 kept, interior spaced from sigma/alpha = 80 down to 0.002, then t = 0
  const f = timeGrid(getSchedule('flow'), { steps: 5, kind: 'logsnr' });
  assert.ok(Math.abs(f[1] - 80 / 81) < 1e-12 && Math.abs(f[4] - 0.002 / 1.002) < 1e-12);
});

test('bad grid and schedule inputs are rejected with the allowed values', async () => {
  const s = getSchedule('flow');
  await throwsWith(() => getSchedule('cosine'), /unknown schedule 'cosine'/, /flow, vp-linear, vp-cosine, ve/);
  await throwsWith(() => timeGrid(s, { steps: 0 }), /steps: got 0/, /integer from 1/);
  await throwsWith(() => timeGrid(s, { steps: 2.5 }), /steps/);
  await throwsWith(
    () => timeGrid(s, { steps: 10, kind: 'cosine' as never }),
    /unknown grid 'cosine'/,
    /uniform, karras, logsnr/,
  );
  await throwsWith(() => timeGrid(s, { steps: 10, shift: -1 }), /shift: got -1/);
  await throwsWith(() => timeGrid(s, { steps: 10, tStart: 0.2, tEnd: 0.5 }), /tEnd/);
});

test('tensor forms: float32 ops match the float64 functions; device-only time vectors need no readback', () => {
  const ts = [1, 0.999, 0.9, 0.5, 0.1, 0.01, 1e-3];
  for (const name of SCHEDULES) {
    const s = getSchedule(name);
    assert.ok(s.tensors, `${name} has tensor forms`);
    const before = tf.memory().numTensors;
    const t = tf.tensor1d(ts);
    const c = tf.tidy(() => s.tensors!(t) as unknown as tf.NamedTensorMap);
    for (const k of ['alpha', 'sigma', 'dAlpha', 'dSigma'] as const) {
      const got = c[k].dataSync();
      ts.forEach((u, i) => {
        const want = s[k](u);
        if (!Number.isFinite(want))
          return assert.ok(!Number.isFinite(got[i]) || Math.abs(got[i]) > 1e6, `${name} ${k}`);
        assert.ok(
          Math.abs(got[i] - want) <= 2e-5 * Math.abs(want) + 2e-6 * (1 + Math.abs(want)),
          `${name} ${k}(${u}): ${got[i]} vs ${want}`,
        );
      });
    }
    // coeffsPerSample on a vector without a host copy: the tensor forms, shaped [N, 1, 1]
    const pc = coeffsPerSample(s, t, 3);
    assert.equal(pc.alpha.shape, [ts.length, 1, 1]);
    tf.dispose([t, ...Object.values(c), ...Object.values(pc)]);
    assert.is(tf.memory().numTensors, before, `${name}: no leak`);
  }
  const custom: NoiseSchedule = { ...getSchedule('flow'), tensors: undefined };
  const t = tf.tensor1d([0.5]);
  assert.throws(
    () => coeffsPerSample(custom, t, 2),
    /t: a time vector not made by timesVector\(\) .*allowed: timesVector/,
  );
  t.dispose();
});

test.run();
