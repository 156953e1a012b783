/**
 * A small decoder-only transformer (GPT-2 style, pre-LayerNorm, GELU MLP, learned positions,
 * head tied to the token embedding) as a character LM on the Brown corpus.
 *
 * Default: d = 128, 4 heads, 2 blocks, context 64: 414k parameters.
 */
import { loadBrownChars, type CharCorpus } from '../io/datasets.js';
import { Rng } from '../util/rng.js';
import { bmm, crossEntropy, gelu, layerNorm, linear, matmul } from './ops.js';
import type { Getter, ParamSpec } from './params.js';
import { tf } from './tf.js';
import type { Batch, EvalResult, Task } from './task.js';

export interface LmConfig {
  vocab: number;
  ctx: number;
  d: number;
  heads: number;
  layers: number;
  /** Evaluation windows (of ctx characters each) spread evenly over the split. */
  evalWindows: number;
}

export const DEFAULT_LM: Omit<LmConfig, 'vocab'> = { ctx: 64, d: 128, heads: 4, layers: 2, evalWindows: 128 };

export function lmSpecs(c: LmConfig): ParamSpec[] {
  const { d, vocab, ctx } = c;
  const s: ParamSpec[] = [
    { name: 'wte', shape: [vocab, d], role: 'embedding', rule: { std: 0.02 * Math.sqrt(128 / d) } },
    { name: 'wpe', shape: [ctx, d], role: 'embedding', rule: { std: 0.01 * Math.sqrt(128 / d) } },
  ];
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}`;
    s.push(
      { name: `${p}.ln1.g`, shape: [d], role: 'gain' },
      { name: `${p}.ln1.b`, shape: [d], role: 'shift' },
      { name: `${p}.attn.qkv.weight`, shape: [d, 3 * d], role: 'weight', rule: 'xavier', fanIn: d, fanOut: d },
      { name: `${p}.attn.qkv.bias`, shape: [3 * d], role: 'bias' },
      { name: `${p}.attn.proj.weight`, shape: [d, d], role: 'weight', rule: 'xavier', fanIn: d, fanOut: d * 2 * c.layers },
      { name: `${p}.attn.proj.bias`, shape: [d], role: 'bias' },
      { name: `${p}.ln2.g`, shape: [d], role: 'gain' },
      { name: `${p}.ln2.b`, shape: [d], role: 'shift' },
      { name: `${p}.mlp.fc.weight`, shape: [d, 4 * d], role: 'weight', rule: 'xavier', fanIn: d, fanOut: 4 * d },
      { name: `${p}.mlp.fc.bias`, shape: [4 * d], role: 'bias' },
      { name: `${p}.mlp.proj.weight`, shape: [4 * d, d], role: 'weight', rule: 'xavier', fanIn: 4 * d, fanOut: d * 2 * c.layers },
      { name: `${p}.mlp.proj.bias`, shape: [d], role: 'bias' },
    );
  }
  s.push({ name: 'lnf.g', shape: [d], role: 'gain' }, { name: 'lnf.b', shape: [d], role: 'shift' });
  return s;
}

const maskCache = new Map<number, Float32Array>();
/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. */
function causalMask(T: number): Float32Array {
  let m = maskCache.get(T);
  if (!m) {
    m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
    maskCache.set(T, m);
  }
  return m;
}

/** logits [B*T, vocab] for token ids idx [B, T]. */
export function lmForward(c: LmConfig, get: Getter, idx: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = idx.shape;
  const { d, heads: H } = c;
  const dh = d / H;
  // token + position embeddings (one-hot product: its gradient is a plain matmul)
  const tok = matmul(tf.oneHot(tf.reshape(idx, [B * T]), c.vocab).toFloat() as tf.Tensor2D, get('wte') as tf.Tensor2D);
  const pos = tf.tile(tf.slice(get('wpe'), [0, 0], [T, d]), [B, 1]);
  let x = tf.add(tok, pos) as tf.Tensor2D; // [B*T, d]
  const mask = tf.tensor2d(causalMask(T), [T, T]);
  for (let l = 0; l < c.layers; l++) {
    const p = (n: string) => get(`h${l}.${n}`);
    // attention
    const h = layerNorm(x, p('ln1.g'), p('ln1.b'));
    const qkv = linear(h, p('attn.qkv.weight'), p('attn.qkv.bias')); // [B*T, 3d]
    const heads = (i: number, perm: number[], shape: [number, number, number]) =>
      tf.reshape(tf.transpose(tf.reshape(tf.slice(qkv, [0, i * d], [B * T, d]), [B, T, H, dh]), perm), shape) as tf.Tensor3D;
    const q = heads(0, [0, 2, 1, 3], [B * H, T, dh]);
    const kT = heads(1, [0, 2, 3, 1], [B * H, dh, T]);
    const v = heads(2, [0, 2, 1, 3], [B * H, T, dh]);
    const att = tf.softmax(tf.add(tf.mul(bmm(q, kT), 1 / Math.sqrt(dh)), mask), -1) as tf.Tensor3D;
    const y = tf.reshape(tf.transpose(tf.reshape(bmm(att, v), [B, H, T, dh]), [0, 2, 1, 3]), [B * T, d]) as tf.Tensor2D;
    x = tf.add(x, linear(y, p('attn.proj.weight'), p('attn.proj.bias'))) as tf.Tensor2D;
    // MLP
    const h2 = layerNorm(x, p('ln2.g'), p('ln2.b'));
    const f = gelu(linear(h2, p('mlp.fc.weight'), p('mlp.fc.bias'))) as tf.Tensor2D;
    x = tf.add(x, linear(f, p('mlp.proj.weight'), p('mlp.proj.bias'))) as tf.Tensor2D;
  }
  const hf = layerNorm(x, get('lnf.g'), get('lnf.b'));
  return matmul(hf, tf.transpose(get('wte')) as tf.Tensor2D); // tied head
}

/** Start offsets of the evaluation windows: n windows spread evenly over a split. */
export function evalWindowStarts(len: number, ctx: number, n: number): number[] {
  const span = len - ctx - 1;
  if (span < 0) return [];
  const k = Math.min(n, span + 1);
  if (k <= 1) return k === 1 ? [0] : [];
  return Array.from({ length: k }, (_, i) => Math.floor((i * span) / (k - 1)));
}

export interface LmTask extends Task {
  kind: 'lm';
  cfg: LmConfig;
  corpus: CharCorpus;
}

export function lmTask(partial: Partial<Omit<LmConfig, 'vocab'>> = {}): LmTask {
  const corpus = loadBrownChars();
  const cfg: LmConfig = { ...DEFAULT_LM, ...partial, vocab: corpus.vocab.length };
  if (cfg.d % cfg.heads !== 0) throw new Error(`d (${cfg.d}) must be a multiple of heads (${cfg.heads})`);
  const specs = lmSpecs(cfg);
  const T = cfg.ctx;
  return {
    kind: 'lm',
    cfg,
    corpus,
    specs,
    metric: 'bpc',
    describe: () =>
      `char transformer d=${cfg.d} heads=${cfg.heads} layers=${cfg.layers} ctx=${T} on Brown (${corpus.train.length} / ${corpus.val.length} / ${corpus.test.length} chars)`,

    batch(rng: Rng, size: number): Batch {
      const x = new Int32Array(size * T);
      const y = new Int32Array(size * T);
      const src = corpus.train;
      for (let b = 0; b < size; b++) {
        const s = rng.int(src.length - T - 1);
        for (let t = 0; t < T; t++) {
          x[b * T + t] = src[s + t]!;
          y[b * T + t] = src[s + t + 1]!;
        }
      }
      return { x, y, n: size };
    },

    loss(get: Getter, batch: Batch): tf.Scalar {
      const idx = tf.tensor2d(batch.x as Int32Array, [batch.n, T], 'int32');
      return crossEntropy(lmForward(cfg, get, idx), tf.tensor1d(batch.y, 'int32'));
    },

    evaluate(get: Getter, split: 'val' | 'test' | 'train', opts: { limit?: number } = {}): EvalResult {
      const src = corpus[split];
      const starts = evalWindowStarts(src.length, T, Math.min(cfg.evalWindows, opts.limit ?? Infinity));
      let ce = 0;
      let n = 0;
      const chunk = 32;
      for (let s = 0; s < starts.length; s += chunk) {
        const w = starts.slice(s, s + chunk);
        const x = new Int32Array(w.length * T);
        const y = new Int32Array(w.length * T);
        w.forEach((st, b) => {
          for (let t = 0; t < T; t++) {
            x[b * T + t] = src[st + t]!;
            y[b * T + t] = src[st + t + 1]!;
          }
        });
        ce += tf.tidy(() => crossEntropy(lmForward(cfg, get, tf.tensor2d(x, [w.length, T], 'int32')), tf.tensor1d(y, 'int32')).dataSync()[0]!) * y.length;
        n += y.length;
      }
      const loss = ce / n;
      return { n, loss, bpc: loss / Math.LN2 };
    },
  };
}
