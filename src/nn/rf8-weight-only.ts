/**
 * The authors' RF8 at inference: weights only. Every parameter (dense weights, embeddings,
 * biases, norm gains and shifts) is encoded once in the authors' residual RF8 (`rf8`,
 * docs/rf8-spec.md section 8) with greedy rounding and one amax scale per tensor, and
 * decoded back; activations stay float (the model then runs in tfjs as usual). rf8kit's full
 * RF8 inference (every product through the bit-exact layer reference) is rf8.ts. The weight
 * format is a parameter (default `rf8`): any 8-bit format, with its policy's default rounding
 * (greedy for rf8, RNE for the float grids, nearest for the GG codebooks).
 *
 * The format `rf8` lands in src/format with branch h12a; `rf8WeightOnly` is written against its
 * documented API (encodeArray / decodeArray with { scale, rounding: 'greedy' }, chooseScale 'amax')
 * and is the one function to adapt if that API differs. `residualValue` is the authors' rule on
 * doubles (their rf8.py: no code, no scale, no range limit), exact (see `roundLog2`).
 */
import { decodeArray, encodeArray, getFormat, type FormatName } from '../format/index.js';
import { chooseScale } from '../quant/index.js';
import { InputError } from '../util/errors.js';
import type { ParamSpec, Values } from './params.js';

/**
 * round(log2 a) for a finite a > 0, exactly: with a = m 2^E, m in [1, 2), the result is E if
 * m < sqrt(2), else E + 1. sqrt(2) is irrational and Math.SQRT2 is the double just above it, so
 * `m < Math.SQRT2` decides exactly (no double lies strictly between them).
 */
export function roundLog2(a: number): number {
  if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`roundLog2: a must be finite and > 0, got ${a}`);
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, a);
  const hi = buf.getUint32(0);
  let E = (hi >>> 20) & 0x7ff;
  let m: number;
  if (E === 0) {
    // subnormal double: normalize by 2^64 first
    return roundLog2(a * 2 ** 64) - 64;
  } else {
    buf.setUint32(0, (hi & 0x800fffff) | (1023 << 20));
    m = buf.getFloat64(0);
    E -= 1023;
  }
  return m < Math.SQRT2 ? E : E + 1;
}

/** The authors' residual value of w: t1 = sign 2^round(log2|w|), plus t2 of the residual when e1 - e2 <= 4. */
export function residualValue(w: number): number {
  if (w === 0 || w !== w) return w === 0 ? 0 : NaN;
  const e1 = roundLog2(Math.abs(w));
  const t1 = Math.sign(w) * 2 ** e1;
  const r = w - t1;
  if (r === 0) return t1;
  const e2 = roundLog2(Math.abs(r));
  return e1 - e2 <= 4 ? t1 + Math.sign(r) * 2 ** e2 : t1;
}

export interface WeightOnlyTensor {
  name: string;
  n: number;
  /** Scale exponent X of the tensor (NaN for the value-domain rule, which has none). */
  scale: number;
  zeros: number;
  sqnrDb: number;
}

function sqnr(a: Float32Array, b: Float32Array): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]! * a[i]!;
    e += (a[i]! - b[i]!) ** 2;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

/** The authors' RF8 format (src/format, branch h12a). */
const RF8: FormatName = 'rf8' as FormatName;

/**
 * Every parameter through the authors' RF8 and back: `codec 'format'` encodes the 8-bit codes of
 * `format` (default `rf8`; the format's default rounding, greedy for rf8; amax scale per
 * tensor); `codec 'values'` applies the authors' rule on doubles (unbounded range, as their code;
 * `format` must then be rf8). Returns the decoded values (float activations run on them).
 */
export function rf8WeightOnly(specs: ParamSpec[], values: Values, codec: 'format' | 'values' = 'format', format: FormatName | string = RF8): { values: Values; tensors: WeightOnlyTensor[] } {
  const fmt = getFormat(format);
  if (codec === 'values' && fmt.name !== RF8) throw new InputError(`weight-only: the value-domain rule is the authors' rf8 only (not ${fmt.name})`);
  const rounding = fmt.policy.defaultRounding;
  const out: Values = new Map();
  const tensors: WeightOnlyTensor[] = [];
  for (const s of specs) {
    const v = values.get(s.name)!;
    let d: Float32Array;
    let X = NaN;
    if (codec === 'format') {
      X = chooseScale(v, fmt.name, 'amax');
      const codes = encodeArray(fmt.name, v, { scale: X, rounding });
      d = decodeArray(fmt.name, codes, X);
    } else {
      d = new Float32Array(v.length);
      for (let i = 0; i < v.length; i++) d[i] = residualValue(v[i]!);
    }
    let zeros = 0;
    for (let i = 0; i < d.length; i++) if (d[i] === 0) zeros++;
    out.set(s.name, d);
    tensors.push({ name: s.name, n: v.length, scale: X, zeros, sqnrDb: sqnr(v, d) });
  }
  return { values: out, tensors };
}

/** True when src/format knows the authors' RF8 (`rf8`) with greedy rounding. */
export function haveAuthorsRf8(): boolean {
  try {
    encodeArray(RF8, new Float32Array([0.3]), { scale: 0, rounding: 'greedy' as never });
    return true;
  } catch {
    return false;
  }
}
