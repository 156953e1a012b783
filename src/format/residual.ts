import type { Format, Layout } from './traits.js';

/**
 * Exact encoding into the residual kind: the authors' RF8 (docs/rf8-spec.md section 8).
 *
 * A value y = M * 2^e (M a positive integer) is encoded with
 * - `greedy` (the authors' algorithm): e1 = round_log2(y), r = y - 2^e1, e2 = round_log2(|r|),
 *   keep the second term when d = e1 - e2 <= 4. round_log2(a) = e exactly when
 *   2^(e - 1/2) <= a < 2^(e + 1/2); for a = M * 2^e with floor(log2 M) = b that is
 *   "M > floor(sqrt(2) * 2^b)" (sqrt 2 * 2^b is irrational, so no tie and no float step):
 *   one integer comparison against a table of floor(sqrt(2) * 2^b), built with BigInt isqrt.
 * - `nearest`: the nearest representable magnitude, ties to the smaller one, where two codes
 *   hold the value the one with the smaller E; a binary search over the exact midpoints.
 * Both take the magnitude exactly (a double's M < 2^53, or a BigInt for the accumulator).
 */

export const GREEDY_MODE = 3;
export const NEAREST_MODE = 4;

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton steps from the float estimate until x = floor(sqrt(n))
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** floor(sqrt(2) * 2^b) = isqrt(2^(2b + 1)) for b = 0..52 (all below 2^53: exact doubles). */
export const SQRT2_FLOOR: Float64Array = (() => {
  const t = new Float64Array(53);
  for (let b = 0; b < 53; b++) t[b] = Number(isqrt(1n << BigInt(2 * b + 1)));
  return t;
})();
const SQRT2_BIG: bigint[] = [];
/** floor(sqrt(2) * 2^b) as a BigInt, any b >= 0. */
export function sqrt2FloorBig(b: number): bigint {
  let v = SQRT2_BIG[b];
  if (v === undefined) {
    v = isqrt(1n << BigInt(2 * b + 1));
    SQRT2_BIG[b] = v;
  }
  return v;
}

const TWO32 = 4294967296;
function bitLen(M: number): number {
  if (M < TWO32) return 32 - Math.clz32(M);
  return 64 - Math.clz32(Math.floor(M / TWO32));
}

/** The residual format's derived tables (from its traits: kTable, e, m, bias, tmin). */
export interface ResidualTables {
  /** Largest E field. */
  Emax: number;
  /** Greedy: R for a second term 2^-d relative to the first, index 2 * d + (negative ? 1 : 0); -1 where impossible. d > dMax: R = 0. */
  rOf: Int8Array;
  dMax: number;
  /** Nearest: the distinct positive representable magnitudes and 0, ascending, in units of 2^(tmin - 1) (integers). */
  vals: Float64Array;
  /** Code (positive) of each entry of vals: the one with the smaller E. */
  codes: Uint8Array;
  /** Midpoints between neighbours of vals, in units of 2^(tmin - 2): vals[i] + vals[i+1]. */
  mids: Float64Array;
}

const cache = new WeakMap<Layout, ResidualTables>();

export function residualTables(L: Layout): ResidualTables {
  let t = cache.get(L);
  if (t) return t;
  const f = L as Format;
  const kt = f.kTable!;
  const k0 = kt[0]!;
  const Emax = (1 << L.e) - 1;
  let dMax = 0;
  while (k0 >> (dMax + 1) > 0) dMax++;
  const rOf = new Int8Array(2 * (dMax + 1) + 2).fill(-1);
  for (let d = 1; d <= dMax; d++) {
    rOf[2 * d] = kt.indexOf(k0 + (k0 >> d));
    rOf[2 * d + 1] = kt.indexOf(k0 - (k0 >> d));
  }
  // dMax: the largest d whose term the code holds (d = 4 for RF8); beyond it the term is dropped
  while (dMax > 0 && rOf[2 * dMax] < 0 && rOf[2 * dMax + 1] < 0) dMax--;
  // every representable magnitude, units 2^(tmin - 1): k * 2^(E - 1) * 2
  const byVal = new Map<number, number>();
  byVal.set(0, 0);
  for (let E = 1; E <= Emax; E++)
    for (let R = 0; R < kt.length; R++) {
      const v = kt[R]! * 2 ** E; // = k * 2^(E-1) * 2
      if (!byVal.has(v)) byVal.set(v, (E << L.m) | R); // E ascending: the first code seen has the smaller E
    }
  const sorted = [...byVal.keys()].sort((a, b) => a - b);
  const vals = Float64Array.from(sorted);
  const codes = Uint8Array.from(sorted.map((v) => byVal.get(v)!));
  const mids = new Float64Array(vals.length - 1);
  for (let i = 0; i + 1 < vals.length; i++) mids[i] = vals[i]! + vals[i + 1]!;
  t = { Emax, rOf, dMax, vals, codes, mids };
  cache.set(L, t);
  return t;
}

function sign(L: Layout, neg: boolean, payload: number): number {
  return payload === 0 ? L.policy.zero[0] : neg ? payload + 2 ** (L.bits - 1) : payload;
}

/** M * 2^s > m exactly (M, m non-negative integers below 2^53; s any integer). */
function above(M: number, s: number, m: number): boolean {
  return s >= 0 ? M * 2 ** s > m : M > m * 2 ** -s;
}

/**
 * Round the magnitude M * 2^e (M an integer in [0, 2^53), sign neg) into the residual layout L
 * with GREEDY (3) or NEAREST (4). Saturating, zero has no sign.
 */
export function roundResidual(L: Layout, neg: boolean, M: number, e: number, mode: number): number {
  if (M === 0) return L.policy.zero[0];
  const T = residualTables(L);
  if (mode === GREEDY_MODE) {
    const b = bitLen(M) - 1;
    const up = M > SQRT2_FLOOR[b]! ? 1 : 0;
    const e1 = e + b + up;
    const E = e1 + L.bias;
    if (E <= 0) return L.policy.zero[0];
    if (E > T.Emax) return L.policy.ovfSat[neg ? 1 : 0];
    const rm = up ? 2 ** (b + 1) - M : M - 2 ** b; // |r| / 2^e, exact
    let R = 0;
    if (rm !== 0) {
      const b2 = bitLen(rm) - 1;
      const d = e1 - (e + b2 + (rm > SQRT2_FLOOR[b2]! ? 1 : 0));
      if (d <= T.dMax) {
        R = T.rOf[2 * d + up]!;
        if (R < 0) throw new Error(`residual greedy: impossible second term (d = ${d}, negative = ${up})`);
      }
    }
    return sign(L, neg, (E << L.m) | R);
  }
  if (mode === NEAREST_MODE) {
    // compare y in units of 2^(tmin - 2) with the midpoints: count the midpoints below y
    const s = e - ((L as Format).tmin - 2);
    const mids = T.mids;
    let lo = 0;
    let hi = mids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (above(M, s, mids[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return sign(L, neg, T.codes[lo]!);
  }
  throw new Error(`rounding mode ${mode} is not a rounding of the residual kind`);
}

function bitLenBig(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** roundResidual for a BigInt magnitude (any size): exact, the accumulator's output conversion. */
export function roundResidualBig(L: Layout, neg: boolean, mag: bigint, e: number, mode: number): number {
  if (mag === 0n) return L.policy.zero[0];
  if (mag < 9007199254740992n) return roundResidual(L, neg, Number(mag), e, mode);
  const T = residualTables(L);
  if (mode === GREEDY_MODE) {
    const b = bitLenBig(mag) - 1;
    const up = mag > sqrt2FloorBig(b) ? 1 : 0;
    const e1 = e + b + up;
    const E = e1 + L.bias;
    if (E <= 0) return L.policy.zero[0];
    if (E > T.Emax) return L.policy.ovfSat[neg ? 1 : 0];
    const rm = up ? (1n << BigInt(b + 1)) - mag : mag - (1n << BigInt(b));
    let R = 0;
    if (rm !== 0n) {
      const b2 = bitLenBig(rm) - 1;
      const d = e1 - (e + b2 + (rm > sqrt2FloorBig(b2) ? 1 : 0));
      if (d <= T.dMax) {
        R = T.rOf[2 * d + up]!;
        if (R < 0) throw new Error(`residual greedy: impossible second term (d = ${d}, negative = ${up})`);
      }
    }
    return sign(L, neg, (E << L.m) | R);
  }
  if (mode === NEAREST_MODE) {
    const s = e - ((L as Format).tmin - 2);
    const mids = T.mids;
    let lo = 0;
    let hi = mids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = BigInt(mids[mid]!);
      if (s >= 0 ? mag << BigInt(s) > m : mag > m << BigInt(-s)) lo = mid + 1;
      else hi = mid;
    }
    return sign(L, neg, T.codes[lo]!);
  }
  throw new Error(`rounding mode ${mode} is not a rounding of the residual kind`);
}
