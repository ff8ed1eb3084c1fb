import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digitBatch } from '../src/data/index.ts';
import {
  DIT_PRESET_NAMES,
  attention,
  attentionBatched,
  attentionDepthwise,
  createTrainer,
  ditDenoiser,
  ditForward,
  flopsPerImage,
  getDiTConfig,
  initDiT,
  loadDiT,
  paramCount,
  saveDiT,
  tokens,
} from '../src/models/dit/index.ts';
import { normals } from '../src/random.ts';
import { getSchedule, timeGrid } from '../src/diffusion/index.ts';
import { euler, sample } from '../src/solvers/index.ts';
import { channelMatMul, gelu, layerNorm, linear, linear3d, silu, taping } from '../src/models/nn.ts';
import { modulate, patchify, timeFeatures, unpatchify } from '../src/models/dit/layers.ts';
import { noLeak, throwsWith } from './helpers.ts';

const input = (cfg: ReturnType<typeof getDiTConfig>, n: number, seed: number) => ({
  x: tf.tensor4d(Float32Array.from(normals(n * cfg.imageSize ** 2 * cfg.channels, seed)), [
    n,
    cfg.imageSize,
    cfg.imageSize,
    cfg.channels,
  ]),
  t: tf.tensor1d(Array.from({ length: n }, (_, i) => (i + 0.5) / n)),
  y: tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    'int32',
  ),
});

/** A model whose adaLN and output layers are no longer zero, so outputs depend on the input. */
function perturbed(cfg: ReturnType<typeof getDiTConfig>, seed: number) {
  const p = initDiT(cfg, seed);
  for (const k of Object.keys(p))
    if (/ada|final\.out/.test(k)) {
      const old = p[k];
      p[k] = tf.tensor(
        Float32Array.from(normals(old.size, seed + k.length), (z) => 0.05 * z),
        old.shape,
      );
      old.dispose();
    }
  return p;
}

test('every preset: output shape equals input shape; parameter counts and FLOPs are positive and ordered', () => {
  for (const name of DIT_PRESET_NAMES) {
    const cfg = getDiTConfig(name),
      p = initDiT(cfg, 0);
    const { x, t, y } = input(cfg, 3, 1);
    const out = ditForward(p, cfg, x, t, y);
    assert.equal(out.shape, x.shape, name);
    assert.is(tokens(cfg), 64);
    tf.dispose([x, t, y, out, ...Object.values(p)]);
  }
  assert.ok(paramCount(getDiTConfig('DiT-S/2')) > paramCount(getDiTConfig('DiT-T/2')));
  assert.ok(flopsPerImage(getDiTConfig('DiT-S/2')) > flopsPerImage(getDiTConfig('DiT-T/2')));
});

test('adaLN-Zero: a freshly initialised DiT outputs exactly zero', () => {
  const cfg = getDiTConfig('DiT-T/2'),
    p = initDiT(cfg, 5),
    { x, t, y } = input(cfg, 2, 2);
  const out = ditForward(p, cfg, x, t, y);
  assert.ok(out.dataSync().every((v) => v === 0));
  tf.dispose([x, t, y, out, ...Object.values(p)]);
});

test('same seed, same parameters and the same output; another seed differs', () => {
  const cfg = getDiTConfig('DiT-T/2');
  const a = perturbed(cfg, 3),
    b = perturbed(cfg, 3),
    c = perturbed(cfg, 4),
    { x, t, y } = input(cfg, 2, 3);
  const [oa, ob, oc] = [a, b, c].map((p) => ditForward(p, cfg, x, t, y).dataSync());
  assert.equal(Array.from(oa), Array.from(ob));
  assert.not.equal(Array.from(oa), Array.from(oc));
  tf.dispose([x, t, y, ...Object.values(a), ...Object.values(b), ...Object.values(c)]);
});

test('save and load round trip: same parameters, same outputs; a wrong manifest is a clear error', async () => {
  const cfg = getDiTConfig('DiT-T/2'),
    p = perturbed(cfg, 7),
    dir = mkdtempSync(join(tmpdir(), 'dit-'));
  await saveDiT(dir, cfg, p, { note: 'test' });
  const back = loadDiT(dir),
    { x, t, y } = input(cfg, 2, 4);
  assert.equal(back.config, cfg);
  assert.equal(back.training, { note: 'test' });
  assert.equal(
    Array.from(ditForward(back.params, cfg, x, t, y).dataSync()),
    Array.from(ditForward(p, cfg, x, t, y).dataSync()),
  );
  await throwsWith(() => loadDiT(join(dir, 'nowhere')), /no model.json/);
  rmSync(dir, { recursive: true });
  tf.dispose([x, t, y, ...Object.values(p), ...Object.values(back.params)]);
});

test(
  'guidance 1 is the conditional prediction; guidance w gives v_null + w (v_y - v_null); labels tile over the ' +
    'batch',
  () => {
    const cfg = getDiTConfig('DiT-T/2'),
      p = perturbed(cfg, 9),
      { x, t } = input(cfg, 4, 5);
    tf.tidy(() => {
      const cond = ditDenoiser(p, cfg, { labels: [3, 7] }).predict(x, t);
      const direct = ditForward(p, cfg, x, t, tf.tensor1d([3, 7, 3, 7], 'int32'));
      assert.equal(Array.from(cond.dataSync()), Array.from(direct.dataSync()));
      const uncond = ditForward(p, cfg, x, t, tf.fill([4], cfg.classes, 'int32') as tf.Tensor1D);
      const guided = ditDenoiser(p, cfg, { labels: [3, 7], guidance: 2.5 }).predict(x, t);
      const want = tf.add(uncond, tf.mul(tf.sub(direct, uncond), 2.5));
      assert.ok(tf.max(tf.abs(tf.sub(guided, want))).dataSync()[0] < 1e-5);
    });
    assert.throws(() => ditDenoiser(p, cfg, { labels: [11] }), /labels: got 11; allowed: integers 0..10/);
    tf.dispose([x, t, ...Object.values(p)]);
  },
);

/** Multi-head attention in float64 loops over samples, heads and tokens: the independent answer. */
function attentionLoops(
  x: number[][][],
  heads: number,
  w: Record<'q' | 'k' | 'v' | 'o', [number[][], number[]]>,
): number[][][] {
  const lin = (rows: number[][], [W, b]: [number[][], number[]]) =>
    rows.map((r) => b.map((bj, j) => r.reduce((a, ri, i) => a + ri * W[i][j], bj)));
  return x.map((rows) => {
    const q = lin(rows, w.q),
      k = lin(rows, w.k),
      v = lin(rows, w.v),
      d = rows[0].length,
      hd = d / heads;
    const ctx = rows.map(() => new Array<number>(d).fill(0));
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < rows.length; i++) {
        const s = k.map((kj) => {
          let a = 0;
          for (let c = h * hd; c < (h + 1) * hd; c++) a += q[i][c] * kj[c];
          return a / Math.sqrt(hd);
        });
        const m = Math.max(...s),
          e = s.map((z) => Math.exp(z - m)),
          z = e.reduce((a, b) => a + b);
        for (let c = h * hd; c < (h + 1) * hd; c++) ctx[i][c] = e.reduce((a, ej, j) => a + (ej / z) * v[j][c], 0);
      }
    return lin(ctx, w.o);
  });
}

test('attention: the depthwise-convolution and batched-matMul forms both equal float64 loops; no leaks', async () => {
  for (const [n, l, d, heads] of [
    [1, 5, 8, 2],
    [3, 16, 12, 3],
    [2, 64, 64, 4],
  ]) {
    const seed = n * 100 + l;
    const mat = (r: number, c: number, s: number) =>
      Array.from({ length: r }, (_, i) => Array.from(normals(c, s + i), (z) => 0.3 * z));
    const xs = Array.from({ length: n }, (_, b) => mat(l, d, seed + 1000 * b));
    const wa = Object.fromEntries(
      (['q', 'k', 'v', 'o'] as const).map((k, i) => [
        k,
        [mat(d, d, seed + 50 * i + 7), mat(1, d, seed + 50 * i + 9)[0]],
      ]),
    ) as Record<'q' | 'k' | 'v' | 'o', [number[][], number[]]>;
    const wt = Object.fromEntries(
      Object.entries(wa).map(([k, [W, b]]) => [k, [tf.tensor2d(W), tf.tensor1d(b)]]),
    ) as unknown as Parameters<typeof attention>[2];
    const x = tf.tensor3d(xs),
      want = attentionLoops(xs, heads, wa).flat(2);
    for (const [name, f] of Object.entries({ attentionBatched, attentionDepthwise, attention })) {
      const got = await noLeak(() => {
        const y = f(x, heads, wt),
          v = y.arraySync().flat(2);
        y.dispose();
        return v;
      });
      const err = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
      assert.ok(err < 2e-5, `${name} n=${n} l=${l} d=${d} heads=${heads}: max error ${err}`);
    }
    tf.dispose([x, ...Object.values(wt).flat()]);
  }
});

test(
  'channelMatMul: per-channel products and their gradients equal float64 loops; mismatched shapes are an ' + 'error',
  async () => {
    const [m, k, c, n] = [5, 3, 4, 6];
    const av = Array.from(normals(m * k * c, 11)),
      bv = Array.from(normals(k * c * n, 12)),
      gv = Array.from(normals(m * c * n, 13));
    const A = (i: number, q: number, ch: number) => av[(i * k + q) * c + ch],
      B = (q: number, ch: number, j: number) => bv[(q * c + ch) * n + j],
      G = (i: number, ch: number, j: number) => gv[(i * c + ch) * n + j];
    const a = tf.tensor3d(av, [m, k, c]),
      b = tf.tensor3d(bv, [k, c, n]),
      g = tf.tensor3d(gv, [m, c, n]);
    const close = (got: Float32Array | Int32Array | Uint8Array, want: (idx: number) => number, what: string) =>
      got.forEach((v, idx) => assert.ok(Math.abs(v - want(idx)) < 1e-4, `${what}[${idx}]: ${v} vs ${want(idx)}`));
    const out = await noLeak(() => {
      const y = channelMatMul(a, b),
        v = y.dataSync().slice();
      y.dispose();
      return v;
    });
    close(
      out,
      (idx) => {
        const i = Math.floor(idx / (c * n)),
          ch = Math.floor(idx / n) % c,
          j = idx % n;
        let s = 0;
        for (let q = 0; q < k; q++) s += A(i, q, ch) * B(q, ch, j);
        return s;
      },
      'out',
    );
    // d sum(g * out) / da[i, q, ch] = sum_j g[i, ch, j] b[q, ch, j]; / db[q, ch, j] = sum_i a[i, q, ch] g[i, ch, j]
    const [da, db] = await noLeak(() => {
      const gs = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(channelMatMul(x as tf.Tensor3D, y as tf.Tensor3D), g)),
      )([a, b]);
      const v = gs.map((t) => t.dataSync().slice());
      tf.dispose(gs);
      return v;
    });
    close(
      da,
      (idx) => {
        const i = Math.floor(idx / (k * c)),
          q = Math.floor(idx / c) % k,
          ch = idx % c;
        let s = 0;
        for (let j = 0; j < n; j++) s += G(i, ch, j) * B(q, ch, j);
        return s;
      },
      'da',
    );
    close(
      db,
      (idx) => {
        const q = Math.floor(idx / (c * n)),
          ch = Math.floor(idx / n) % c,
          j = idx % n;
        let s = 0;
        for (let i = 0; i < m; i++) s += A(i, q, ch) * G(i, ch, j);
        return s;
      },
      'db',
    );
    await throwsWith(() => channelMatMul(a, g), /channelMatMul/, /\[m, k, C\]/);
    tf.dispose([a, b, g]);
  },
);

test('attention gradients: the depthwise form matches the batched-matMul form for the input and every weight', () => {
  const [n, l, d, heads] = [2, 16, 12, 3];
  const x = tf.tensor3d(
    Float32Array.from(normals(n * l * d, 21), (z) => 0.5 * z),
    [n, l, d],
  );
  const ws = ['q', 'k', 'v', 'o'].flatMap((_, i) => [
    tf.tensor2d(
      Array.from(normals(d * d, 30 + i), (z) => 0.3 * z),
      [d, d],
    ),
    tf.tensor1d(Array.from(normals(d, 40 + i), (z) => 0.1 * z)),
  ]);
  const weights = (t: tf.Tensor[]) =>
    ({ q: [t[0], t[1]], k: [t[2], t[3]], v: [t[4], t[5]], o: [t[6], t[7]] }) as Parameters<typeof attention>[2];
  const probe = tf.tensor3d(Float32Array.from(normals(n * l * d, 22)), [n, l, d]);
  const grads = (f: typeof attention) =>
    tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(args[0] as tf.Tensor3D, heads, weights(args.slice(1))), probe)))(
      [x, ...ws],
    );
  const gb = grads(attentionBatched),
    gd = grads(attentionDepthwise);
  gb.forEach((t, i) => {
    const want = t.dataSync(),
      got = gd[i].dataSync(),
      scale = Math.max(...Array.from(want, Math.abs));
    const err = Math.max(...Array.from(got, (v, j) => Math.abs(v - want[j])));
    assert.ok(scale > 0 && err < 1e-4 * Math.max(1, scale), `gradient ${i}: max difference ${err} (scale ${scale})`);
  });
  tf.dispose([x, probe, ...ws, ...gb, ...gd]);
});

test('linear: the fused inference form and the taped customGrad form agree, and the taped gradient is exact', () => {
  const x = tf.tensor2d(Array.from(normals(12, 1)), [4, 3]),
    w = tf.tensor2d(Array.from(normals(6, 2)), [3, 2]),
    b = tf.tensor1d([0.5, -1]);
  const plain = tf.tidy(() => linear(x, w, b).arraySync());
  let taped: number[][] = [],
    flag = false;
  const g = tf.grad((wv: tf.Tensor) => {
    flag = taping();
    const y = linear(x, wv, b);
    taped = y.arraySync() as number[][];
    return tf.sum(y);
  })(w);
  assert.ok(flag, 'taping() is true inside tf.grad');
  assert.not.ok(taping());
  const xv = x.arraySync(),
    wantY = xv.map((r) => [0, 1].map((j) => r.reduce((a, ri, i) => a + ri * w.arraySync()[i][j], b.arraySync()[j])));
  plain.forEach((r, i) =>
    r.forEach((v, j) => {
      assert.ok(Math.abs(v - wantY[i][j]) < 1e-5);
      assert.ok(Math.abs(taped[i][j] - wantY[i][j]) < 1e-5);
    }),
  );
  // d sum(x W + b) / dW[i][j] = sum over rows of x[r][i]
  (g.arraySync() as number[][]).forEach((r, i) =>
    r.forEach((v) => assert.ok(Math.abs(v - xv.reduce((a, row) => a + row[i], 0)) < 1e-5)),
  );
  tf.dispose([x, w, b, g]);
});

test(
  'layers: layer norm gives zero mean and unit variance, patchify inverts, and none leaks outside a ' + 'tidy',
  async () => {
    const x3 = tf.tensor3d(
        Float32Array.from(normals(2 * 4 * 8, 3), (z) => 3 * z + 1),
        [2, 4, 8],
      ),
      w = tf.tensor2d(Array.from(normals(8 * 5, 4)), [8, 5]),
      b = tf.tensor1d([1, 2, 3, 4, 5]);
    const img = tf.tensor4d(Float32Array.from(normals(2 * 16 * 16, 5)), [2, 16, 16, 1]),
      sh = tf.tensor2d(Array.from(normals(16, 6)), [2, 8]),
      t = tf.tensor1d([0.1, 0.9]);
    const ln = await noLeak(() => {
      const y = layerNorm(x3),
        v = y.arraySync() as number[][][];
      y.dispose();
      return v;
    });
    for (const row of ln.flat()) {
      const m = row.reduce((a, v) => a + v) / row.length,
        v = row.reduce((a, z) => a + (z - m) ** 2, 0) / row.length;
      assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-4, `mean ${m}, variance ${v}`);
    }
    const back = await noLeak(() => {
      const tok = patchify(img as tf.Tensor4D, 2),
        y = unpatchify(tok, 2, 16, 1),
        v = y.dataSync().slice();
      tf.dispose([tok, y]);
      return v;
    });
    assert.equal(Array.from(back), Array.from(img.dataSync()));
    for (const f of [
      () => linear3d(x3 as tf.Tensor3D, w, b),
      () => silu(x3),
      () => gelu(x3),
      () => modulate(x3 as tf.Tensor3D, sh, sh),
      () => timeFeatures(t as tf.Tensor1D, 8),
    ])
      await noLeak(() => {
        const y = f();
        const ok = y.dataSync().every(Number.isFinite);
        y.dispose();
        assert.ok(ok);
      });
    tf.dispose([x3, w, b, img, sh, t]);
  },
);

test('the taped DiT forward (training path) equals the inference forward (depthwise attention, fused bias)', () => {
  const cfg = getDiTConfig('DiT-T/2'),
    p = perturbed(cfg, 9),
    { x, t, y } = input(cfg, 3, 8);
  const fast = ditForward(p, cfg, x, t, y);
  let tapedOut: Float32Array = new Float32Array();
  const g = tf.grad((xv: tf.Tensor) => {
    const o = ditForward(p, cfg, xv as tf.Tensor4D, t, y);
    tapedOut = o.dataSync() as Float32Array;
    return tf.sum(o);
  })(x);
  const a = fast.dataSync();
  const err = Math.max(...Array.from(a, (v, i) => Math.abs(v - tapedOut[i])));
  assert.ok(err < 1e-5 && a.some((v) => v !== 0), `max difference ${err}`);
  tf.dispose([x, t, y, fast, g, ...Object.values(p)]);
});

test('a few training steps lower the flow-matching loss on a fixed batch', async () => {
  const cfg = getDiTConfig('DiT-T/2'),
    init = initDiT(cfg, 1);
  const tr = createTrainer(cfg, init, { lr: 3e-3, warmup: 1, totalSteps: 40, labelDropout: 0 });
  tf.dispose(Object.values(init));
  const data = digitBatch(16, 3);
  // same noise each step
  const losses: number[] = [];
  for (let s = 0; s < 40; s++) losses.push(await tr.step(data.images, data.labels, s, 100));
  assert.ok(losses[39] < 0.8 * losses[0], `loss ${losses[0]} -> ${losses[39]}`);
  tr.dispose();
});

test('no tensor leaks from the forward pass, the guided denoiser or a training step', async () => {
  const cfg = getDiTConfig('DiT-T/2'),
    p = perturbed(cfg, 2),
    { x, t, y } = input(cfg, 2, 6);
  await noLeak(() => ditForward(p, cfg, x, t, y).dispose());
  await noLeak(() =>
    ditDenoiser(p, cfg, { labels: [1], guidance: 3 })
      .predict(x, t)
      .dispose(),
  );
  const init = initDiT(cfg, 0),
    tr = createTrainer(cfg, init, { totalSteps: 2 });
  tf.dispose(Object.values(init));
  const data = digitBatch(4, 1);
  await tr.step(data.images, data.labels, 0, 1);
  await noLeak(() => tr.step(data.images, data.labels, 1, 2));
  tr.dispose();
  // the denoiser declares its sample shape: images of another size are refused before any model call
  const d = ditDenoiser(p, cfg, { labels: [1] }),
    small = tf.zeros([2, 8, 8, 1]);
  assert.equal(d.sampleShape, [cfg.imageSize, cfg.imageSize, cfg.channels]);
  const grid = timeGrid(getSchedule('flow'), { steps: 4 });
  await noLeak(() =>
    throwsWith(() => sample(euler, d, small, grid), /sample: x has shape \[2, 8, 8, 1\]; allowed: \[n, 16, 16, 1\]/),
  );
  tf.dispose([x, t, y, small, ...Object.values(p)]);
});

test('procedural digits: same seed, same images; values in [-1, 1]; labels as asked; bad input rejected', async () => {
  const a = digitBatch(20, 4),
    b = digitBatch(20, 4),
    c = digitBatch(20, 5);
  assert.equal(Array.from(a.images), Array.from(b.images));
  assert.not.equal(Array.from(a.images), Array.from(c.images));
  assert.ok(a.images.every((v) => v >= -1 && v <= 1));
  assert.equal(Array.from(digitBatch(4, 1, {}, [7, 2]).labels), [7, 2, 7, 2]);
  // each class draws a different mean image (glyphs differ)
  const mean = (l: number) => {
    const d = digitBatch(50, 9, {}, [l]);
    const m = new Float32Array(256);
    d.images.forEach((v, j) => (m[j % 256] += v / 50));
    return m;
  };
  const m1 = mean(1),
    m8 = mean(8);
  assert.ok(m8.reduce((s, v) => s + v, 0) > m1.reduce((s, v) => s + v, 0), 'an 8 has more ink than a 1');
  await throwsWith(() => digitBatch(0, 1), /n: got 0/);
  await throwsWith(() => digitBatch(2, 1, {}, [12]), /labels: got 12/);
});

test.run();
