/**
 * Generic network layers in tfjs ops, shaped by what is fast and differentiable on wasm
 * (ECOSYSTEM.md): 2-D matMuls without transpose flags while taping (a customGrad linear), a fused
 * bias in inference, per-channel matMuls as depthwise convolutions (wasm's batched matMul is a
 * scalar loop), sigmoid-GELU instead of tanh, layer norm without tf.moments' cast.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * A two-input op with a hand-written backward, typed (tf.customGrad's own typing is untyped):
 * value(a, b) forward, grad(dy, a, b) -> [da, db].
 */
function withGrad<A extends tf.Tensor, B extends tf.Tensor, O extends tf.Tensor>(
  value: (a: A, b: B) => O,
  grad: (dy: O, a: A, b: B) => [tf.Tensor, tf.Tensor],
): (a: A, b: B) => O {
  type Saved = (
    a: A,
    b: B,
    save: tf.GradSaveFunc,
  ) => { value: O; gradFunc: (dy: O, saved: tf.Tensor[]) => tf.Tensor[] };
  const f: Saved = (a, b, save) => {
    save([a, b]);
    return { value: value(a, b), gradFunc: (dy, [as, bs]) => grad(dy, as as A, bs as B) };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: A, b: B) => O;
}

/** x W with a backward of explicit transposes (wasm's fast matmul path takes no transpose flags). */
const matMulFast = withGrad(
  (x: tf.Tensor2D, w: tf.Tensor2D) => tf.matMul(x, w),
  (dy, x, w) => [tf.matMul(dy, tf.transpose(w)), tf.matMul(tf.transpose(x), dy)],
);

/** True while a gradient tape records (inside tf.grad / optimizer.minimize). */
export const taping = (): boolean => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;

/**
 * x W + b for x: [M, I], W: [I, O]. While taping: the customGrad matMul and an add; otherwise one
 * fused matMul with bias (XNNPACK adds the bias in the same pass on wasm).
 */
export const linear = (x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D =>
  taping()
    ? tf.tidy(() => tf.add(matMulFast(x, w as tf.Tensor2D), b) as tf.Tensor2D)
    : (tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b }) as tf.Tensor2D);

/** Linear over the last axis of [N, L, I] via one 2-D matMul. */
export function linear3d(x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const [n, l, i] = x.shape;
  return tf.tidy(() => tf.reshape(linear(tf.reshape(x, [n * l, i]), w, b), [n, l, w.shape[1]!]));
}

/**
 * Per-channel products out[m, c, n] = sum_k a[m, k, c] b[k, c, n] as one depthwise convolution (a 1 x k filter b over
 * a's (m, k) plane, channel multiplier n), which wasm runs in XNNPACK.
 */
const channelMatMulConv = (a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D => {
  const [m, k, c] = a.shape,
    n = b.shape[2];
  return tf.reshape(
    tf.depthwiseConv2d(
      tf.reshape(a, [1, m, k, c]) as tf.Tensor4D,
      tf.reshape(b, [1, k, c, n]) as tf.Tensor4D,
      1,
      'valid',
    ),
    [m, c, n],
  );
};
/**
 * Its gradient in the same form (wasm has no depthwise-convolution gradient kernels): da = dy b^T, db = a^T dy per
 * channel.
 */
const channelMatMulGrad = withGrad(channelMatMulConv, (dy, a, b) => [
  // da = dy b^T: [m, k, C]
  tf.transpose(channelMatMulConv(tf.transpose(dy, [0, 2, 1]), tf.transpose(b, [2, 1, 0])), [0, 2, 1]),
  channelMatMulConv(tf.transpose(a, [1, 0, 2]), dy), // db = a^T dy: [k, C, n]
]);

/**
 * A batch of C independent matrix products in channels-last layout: a [m, k, C], b [k, C, n] -> [m, C, n];
 * differentiable.
 */
export const channelMatMul = (a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D => {
  if (a.shape[1] !== b.shape[0] || a.shape[2] !== b.shape[1])
    throw new Error(
      `channelMatMul: shapes [${a.shape}] and [${b.shape}] do not match; allowed: a [m, k, C] with b [k, C, n]`,
    );
  return taping() ? channelMatMulGrad(a, b) : tf.tidy(() => channelMatMulConv(a, b));
};

export const silu = (x: tf.Tensor): tf.Tensor => tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
/** GELU approximated as x sigmoid(1.702 x) (Hendrycks & Gimpel 2016); wasm's tanh is slow. */
export const gelu = (x: tf.Tensor): tf.Tensor => tf.tidy(() => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))));

/** Layer norm over the last axis without affine parameters (Ba et al. 2016; DiT: elementwise_affine=False). */
export function layerNorm(x: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, -1, true)); // x - E[x]
    return tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps)));
  });
}
