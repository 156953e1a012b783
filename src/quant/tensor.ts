/**
 * Tensor quantization: one format per tensor (or `auto` among candidate formats: rf8kit's three
 * GG float modes unless a list is given, e.g. with the authors' `rf8`), one scale per tensor or
 * per row, the format's rounding (RNE; greedy or nearest for rf8) with saturation, and SQNR
 * measurement.
 */
import { CODEBOOK_NAMES, decodeArray, encodeArray, getFormat, GG_MODES, type FormatName, type Rounding } from '../format/index.js';
import { fitGG, type GGFit } from '../gg/fit.js';
import { InputError } from '../util/errors.js';
import {
  amaxScale,
  maxAbsFinite,
  empiricalSse,
  ggChooseScale,
  chooseScaleDetailed,
  SseWork,
  SCALE_METHODS,
  type ScaleMethod,
} from './scale.js';

export interface QuantizeOptions {
  /** A format, or `auto`: the candidate of least criterion (see `candidates`). */
  format: FormatName | 'auto';
  /**
   * `auto` only: the candidate formats (default GG_MODES, rf8kit's three GG float modes; the
   * authors' `rf8` and the GG codebooks (CODEBOOK_NAMES, spec section 9) are candidates only when
   * listed here, docs/rf8-spec.md section 2).
   */
  candidates?: readonly FormatName[];
  /**
   * Rounding for the formats whose policy offers it (the others keep their default, RNE);
   * default: each format's own (greedy for rf8). An InputError when no candidate offers it.
   */
  rounding?: Rounding;
  scaleMethod: ScaleMethod;
  /** One scale per row of a [rows, ...] tensor (rows = shape[0]); one mode per tensor. */
  perRow?: boolean;
  /** GG fit method for scaleMethod 'gg' (default 'mle'). */
  fitMethod?: 'mle' | 'moments';
}

export interface QuantizedTensor {
  format: FormatName;
  /** The rounding the codes were made with. */
  rounding: Rounding;
  shape: number[];
  rows: number;
  cols: number;
  perRow: boolean;
  scaleMethod: ScaleMethod;
  /** Codes, row-major, same length as the input. */
  codes: Uint8Array;
  /** Scale exponents X: one per row (perRow) or a single one. */
  scales: Int8Array;
  /** SQNR in dB over the finite elements (Infinity when exact, e.g. an all-zero tensor). */
  sqnrDb: number;
  /** Mean squared error per finite element. */
  mse: number;
  /** Non-finite input elements (they encode to NaN codes, or to +-maxfinite for OCP +-Inf). */
  nonFinite: number;
  /** Mode-selection criterion (total squared error, empirical or expected) per candidate format. */
  criterion: Partial<Record<FormatName, number>>;
  /** GG fits per row (or one) when scaleMethod is 'gg'. */
  fits?: GGFit[];
}

/** 10 log10(sum ref^2 / sum (ref - approx)^2) over the elements where ref is finite. */
export function sqnrDb(ref: ArrayLike<number>, approx: ArrayLike<number>): number {
  if (ref.length !== approx.length) throw new RangeError(`sqnrDb: lengths differ (${ref.length} vs ${approx.length})`);
  let s = 0;
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    if (r - r !== 0) continue;
    const d = r - approx[i]!;
    s += r * r;
    e += d * d;
  }
  if (e !== e) return -Infinity; // a NaN where ref is finite
  return 10 * Math.log10(s / e);
}

function checkShape(n: number, shape: number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`bad shape [${String(shape)}]`);
  const p = shape.reduce((a, b) => a * b, 1);
  if (p !== n) throw new InputError(`shape [${shape.join(', ')}] has ${p} elements, data has ${n}`);
}

/** Quantize a tensor. */
export function quantizeTensor(data: Float32Array | Float64Array, shape: number[], opts: QuantizeOptions): QuantizedTensor {
  const n = data.length;
  checkShape(n, shape);
  const method = opts.scaleMethod;
  if (!SCALE_METHODS.includes(method)) throw new InputError(`unknown scale method '${String(method)}' (one of: ${SCALE_METHODS.join(', ')})`);
  const perRow = !!opts.perRow && shape.length >= 1;
  const rows = perRow ? shape[0]! : 1;
  const cols = rows > 0 ? n / rows : 0;
  if (perRow && shape.length < 2) throw new InputError(`per-row scales need a tensor of rank >= 2, got shape [${shape.join(', ')}]`);
  let candidatesF: readonly FormatName[];
  if (opts.format === 'auto') {
    candidatesF = opts.candidates ?? GG_MODES;
    if (candidatesF.length === 0) throw new InputError('auto: no candidate formats');
    const names = candidatesF.map((f) => getFormat(f).name); // throws InputError for an unknown one
    if (new Set(names).size !== names.length) throw new InputError(`auto: candidate formats repeat: ${names.join(', ')}`);
  } else {
    getFormat(opts.format); // throws InputError
    if (opts.candidates) throw new InputError(`candidates are for format 'auto', not '${opts.format}'`);
    candidatesF = [opts.format];
  }
  const roundingOf = resolveRoundings(candidatesF, opts.rounding);
  const work = new SseWork();
  const rowView = (r: number): Float32Array | Float64Array => data.subarray(r * cols, (r + 1) * cols);

  // GG fits once per row (shared by every candidate format).
  let fits: GGFit[] | undefined;
  if (method === 'gg') {
    fits = [];
    for (let r = 0; r < rows; r++) {
      const row = rowView(r);
      fits.push(safeFit(row, opts.fitMethod ?? 'mle'));
    }
  }
  const criterion: Partial<Record<FormatName, number>> = {};
  const scalesBy = new Map<FormatName, Int8Array>();
  const needCriterion = candidatesF.length > 1;
  for (const fname of candidatesF) {
    const sc = new Int8Array(rows);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const row = rowView(r);
      if (method === 'gg') {
        const fit = fits![r]!;
        const ch = ggChooseScale(fit, fname, roundingOf(fname));
        sc[r] = ch.X;
        total += ch.mse * fit.n;
      } else if (method === 'mse') {
        const ch = chooseScaleDetailed(row, fname, 'mse', { work, rounding: roundingOf(fname) });
        sc[r] = ch.X;
        total += ch.mse * countFinite(row);
      } else {
        const X = amaxScale(maxAbsFinite(row), fname);
        sc[r] = X;
        if (needCriterion) total += empiricalSse(row, fname, X, work, roundingOf(fname)).sse;
      }
    }
    criterion[fname] = needCriterion || method !== 'amax' ? total : NaN;
    scalesBy.set(fname, sc);
  }
  let format = candidatesF[0]!;
  for (const f of candidatesF) if (criterion[f]! < criterion[format]!) format = f;
  const scales = scalesBy.get(format)!;

  // Encode each row at its scale and measure.
  const codes = new Uint8Array(n);
  for (let r = 0; r < rows; r++) {
    encodeArray(format, rowView(r), { scale: scales[r]!, rounding: roundingOf(format) }, codes.subarray(r * cols, (r + 1) * cols));
  }
  const q: QuantizedTensor = {
    format,
    rounding: roundingOf(format),
    shape: [...shape],
    rows,
    cols,
    perRow,
    scaleMethod: method,
    codes,
    scales,
    sqnrDb: NaN,
    mse: NaN,
    nonFinite: 0,
    criterion,
    ...(fits ? { fits } : {}),
  };
  // the error, decoded a segment at a time into one small buffer (the same values and the same
  // order of summation as decoding the whole tensor first, without a tensor-sized copy)
  let s = 0;
  let e = 0;
  let nf = 0;
  const seg = 1 << 16;
  const buf = new Float32Array(Math.min(n, seg));
  const oneScale = q.scales.length === 1 || q.rows <= 1;
  const span = oneScale ? n : q.cols;
  for (let r0 = 0; r0 < n; r0 += span) {
    const X = oneScale ? (q.scales[0] ?? 0) : q.scales[r0 / span]!;
    const end = Math.min(n, r0 + span);
    for (let a = r0; a < end; a += seg) {
      const b = Math.min(end, a + seg);
      const deq = buf.subarray(0, b - a);
      decodeArray(q.format, codes.subarray(a, b), X, deq);
      for (let i = a; i < b; i++) {
        const x = data[i]!;
        if (x - x !== 0) {
          nf++;
          continue;
        }
        const d = x - deq[i - a]!;
        s += x * x;
        e += d * d;
      }
    }
  }
  q.nonFinite = nf;
  q.mse = n - nf > 0 ? e / (n - nf) : NaN;
  q.sqnrDb = e === 0 ? Infinity : 10 * Math.log10(s / e);
  return q;
}

/** The `gg-modes` shorthand of a candidate list: rf8kit's three GG float modes. */
export const GG_MODES_WORD = 'gg-modes';
/** The `codebooks` shorthand of a candidate list: the GG codebooks (spec section 9). */
export const CODEBOOKS_WORD = 'codebooks';

/**
 * Parse a candidate list for `auto`: comma-separated format names, `gg-modes` standing for
 * rf8kit's three GG float modes and `codebooks` for the GG codebooks (e.g. `gg-modes,rf8`,
 * `gg-modes,codebooks`). InputError naming `what` on a bad name.
 */
export function parseCandidates(text: string, what = '--modes'): FormatName[] {
  const out: FormatName[] = [];
  for (const part of String(text).split(',').map((p) => p.trim()).filter((p) => p.length)) {
    if (part === GG_MODES_WORD) out.push(...GG_MODES);
    else if (part === CODEBOOKS_WORD) out.push(...CODEBOOK_NAMES);
    else {
      try {
        out.push(getFormat(part).name);
      } catch (e) {
        throw new InputError(`${what}: ${(e as Error).message}`);
      }
    }
  }
  if (out.length === 0) throw new InputError(`${what}: empty list`);
  if (new Set(out).size !== out.length) throw new InputError(`${what}: formats repeat: ${out.join(', ')}`);
  return out;
}

/** The rounding of each candidate: `rounding` where the format offers it, else the format's default. */
function resolveRoundings(candidates: readonly FormatName[], rounding: Rounding | undefined): (f: FormatName) => Rounding {
  if (rounding !== undefined && !candidates.some((f) => getFormat(f).policy.roundings.includes(rounding))) {
    throw new InputError(`rounding '${String(rounding)}' is not available for ${candidates.length > 1 ? 'any of ' : 'format '}${candidates.join(', ')}`);
  }
  return (f) => {
    const pol = getFormat(f).policy;
    return rounding !== undefined && pol.roundings.includes(rounding) ? rounding : pol.defaultRounding;
  };
}

function countFinite(a: Float32Array | Float64Array): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! - a[i]! === 0) c++;
  return c;
}

/** fitGG for a row; an all-non-finite row has no fit (treated as alpha 0). */
function safeFit(row: Float32Array | Float64Array, method: 'mle' | 'moments'): GGFit {
  try {
    return fitGG(row, { method });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return {
      alpha: 0,
      beta: NaN,
      n: 0,
      excluded: row.length,
      method,
      nan: 0,
      posInf: 0,
      negInf: 0,
      zeros: 0,
      maxAbs: 0,
      top: new Float64Array(0),
      mean: NaN,
      meanAbs: NaN,
      meanSquare: NaN,
      loglik: NaN,
      iterations: 0,
      passes: 1,
      converged: false,
      degenerate: true,
      warnings: [e.message],
    };
  }
}

/** Decode a quantized tensor (row by row at its scale) into `out` (default a new Float32Array). */
export function dequantizeTensor(q: Pick<QuantizedTensor, 'format' | 'codes' | 'scales' | 'rows' | 'cols'>, out?: Float32Array): Float32Array {
  const n = q.codes.length;
  const dst = out ?? new Float32Array(n);
  if (dst.length < n) throw new InputError(`dequantizeTensor: output has ${dst.length} slots for ${n} values`);
  const { rows, cols } = q;
  if (q.scales.length === 1 || rows <= 1) {
    decodeArray(q.format, q.codes, q.scales[0] ?? 0, dst.length === n ? dst : dst.subarray(0, n));
  } else {
    for (let r = 0; r < rows; r++) {
      decodeArray(q.format, q.codes.subarray(r * cols, (r + 1) * cols), q.scales[r]!, dst.subarray(r * cols, (r + 1) * cols));
    }
  }
  return dst;
}
