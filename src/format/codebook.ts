import type { Format, Layout } from './traits.js';
import { encodeWithSplitTable, SplitTableBuilder, SPLIT_EXACT, type SplitTable } from './split-table.js';

/**
 * The codebook (`table`) decoder kind (docs/rf8-spec.md section 9): code 0x00 is zero, 0x80 the
 * single NaN, and the 127 positive codes p = 1..127 stand for magnitudes k[p] * 2^(sh[p] + tmin)
 * from the format's table, ascending in p; bit 7 is the sign. Encoding is the nearest magnitude,
 * ties to the smaller one, saturating past the largest: a binary search over the exact
 * midpoints (integers in units of 2^(tmin - 2)), no float step.
 */

/** A codebook's data: per positive code p = 1..127 (index p - 1) its significand k and shift sh. */
export interface CodebookData {
  /** GG shape the table was made for. */
  readonly beta: number;
  /** Significand bound: every k < 2^K. */
  readonly K: number;
  readonly tmin: number;
  readonly k: readonly number[];
  readonly sh: readonly number[];
}

export interface CodebookTables {
  /** Magnitudes of payloads 0..127 in units of 2^(tmin - 1) (integers). */
  vals: Float64Array;
  /** Midpoints between payloads p and p + 1 in units of 2^(tmin - 2): vals[p] + vals[p + 1]. */
  mids: Float64Array;
}

const cache = new WeakMap<Layout, CodebookTables>();

/** The derived tables of a codebook format; checks that the magnitudes ascend strictly. */
export function codebookTables(L: Layout): CodebookTables {
  let t = cache.get(L);
  if (t) return t;
  const cb = (L as Format).codebook;
  if (!cb) throw new Error('codebookTables: not a codebook format');
  const n = cb.k.length;
  const vals = new Float64Array(n + 1);
  for (let p = 1; p <= n; p++) vals[p] = cb.k[p - 1]! * 2 ** (cb.sh[p - 1]! + 1);
  for (let p = 1; p <= n; p++) if (!(vals[p]! > vals[p - 1]!) || vals[p]! >= 2 ** 52) throw new Error(`codebook: magnitudes must ascend (payload ${p})`);
  const mids = new Float64Array(n);
  for (let p = 0; p < n; p++) mids[p] = vals[p]! + vals[p + 1]!;
  t = { vals, mids };
  cache.set(L, t);
  return t;
}

/**
 * Round the magnitude M * 2^e (M an integer in [0, 2^53), sign neg) into the codebook layout L:
 * the payload is the number of midpoints strictly below the magnitude (ties go to the smaller
 * magnitude; past the last midpoint it saturates at 127). A zero result has no sign.
 */
export function roundCodebook(L: Layout, neg: boolean, M: number, e: number): number {
  if (M === 0) return L.policy.zero[0];
  const mids = codebookTables(L).mids;
  const s = e - ((L as Format).tmin - 2);
  let lo = 0;
  let hi = mids.length;
  if (s >= 0) {
    // y = M * 2^s in midpoint units: exact (or +Infinity past the double range, above every midpoint)
    const y = M * 2 ** s;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (y > mids[mid]!) lo = mid + 1;
      else hi = mid;
    }
  } else {
    // M > mid * 2^-s: the right side exact (or +Infinity, above every M)
    const p = 2 ** -s;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (M > mids[mid]! * p) lo = mid + 1;
      else hi = mid;
    }
  }
  return lo === 0 ? L.policy.zero[0] : neg ? lo + 2 ** (L.bits - 1) : lo;
}

/** roundCodebook for a BigInt magnitude (any size). */
export function roundCodebookBig(L: Layout, neg: boolean, mag: bigint, e: number): number {
  if (mag < 9007199254740992n) return roundCodebook(L, neg, Number(mag), e);
  const mids = codebookTables(L).mids;
  const s = e - ((L as Format).tmin - 2);
  let lo = 0;
  let hi = mids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = BigInt(mids[mid]!);
    if (s >= 0 ? mag << BigInt(s) > m : mag > m << BigInt(-s)) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? L.policy.zero[0] : neg ? lo + 2 ** (L.bits - 1) : lo;
}

/**
 * Bulk binary32 -> codebook on the bit pattern. A bucket of binary32 patterns sharing their top
 * 16 bits (sign, exponent, 7 mantissa bits) spans an interval of magnitudes; the codes of its two
 * ends differ by the number of midpoints inside it. A 65536-entry table (per scale) holds the code
 * of each bucket with no midpoint inside, and, for a bucket with exactly one, the cut in the low 16
 * bits (from the exact comparison with that midpoint) and the two codes; buckets with more
 * midpoints (possible only for K >= 8 or extreme scales), binary32 subnormals, Inf and NaN take
 * the exact scalar path.
 */
const luts = new Map<string, SplitTable>();
const LUT_MIN_ELEMENTS = 1 << 15;
const LUT_CACHE = 64;

function codebookLut(f: Format, X: number): SplitTable {
  const key = `${f.name}|${X}`;
  let t = luts.get(key);
  if (t) return t;
  const b = new SplitTableBuilder('codebook');
  const enc = (bits: number): number => roundCodebook(f, bits >>> 31 === 1, (bits & 0x7fffff) | 0x800000, ((bits >>> 23) & 0xff) - 150 - X);
  // more than one midpoint inside the bucket: exact
  const oneStep = (c0: number, c1: number): boolean => (c1 & 0x7f) - (c0 & 0x7f) === 1;
  for (let hi = 0; hi < 65536; hi++) {
    const ex = (hi >>> 7) & 0xff;
    if (ex === 0 || ex === 255) b.set(hi, SPLIT_EXACT);
    else b.bucket(hi, enc, oneStep);
  }
  t = b.done();
  if (luts.size >= LUT_CACHE) luts.delete(luts.keys().next().value!); // bounded: the oldest goes
  luts.set(key, t);
  return t;
}

/** Encode binary32 values (and their bit patterns `bits`) into `dst` at scale X; `exact` is the scalar path for one element. */
export function encodeCodebookBulk(f: Format, src: Float32Array, bits: Uint32Array, dst: Uint8Array, X: number, exact: (x: number) => number): void {
  const n = src.length;
  if (n < LUT_MIN_ELEMENTS && !luts.has(`${f.name}|${X}`)) {
    for (let i = 0; i < n; i++) dst[i] = exact(src[i]!);
    return;
  }
  encodeWithSplitTable(codebookLut(f, X), src, bits, dst, exact);
}
