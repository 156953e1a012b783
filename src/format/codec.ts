import { InputError } from '../util/errors.js';
import { getFormat, BINARY32, BFLOAT16, BINARY16, CLASS_FINITE, CLASS_INF, ROUNDINGS, type Format, type FormatName, type Layout, type Rounding } from './traits.js';
import { roundDouble, roundingMode, RNE, SR } from './round.js';
import { encodeF32Bulk } from './bulk.js';
import { checkCode as validCode, checkNumber, checkOptions, checkScale as validScale, checkTyped } from '../util/validate.js';

export type CodeKind = 'zero' | 'subnormal' | 'normal' | 'nan' | 'inf';

/** A decoded element: magnitude = k * 2^t with t = sh + tmin (spec section 1). */
export interface Decoded {
  kind: CodeKind;
  sign: 0 | 1;
  k: number;
  sh: number;
  t: number;
}

export interface EncodeOptions {
  /** Scale exponent X (an int8): the element stands for value * 2^X. Default 0. */
  scale?: number;
  /**
   * Rounding: the format's default when absent. The layout formats: 'rne' (default), 'rtz' or
   * 'sr' (stochastic, with caller-supplied u). The authors' rf8: 'greedy' (default) or 'nearest'.
   */
  rounding?: Rounding;
  /** SR: the random integer u in [0, 2^r). */
  u?: number;
  /** SR: bits of u, 1..52. Default 8. */
  r?: number;
  /** Overflow: 'sat' (default, every format) or 'nonsat' (OCP non-saturating mode; the rf8 formats and int8 always saturate). */
  overflow?: 'sat' | 'nonsat';
}

type Fmt = Format | FormatName;

function checkCode(code: number): void {
  validCode(code);
}

/**
 * Decode a code to its exact (sign, k, sh, t) and kind: the format's policy classifies the code
 * (NaN, infinity or finite), its decoder kind gives k and sh.
 */
export function decode(fmt: Fmt, code: number): Decoded {
  const f = getFormat(fmt);
  checkCode(code);
  const pol = f.policy;
  const cls = pol.classes[code]!;
  if (cls !== CLASS_FINITE) return { kind: cls === CLASS_INF ? 'inf' : 'nan', sign: pol.nan[0] !== pol.nan[1] ? ((code >> 7) as 0 | 1) : 0, k: 0, sh: 0, t: 0 };
  switch (pol.decoder) {
    case 'twos': {
      const v = code >= 128 ? code - 256 : code;
      return { kind: v === 0 ? 'zero' : 'normal', sign: v < 0 ? 1 : 0, k: Math.abs(v), sh: 0, t: 0 };
    }
    case 'residual': {
      // E = 0: zero whatever R and s (no -0); else k = kTable[R], sh = E - 1
      const E = (code & 0x7f) >> f.m;
      if (E === 0) return { kind: 'zero', sign: 0, k: 0, sh: 0, t: f.tmin };
      const sh = E - 1;
      return { kind: 'normal', sign: (code >> 7) as 0 | 1, k: f.kTable![code & ((1 << f.m) - 1)]!, sh, t: sh + f.tmin };
    }
    case 'table': {
      // payload 0: zero (0x80 is NaN by the classifier); else (k, sh) from the codebook
      const p = code & 0x7f;
      if (p === 0) return { kind: 'zero', sign: 0, k: 0, sh: 0, t: f.tmin };
      const cb = f.codebook!;
      const sh = cb.sh[p - 1]!;
      return { kind: 'normal', sign: (code >> 7) as 0 | 1, k: cb.k[p - 1]!, sh, t: sh + f.tmin };
    }
    case 'float': {
      const sign = (code >> 7) as 0 | 1;
      const payload = code & 0x7f;
      const E = payload >> f.m;
      const M = payload & ((1 << f.m) - 1);
      const sh = Math.max(E, 1) - 1;
      const k = E === 0 ? M : (1 << f.m) + M;
      const kind: CodeKind = E === 0 ? (M === 0 ? 'zero' : 'subnormal') : 'normal';
      return { kind, sign, k, sh, t: sh + f.tmin };
    }
  }
}

/** Exact value of a code at scale X: (-1)^s * k * 2^(t + X); NaN and +-Infinity for specials. */
export function decodeValue(fmt: Fmt, code: number, scale = 0): number {
  checkScale(scale);
  const d = decode(fmt, code);
  if (d.kind === 'nan') return NaN;
  if (d.kind === 'inf') return d.sign ? -Infinity : Infinity;
  const v = d.k * 2 ** (d.t + scale);
  return d.sign ? -v : v;
}

function checkScale(X: number): void {
  validScale(X);
}

interface Resolved {
  X: number;
  mode: ReturnType<typeof roundingMode>;
  u: number;
  r: number;
  nonsat: boolean;
}

function resolve(f: Format, opts: EncodeOptions | undefined, perElementU = false): Resolved {
  checkOptions(opts);
  const X = opts?.scale ?? 0;
  checkScale(X);
  const pol = f.policy;
  const rounding = opts?.rounding ?? pol.defaultRounding;
  if (!ROUNDINGS.includes(rounding)) throw new InputError(`unknown rounding '${String(rounding)}' (${ROUNDINGS.join(', ')})`);
  if (!pol.roundings.includes(rounding)) throw new InputError(`rounding '${rounding}' is not available for format ${f.name} (${pol.roundings.join(', ')})`);
  const r = opts?.r ?? 8;
  if (!Number.isInteger(r) || r < 1 || r > 52) throw new InputError(`sr: r must be an integer in [1, 52]: ${r}`);
  if (rounding === 'sr' && opts?.u === undefined && !perElementU) throw new InputError('u: sr rounding needs u, an integer in [0, 2^r) (or uArray for encodeArray)');
  const u = opts?.u ?? 0;
  if (rounding === 'sr' && (!Number.isInteger(u) || u < 0 || u >= 2 ** r)) throw new InputError(`sr: u must be an integer in [0, 2^${r}): ${u}`);
  const overflow = opts?.overflow ?? 'sat';
  if (overflow !== 'sat' && overflow !== 'nonsat') throw new InputError(`unknown overflow mode '${String(overflow)}' (sat or nonsat)`);
  return { X, mode: roundingMode(rounding), u, r, nonsat: overflow === 'nonsat' };
}

/** Encode a double into a code of `fmt` (spec section 3): exact, for any double and scale. */
export function encode(fmt: Fmt, x: number, opts?: EncodeOptions): number {
  const f = getFormat(fmt);
  checkNumber(x, 'x');
  const o = resolve(f, opts);
  return roundDouble(f, x, o.X, o.mode, o.u, o.r, o.nonsat);
}

/**
 * Bulk encode. Float32Array inputs take an integer-only fast path on the binary32 bit pattern.
 * For SR, `uArray` supplies one u per element (same r for all); without it `u` is used for all.
 */
export function encodeArray(
  fmt: Fmt,
  src: Float32Array | Float64Array,
  opts?: EncodeOptions & { uArray?: Uint32Array },
  out?: Uint8Array,
): Uint8Array {
  const f = getFormat(fmt);
  checkTyped(src, 'src', [Float32Array, Float64Array]);
  const o = resolve(f, opts, opts?.uArray !== undefined);
  const n = src.length;
  const dst = out ?? new Uint8Array(n);
  if (dst.length < n) throw new InputError(`encodeArray: output has ${dst.length} slots for ${n} values`);
  const uArr = opts?.uArray;
  if (uArr && uArr.length < n) throw new InputError(`encodeArray: uArray has ${uArr.length} entries for ${n} values`);
  if (uArr && o.mode === SR) {
    const lim = 2 ** o.r;
    for (let i = 0; i < n; i++) if (uArr[i]! >= lim) throw new InputError(`sr: uArray[${i}] = ${uArr[i]} is not below 2^${o.r}`);
  }
  const { X, mode, r, nonsat } = o;
  if (src instanceof Float32Array) {
    encodeF32Bulk(f, src, dst, X, mode, o.u, r, nonsat, uArr);
  } else {
    for (let i = 0; i < n; i++) dst[i] = roundDouble(f, src[i]!, X, mode, uArr ? uArr[i]! : o.u, r, nonsat);
  }
  return dst;
}

/** Per-format decode tables at scale 0. */
export interface FormatTables {
  value: Float64Array;
  k: Uint16Array;
  sh: Uint8Array;
  sign: Uint8Array;
  /** 1 for NaN or infinity codes (they carry no finite product). */
  nan: Uint8Array;
}

const tableCache = new Map<FormatName, FormatTables>();

export function formatTables(fmt: Fmt): FormatTables {
  const f = getFormat(fmt);
  let t = tableCache.get(f.name);
  if (!t) {
    t = { value: new Float64Array(256), k: new Uint16Array(256), sh: new Uint8Array(256), sign: new Uint8Array(256), nan: new Uint8Array(256) };
    for (let c = 0; c < 256; c++) {
      const d = decode(f, c);
      t.value[c] = decodeValue(f, c);
      t.k[c] = d.k;
      t.sh[c] = d.sh;
      t.sign[c] = d.sign;
      t.nan[c] = d.kind === 'nan' || d.kind === 'inf' ? 1 : 0;
    }
    tableCache.set(f.name, t);
  }
  return t;
}

/**
 * Bulk decode at scale X. Into a Float64Array the values are exact; into a Float32Array (the
 * default) each is the RNE binary32 of the exact value (Math.fround of an exact double).
 */
export function decodeArray<T extends Float32Array | Float64Array = Float32Array>(fmt: Fmt, codes: Uint8Array, scale = 0, out?: T): T {
  checkScale(scale);
  checkTyped(codes, 'codes', [Uint8Array]);
  const tab = formatTables(fmt).value;
  const lut = new Float64Array(256);
  const mul = 2 ** scale;
  for (let c = 0; c < 256; c++) lut[c] = tab[c]! * mul; // exact: power-of-two scaling within double range
  const dst = (out ?? new Float32Array(codes.length)) as T;
  if (dst.length < codes.length) throw new InputError(`decodeArray: output has ${dst.length} slots for ${codes.length} codes`);
  const n = codes.length;
  if (dst instanceof Float32Array) {
    const lut32 = new Float32Array(lut);
    for (let i = 0; i < n; i++) dst[i] = lut32[codes[i]!]!;
  } else {
    for (let i = 0; i < n; i++) dst[i] = lut[codes[i]!]!;
  }
  return dst;
}

// ---------------------------------------------------------------- IEEE interchange conversions

function toLayoutBits(L: Layout, x: number): number {
  return roundDouble(L, x, 0, RNE, 0, 8, true);
}

function fromLayoutBits(L: Layout, bits: number): number {
  const signV = 2 ** (L.bits - 1);
  const neg = bits >= signV;
  const payload = neg ? bits - signV : bits;
  const mScale = 2 ** L.m;
  const E = Math.floor(payload / mScale);
  const M = payload - E * mScale;
  let v: number;
  if (E === (1 << L.e) - 1) v = M === 0 ? Infinity : NaN;
  else if (E === 0) v = M * 2 ** (1 - L.bias - L.m);
  else v = (mScale + M) * 2 ** (E - L.bias - L.m);
  return neg ? -v : v;
}

function checkBits(bits: number, width: number, what: string): void {
  if (!Number.isInteger(bits) || bits < 0 || bits >= 2 ** width) throw new InputError(`${what}: bit pattern out of range: ${bits}`);
}

/** binary32 bit pattern (uint32) of the RNE rounding of x. */
export function f32Bits(x: number): number {
  return toLayoutBits(BINARY32, x);
}
export function fromF32Bits(bits: number): number {
  checkBits(bits, 32, 'binary32');
  return fromLayoutBits(BINARY32, bits);
}
/** bfloat16 bit pattern of the RNE rounding of x. */
export function bf16Bits(x: number): number {
  return toLayoutBits(BFLOAT16, x);
}
export function fromBf16Bits(bits: number): number {
  checkBits(bits, 16, 'bfloat16');
  return fromLayoutBits(BFLOAT16, bits);
}
/** binary16 bit pattern of the RNE rounding of x. */
export function f16Bits(x: number): number {
  return toLayoutBits(BINARY16, x);
}
export function fromF16Bits(bits: number): number {
  checkBits(bits, 16, 'binary16');
  return fromLayoutBits(BINARY16, bits);
}

/** Encode from a binary32 / bfloat16 / binary16 bit pattern (the inputs are exact doubles). */
export function encodeFromBits(fmt: Fmt, src: 'f32' | 'bf16' | 'f16', bits: number, opts?: EncodeOptions): number {
  const x = src === 'f32' ? fromF32Bits(bits) : src === 'bf16' ? fromBf16Bits(bits) : fromF16Bits(bits);
  return encode(fmt, x, opts);
}

/** Convert a code (at scale X) to a binary32 / bfloat16 / binary16 bit pattern, RNE. */
export function decodeToBits(fmt: Fmt, code: number, dst: 'f32' | 'bf16' | 'f16', scale = 0): number {
  const v = decodeValue(fmt, code, scale);
  return dst === 'f32' ? f32Bits(v) : dst === 'bf16' ? bf16Bits(v) : f16Bits(v);
}
