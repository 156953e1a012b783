/**
 * Post-training compression for the rate-accuracy measurements: uniform scalar quantization of
 * every parameter with one step, signed Exp-Golomb coding per tensor, exact bit counts.
 *
 * - Quantizer: q = round(w / step) (halves away from zero), w' = q * step. One global step for
 *   all tensors (mode 'global'), or a step proportional to each tensor's RMS (mode 'rms':
 *   step_t = s * rms_t).
 * - Code: every tensor's integers q with the signed Exp-Golomb code (H.264 se(v) mapping) of
 *   the order k in 0..31 that minimizes that tensor's bits (src/quant bestEgOrder, egBitCount).
 * - Exact size = sum of codeword bits + side information: 5 bits per tensor for k, 32 bits per
 *   step (one in 'global', one per tensor in 'rms'). Shapes and names are architecture, not
 *   counted. bits/param = size / number of parameters (every parameter is coded, biases and
 *   LayerNorm parameters included).
 * - For reference the zero-order empirical entropy of the q's (an ideal adaptive coder's
 *   ballpark) is reported too; it is not what "bits/param" means here.
 * - The step for an accuracy target: a geometric sweep (4 points per octave) from fine to
 *   coarse; the coarsest step such that it and every finer step meet the target on the
 *   validation split; test metrics are reported at that step.
 */
import { bestEgOrder, egBitCount } from '../quant/index.js';
import { InputError } from '../util/errors.js';
import { numel, type ParamSpec, type Values } from './params.js';

export type StepMode = 'global' | 'rms';

export interface TensorCode {
  name: string;
  n: number;
  step: number;
  order: number;
  bits: number;
  zeros: number;
  entropyBits: number;
}

export interface CompressResult {
  mode: StepMode;
  /** The global step (mode global) or the multiplier s of the RMS (mode rms). */
  step: number;
  params: number;
  /** Exact total bits, side information included. */
  bits: number;
  sideBits: number;
  bitsPerParam: number;
  zeroFrac: number;
  entropyBitsPerParam: number;
  tensors: TensorCode[];
}

export const SIDE_BITS_ORDER = 5;
export const SIDE_BITS_STEP = 32;

/** q = round(w / step), halves away from zero. */
export function quantizeUniform(w: Float32Array, step: number): Int32Array {
  if (!(step > 0) || !Number.isFinite(step)) throw new InputError(`quantization step must be finite and > 0, got ${step}`);
  const q = new Int32Array(w.length);
  const lim = 2 ** 30;
  for (let i = 0; i < w.length; i++) {
    const r = Math.abs(w[i]!) / step;
    if (!(r < lim)) throw new InputError(`value ${w[i]} is not representable with step ${step} (|q| >= 2^30)`);
    const m = Math.floor(r + 0.5);
    q[i] = w[i]! < 0 ? -m : m;
  }
  return q;
}

function rms(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s / Math.max(1, v.length));
}

function entropyBits(q: Int32Array): number {
  const h = new Map<number, number>();
  for (let i = 0; i < q.length; i++) h.set(q[i]!, (h.get(q[i]!) ?? 0) + 1);
  let e = 0;
  for (const c of h.values()) e -= c * Math.log2(c / q.length);
  return e;
}

/** The per-tensor step for a mode. */
export function tensorStep(mode: StepMode, step: number, v: Float32Array): number {
  if (mode === 'global') return step;
  const r = rms(v);
  return r > 0 ? step * r : step;
}

/** Quantize and code every parameter; returns the sizes and the dequantized values. */
export function compressValues(specs: ParamSpec[], values: Values, step: number, mode: StepMode = 'global'): { result: CompressResult; dequantized: Values } {
  const tensors: TensorCode[] = [];
  const deq: Values = new Map();
  let bits = 0;
  let params = 0;
  let zeros = 0;
  let ent = 0;
  for (const s of specs) {
    const v = values.get(s.name);
    if (!v || v.length !== numel(s.shape)) throw new InputError(`parameter '${s.name}' missing or of the wrong size`);
    const st = tensorStep(mode, step, v);
    const q = quantizeUniform(v, st);
    const k = bestEgOrder(q);
    const b = egBitCount(q, k);
    let z = 0;
    const d = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) {
      if (q[i] === 0) z++;
      d[i] = q[i]! * st;
    }
    const e = entropyBits(q);
    tensors.push({ name: s.name, n: q.length, step: st, order: k, bits: b, zeros: z, entropyBits: e });
    deq.set(s.name, d);
    bits += b;
    params += q.length;
    zeros += z;
    ent += e;
  }
  const sideBits = specs.length * SIDE_BITS_ORDER + (mode === 'global' ? 1 : specs.length) * SIDE_BITS_STEP;
  const total = bits + sideBits;
  return {
    result: {
      mode,
      step,
      params,
      bits: total,
      sideBits,
      bitsPerParam: total / params,
      zeroFrac: zeros / params,
      entropyBitsPerParam: ent / params,
      tensors,
    },
    dequantized: deq,
  };
}

export interface SweepPoint {
  step: number;
  bitsPerParam: number;
  zeroFrac: number;
  entropyBitsPerParam: number;
  val: number;
  test?: number;
}

export interface StepChoice {
  mode: StepMode;
  /** The metric the target applies to and its direction. */
  metric: 'acc' | 'bpc';
  target: number;
  chosen: (SweepPoint & { result: CompressResult }) | null;
  sweep: SweepPoint[];
}

/**
 * Sweep steps geometrically (4 per octave, `lo`..`hi` times the RMS of all parameters in mode
 * 'global', or times each tensor's RMS in mode 'rms') from fine to coarse and keep the coarsest
 * step such that it and every finer step of the sweep meet the target on validation
 * (acc >= target, or bpc <= target). Requiring every finer step to pass too keeps a lucky
 * validation score at one coarse step from being picked (with 1,000 validation images one
 * image is 0.1 point). `evalVal` / `evalTest` evaluate dequantized values.
 */
export function chooseStep(
  specs: ParamSpec[],
  values: Values,
  opts: {
    mode?: StepMode;
    metric: 'acc' | 'bpc';
    target: number;
    evalVal: (v: Values) => number;
    evalTest?: (v: Values) => number;
    lo?: number;
    hi?: number;
    perOctave?: number;
    /** Evaluate every sweep point, validation and test (for curves); default: stop at the first failure. */
    testAll?: boolean;
  },
): StepChoice {
  const mode = opts.mode ?? 'global';
  let all = 0;
  let n = 0;
  for (const s of specs) {
    const v = values.get(s.name)!;
    for (let i = 0; i < v.length; i++) all += v[i]! * v[i]!;
    n += v.length;
  }
  const base = mode === 'global' ? Math.sqrt(all / n) : 1;
  const lo = opts.lo ?? 2 ** -7;
  const hi = opts.hi ?? 2;
  const per = opts.perOctave ?? 4;
  const ok = (m: number) => (opts.metric === 'acc' ? m >= opts.target : m <= opts.target);
  const sweep: SweepPoint[] = [];
  let chosen: StepChoice['chosen'] = null;
  let failed = false;
  const kMax = Math.round(Math.log2(hi / lo) * per);
  for (let k = 0; k <= kMax; k++) {
    const step = base * lo * 2 ** (k / per);
    const { result, dequantized } = compressValues(specs, values, step, mode);
    const val = opts.evalVal(dequantized);
    const p: SweepPoint = { step, bitsPerParam: result.bitsPerParam, zeroFrac: result.zeroFrac, entropyBitsPerParam: result.entropyBitsPerParam, val };
    if (opts.testAll && opts.evalTest) p.test = opts.evalTest(dequantized);
    sweep.push(p);
    if (!failed && ok(val)) chosen = { ...p, result };
    else failed = true;
    if (failed && !opts.testAll) break;
  }
  if (chosen && opts.evalTest && chosen.test === undefined) {
    chosen.test = opts.evalTest(compressValues(specs, values, chosen.step, mode).dequantized);
  }
  sweep.reverse(); // coarse to fine, as plotted
  return { mode, metric: opts.metric, target: opts.target, chosen, sweep };
}
