/**
 * RF8 inference through the bit-exact layer reference of src/arith (never through tfjs).
 *
 * - Weights: every dense weight and embedding becomes an 8-bit tensor: by default `auto` mode
 *   (the GG float mode of least expected squared error) with one `gg` scale per row (src/quant
 *   quantizeTensor), rows = output units ([out, in], the LayerSpec orientation). `Rf8Options`
 *   picks another weight format (e.g. the authors' `rf8`, greedy or nearest) or candidate list.
 * - Activations: every input of a weight product is encoded (saturating, the format's rounding)
 *   with one calibrated (format, scale) per tensor, chosen by `auto` mode (or the format of
 *   `Rf8Options.aFormat`: rf8-e3m4, int8, the authors' rf8, ...) / `mse` scale on activations of
 *   calibration inputs from the training split (run through the same JS forward in float).
 * - Products: every matrix product runs through `layerForward` (exact products, W-bit
 *   accumulator with no possible clamp, biases rounded into the accumulator, RNE output
 *   conversion). MLP hidden layers convert to RF8 with fused ReLU (spec section 6), the last
 *   layer to binary32. In the transformer, linear layers output binary32 (their results feed
 *   residual sums, LayerNorm and GELU, which stay in binary32); the attention products q.k and
 *   p.v also run through `layerForward`, with q, k, v and the softmax probabilities p encoded
 *   to RF8 (K and V play the role of the weight matrix with one scale for all rows).
 * - What is not RF8: LayerNorm, GELU, softmax, residual additions and the final log-softmax
 *   (binary32/double in JS); embedding lookup returns the exact decoded RF8 value.
 */
import { accWidth, biasToAcc, layerForward, maxProduct, type LayerSpec } from '../arith/index.js';
import { decodeArray, encodeArray, getFormat, type FormatName, type Rounding } from '../format/index.js';
import { quantizeTensor } from '../quant/index.js';
import { InputError } from '../util/errors.js';
import { geluScalar } from './ops.js';
import { isRateParam, rowsOf, type ParamSpec, type Values } from './params.js';
import type { LmConfig } from './lm.js';

// ---------------------------------------------------------------------------------------------
// Tensors and activation quantizers

/** A weight tensor in RF8, rows = output units (LayerSpec orientation). */
export interface Rf8Weight {
  format: FormatName;
  rows: number;
  cols: number;
  codes: Uint8Array;
  scales: Int8Array;
  sqnrDb: number;
  /** The rounding the codes were made with (absent: the format's default; checkpoints do not keep it). */
  rounding?: Rounding;
}

/** The RF8 encoding of one activation tensor: a format and one scale exponent (and a rounding when not the format's default). */
export interface ActQuant {
  format: FormatName;
  scale: number;
  /** Rounding of the encodings and of the layer output conversions into this format (absent: the format's default; greedy for rf8). */
  rounding?: Rounding;
}

/**
 * Which 8-bit formats the weights and the activations take (every field optional; the
 * defaults are rf8kit's: weights `auto` among the GG float modes with gg scales per row,
 * activations `auto` among the GG float modes with an mse scale).
 */
export interface Rf8Options {
  /** Weight format, or 'auto' (default). */
  wFormat?: FormatName | 'auto';
  /** 'auto' weights: the candidates (default the GG float modes). */
  wCandidates?: readonly FormatName[];
  /** Weight rounding where the format offers it (e.g. 'nearest' for rf8; default the format's own). */
  wRounding?: Rounding;
  /** Activation format, or 'auto' (default). */
  aFormat?: FormatName | 'auto';
  aCandidates?: readonly FormatName[];
  /** Activation rounding (input encodings and hidden-layer output conversions). */
  aRounding?: Rounding;
}

/** The weight options of Rf8Options as quantizeTensor options. */
function quantOpts(format: FormatName | 'auto' | undefined, candidates: readonly FormatName[] | undefined, rounding: Rounding | undefined) {
  const f = format ?? 'auto';
  return { format: f, ...(f === 'auto' && candidates ? { candidates } : {}), ...(rounding !== undefined ? { rounding } : {}) };
}

/** Everything RF8 about a model: its weight tensors and its activation quantizers. */
export interface Rf8Pack {
  weights: Record<string, Rf8Weight>;
  acts: Record<string, ActQuant>;
}

/** Quantize every weight / embedding: gg scale per row; format auto (default) or `opts.wFormat`. */
export function quantizeWeightsRf8(specs: ParamSpec[], values: Values, opts: Rf8Options = {}): Record<string, Rf8Weight> {
  const out: Record<string, Rf8Weight> = {};
  const qo = quantOpts(opts.wFormat, opts.wCandidates, opts.wRounding);
  for (const s of specs) {
    if (!isRateParam(s)) continue;
    const { rows, cols, data } = rowsOf(s, values.get(s.name)!);
    const q = quantizeTensor(data, [rows, cols], { ...qo, scaleMethod: 'gg', perRow: true });
    out[s.name] = { format: q.format, rows, cols, codes: q.codes, scales: q.scales, sqnrDb: q.sqnrDb, rounding: q.rounding };
  }
  return out;
}

/** Decode an RF8 tensor back to binary32 (exact values), rows x cols. */
export function decodeRf8Weight(t: Rf8Weight): Float32Array {
  const out = new Float32Array(t.rows * t.cols);
  for (let r = 0; r < t.rows; r++) {
    decodeArray(t.format, t.codes.subarray(r * t.cols, (r + 1) * t.cols), t.scales[r]!, out.subarray(r * t.cols, (r + 1) * t.cols));
  }
  return out;
}

/**
 * Calibrate an activation quantizer on collected samples: mse scale, format auto (default) or
 * `opts.aFormat`. At most `maxSamples` values are used (an even stride through the samples,
 * deterministic).
 */
export function calibrateAct(chunks: Float32Array[], maxSamples = 200_000, opts: Rf8Options = {}): ActQuant {
  let n = 0;
  for (const c of chunks) n += c.length;
  if (n === 0) throw new InputError('calibration: no activation samples');
  const stride = Math.max(1, Math.ceil(n / maxSamples));
  const buf = new Float32Array(Math.ceil(n / stride));
  let k = 0;
  let i = 0;
  for (const c of chunks) {
    for (let j = 0; j < c.length; j++, i++) if (i % stride === 0) buf[k++] = c[j]!;
  }
  const q = quantizeTensor(buf.subarray(0, k), [k], { ...quantOpts(opts.aFormat, opts.aCandidates, opts.aRounding), scaleMethod: 'mse' });
  const dflt = getFormat(q.format).policy.defaultRounding;
  return { format: q.format, scale: q.scales[0]!, ...(q.rounding !== dflt ? { rounding: q.rounding } : {}) };
}

/** encodeArray options of an activation quantizer. */
export function actEncodeOpts(q: ActQuant): { scale: number; rounding?: Rounding } {
  return q.rounding !== undefined ? { scale: q.scale, rounding: q.rounding } : { scale: q.scale };
}

/**
 * Accumulator width for a layer that can never clamp: the spec's bound for `cols` terms, raised
 * if needed so that |bias| + cols * max|P| fits (bias in accumulator units at its row's scale).
 */
export function layerAccWidth(wFormat: FormatName, xFormat: FormatName, cols: number, wScales: Int8Array, xScale: number, bias?: Float32Array): { W: number; reason: string } {
  const base = accWidth(wFormat, xFormat, cols);
  const wf = getFormat(wFormat);
  const xf = getFormat(xFormat);
  let maxB = 0n;
  if (bias) {
    for (let r = 0; r < bias.length; r++) {
      const T = wf.tmin + xf.tmin + wScales[r]! + xScale;
      const u = biasToAcc(bias[r]!, T, 1024);
      const a = u < 0n ? -u : u;
      if (a > maxB) maxB = a;
    }
  }
  const need = BigInt(cols) * maxProduct(wf, xf) + maxB;
  const W = Math.max(base.W, need.toString(2).length + 1);
  return { W, reason: W === base.W ? base.reason : `${base.reason}; raised to ${W} so that |bias| (${maxB} units) + ${cols} max products fits` };
}

/** A LayerSpec for y = W x + b from an RF8 weight tensor. */
export function makeLayerSpec(w: Rf8Weight, x: ActQuant, bias: Float32Array | undefined, out: LayerSpec['out']): LayerSpec {
  const { W } = layerAccWidth(w.format, x.format, w.cols, w.scales, x.scale, bias);
  return { wFormat: w.format, rows: w.rows, cols: w.cols, wCodes: w.codes, wScales: w.scales, ...(bias ? { bias } : {}), xFormat: x.format, W, out };
}

export interface Rf8Counters {
  /** Output elements whose accumulator clamped (should stay 0: W is chosen so that it cannot). */
  ovf: number;
  /** Output elements that saw a NaN operand. */
  nan: number;
  /** Number of layerForward calls and multiply-accumulates. */
  calls: number;
  macs: number;
}

export function newCounters(): Rf8Counters {
  return { ovf: 0, nan: 0, calls: 0, macs: 0 };
}

function runLayer(spec: LayerSpec, x: Uint8Array, xScale: number, c: Rf8Counters): Float32Array | Uint8Array {
  const r = layerForward(spec, x, xScale);
  c.calls++;
  c.macs += spec.rows * spec.cols;
  for (let i = 0; i < spec.rows; i++) {
    c.ovf += r.ovf[i]!;
    c.nan += r.nan[i]!;
  }
  return r.out;
}

// ---------------------------------------------------------------------------------------------
// MLP

/** Float forward of the MLP in JS (double accumulation), also returning every layer's input. */
export function mlpForwardJs(sizes: number[], values: Values, x: Float32Array): { logits: Float32Array; inputs: Float32Array[] } {
  const inputs: Float32Array[] = [];
  let h = x;
  const L = sizes.length - 1;
  for (let l = 1; l <= L; l++) {
    inputs.push(h);
    const W = values.get(`fc${l}.weight`)!;
    const b = values.get(`fc${l}.bias`)!;
    const i = sizes[l - 1]!;
    const o = sizes[l]!;
    const y = new Float32Array(o);
    for (let k = 0; k < o; k++) {
      let s = b[k]!;
      for (let j = 0; j < i; j++) s += h[j]! * W[j * o + k]!;
      y[k] = l < L ? Math.max(0, s) : s;
    }
    h = y;
  }
  return { logits: h, inputs };
}

/** Build the RF8 pack of an MLP: weights + calibrated input quantizers `fc<l>.in`. */
export function buildRf8Mlp(sizes: number[], specs: ParamSpec[], values: Values, calib: { x: Float32Array; n: number }, opts: Rf8Options = {}): Rf8Pack {
  const weights = quantizeWeightsRf8(specs, values, opts);
  const nIn = sizes[0]!;
  const L = sizes.length - 1;
  const chunks: Float32Array[][] = Array.from({ length: L }, () => []);
  for (let i = 0; i < calib.n; i++) {
    const { inputs } = mlpForwardJs(sizes, values, calib.x.subarray(i * nIn, (i + 1) * nIn));
    inputs.forEach((a, l) => chunks[l]!.push(a));
  }
  const acts: Record<string, ActQuant> = {};
  for (let l = 1; l <= L; l++) acts[`fc${l}.in`] = calibrateAct(chunks[l - 1]!, undefined, opts);
  return { weights, acts };
}

export interface Rf8Mlp {
  sizes: number[];
  layers: LayerSpec[];
  /** Input quantizer of each layer (layer 0's is the image quantizer). */
  inputs: ActQuant[];
}

/** The LayerSpecs of an MLP: hidden layers RF8 out with fused ReLU, the last layer binary32. */
export function mlpLayerSpecs(sizes: number[], values: Values, pack: Rf8Pack): Rf8Mlp {
  const L = sizes.length - 1;
  const layers: LayerSpec[] = [];
  const inputs: ActQuant[] = [];
  for (let l = 1; l <= L; l++) {
    const w = pack.weights[`fc${l}.weight`];
    const xq = pack.acts[`fc${l}.in`];
    if (!w || !xq) throw new InputError(`RF8 pack lacks fc${l}.weight or fc${l}.in`);
    const next = pack.acts[`fc${l + 1}.in`];
    const out: LayerSpec['out'] = l < L ? { kind: 'rf8', format: next!.format, scale: next!.scale, relu: true, ...(next!.rounding !== undefined ? { rounding: next!.rounding } : {}) } : { kind: 'f32' };
    layers.push(makeLayerSpec(w, xq, values.get(`fc${l}.bias`), out));
    inputs.push(xq);
  }
  return { sizes, layers, inputs };
}

/** Encode an image (or any layer-0 input) to the RF8 codes the first layer takes. */
export function encodeInput(m: Rf8Mlp, x: Float32Array): Uint8Array {
  return encodeArray(m.inputs[0]!.format, x, actEncodeOpts(m.inputs[0]!));
}

/** RF8 inference of one input: logits (binary32) from the last layer. */
export function rf8MlpForward(m: Rf8Mlp, x: Float32Array, c: Rf8Counters = newCounters()): Float32Array {
  let codes = encodeInput(m, x);
  for (let l = 0; l < m.layers.length; l++) {
    const out = runLayer(m.layers[l]!, codes, m.inputs[l]!.scale, c);
    if (l === m.layers.length - 1) return out as Float32Array;
    codes = out as Uint8Array;
  }
  throw new Error('unreachable');
}

function argmax(a: Float32Array): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[b]!) b = i;
  return b;
}

export interface Rf8Eval {
  n: number;
  acc?: number;
  bpc?: number;
  loss: number;
  counters: Rf8Counters;
  ms: number;
}

/** Accuracy and mean cross-entropy of RF8 inference on an image set. */
export function evalRf8Mlp(m: Rf8Mlp, set: { x: Float32Array; y: Uint8Array; n: number }, opts: { limit?: number; onItem?: (i: number) => void } = {}): Rf8Eval {
  const t0 = performance.now();
  const n = Math.min(set.n, opts.limit ?? set.n);
  const nIn = m.sizes[0]!;
  const c = newCounters();
  let correct = 0;
  let ce = 0;
  for (let i = 0; i < n; i++) {
    const logits = rf8MlpForward(m, set.x.subarray(i * nIn, (i + 1) * nIn), c);
    if (argmax(logits) === set.y[i]) correct++;
    ce += -logSoftmaxAt(logits, 0, logits.length, set.y[i]!);
    opts.onItem?.(i);
  }
  return { n, acc: correct / n, loss: ce / n, counters: c, ms: performance.now() - t0 };
}

function logSoftmaxAt(a: Float32Array, off: number, len: number, k: number): number {
  let mx = -Infinity;
  for (let i = 0; i < len; i++) mx = Math.max(mx, a[off + i]!);
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.exp(a[off + i]! - mx);
  return a[off + k]! - mx - Math.log(s);
}

/**
 * What the hardware path (issue 6) consumes: the RF8 layer specs of a trained MLP, the
 * calibrated input (format, scale) of every layer, and the RF8 input codes of N test images
 * with their labels. Running `layerForward(layers[l], x_l, inputs[l].scale)` in order, with
 * x_0 = inputCodes[i] and x_{l+1} = the previous output codes, reproduces `rf8MlpForward`.
 */
export interface Rf8MlpExport extends Rf8Mlp {
  inputCodes: Uint8Array[];
  labels: number[];
  /** Index of each image in the test split. */
  testIndex: number[];
}

export function exportRf8Mlp(m: Rf8Mlp, test: { x: Float32Array; y: Uint8Array; n: number }, n: number): Rf8MlpExport {
  const nIn = m.sizes[0]!;
  const k = Math.min(n, test.n);
  const inputCodes: Uint8Array[] = [];
  const labels: number[] = [];
  const testIndex: number[] = [];
  for (let i = 0; i < k; i++) {
    inputCodes.push(encodeInput(m, test.x.subarray(i * nIn, (i + 1) * nIn)));
    labels.push(test.y[i]!);
    testIndex.push(i);
  }
  return { ...m, inputCodes, labels, testIndex };
}

// ---------------------------------------------------------------------------------------------
// Transformer LM, one window of T tokens at a time

type Mat = Float32Array; // row-major [T, n]

/** The operations whose implementation differs between the float, calibration and RF8 paths. */
interface LmOps {
  embed(tokens: ArrayLike<number>, T: number): Mat;
  linear(name: string, x: Mat, T: number, inDim: number, outDim: number): Mat;
  /** Causal multi-head attention of layer l on qkv [T, 3d] -> [T, d]. */
  attention(l: number, qkv: Mat, T: number): Mat;
  head(x: Mat, T: number): Mat;
}

function layerNormRows(x: Mat, T: number, d: number, g: Float32Array, b: Float32Array, eps = 1e-5): Mat {
  const y = new Float32Array(T * d);
  for (let t = 0; t < T; t++) {
    let m = 0;
    for (let i = 0; i < d; i++) m += x[t * d + i]!;
    m /= d;
    let v = 0;
    for (let i = 0; i < d; i++) v += (x[t * d + i]! - m) ** 2;
    v /= d;
    const r = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < d; i++) y[t * d + i] = (x[t * d + i]! - m) * r * g[i]! + b[i]!;
  }
  return y;
}

/** The transformer forward of one window, written once for all three paths. */
function lmWindow(c: LmConfig, values: Values, ops: LmOps, tokens: ArrayLike<number>): Mat {
  const T = tokens.length;
  const d = c.d;
  const v = (n: string) => values.get(n)!;
  const x = ops.embed(tokens, T);
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}`;
    const h = layerNormRows(x, T, d, v(`${p}.ln1.g`), v(`${p}.ln1.b`));
    const qkv = ops.linear(`${p}.attn.qkv`, h, T, d, 3 * d);
    const y = ops.attention(l, qkv, T);
    const a = ops.linear(`${p}.attn.proj`, y, T, d, d);
    for (let i = 0; i < T * d; i++) x[i] = x[i]! + a[i]!;
    const h2 = layerNormRows(x, T, d, v(`${p}.ln2.g`), v(`${p}.ln2.b`));
    const f = ops.linear(`${p}.mlp.fc`, h2, T, d, 4 * d);
    for (let i = 0; i < f.length; i++) f[i] = geluScalar(f[i]!);
    const m = ops.linear(`${p}.mlp.proj`, f, T, 4 * d, d);
    for (let i = 0; i < T * d; i++) x[i] = x[i]! + m[i]!;
  }
  const hf = layerNormRows(x, T, d, v('lnf.g'), v('lnf.b'));
  return ops.head(hf, T);
}

function softmaxInPlace(a: Float64Array, len: number): void {
  let mx = -Infinity;
  for (let i = 0; i < len; i++) mx = Math.max(mx, a[i]!);
  let s = 0;
  for (let i = 0; i < len; i++) {
    a[i] = Math.exp(a[i]! - mx);
    s += a[i]!;
  }
  for (let i = 0; i < len; i++) a[i] = a[i]! / s;
}

/** Float ops (binary32 storage, double accumulation); `record` collects product inputs. */
function floatOps(c: LmConfig, values: Values, record?: Map<string, Float32Array[]>): LmOps {
  const d = c.d;
  const H = c.heads;
  const dh = d / H;
  const rec = (k: string, a: Float32Array) => {
    if (!record) return;
    let l = record.get(k);
    if (!l) record.set(k, (l = []));
    l.push(a);
  };
  return {
    embed(tokens, T) {
      const wte = values.get('wte')!;
      const wpe = values.get('wpe')!;
      const x = new Float32Array(T * d);
      for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) x[t * d + i] = wte[tokens[t]! * d + i]! + wpe[t * d + i]!;
      return x;
    },
    linear(name, x, T, inDim, outDim) {
      rec(`${name}.in`, x);
      const W = values.get(`${name}.weight`)!;
      const b = values.get(`${name}.bias`)!;
      const y = new Float32Array(T * outDim);
      const acc = new Float64Array(outDim);
      for (let t = 0; t < T; t++) {
        acc.set(b);
        for (let j = 0; j < inDim; j++) {
          const xv = x[t * inDim + j]!;
          if (xv === 0) continue;
          const row = j * outDim;
          for (let o = 0; o < outDim; o++) acc[o] = acc[o]! + xv * W[row + o]!;
        }
        for (let o = 0; o < outDim; o++) y[t * outDim + o] = acc[o]!;
      }
      return y;
    },
    attention(l, qkv, T) {
      const y = new Float32Array(T * d);
      const s = new Float64Array(T);
      const sc = 1 / Math.sqrt(dh);
      const qs = new Float32Array(T * d);
      const ks = new Float32Array(T * d);
      const vs = new Float32Array(T * d);
      for (let t = 0; t < T; t++) {
        qs.set(qkv.subarray(t * 3 * d, t * 3 * d + d), t * d);
        ks.set(qkv.subarray(t * 3 * d + d, t * 3 * d + 2 * d), t * d);
        vs.set(qkv.subarray(t * 3 * d + 2 * d, t * 3 * d + 3 * d), t * d);
      }
      rec(`h${l}.attn.q`, qs);
      rec(`h${l}.attn.k`, ks);
      rec(`h${l}.attn.v`, vs);
      const probs = record ? new Float32Array(H * T * T) : undefined;
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          for (let j = 0; j <= i; j++) {
            let a = 0;
            for (let e = 0; e < dh; e++) a += qs[i * d + h * dh + e]! * ks[j * d + h * dh + e]!;
            s[j] = a * sc;
          }
          softmaxInPlace(s, i + 1);
          if (probs) for (let j = 0; j <= i; j++) probs[(h * T + i) * T + j] = s[j]!;
          for (let e = 0; e < dh; e++) {
            let a = 0;
            for (let j = 0; j <= i; j++) a += s[j]! * vs[j * d + h * dh + e]!;
            y[i * d + h * dh + e] = a;
          }
        }
      }
      if (probs) rec(`h${l}.attn.p`, probs);
      return y;
    },
    head(x, T) {
      rec('head.in', x);
      const wte = values.get('wte')!;
      const V = c.vocab;
      const y = new Float32Array(T * V);
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < V; k++) {
          let a = 0;
          for (let i = 0; i < d; i++) a += x[t * d + i]! * wte[k * d + i]!;
          y[t * V + k] = a;
        }
      }
      return y;
    },
  };
}

/** The quantizer points of the LM: every input of a product. */
export function lmActPoints(c: LmConfig): string[] {
  const pts: string[] = [];
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}`;
    pts.push(`${p}.attn.qkv.in`, `${p}.attn.q`, `${p}.attn.k`, `${p}.attn.v`, `${p}.attn.p`, `${p}.attn.proj.in`, `${p}.mlp.fc.in`, `${p}.mlp.proj.in`);
  }
  pts.push('head.in');
  return pts;
}

/** Build the RF8 pack of the LM from calibration windows (token arrays of length ctx). */
export function buildRf8Lm(c: LmConfig, specs: ParamSpec[], values: Values, calib: ArrayLike<number>[], opts: Rf8Options = {}): Rf8Pack {
  const weights = quantizeWeightsRf8(specs, values, opts);
  const record = new Map<string, Float32Array[]>();
  const ops = floatOps(c, values, record);
  for (const w of calib) lmWindow(c, values, ops, w);
  const acts: Record<string, ActQuant> = {};
  for (const p of lmActPoints(c)) {
    const r = record.get(p);
    if (!r) throw new Error(`calibration recorded nothing at ${p}`);
    let chunks = r;
    if (p.endsWith('.attn.p')) {
      // only the causal (j <= i) probabilities are ever encoded
      const T = Math.round(Math.sqrt(r[0]!.length / c.heads));
      chunks = r.map((a) => {
        const o: number[] = [];
        for (let h = 0; h < c.heads; h++) for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) o.push(a[(h * T + i) * T + j]!);
        return Float32Array.from(o);
      });
    }
    acts[p] = calibrateAct(chunks, undefined, opts);
  }
  return { weights, acts };
}

export interface Rf8Lm {
  cfg: LmConfig;
  /** Linear layers by name (`h0.attn.qkv`, ..., `head`), binary32 outputs. */
  layers: Record<string, LayerSpec>;
  acts: Record<string, ActQuant>;
  /** Decoded RF8 embeddings (exact values). */
  wte: Float32Array;
  wpe: Float32Array;
  /** Accumulator widths for the attention products, per layer. */
  attnW: { qk: number; pv: number }[];
}

export function lmLayerSpecs(c: LmConfig, values: Values, pack: Rf8Pack): Rf8Lm {
  const layers: Record<string, LayerSpec> = {};
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new InputError(`RF8 pack lacks ${what}`);
    return v;
  };
  for (let l = 0; l < c.layers; l++) {
    for (const n of ['attn.qkv', 'attn.proj', 'mlp.fc', 'mlp.proj']) {
      const name = `h${l}.${n}`;
      layers[name] = makeLayerSpec(need(pack.weights[`${name}.weight`], `${name}.weight`), need(pack.acts[`${name}.in`], `${name}.in`), values.get(`${name}.bias`), { kind: 'f32' });
    }
  }
  const wte = need(pack.weights['wte'], 'wte');
  layers['head'] = makeLayerSpec(wte, need(pack.acts['head.in'], 'head.in'), undefined, { kind: 'f32' });
  const attnW: { qk: number; pv: number }[] = [];
  const dh = c.d / c.heads;
  for (let l = 0; l < c.layers; l++) {
    const a = (k: string) => need(pack.acts[`h${l}.attn.${k}`], `h${l}.attn.${k}`);
    attnW.push({ qk: accWidth(a('k').format, a('q').format, dh).W, pv: accWidth(a('v').format, a('p').format, c.ctx).W });
  }
  return { cfg: c, layers, acts: pack.acts, wte: decodeRf8Weight(wte), wpe: decodeRf8Weight(need(pack.weights['wpe'], 'wpe')), attnW };
}

function rf8Ops(m: Rf8Lm, counters: Rf8Counters): LmOps {
  const c = m.cfg;
  const d = c.d;
  const H = c.heads;
  const dh = d / H;
  const enc = (q: ActQuant, x: Float32Array) => encodeArray(q.format, x, actEncodeOpts(q));
  const act = (k: string) => m.acts[k]!;
  return {
    embed(tokens, T) {
      const x = new Float32Array(T * d);
      for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) x[t * d + i] = m.wte[tokens[t]! * d + i]! + m.wpe[t * d + i]!;
      return x;
    },
    linear(name, x, T, inDim, outDim) {
      const spec = m.layers[name]!;
      const q = act(`${name}.in`);
      const y = new Float32Array(T * outDim);
      for (let t = 0; t < T; t++) y.set(runLayer(spec, enc(q, x.subarray(t * inDim, (t + 1) * inDim)), q.scale, counters) as Float32Array, t * outDim);
      return y;
    },
    attention(l, qkv, T) {
      const aq = act(`h${l}.attn.q`);
      const ak = act(`h${l}.attn.k`);
      const av = act(`h${l}.attn.v`);
      const ap = act(`h${l}.attn.p`);
      const y = new Float32Array(T * d);
      const sc = 1 / Math.sqrt(dh);
      const s = new Float64Array(T);
      const pv = new Float32Array(T);
      for (let h = 0; h < H; h++) {
        // per head: K codes [T, dh] (row j = k_j), V^T codes [dh, T] (row e = v_.[e]), q codes [T, dh]
        const kf = new Float32Array(T * dh);
        const vt = new Float32Array(dh * T);
        const qf = new Float32Array(T * dh);
        for (let t = 0; t < T; t++) {
          for (let e = 0; e < dh; e++) {
            qf[t * dh + e] = qkv[t * 3 * d + h * dh + e]!;
            kf[t * dh + e] = qkv[t * 3 * d + d + h * dh + e]!;
            vt[e * T + t] = qkv[t * 3 * d + 2 * d + h * dh + e]!;
          }
        }
        const kc = enc(ak, kf);
        const vc = enc(av, vt);
        const qc = enc(aq, qf);
        const kScales = new Int8Array(T).fill(ak.scale);
        const vScales = new Int8Array(dh).fill(av.scale);
        const pvSpec: LayerSpec = { wFormat: av.format, rows: dh, cols: T, wCodes: vc, wScales: vScales, xFormat: ap.format, W: m.attnW[l]!.pv, out: { kind: 'f32' } };
        for (let i = 0; i < T; i++) {
          const qkSpec: LayerSpec = {
            wFormat: ak.format,
            rows: i + 1,
            cols: dh,
            wCodes: kc.subarray(0, (i + 1) * dh),
            wScales: kScales.subarray(0, i + 1),
            xFormat: aq.format,
            W: m.attnW[l]!.qk,
            out: { kind: 'f32' },
          };
          const scores = runLayer(qkSpec, qc.subarray(i * dh, (i + 1) * dh), aq.scale, counters) as Float32Array;
          for (let j = 0; j <= i; j++) s[j] = scores[j]! * sc;
          softmaxInPlace(s, i + 1);
          pv.fill(0);
          for (let j = 0; j <= i; j++) pv[j] = s[j]!;
          // masked positions carry probability 0: code 0x00, an exact zero product
          const o = runLayer(pvSpec, enc(ap, pv), ap.scale, counters) as Float32Array;
          for (let e = 0; e < dh; e++) y[i * d + h * dh + e] = o[e]!;
        }
      }
      return y;
    },
    head(x, T) {
      const spec = m.layers['head']!;
      const q = act('head.in');
      const V = c.vocab;
      const y = new Float32Array(T * V);
      for (let t = 0; t < T; t++) y.set(runLayer(spec, enc(q, x.subarray(t * d, (t + 1) * d)), q.scale, counters) as Float32Array, t * V);
      return y;
    },
  };
}

/** Float logits of one window through the JS path (the RF8 path with quantization off). */
export function lmWindowFloat(c: LmConfig, values: Values, tokens: ArrayLike<number>): Float32Array {
  return lmWindow(c, values, floatOps(c, values), tokens);
}

/** RF8 logits of one window. */
export function lmWindowRf8(m: Rf8Lm, values: Values, tokens: ArrayLike<number>, counters: Rf8Counters = newCounters()): Float32Array {
  return lmWindow(m.cfg, values, rf8Ops(m, counters), tokens);
}

/** Bits per character of windows (next-character prediction at every position). */
export function evalLmWindows(
  c: LmConfig,
  src: Uint8Array,
  starts: number[],
  logitsOf: (tokens: Uint8Array) => Float32Array,
  onItem?: (i: number) => void,
): { n: number; loss: number; bpc: number } {
  const T = c.ctx;
  const V = c.vocab;
  let ce = 0;
  let n = 0;
  starts.forEach((st, w) => {
    const tokens = src.subarray(st, st + T);
    const logits = logitsOf(tokens);
    for (let t = 0; t < T; t++) {
      ce -= logSoftmaxAt(logits, t * V, V, src[st + t + 1]!);
      n++;
    }
    onItem?.(w);
  });
  return { n, loss: ce / n, bpc: ce / n / Math.LN2 };
}
