import fc from 'fast-check';
import { FORMAT_NAMES, getFormat, type Format, type FormatName } from '../format/traits.js';
import { decodeValue, formatTables } from '../format/codec.js';
import { InputError } from '../util/errors.js';

/**
 * fast-check arbitraries for the RF8 family (docs/properties.md). Every arbitrary takes a format
 * name (or an ml_dtypes alias such as `float8_e4m3fn`) or a Format object, shrinks towards
 * simple cases, and is deterministic under fast-check's seed. The value arbitraries aim at the
 * places where an 8-bit conversion goes wrong: exact ties between neighbours (and the doubles
 * next to them), binade edges, the overflow and underflow thresholds, and the specials.
 */

export type FormatLike = Format | FormatName | string;

/** A format from a list (default: every format of the family), shrinking to the first. */
export function arbFormat(formats: readonly FormatLike[] = FORMAT_NAMES): fc.Arbitrary<Format> {
  if (!formats.length) throw new InputError('arbFormat: formats: the list is empty');
  return fc.constantFrom(...formats.map((f) => getFormat(f)));
}

/** Codes of a format, biased towards the edges: zero, NaN/Inf, the extremes, subnormals. */
export function arbCode(fmt: FormatLike): fc.Arbitrary<number> {
  const f = getFormat(fmt);
  const t = formatTables(f);
  const special: number[] = [0, 0x80, 0x7f, 0xff, 0x01, 0x81];
  for (let c = 0; c < 256; c++) if (t.nan[c]) special.push(c);
  for (let c = 0; c < 256; c++) if (t.k[c] !== 0 && t.k[c]! < 2 ** f.m && !t.nan[c]) special.push(c); // subnormals
  const uniq = [...new Set(special)].sort((a, b) => a - b);
  return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 255 }) }, { weight: 1, arbitrary: fc.constantFrom(...uniq) });
}

/** Codes whose value is finite (no NaN, no infinity). */
export function arbFiniteCode(fmt: FormatLike): fc.Arbitrary<number> {
  const f = getFormat(fmt);
  const finite: number[] = [];
  for (let c = 0; c < 256; c++) if (Number.isFinite(decodeValue(f, c))) finite.push(c);
  return fc.constantFrom(...finite);
}

/** An int8 scale exponent X (the element stands for value * 2^X), mostly small; `min`/`max` narrow it. */
export function arbScaleIn(opts: { min?: number; max?: number } = {}): fc.Arbitrary<number> {
  const min = opts.min ?? -128;
  const max = opts.max ?? 127;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < -128 || max > 127 || min > max) {
    throw new InputError(`arbScaleIn: min/max: need integers with -128 <= min <= max <= 127, got ${min}, ${max}`);
  }
  const lo = Math.max(min, -6);
  const hi = Math.min(max, 6);
  return lo <= hi ? fc.oneof({ weight: 8, arbitrary: fc.integer({ min: lo, max: hi }) }, { weight: 1, arbitrary: fc.integer({ min, max }) }) : fc.integer({ min, max });
}

/** An int8 scale exponent, mostly in [-6, 6]. */
export const arbScale: fc.Arbitrary<number> = arbScaleIn();

/** A W-bit accumulator init, biased to 0, small values and the rails. */
export function arbInit(W: number): fc.Arbitrary<bigint> {
  if (!Number.isInteger(W) || W < 2 || W > 1024) throw new InputError(`arbInit: W: not an integer in [2, 1024]: ${String(W)}`);
  const hi = (1n << BigInt(W - 1)) - 1n;
  const lo = -(1n << BigInt(W - 1));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(0n) },
    { weight: 3, arbitrary: fc.bigInt({ min: lo > -(1n << 20n) ? lo : -(1n << 20n), max: hi < 1n << 20n ? hi : 1n << 20n }) },
    { weight: 2, arbitrary: fc.bigInt({ min: lo, max: hi }) },
    { weight: 1, arbitrary: fc.oneof(fc.bigInt({ min: hi - (hi >> 4n), max: hi }), fc.bigInt({ min: lo, max: lo - (lo >> 4n) })) },
  );
}

// --- values ------------------------------------------------------------------------------------

const dv = new DataView(new ArrayBuffer(8));
/** The next double towards +Infinity (exact bit arithmetic). */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  dv.setFloat64(0, x);
  const b = dv.getBigUint64(0);
  dv.setBigUint64(0, x > 0 ? b + 1n : b - 1n);
  return dv.getFloat64(0);
}
/** The next double towards -Infinity. */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/** The distinct finite non-negative values of a format at scale X, ascending. */
export function finiteMagnitudes(fmt: FormatLike, scale = 0): number[] {
  const f = getFormat(fmt);
  const s = new Set<number>();
  for (let c = 0; c < 256; c++) {
    const v = decodeValue(f, c, scale);
    if (Number.isFinite(v)) s.add(Math.abs(v));
  }
  return [...s].sort((a, b) => a - b);
}

function signed(a: fc.Arbitrary<number>): fc.Arbitrary<number> {
  return fc.tuple(a, fc.boolean()).map(([x, neg]) => (neg ? -x : x));
}

/** Exact midpoints between neighbouring values (ties of round-to-nearest), and the doubles on each side. */
export function arbTie(fmt: FormatLike, scale = 0): fc.Arbitrary<number> {
  const v = finiteMagnitudes(fmt, scale);
  const mids: number[] = [];
  for (let i = 0; i + 1 < v.length; i++) mids.push((v[i]! + v[i + 1]!) / 2); // dyadic, exact
  return signed(fc.tuple(fc.constantFrom(...mids), fc.constantFrom(0, 0, 0, -1, 1)).map(([m, d]) => (d < 0 ? nextDown(m) : d > 0 ? nextUp(m) : m)));
}

/** Binade edges: every representable power of two of the format (and the doubles next to them). */
export function arbBinadeEdge(fmt: FormatLike, scale = 0): fc.Arbitrary<number> {
  const edges = finiteMagnitudes(fmt, scale).filter((x) => x > 0 && 2 ** Math.round(Math.log2(x)) === x);
  return signed(fc.tuple(fc.constantFrom(...edges), fc.constantFrom(0, -1, 1)).map(([m, d]) => (d < 0 ? nextDown(m) : d > 0 ? nextUp(m) : m)));
}

/**
 * The thresholds: the overflow threshold maxFinite + ulp/2 (where round-to-nearest leaves the
 * finite range), the underflow threshold minSubnormal / 2 (where it flushes to zero), the
 * largest finite value, the smallest subnormal and normal, each with its neighbouring doubles.
 */
export function arbThreshold(fmt: FormatLike, scale = 0): fc.Arbitrary<number> {
  const v = finiteMagnitudes(fmt, scale);
  const max = v[v.length - 1]!;
  const ulpTop = max - v[v.length - 2]!;
  const minSub = v[1]!;
  const pts = [max, max + ulpTop / 2, max + ulpTop, minSub, minSub / 2, 2 * max];
  return signed(fc.tuple(fc.constantFrom(...pts), fc.constantFrom(0, -1, 1)).map(([m, d]) => (d < 0 ? nextDown(m) : d > 0 ? nextUp(m) : m)));
}

/** The special inputs: NaN, +-Infinity, +-0, and the largest and smallest doubles. */
export const arbSpecialValue: fc.Arbitrary<number> = fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE);

/** The exact values of the format's codes at scale X. */
export function arbRepresentable(fmt: FormatLike, scale = 0): fc.Arbitrary<number> {
  const f = getFormat(fmt);
  return arbFiniteCode(f).map((c) => decodeValue(f, c, scale));
}

export interface ValueOptions {
  /** Scale exponent X of the values (default 0). */
  scale?: number;
  /** Include NaN and infinities (default true). */
  specials?: boolean;
}

/**
 * Doubles to encode into `fmt` at scale X, biased to the hard cases: ties, binade edges,
 * thresholds, specials, representable values, and any double (1 in 6).
 */
export function arbValue(fmt: FormatLike, opts: ValueOptions = {}): fc.Arbitrary<number> {
  const f = getFormat(fmt);
  const X = opts.scale ?? 0;
  if (!Number.isInteger(X) || X < -128 || X > 127) throw new InputError(`arbValue: scale: not an integer in [-128, 127]: ${String(X)}`);
  const specials = opts.specials ?? true;
  const parts: { weight: number; arbitrary: fc.Arbitrary<number> }[] = [
    { weight: 3, arbitrary: arbTie(f, X) },
    { weight: 2, arbitrary: arbBinadeEdge(f, X) },
    { weight: 2, arbitrary: arbThreshold(f, X) },
    { weight: 2, arbitrary: arbRepresentable(f, X) },
    { weight: 2, arbitrary: fc.double({ noNaN: !specials, noDefaultInfinity: !specials }) },
  ];
  if (specials) parts.push({ weight: 1, arbitrary: arbSpecialValue });
  else parts.push({ weight: 1, arbitrary: fc.constantFrom(0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE) });
  return fc.oneof(...parts);
}

// --- MAC beats and sequences ---------------------------------------------------------------------

export interface MacShape {
  /** Operand formats. */
  a: FormatLike;
  b: FormatLike;
  /** Lanes per beat (default 1). */
  lanes?: number;
  /** Accumulator width, for the init of a sequence (default 32). */
  W?: number;
}

/** One MAC beat for `Mac.step(a, b, mask)`: N codes per operand (biased to the edges) and a valid mask. */
export interface MacBeat {
  a: number[];
  b: number[];
  mask: number;
}

function lanesOf(s: MacShape): number {
  const N = s.lanes ?? 1;
  if (!Number.isInteger(N) || N < 1 || N > 32) throw new InputError(`arbMacBeat: lanes: not an integer in [1, 32]: ${String(N)}`);
  return N;
}

export function arbMacBeat(shape: MacShape): fc.Arbitrary<MacBeat> {
  const N = lanesOf(shape);
  const all = N === 32 ? 0xffffffff : 2 ** N - 1;
  return fc.record({
    a: fc.array(arbCode(shape.a), { minLength: N, maxLength: N }),
    b: fc.array(arbCode(shape.b), { minLength: N, maxLength: N }),
    mask: fc.oneof({ weight: 3, arbitrary: fc.constant(all) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: all }) }),
  });
}

/** A MAC sequence: an accumulator init (for `Mac.clear`) and 1..maxLength beats. */
export interface MacSequence {
  init: bigint;
  beats: MacBeat[];
}

export function arbMacSequence(shape: MacShape, maxLength = 24): fc.Arbitrary<MacSequence> {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new InputError(`arbMacSequence: maxLength: not a positive integer: ${String(maxLength)}`);
  return fc.record({ init: arbInit(shape.W ?? 32), beats: fc.array(arbMacBeat(shape), { minLength: 1, maxLength }) });
}
