/**
 * Workloads for the throughput model: the matrix-vector products of one inference (MLP) or one
 * generated token (char-LM), from a stated shape list or from a weight file (src/io openWeights).
 *
 * Layout convention of this project (src/nn): a dense weight is stored [in, out]; its RF8 rows
 * are the outputs, so a product is `rows = out` dot products of length `cols = in`.
 */
import { openWeights, type TensorInfo } from '../io/index.js';
import { InputError } from '../util/errors.js';

export interface MatVec {
  name: string;
  /** Outputs (dot products). */
  rows: number;
  /** Dot-product length. */
  cols: number;
  /** Weights streamed from memory (rows * cols for a weight matrix, 0 for activation x activation). */
  weights: number;
  /** Other operand bytes streamed per use (KV cache reads of attention; 1 byte per RF8 element, never entropy coded). */
  otherBytes: number;
}

export interface Workload {
  name: string;
  unit: 'inference' | 'token';
  ops: MatVec[];
  /** Where the shapes come from. */
  source: string;
  /** Weight tensors (for bits/weight from a checkpoint). */
  file?: string;
}

export const macsOf = (w: Workload): number => w.ops.reduce((s, o) => s + o.rows * o.cols, 0);
export const weightsOf = (w: Workload): number => w.ops.reduce((s, o) => s + o.weights, 0);

const mv = (name: string, rows: number, cols: number): MatVec => ({ name, rows, cols, weights: rows * cols, otherBytes: 0 });

/** The MNIST MLP of src/nn (784-256-128-10, ReLU): one inference = one pass. */
export function mnistMlpWorkload(sizes: readonly number[] = [784, 256, 128, 10]): Workload {
  const ops: MatVec[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) ops.push(mv(`fc${l + 1}`, sizes[l + 1]!, sizes[l]!));
  return { name: `mnist-mlp ${sizes.join('-')}`, unit: 'inference', ops, source: `stated shapes (src/nn DEFAULT_MLP sizes ${sizes.join('-')})` };
}

export interface CharLmShape {
  vocab: number;
  ctx: number;
  d: number;
  layers: number;
}

/**
 * The char-LM of src/nn (GPT-2 style, d = 128, 2 blocks, context 64, head tied to the token
 * embedding; vocabulary = the 85 characters of the Brown corpus, see src/io loadBrownChars).
 */
export const DEFAULT_CHAR_LM: CharLmShape = { vocab: 85, ctx: 64, d: 128, layers: 2 };

/**
 * One generated token with a KV cache: per block qkv (3d x d), attention scores and values over
 * the cached positions (average (ctx + 1) / 2 over a full window; their K and V operands are
 * streamed as 1-byte codes), the projection (d x d) and the MLP (4d x d, d x 4d); then the tied
 * head (vocab x d). Embedding lookups, LayerNorm, GELU and softmax are not array MACs.
 */
export function charLmWorkload(c: CharLmShape = DEFAULT_CHAR_LM, source = 'stated shapes (src/nn DEFAULT_LM, Brown vocabulary 85)'): Workload {
  const { vocab, ctx, d, layers } = c;
  const tAvg = (ctx + 1) / 2;
  const ops: MatVec[] = [];
  for (let l = 0; l < layers; l++) {
    ops.push(mv(`h${l}.attn.qkv`, 3 * d, d));
    // scores q.k: tAvg positions x d (all heads), values: d outputs of tAvg-term sums
    ops.push({ name: `h${l}.attn.scores`, rows: tAvg, cols: d, weights: 0, otherBytes: tAvg * d });
    ops.push({ name: `h${l}.attn.values`, rows: d, cols: tAvg, weights: 0, otherBytes: tAvg * d });
    ops.push(mv(`h${l}.attn.proj`, d, d));
    ops.push(mv(`h${l}.mlp.fc`, 4 * d, d));
    ops.push(mv(`h${l}.mlp.proj`, d, 4 * d));
  }
  ops.push(mv('head (tied wte)', vocab, d));
  return { name: `char-lm d${d} L${layers} ctx${ctx} V${vocab}`, unit: 'token', ops, source };
}

/** 2-D weight tensors of a file that the array multiplies by, with their role. */
export function classifyTensor(t: TensorInfo): 'matrix' | 'token-embedding' | 'position-embedding' | 'other' {
  if (t.shape.length !== 2 || !t.supported) return 'other';
  // float weights only: integer tensors are stored codes / scales (e.g. the rf8.* companions
  // src/nn writes next to the float weights), not extra matrices
  if (!/^(f|bf|float|bfloat|half|double)/i.test(t.dtype)) return 'other';
  const n = t.name.toLowerCase();
  if (/(^|\.)(wpe|pos_emb|position_embeddings?)(\.|$)/.test(n)) return 'position-embedding';
  if (/(^|\.)(wte|tok_emb|embed_tokens|word_embeddings?)(\.|$)/.test(n)) return 'token-embedding';
  return 'matrix';
}

/**
 * A workload from a weight file: every 2-D float tensor is one matrix-vector product per inference
 * ([in, out] layout); with a token embedding (`wte`) it is a language model: per token, the
 * embedding is the tied head, position embeddings are lookups, and attention over the cached
 * context is added for each block `h<l>.` (context = the position table's rows).
 */
export function workloadFromWeights(path: string): Workload {
  const src = openWeights(path);
  try {
    const infos = src.listTensors();
    const mats = infos.filter((t) => classifyTensor(t) === 'matrix');
    const wte = infos.find((t) => classifyTensor(t) === 'token-embedding');
    const wpe = infos.find((t) => classifyTensor(t) === 'position-embedding');
    if (!mats.length && !wte) throw new InputError('no 2-D weight tensors to estimate', path);
    const ops: MatVec[] = mats.map((t) => mv(t.name, t.shape[1]!, t.shape[0]!));
    let unit: Workload['unit'] = 'inference';
    if (wte) {
      unit = 'token';
      const [vocab, d] = wte.shape as [number, number];
      const ctx = wpe ? wpe.shape[0]! : 0;
      const blocks = new Set(infos.map((t) => /^h(\d+)\./.exec(t.name)?.[1]).filter((x): x is string => x !== undefined));
      const tAvg = (ctx + 1) / 2;
      if (ctx > 0) {
        for (const b of [...blocks].sort((x, y) => Number(x) - Number(y))) {
          ops.push({ name: `h${b}.attn.scores`, rows: tAvg, cols: d, weights: 0, otherBytes: tAvg * d });
          ops.push({ name: `h${b}.attn.values`, rows: d, cols: tAvg, weights: 0, otherBytes: tAvg * d });
        }
      }
      ops.push(mv(`head (tied ${wte.name})`, vocab, d));
    }
    return { name: path.split('/').pop() ?? path, unit, ops, source: `shapes of ${path}`, file: path };
  } finally {
    src.close();
  }
}

/** Read the weight tensors of a workload's file (for bits/weight): [rows = out, cols = in] each. */
export function readWeightMatrices(path: string): { name: string; rows: number; cols: number; data: Float32Array }[] {
  const src = openWeights(path);
  try {
    const out: { name: string; rows: number; cols: number; data: Float32Array }[] = [];
    for (const t of src.listTensors()) {
      const k = classifyTensor(t);
      if (k !== 'matrix' && k !== 'token-embedding') continue;
      const x = src.readTensor(t.name);
      const [r0, c0] = t.shape as [number, number];
      if (k === 'token-embedding') {
        out.push({ name: t.name, rows: r0, cols: c0, data: x }); // rows of the table are the head's rows
      } else {
        // [in, out] -> [out, in]
        const y = new Float32Array(x.length);
        for (let i = 0; i < r0; i++) for (let j = 0; j < c0; j++) y[j * r0 + i] = x[i * c0 + j]!;
        out.push({ name: t.name, rows: c0, cols: r0, data: y });
      }
    }
    return out;
  } finally {
    src.close();
  }
}
