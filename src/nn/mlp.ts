/**
 * The MNIST MLP: 784-256-128-10 with ReLU (sizes configurable), and its task (data, batches
 * with small random shifts, loss, evaluation).
 */
import { loadMnist, MNIST_PIXELS, type ImageSet, type MnistSplit } from '../io/datasets.js';
import { Rng } from '../util/rng.js';
import { crossEntropy, linear } from './ops.js';
import type { Getter, ParamSpec } from './params.js';
import { tf } from './tf.js';
import type { Batch, EvalResult, Task } from './task.js';

export interface MlpConfig {
  sizes: number[];
  /** Max random shift in pixels applied to training images (0 = none). */
  shift: number;
  /** MNIST split. */
  splitSeed: number;
  nVal: number;
  nTest: number;
}

export const DEFAULT_MLP: MlpConfig = { sizes: [784, 256, 128, 10], shift: 2, splitSeed: 5, nVal: 1000, nTest: 1500 };

export function mlpSpecs(sizes: number[]): ParamSpec[] {
  const specs: ParamSpec[] = [];
  for (let l = 0; l < sizes.length - 1; l++) {
    const i = sizes[l]!;
    const o = sizes[l + 1]!;
    specs.push({ name: `fc${l + 1}.weight`, shape: [i, o], role: 'weight', rule: 'he', fanIn: i, fanOut: o });
    specs.push({ name: `fc${l + 1}.bias`, shape: [o], role: 'bias' });
  }
  return specs;
}

/** logits = fc_L(relu(... relu(fc_1(x)))) */
export function mlpForward(sizes: number[], get: Getter, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  const L = sizes.length - 1;
  for (let l = 1; l <= L; l++) {
    h = linear(h, get(`fc${l}.weight`), get(`fc${l}.bias`));
    if (l < L) h = tf.relu(h);
  }
  return h;
}

/** Copy image j of `set` into `dst` at offset, shifted by (dx, dy) with zero fill. */
function shiftedImage(set: ImageSet, j: number, dx: number, dy: number, dst: Float32Array, off: number): void {
  const src = set.x;
  const base = j * MNIST_PIXELS;
  for (let r = 0; r < 28; r++) {
    const rr = r - dy;
    for (let c = 0; c < 28; c++) {
      const cc = c - dx;
      dst[off + r * 28 + c] = rr >= 0 && rr < 28 && cc >= 0 && cc < 28 ? src[base + rr * 28 + cc]! : 0;
    }
  }
}

export interface MlpTask extends Task {
  kind: 'mlp';
  cfg: MlpConfig;
  data: MnistSplit;
}

export function mlpTask(partial: Partial<MlpConfig> = {}): MlpTask {
  const cfg: MlpConfig = { ...DEFAULT_MLP, ...partial };
  const data = loadMnist({ splitSeed: cfg.splitSeed, nVal: cfg.nVal, nTest: cfg.nTest });
  const specs = mlpSpecs(cfg.sizes);
  const nIn = cfg.sizes[0]!;
  const nOut = cfg.sizes[cfg.sizes.length - 1]!;
  return {
    kind: 'mlp',
    cfg,
    data,
    specs,
    metric: 'acc',
    describe: () => `MLP ${cfg.sizes.join('-')} on MNIST (${data.train.n} train / ${data.val.n} val / ${data.test.n} test)`,

    batch(rng: Rng, size: number): Batch {
      const x = new Float32Array(size * nIn);
      const y = new Int32Array(size);
      for (let b = 0; b < size; b++) {
        const j = rng.int(data.train.n);
        y[b] = data.train.y[j]!;
        const s = cfg.shift;
        const dx = s > 0 ? rng.int(2 * s + 1) - s : 0;
        const dy = s > 0 ? rng.int(2 * s + 1) - s : 0;
        shiftedImage(data.train, j, dx, dy, x, b * nIn);
      }
      return { x, y, n: size };
    },

    loss(get: Getter, batch: Batch): tf.Scalar {
      const x = tf.tensor2d(batch.x as Float32Array, [batch.n, nIn]);
      const y = tf.tensor1d(batch.y, 'int32');
      return crossEntropy(mlpForward(cfg.sizes, get, x), y);
    },

    evaluate(get: Getter, split: 'val' | 'test' | 'train', opts: { limit?: number } = {}): EvalResult {
      const set = data[split];
      const n = Math.min(set.n, opts.limit ?? set.n);
      let correct = 0;
      let ce = 0;
      const chunk = 500;
      for (let s = 0; s < n; s += chunk) {
        const m = Math.min(chunk, n - s);
        const [pred, loss] = tf.tidy(() => {
          const x = tf.tensor2d(set.x.subarray(s * nIn, (s + m) * nIn), [m, nIn]);
          const logits = mlpForward(cfg.sizes, get, x);
          const lp = tf.logSoftmax(logits);
          const y = tf.tensor1d(Int32Array.from(set.y.subarray(s, s + m)), 'int32');
          const nll = tf.neg(tf.sum(tf.mul(lp, tf.oneHot(y, nOut)), -1));
          return [tf.argMax(logits, 1).dataSync() as Int32Array, tf.sum(nll).dataSync()[0]!] as const;
        });
        for (let i = 0; i < m; i++) if (pred[i] === set.y[s + i]) correct++;
        ce += loss;
      }
      return { n, loss: ce / n, acc: correct / n };
    },
  };
}
