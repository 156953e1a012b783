/**
 * Fast matrix products for the tfjs wasm backend.
 *
 * Measured here (tfjs 4.22, wasm SIMD, one core, bench/nn-speed.js): a plain
 * [128,784]x[784,256] matMul runs at ~24 GFLOP/s, the same product with transposeB set about
 * 12x slower (the kernel leaves XNNPACK for a naive loop), and tfjs' own matMul gradient uses
 * exactly those flags. `matmul` below computes the gradients with an explicit `transpose`
 * followed by a plain product (the MLP training step gets ~1.9x faster). Batched (3-D) products
 * always take the naive loop (~2 GFLOP/s); `bmm` at least avoids the transposed variants.
 */
import { tf } from './tf.js';

type GradFn = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

let mm2: GradFn | undefined;
let mm3: GradFn | undefined;

/** a [m,k] x b [k,n] with transpose-free gradients. */
export function matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (!mm2) {
    mm2 = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, y]);
      return {
        value: tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[1]!) as tf.Tensor2D),
          tf.matMul(tf.transpose(saved[0]!) as tf.Tensor2D, dy as tf.Tensor2D),
        ],
      };
    }) as never) as unknown as GradFn;
  }
  return mm2(a, b) as tf.Tensor2D;
}

/** Batched a [B,m,k] x b [B,k,n] with transpose-free gradients. */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (!mm3) {
    mm3 = tf.customGrad(((x: tf.Tensor, y: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, y]);
      return {
        value: tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
          tf.matMul(dy as tf.Tensor3D, tf.transpose(saved[1]!, [0, 2, 1]) as tf.Tensor3D),
          tf.matMul(tf.transpose(saved[0]!, [0, 2, 1]) as tf.Tensor3D, dy as tf.Tensor3D),
        ],
      };
    }) as never) as unknown as GradFn;
  }
  return mm3(a, b) as tf.Tensor3D;
}

/** x [n, in] @ W [in, out] + b. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  const y = matmul(x, w as tf.Tensor2D);
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** GELU, tanh approximation (as GPT-2). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const c = Math.sqrt(2 / Math.PI);
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), c))));
}

/** Same GELU on one number (the RF8 inference path uses it on binary32 values). */
export function geluScalar(x: number): number {
  const c = Math.sqrt(2 / Math.PI);
  return 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x)));
}

/** LayerNorm over the last axis of x [n, d]. */
export function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b) as tf.Tensor2D;
}

/** Mean softmax cross-entropy (nats) of logits [n, C] against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const C = logits.shape[1];
  const lp = tf.logSoftmax(logits);
  const oh = tf.oneHot(labels, C);
  return tf.neg(tf.mean(tf.sum(tf.mul(lp, oh), -1))) as tf.Scalar;
}
