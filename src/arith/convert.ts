import { InputError } from '../util/errors.js';
import { BINARY32, getFormat, reduceBig, roundMagnitude, roundResidualBig, roundingMode, RNE, type Format, type FormatName, type Rounding } from '../format/index.js';

/**
 * Output conversion of spec section 5 and bias loading of section 6. The accumulated value is
 * A * 2^T with T = tmin_a + tmin_b + Xa + Xb.
 */

/** binary32 bit pattern of the RNE rounding of A * 2^T (quiet NaN 0x7fc00000 if `nan`). */
export function accToBinary32Bits(acc: bigint, nan: boolean, T: number): number {
  if (nan) return 0x7fc00000;
  if (acc === 0n) return 0;
  const neg = acc < 0n;
  const { M, shift } = reduceBig(neg ? -acc : acc);
  return roundMagnitude(BINARY32, neg, M, T + shift, RNE, 0, 8, true);
}

/**
 * Code in format `fo` at scale Xo of A * 2^T: saturating; NaN code if `nan`; with `relu` a
 * negative value becomes 0 before rounding. Rounding: the format's default (RNE for the layout
 * formats, spec section 5; greedy for rf8, section 8), or `rounding` (one the format accepts:
 * rf8 takes greedy or nearest). The residual kind rounds the exact BigInt (its greedy thresholds
 * are irrational, so no sticky reduction is safe); the layouts round the sticky-reduced value.
 */
export function accToFormat(acc: bigint, nan: boolean, T: number, fo: Format | FormatName, Xo: number, relu: boolean, rounding?: Rounding): number {
  const f = getFormat(fo);
  const pol = f.policy;
  const rd = rounding ?? pol.defaultRounding;
  if (!pol.roundings.includes(rd) || rd === 'sr') throw new InputError(`output conversion: rounding '${rd}' is not available for format ${f.name} (${pol.roundings.filter((r) => r !== 'sr').join(', ')})`);
  if (nan) return f.nanCode >= 0 ? f.nanCode : 0;
  if (acc === 0n || (relu && acc < 0n)) return 0;
  const neg = acc < 0n;
  const mag = neg ? -acc : acc;
  if (pol.decoder === 'residual') return roundResidualBig(f, neg, mag, T - Xo, roundingMode(rd));
  const { M, shift } = reduceBig(mag);
  return roundMagnitude(f, neg, M, T + shift - Xo, roundingMode(rd), 0, 8, false);
}

/**
 * A binary32 bias b rounded RNE into accumulator units of weight 2^T, saturating to W bits
 * (spec section 6). b must be a binary32 value (any double that Math.fround leaves unchanged).
 */
export function biasToAcc(b: number, T: number, W: number): bigint {
  if (b !== b) throw new InputError('bias is NaN');
  if (Math.fround(b) !== b) throw new InputError(`bias ${b} is not a binary32 value`);
  const hi = (1n << BigInt(W - 1)) - 1n;
  const lo = -(1n << BigInt(W - 1));
  if (b === Infinity) return hi;
  if (b === -Infinity) return lo;
  if (b === 0) return 0n;
  const neg = b < 0;
  let x = Math.abs(b);
  // x = M * 2^e with M an integer < 2^24 (binary32 value)
  let e = 0;
  while (!Number.isInteger(x)) {
    x *= 2; // exact: x is a binary32 value, at most 149 doublings
    e--;
  }
  let M = BigInt(x);
  while ((M & 1n) === 0n) {
    M >>= 1n;
    e++;
  }
  const s = e - T; // value / 2^T = M * 2^s
  let n: bigint;
  if (s >= 0) {
    n = s > W + 64 ? hi + 1n : M << BigInt(s);
  } else {
    const d = BigInt(-s);
    const n0 = M >> d;
    const rem = M - (n0 << d);
    const half = 1n << (d - 1n);
    n = rem > half ? n0 + 1n : rem < half ? n0 : n0 + (n0 & 1n);
  }
  if (neg) n = -n;
  return n > hi ? hi : n < lo ? lo : n;
}
