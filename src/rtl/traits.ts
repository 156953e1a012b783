import { BINARY32, formatTables, getFormat, type Format, type FormatName } from '../format/index.js';
import { accToBinary32Bits, accToFormat } from '../arith/index.js';

/**
 * The hardware view of a format, derived from the traits table in src/format (never from a
 * format's name) plus a few probes of the reference conversions, so that the generated logic
 * and the reference agree by construction on every policy choice (which code is NaN, what a
 * negative zero becomes, what overflow saturates to).
 */
export interface HwInput {
  fmt: Format;
  /** Two's complement (int8) or sign-magnitude (every float layout). */
  twos: boolean;
  /** Exponent field bits (0 for int8). */
  e: number;
  /** Mantissa field bits. */
  m: number;
  /** Width of k. */
  kBits: number;
  /** Width of the decoded shift sh (>= 1). */
  shBits: number;
  /** NaN-or-Inf predicate: none, one cube `(code & mask) == value`, or a list of codes. */
  nan: { kind: 'none' } | { kind: 'cube'; mask: number; value: number } | { kind: 'list'; codes: number[] };
  /** Largest |k * 2^sh| over finite codes (the operand's magnitude bound, in units of 2^tmin). */
  maxUnits: number;
}

/** Input-side (decoder) traits. */
export function hwInput(f: Format | FormatName): HwInput {
  const fmt = getFormat(f);
  const tab = formatTables(fmt);
  const twos = fmt.policy.twos;
  const nanCodes: number[] = [];
  for (let c = 0; c < 256; c++) if (tab.nan[c]) nanCodes.push(c);
  let nan: HwInput['nan'] = { kind: 'none' };
  if (nanCodes.length) {
    let and = 0xff;
    let or = 0;
    for (const c of nanCodes) {
      and &= c;
      or |= c;
    }
    const mask = ~(and ^ or) & 0xff; // bits on which all NaN codes agree
    const value = and & mask;
    let exact = true;
    for (let c = 0; c < 256 && exact; c++) if (((c & mask) === value) !== (tab.nan[c] === 1)) exact = false;
    nan = exact ? { kind: 'cube', mask, value } : { kind: 'list', codes: nanCodes };
  }
  let maxUnits = 0;
  for (let c = 0; c < 256; c++) if (!tab.nan[c]) maxUnits = Math.max(maxUnits, tab.k[c]! * 2 ** tab.sh[c]!);
  // sh: the exponent field's width for the layouts and rf8; the width of the largest sh for a codebook (e = 0)
  return { fmt, twos, e: fmt.e, m: fmt.m, kBits: fmt.kBits, shBits: Math.max(1, fmt.e, 32 - Math.clz32(fmt.shMax)), nan, maxUnits };
}

/**
 * Output-side (converter) traits: the generic fixed-point -> float rounding core needs the
 * significand width, the LSB power, the largest shift and payload, and three patterns.
 */
export interface HwOutput {
  /** Label for comments. */
  label: string;
  /** Code width: 8 for the family, 32 for binary32. */
  bits: number;
  twos: boolean;
  /** Significand bits below the leading one in a normal binade (m; 7 for int8, whose k has 8 bits). */
  mEff: number;
  /** Power of the LSB at sh = 0. */
  tmin: number;
  /** Largest finite shift sh. */
  shMax: number;
  /** Largest finite payload. */
  maxPayload: number;
  /** Payload written on overflow (maxPayload when saturating, the infinity payload for binary32). */
  satPayload: number;
  /** Code for a NaN accumulator. */
  nanCode: number;
  /** Code for a negative value that rounds to zero (0 where the layout has no -0). */
  negZeroCode: number;
}

/** Output traits of a family member (conversion by accToFormat: RNE, saturating, fused ReLU). */
export function hwOutput(f: Format | FormatName): HwOutput {
  const fmt = getFormat(f);
  const twos = fmt.policy.twos;
  const sat = accToFormat(1n, false, 4000, fmt, 0, false);
  return {
    label: fmt.name,
    bits: 8,
    twos,
    mEff: fmt.kBits - 1,
    tmin: fmt.tmin,
    shMax: fmt.shMax,
    maxPayload: fmt.maxPayload,
    satPayload: twos ? sat : sat & 0x7f,
    nanCode: accToFormat(0n, true, 0, fmt, 0, false),
    negZeroCode: accToFormat(-1n, false, -4000, fmt, 0, false),
  };
}

/** Output traits of binary32 (conversion by accToBinary32Bits: RNE, overflow to infinity). */
export function hwOutputF32(): HwOutput {
  const L = BINARY32;
  const topE = Math.floor(L.maxPayload / 2 ** L.m);
  return {
    label: 'binary32',
    bits: 32,
    twos: false,
    mEff: L.m,
    tmin: 1 - L.bias - L.m,
    shMax: Math.max(topE, 1) - 1,
    maxPayload: L.maxPayload,
    satPayload: accToBinary32Bits(1n, false, 4000) & 0x7fffffff,
    nanCode: accToBinary32Bits(0n, true, 0),
    negZeroCode: accToBinary32Bits(-1n, false, -4000),
  };
}
