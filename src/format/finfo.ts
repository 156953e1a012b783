import { getFormat, type Format, type FormatName } from './traits.js';
import { decode, decodeValue } from './codec.js';
import { FORMAT_ALIASES } from './aliases.js';

export { FORMAT_ALIASES } from './aliases.js';

/**
 * numpy / ml_dtypes `finfo`-style limits of a format, computed from its code table (every code
 * decoded), not from formulas: what `ml_dtypes.finfo(ml_dtypes.float8_e4m3fn)` reports for the
 * OCP formats, with the same field meanings:
 *   bits               storage bits (8)
 *   eps                the gap between 1 and the next larger representable value
 *   epsneg             the gap between 1 and the next smaller representable value
 *                      (a GG codebook, where 1 need not be a value: the gaps above and below the
 *                      value nearest 1, ties to the smaller)
 *   max / min          the largest finite value / its negative (for int8: -128, the code 0x80)
 *   smallestNormal     the smallest positive normal value (numpy's `tiny` / `smallest_normal`)
 *   smallestSubnormal  the smallest positive value (numpy's `smallest_subnormal`)
 *   machep / negep     log2(eps) / log2(epsneg) (floor(log2) where not a power of two: rf8)
 *   minexp / maxexp    log2(smallestNormal) (floor, likewise) / the smallest positive power of two that overflows
 *   nexp / nmant       exponent and mantissa field widths
 *   precision          floor(-log10(eps)) decimal digits, at least 1 for the floats (ml_dtypes gives
 *                      float8_e4m3fn and float8_e5m2 precision 1); resolution = 10^-precision
 * plus the special-value facts (hasInfinity, hasNaN, hasNegativeZero) and the other names.
 * All values are at scale 0 (multiply by 2^X for a scale exponent X).
 */
export interface FormatInfo {
  name: FormatName;
  /** ml_dtypes / PyTorch names of the same format, if any. */
  aliases: string[];
  bits: number;
  nexp: number;
  nmant: number;
  bias: number;
  eps: number;
  epsneg: number;
  max: number;
  min: number;
  smallestNormal: number;
  smallestSubnormal: number;
  machep: number;
  negep: number;
  minexp: number;
  maxexp: number;
  precision: number;
  resolution: number;
  hasInfinity: boolean;
  hasNaN: boolean;
  hasNegativeZero: boolean;
  /** Number of codes that decode to a finite value (-0 counted). */
  finiteCodes: number;
}

/**
 * floor(log2 x) of a positive double (an exact loop on the double, no Math.log2): the exact log2
 * for the float layouts, whose eps, epsneg and smallest normal are powers of two; for the
 * residual (rf8) and table kinds, whose limits need not be, the binade of the value.
 */
function log2Floor(x: number): number {
  let e = 0;
  let y = x;
  while (y >= 2) {
    y /= 2;
    e++;
  }
  while (y < 1) {
    y *= 2;
    e--;
  }
  return e;
}

const cache = new Map<FormatName, FormatInfo>();

export function finfo(fmt: Format | FormatName | string): FormatInfo {
  const f = getFormat(fmt);
  const hit = cache.get(f.name);
  if (hit) return hit;
  const vals: number[] = [];
  let smallestNormal = Infinity;
  let hasInf = false;
  let hasNaN = false;
  let hasNegZero = false;
  let finiteCodes = 0;
  for (let c = 0; c < 256; c++) {
    const d = decode(f, c);
    const v = decodeValue(f, c);
    if (d.kind === 'inf') hasInf = true;
    else if (d.kind === 'nan') hasNaN = true;
    else {
      finiteCodes++;
      vals.push(v);
      if (Object.is(v, -0)) hasNegZero = true;
      if (d.kind === 'normal' && v > 0 && v < smallestNormal) smallestNormal = v;
    }
  }
  const sorted = [...new Set(vals.map((v) => (v === 0 ? 0 : v)))].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1]!;
  const min = sorted[0]!;
  const positive = sorted.filter((v) => v > 0);
  const smallestSubnormal = positive[0]!;
  // eps / epsneg: the gaps above and below 1; where 1 is not a value (a GG codebook), the gaps
  // above and below the value nearest 1 (ties to the smaller one)
  let i1 = sorted.indexOf(1);
  if (i1 < 0) {
    i1 = 0;
    for (let i = 1; i < sorted.length; i++) if (Math.abs(sorted[i]! - 1) < Math.abs(sorted[i1]! - 1)) i1 = i;
  }
  const v1 = sorted[i1]!;
  const eps = i1 + 1 < sorted.length ? sorted[i1 + 1]! - v1 : NaN;
  const epsneg = v1 - sorted[i1 - 1]!;
  let maxexp = 0;
  while (2 ** maxexp <= max) maxexp++;
  let precision = 0;
  while (10 ** -(precision + 1) >= eps) precision++; // floor(-log10(eps)) without a float log
  if (f.e > 0) precision = Math.max(1, precision); // ml_dtypes: precision 1 for the float8 types (floor would give 0)
  const aliases = Object.keys(FORMAT_ALIASES).filter((a) => FORMAT_ALIASES[a] === f.name && a !== f.name);
  const info: FormatInfo = Object.freeze({
    name: f.name,
    aliases,
    bits: f.bits,
    nexp: f.e,
    nmant: f.m,
    bias: f.bias,
    eps,
    epsneg,
    max,
    min,
    smallestNormal,
    smallestSubnormal,
    machep: log2Floor(eps),
    negep: log2Floor(epsneg),
    minexp: log2Floor(smallestNormal),
    maxexp,
    precision,
    resolution: 10 ** -precision,
    hasInfinity: hasInf,
    hasNaN,
    hasNegativeZero: hasNegZero,
    finiteCodes,
  });
  cache.set(f.name, info);
  return info;
}
