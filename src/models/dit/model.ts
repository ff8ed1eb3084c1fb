/** The DiT forward pass as a pure function of a params record (Peebles & Xie 2023, Fig. 3, adaLN-Zero). */
import * as tf from '@tensorflow/tfjs';
import { normals, uniformRng } from '../../random.ts';
import { paramShapes, tokens, validateDiTConfig, type DiTConfig } from './config.ts';
import { gelu, layerNorm, linear, silu } from '../nn.ts';
import { attentionTokens, type AttentionWeights } from './attention.ts';
import { modulateTokens, patchifyTokens, posEmbedding, timeFeatures, unpatchifyTokens } from './layers.ts';

/** Parameters by name ('blocks.0.q.w', ...); tf.Variables while training, plain tensors otherwise. */
export type DiTParams = Record<string, tf.Tensor>;

/**
 * Seeded initialisation as in DiT's initialize_weights: Xavier-uniform linears, N(0, 0.02) time
 * MLP and label table, and zeros for every adaLN modulation and the output layer (adaLN-Zero),
 * so a fresh model outputs exactly 0.
 */
export function initDiT(cfg: DiTConfig, seed = 0): DiTParams {
  validateDiTConfig(cfg);
  const u = uniformRng(seed * 7 + 3);
  const params: DiTParams = {};
  let k = 0;
  for (const [name, shape] of paramShapes(cfg)) {
    const size = shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (name.endsWith('.b') || /(\.ada\.w|final\.out\.w)$/.test(name)) values = new Float32Array(size);
    else if (name === 'label' || name.startsWith('time.'))
      values = Float32Array.from(normals(size, seed * 1000 + ++k), (z) => 0.02 * z);
    else {
      const a = Math.sqrt(6 / (shape[0] + shape[1]));
      values = Float32Array.from({ length: size }, () => (2 * u() - 1) * a);
    }
    params[name] = tf.tensor(values, shape);
  }
  return params;
}

/** Block b's attention projections from a params record. */
export const attentionWeights = (params: DiTParams, b: number): AttentionWeights => {
  const lin = (s: string): [tf.Tensor, tf.Tensor] => [params[`blocks.${b}.${s}.w`], params[`blocks.${b}.${s}.b`]];
  return { q: lin('q'), k: lin('k'), v: lin('v'), o: lin('o') };
};

/** Labels as an int tensor [N]: row r gets labels[r mod labels.length] (requests tile the same batch). */
export function labelTensor(labels: ArrayLike<number>, n: number): tf.Tensor1D {
  return tf.tensor1d(
    Array.from({ length: n }, (_, r) => labels[r % labels.length]),
    'int32',
  );
}

/**
 * Velocity prediction v(x, t, y): x [N, H, W, C], t [N] in [0, 1], y [N] int labels (cfg.classes = null).
 * patchify -> + pos -> blocks(adaLN-Zero) -> final adaptive norm + linear -> unpatchify. The residual
 * stream is token-major [L, N, D]: per-sample modulations [N, D] broadcast over tokens as they are,
 * and attention's value projection and output need no transpose (attentionTokens).
 */
export function ditForward(
  params: DiTParams,
  cfg: DiTConfig,
  x: tf.Tensor4D,
  t: tf.Tensor1D,
  y: tf.Tensor1D,
): tf.Tensor4D {
  return tf.tidy(() => {
    const p = (name: string) => params[name];
    const n = x.shape[0],
      L = tokens(cfg),
      D = cfg.hidden;
    const rows = (z: tf.Tensor) => tf.reshape(z, [L * n, -1]) as tf.Tensor2D; // [L, N, F] -> [L * N, F]
    const stream = (z: tf.Tensor) => tf.reshape(z, [L, n, D]) as tf.Tensor3D; // [L * N, D] -> [L, N, D]
    const pos = tf.tensor3d(posEmbedding(cfg.imageSize / cfg.patch, D), [L, 1, D]);
    let h = tf.add(stream(linear(patchifyTokens(x, cfg.patch), p('patch.w'), p('patch.b'))), pos) as tf.Tensor3D;
    const te = linear(
      silu(linear(timeFeatures(t, cfg.timeFeatures), p('time.1.w'), p('time.1.b'))) as tf.Tensor2D,
      p('time.2.w'),
      p('time.2.b'),
    ); // [N, D]
    // one-hot matMul, not gather: gather has no gradient on wasm
    const ye = tf.matMul(tf.oneHot(y, cfg.classes + 1).toFloat(), p('label') as tf.Tensor2D); // [N, D]
    const c = silu(tf.add(te, ye)) as tf.Tensor2D; // [N, D]
    for (let b = 0; b < cfg.depth; b++) {
      const w = (s: string): [tf.Tensor, tf.Tensor] => [p(`blocks.${b}.${s}.w`), p(`blocks.${b}.${s}.b`)];
      const [shA, scA, gA, shM, scM, gM] = tf.split(linear(c, ...w('ada')), 6, 1); // 6 x [N, D]
      const attn = modulateTokens(layerNorm(h) as tf.Tensor3D, shA, scA);
      h = tf.add(h, tf.mul(gA, attentionTokens(attn, cfg.heads, attentionWeights(params, b)))) as tf.Tensor3D;
      const hidden = gelu(linear(rows(modulateTokens(layerNorm(h) as tf.Tensor3D, shM, scM)), ...w('mlp1')));
      h = tf.add(h, tf.mul(gM, stream(linear(hidden as tf.Tensor2D, ...w('mlp2'))))) as tf.Tensor3D;
    }
    const [shF, scF] = tf.split(linear(c, p('final.ada.w'), p('final.ada.b')), 2, 1); // 2 x [N, D]
    const out = linear(rows(modulateTokens(layerNorm(h) as tf.Tensor3D, shF, scF)), p('final.out.w'), p('final.out.b'));
    return unpatchifyTokens(out, n, cfg.patch, cfg.imageSize, cfg.channels); // [N, H, W, C]
  });
}
