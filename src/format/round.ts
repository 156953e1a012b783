import type { Layout, Rounding } from './traits.js';
import { roundResidual } from './residual.js';
import { roundCodebook } from './codebook.js';

/**
 * The exact rounding core shared by every conversion in rf8kit (RF8 encode, OCP baselines,
 * int8, and the IEEE binary32 / bfloat16 / binary16 conversions).
 *
 * Input is a magnitude given exactly as `M * 2^e` with M an integer in [0, 2^53): any finite
 * double, any scaled double (the scale only moves e, so nothing leaves the exact domain), and any
 * accumulator value reduced with a sticky bit (see `reduceBig`). All arithmetic below is on
 * integers below 2^53 or on exact dyadic doubles; no step relies on an examined-away float
 * rounding. See docs/rf8-spec.md section 3 for the rules.
 */

export const RNE = 0;
export const RTZ = 1;
export const SR = 2;
/** The authors' RF8 rounding (spec section 8): greedy first and second power of two. */
export const GREEDY = 3;
/** Nearest representable magnitude (spec section 8; ties to the smaller magnitude). */
export const NEAREST = 4;
export type RoundingMode = typeof RNE | typeof RTZ | typeof SR | typeof GREEDY | typeof NEAREST;
export type { Rounding };

const MODE_OF: Readonly<Record<Rounding, RoundingMode>> = Object.freeze({ rne: RNE, rtz: RTZ, sr: SR, greedy: GREEDY, nearest: NEAREST });

export function roundingMode(r: Rounding): RoundingMode {
  return MODE_OF[r] ?? SR;
}

const TWO32 = 4294967296;

/** Number of bits of a non-negative integer below 2^53 (0 for 0). */
export function bitLength(M: number): number {
  if (M < TWO32) return 32 - Math.clz32(M);
  return 64 - Math.clz32(Math.floor(M / TWO32));
}

/** The sign bit's value for a layout. */
export function signBit(L: Layout): number {
  return 2 ** (L.bits - 1);
}

/** Infinity payload (the exponent field all ones, M = 0). */
export function infPayload(L: Layout): number {
  return ((1 << L.e) - 1) * 2 ** L.m;
}

/** The NaN pattern carrying the given sign where the layout has signed NaNs. */
export function nanPattern(L: Layout, neg: boolean): number {
  return L.policy.nan[neg ? 1 : 0];
}

/** Pattern for an infinite input (spec section 3 step 1). */
export function infinityPattern(L: Layout, neg: boolean, nonsat: boolean): number {
  return (nonsat ? L.policy.infNonsat : L.policy.infSat)[neg ? 1 : 0];
}

/** Pattern of a finite result past the largest magnitude. */
export function overflowPattern(L: Layout, neg: boolean, nonsat: boolean): number {
  return (nonsat ? L.policy.ovfNonsat : L.policy.ovfSat)[neg ? 1 : 0];
}

/** A payload with its sign, per the layout's sign rule (sign bit, or two's complement). */
export function withSign(L: Layout, neg: boolean, payload: number): number {
  if (!neg) return payload;
  return L.policy.twos ? (256 - payload) & 0xff : payload + signBit(L);
}

/** Shared result slots of `binade` (no allocation per call). */
export const bin = { Q: 0, E: 0 };

/**
 * The binade of a magnitude with floor(log2) = lg in a float or integer layout (spec section 3
 * step 3): the quantum exponent Q (q = 2^Q) and the biased exponent field E (0: subnormal, or
 * the integer layout, whose quantum is 1 everywhere). Written into `bin`.
 */
export function binade(L: Layout, lg: number): void {
  if (L.policy.decoder === 'twos') {
    bin.Q = 0;
    bin.E = 0;
    return;
  }
  const emin = 1 - L.bias;
  if (lg < emin) {
    bin.Q = emin - L.m;
    bin.E = 0;
  } else {
    bin.Q = lg - L.m;
    bin.E = lg + L.bias;
  }
}

/**
 * Round `M * 2^e` (sign `neg`) into layout L.
 * @param mode RNE, RTZ or SR (GREEDY or NEAREST for the residual layout)
 * @param u    SR only: integer in [0, 2^r)
 * @param r    SR only: bits of u, 1..52
 * @param nonsat overflow to Inf/NaN (OCP non-saturating mode, IEEE conversions) instead of saturating
 */
export function roundMagnitude(
  L: Layout,
  neg: boolean,
  M: number,
  e: number,
  mode: RoundingMode,
  u: number,
  r: number,
  nonsat: boolean,
): number {
  const pol = L.policy;
  if (pol.decoder === 'residual') return roundResidual(L, neg, M, e, mode);
  if (pol.decoder === 'table') return roundCodebook(L, neg, M, e);
  if (M === 0) return pol.zero[neg ? 1 : 0];
  if (mode > SR) throw new Error(`rounding mode ${mode} is not a rounding of this layout`);
  const m = L.m;
  // Quantum exponent Q (q = 2^Q) of the binade holding the value; E the biased exponent field.
  binade(L, e + bitLength(M) - 1); // floor(log2(value)), exact
  const Q = bin.Q;
  const E = bin.E;
  // n = round(M * 2^(e - Q))
  const s = e - Q;
  let n: number;
  if (s >= 0) {
    n = s > 64 ? Infinity : M * 2 ** s;
  } else {
    const d = -s;
    if (d > 106) {
      n = 0; // value/q < 2^-53: below any tie and below every SR threshold 2^-r (r <= 52)
    } else {
      const pow = 2 ** d;
      const n0 = d > 53 ? 0 : Math.floor(M / pow);
      const rem = M - n0 * pow; // exact integer remainder
      if (mode === RNE) {
        const half = pow / 2;
        n = rem > half ? n0 + 1 : rem < half ? n0 : n0 + (n0 % 2);
      } else if (mode === RTZ) {
        n = n0;
      } else {
        // floor(f + u/2^r) with f = rem/2^d: one up iff f >= 1 - u/2^r (both sides exact doubles)
        n = rem / pow >= (2 ** r - u) / 2 ** r ? n0 + 1 : n0;
      }
    }
  }
  if (n === 0) return pol.zero[neg ? 1 : 0];
  // Payload: subnormal binade (E = 0) and int8 hold n directly; a normal binade holds
  // E.(n - 2^m). A carry (n = 2^(m+1), or n = 2^m from the subnormals) lands on the next binade
  // by the same formula.
  const payload = E === 0 ? n : E * 2 ** m + n - 2 ** m;
  if (payload > L.maxPayload) return overflowPattern(L, neg, nonsat);
  return withSign(L, neg, payload);
}

// Double decomposition without allocation.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/** Shared result slots for `splitDouble` (avoids allocating a tuple per call). */
export const split = { M: 0, e: 0, neg: false };

/** Write |x| = M * 2^e (M < 2^53 integer) and the sign of a finite double into `split`. */
export function splitDouble(x: number): void {
  f64[0] = x;
  const hi = u32[HI]!;
  const lo = u32[LO]!;
  const ex = (hi >>> 20) & 0x7ff;
  const mant = (hi & 0xfffff) * TWO32 + lo;
  split.neg = hi >>> 31 === 1;
  if (ex === 0) {
    split.M = mant;
    split.e = -1074;
  } else {
    split.M = mant + 4503599627370496; // 2^52
    split.e = ex - 1075;
  }
}

/**
 * Round a double x scaled by 2^-X into layout L (spec section 3).
 */
export function roundDouble(L: Layout, x: number, X: number, mode: RoundingMode, u: number, r: number, nonsat: boolean): number {
  if (x !== x) return nanPattern(L, false);
  if (x === Infinity || x === -Infinity) return infinityPattern(L, x < 0, nonsat);
  splitDouble(x);
  return roundMagnitude(L, split.neg, split.M, split.e - X, mode, u, r, nonsat);
}

/**
 * Reduce a big integer magnitude to M < 2^53 and an exponent shift, folding the discarded bits
 * into a sticky LSB (round-to-odd). The result rounds identically under RNE and RTZ into any
 * layout with at most 51 significand bits (m + 1 <= 51), which covers every layout here.
 * (Not valid for SR: use SR only on exact inputs.)
 */
export function reduceBig(mag: bigint): { M: number; shift: number } {
  const bl = mag.toString(2).length;
  if (bl <= 53) return { M: Number(mag), shift: 0 };
  const shift = bl - 53;
  let top = mag >> BigInt(shift);
  if ((top << BigInt(shift)) !== mag) top |= 1n;
  return { M: Number(top), shift };
}
