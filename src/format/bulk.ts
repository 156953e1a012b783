import type { Format } from './traits.js';
import { formatTables } from './codec.js';
import { bin, binade, roundDouble, roundMagnitude, RNE, RTZ, type RoundingMode } from './round.js';
import { encodeCodebookBulk } from './codebook.js';
import { encodeWithSplitTable, SplitTableBuilder, SPLIT_EXACT, type SplitTable } from './split-table.js';

/**
 * Bulk binary32 -> 8-bit encoding on the integer bit pattern, the way hardware does it: for a
 * given format, scale and rounding mode, the binade (and so the shift d and the payload base)
 * depends only on the binary32 exponent field, so it comes from a 256-entry table; per element
 * there remain a shift, a mask, a compare and an add. Everything that is not a plain normal
 * binary32 landing in range (binary32 subnormals, Inf/NaN, SR with tiny values) takes the
 * general exact path `roundMagnitude`. The two agree bit for bit (tested on dense sweeps).
 */

const KIND_FAST = 0;
const KIND_GENERAL = 1;
const KIND_OVERFLOW = 2;
const KIND_ZERO = 3;

interface Plan {
  kind: Uint8Array;
  d: Uint8Array;
  base: Int32Array;
}

const plans = new Map<string, Plan>();

function plan(f: Format, X: number, mode: RoundingMode): Plan {
  const key = `${f.name}|${X}|${mode}`;
  let p = plans.get(key);
  if (p) return p;
  p = { kind: new Uint8Array(256), d: new Uint8Array(256), base: new Int32Array(256) };
  for (let ex = 0; ex < 256; ex++) {
    if (ex === 0 || ex === 255) {
      p.kind[ex] = KIND_GENERAL;
      continue;
    }
    const e = ex - 150 - X; // value = M * 2^e with 2^23 <= M < 2^24
    binade(f, e + 23);
    const Q = bin.Q;
    const E = bin.E;
    const d = Q - e;
    if (d <= 0) {
      // n = M << -d >= 2^23: beyond every 8-bit format
      p.kind[ex] = KIND_OVERFLOW;
    } else if (d >= 25) {
      // M / 2^d < 1/2: RNE and RTZ give 0; SR needs the exact threshold compare
      p.kind[ex] = mode === RNE || mode === RTZ ? KIND_ZERO : KIND_GENERAL;
    } else {
      p.kind[ex] = KIND_FAST;
      p.d[ex] = d;
      p.base[ex] = E === 0 ? 0 : E * (1 << f.m) - (1 << f.m);
    }
  }
  plans.set(key, p);
  return p;
}

/**
 * For RNE and RTZ into a float format (m <= 5, so every rounding position of a normal binary32
 * input lies at bit 17 or above), the result depends on the top 16 bits of the binary32 word and
 * on one more bit of information only: whether the low 16 bits are all zero (they can only act as
 * sticky bits). Two 65536-entry tables, built with the exact encoder, then give the code with one
 * load. Entries whose outcome could depend on more (binary32 subnormals, Inf/NaN) hold a
 * sentinel (256) and take the exact path.
 */
interface HiLut {
  lowZero: Uint16Array;
  lowNonZero: Uint16Array;
}
const luts = new Map<string, HiLut>();
const LUT_MIN_ELEMENTS = 1 << 16;
const SENTINEL = 256;

function hiLut(f: Format, X: number, mode: RoundingMode, nonsat: boolean): HiLut {
  const key = `${f.name}|${X}|${mode}|${nonsat}`;
  let t = luts.get(key);
  if (t) return t;
  t = { lowZero: new Uint16Array(65536), lowNonZero: new Uint16Array(65536) };
  for (let hi = 0; hi < 65536; hi++) {
    const ex = (hi >>> 7) & 0xff;
    if (ex === 0 || ex === 255) {
      t.lowZero[hi] = SENTINEL;
      t.lowNonZero[hi] = SENTINEL;
      continue;
    }
    const neg = hi >>> 15 === 1;
    const M = ((hi & 0x7f) << 16) | 0x800000;
    const e = ex - 150 - X;
    t.lowZero[hi] = roundMagnitude(f, neg, M, e, mode, 0, 8, nonsat);
    t.lowNonZero[hi] = roundMagnitude(f, neg, M | 1, e, mode, 0, 8, nonsat);
  }
  luts.set(key, t);
  return t;
}

export function encodeF32Bulk(
  f: Format,
  src: Float32Array,
  dst: Uint8Array,
  X: number,
  mode: RoundingMode,
  u0: number,
  r: number,
  nonsat: boolean,
  uArr: Uint32Array | undefined,
): void {
  const n = src.length;
  const bits = new Uint32Array(src.buffer, src.byteOffset, n);
  if (f.policy.decoder === 'residual') {
    encodeResidualBulk(f, src, bits, dst, X, mode);
    return;
  }
  if (f.policy.decoder === 'table') {
    encodeCodebookBulk(f, src, bits, dst, X, (x) => roundDouble(f, x, X, mode, 0, 8, false));
    return;
  }
  const { kind, d: dTab, base } = plan(f, X, mode);
  const maxPayload = f.maxPayload;
  const isInt = f.policy.twos;
  const signedZero = f.policy.signedZero;
  // overflow results (sign-dependent), from the exact path once
  const ovfPos = roundMagnitude(f, false, 1, 200, RNE, 0, 8, nonsat);
  const ovfNeg = roundMagnitude(f, true, 1, 200, RNE, 0, 8, nonsat);
  const twoR = 2 ** r;
  if ((mode === RNE || mode === RTZ) && !isInt && f.m <= 5 && (n >= LUT_MIN_ELEMENTS || luts.has(`${f.name}|${X}|${mode}|${nonsat}`))) {
    const { lowZero, lowNonZero } = hiLut(f, X, mode, nonsat);
    for (let i = 0; i < n; i++) {
      const b = bits[i]!;
      const c = (b & 0xffff) === 0 ? lowZero[b >>> 16]! : lowNonZero[b >>> 16]!;
      dst[i] = c === SENTINEL ? roundDouble(f, src[i]!, X, mode, u0, r, nonsat) : c;
    }
    return;
  }
  if (mode === RNE && !isInt) {
    // the hot path: RNE into a float format, one table lookup, shift, mask, compare, add
    const zNeg = signedZero ? 0x80 : 0;
    for (let i = 0; i < n; i++) {
      const b = bits[i]!;
      const ex = (b >>> 23) & 0xff;
      const k = kind[ex]!;
      if (k === KIND_FAST) {
        const d = dTab[ex]!;
        const M = (b & 0x7fffff) | 0x800000;
        const half = 1 << (d - 1);
        const rem = M & ((half << 1) - 1);
        const q = (M >>> d) + (rem > half || (rem === half && ((M >>> d) & 1) === 1) ? 1 : 0);
        const p = q === 0 ? 0 : base[ex]! + q;
        const neg = b >>> 31;
        dst[i] = p > maxPayload ? (neg ? ovfNeg : ovfPos) : p === 0 ? (neg ? zNeg : 0) : p | (neg << 7);
      } else if (k === KIND_OVERFLOW) dst[i] = b >>> 31 ? ovfNeg : ovfPos;
      else if (k === KIND_ZERO) dst[i] = b >>> 31 && signedZero ? 0x80 : 0;
      else dst[i] = roundDouble(f, src[i]!, X, mode, u0, r, nonsat);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    const ex = (b >>> 23) & 0xff;
    const k = kind[ex]!;
    const neg = b >>> 31;
    if (k === KIND_FAST) {
      const d = dTab[ex]!;
      const M = (b & 0x7fffff) | 0x800000;
      let q = M >>> d;
      const rem = M & ((1 << d) - 1);
      if (mode === RNE) {
        const half = 1 << (d - 1);
        if (rem > half || (rem === half && (q & 1) === 1)) q++;
      } else if (mode !== RTZ) {
        const u = uArr ? uArr[i]! : u0;
        // floor(rem/2^d + u/2^r): both terms exact doubles; compare against 1 exactly
        if (rem / (1 << d) >= (twoR - u) / twoR) q++;
      }
      if (q === 0) {
        dst[i] = neg && signedZero ? 0x80 : 0;
        continue;
      }
      const p = isInt ? q : base[ex]! + q;
      if (p > maxPayload) dst[i] = neg ? ovfNeg : ovfPos;
      else dst[i] = neg ? (isInt ? (256 - p) & 0xff : p | 0x80) : p;
    } else if (k === KIND_OVERFLOW) {
      dst[i] = neg ? ovfNeg : ovfPos;
    } else if (k === KIND_ZERO) {
      dst[i] = neg && signedZero ? 0x80 : 0;
    } else {
      dst[i] = roundDouble(f, src[i]!, X, mode, uArr ? uArr[i]! : u0, r, nonsat);
    }
  }
}

/**
 * The residual kind (the authors' rf8, greedy or nearest) on binary32 bit patterns. Every
 * decision point of both roundings sits at a fixed place in a binade of the input: greedy's
 * are irrational (the round_log2 threshold sqrt(2) of the first term and 1 +- sqrt(2) 2^-j of
 * the second, j = 1.5 .. 4.5), nearest's are the midpoints of neighbouring values, multiples of
 * 2^-5 of the binade. Any two of them lie more than 2^-7 of a binade apart (the closest pair,
 * 1 + 2^-4.5 and 1 + 2^-3.5, differ by 0.044), so a bucket of binary32 patterns sharing their
 * top 16 bits (sign, exponent, 7 mantissa bits: 2^-7 of a binade) holds at most one of them:
 * its code is constant, or one code below a cut in the low 16 bits and another from it on. A
 * 65536-entry table, built with the exact encoder (the cut found by bisection), then gives the
 * code with one load and, in the few split buckets, one compare. binary32 subnormals, Inf and
 * NaN take the exact path.
 */
const resLuts = new Map<string, SplitTable>();

function residualLut(f: Format, X: number, mode: RoundingMode): SplitTable {
  const key = `${f.name}|${X}|${mode}`;
  let t = resLuts.get(key);
  if (t) return t;
  const enc = (b: number): number => {
    const ex = (b >>> 23) & 0xff;
    return roundMagnitude(f, b >>> 31 === 1, (b & 0x7fffff) | 0x800000, ex - 150 - X, mode, 0, 8, false);
  };
  const b = new SplitTableBuilder('residual');
  // binades wholly below half the smallest magnitude are zero, wholly at or above the largest
  // saturate, under both roundings (greedy's limits 2^(+-7.5) lie inside): no encode needed there
  const tab = formatTables(f);
  let minPos = Infinity;
  for (let c = 0; c < 128; c++) if (!tab.nan[c] && tab.value[c]! > 0) minPos = Math.min(minPos, tab.value[c]!);
  for (let hi = 0; hi < 65536; hi++) {
    const ex = (hi >>> 7) & 0xff;
    const lg = ex - 127 - X; // the bucket's values lie in [2^lg, 2^(lg + 1))
    if (ex === 0 || ex === 255) b.set(hi, SPLIT_EXACT);
    else if (2 ** (lg + 1) <= minPos / 2) b.set(hi, f.policy.zero[0]);
    else if (2 ** lg >= f.maxFinite) b.set(hi, f.policy.ovfSat[hi >>> 15]!);
    else b.bucket(hi, enc); // one decision point per bucket at most
  }
  t = b.done();
  resLuts.set(key, t);
  return t;
}

function encodeResidualBulk(f: Format, src: Float32Array, bits: Uint32Array, dst: Uint8Array, X: number, mode: RoundingMode): void {
  const n = src.length;
  if (n < LUT_MIN_ELEMENTS && !resLuts.has(`${f.name}|${X}|${mode}`)) {
    for (let i = 0; i < n; i++) dst[i] = roundDouble(f, src[i]!, X, mode, 0, 8, false);
    return;
  }
  encodeWithSplitTable(residualLut(f, X, mode), src, bits, dst, (x) => roundDouble(f, x, X, mode, 0, 8, false));
}
