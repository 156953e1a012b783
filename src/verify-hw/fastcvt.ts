import { BINARY32, RNE, getFormat, roundMagnitude, roundingMode, type Format, type Layout, type Rounding } from '../format/index.js';
import { accToBinary32Bits, accToFormat } from '../arith/index.js';

/**
 * A table-driven plan of the RNE output conversion (spec section 5) of one layout, for consumers
 * that convert millions of accumulators (rf8 verify) or live outside TypeScript (the DPI-C model,
 * which emits these tables). Everything format-specific is a table filled by calling the
 * reference (`roundMagnitude`): the pattern of every (sign, payload), the zero and overflow
 * patterns. What remains is the binade arithmetic of roundMagnitude: lg = floor(log2 value),
 * the quantum 2^Q of that binade, n = RNE(value / 2^Q) and payload = E.(n - 2^m), with the
 * rounding done exactly on integers.
 *
 * `planFor` checks the plan against the reference on a sample (every payload exactly, ties
 * and neighbours in every binade); a layout whose rounding does not fit this shape gets no plan
 * (null) and callers use the reference itself.
 */
export interface CvtPlan {
  m: number;
  /** 2^m. */
  p2m: number;
  /** Smallest normal exponent (1 - bias); unused when fixedQ. */
  emin: number;
  bias: number;
  /** Layouts without an exponent field (int8): the quantum is 2^0 for every value. */
  fixedQ: boolean;
  maxPayload: number;
  /** pattern[neg * (maxPayload + 1) + payload] (8-bit layouts), or null: sign bit + payload (wide IEEE layouts). */
  pattern: Int32Array | null;
  signValue: number;
  zero: [number, number];
  over: [number, number];
  nonsat: boolean;
}

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;
const POW = new Float64Array(2200);
for (let i = 0; i < 2200; i++) POW[i] = 2 ** (i - 1100);
const pow2 = (k: number): number => POW[k + 1100]!;

function rawPlan(L: Layout, nonsat: boolean): CvtPlan {
  const ref = (neg: boolean, M: number, e: number): number => roundMagnitude(L, neg, M, e, RNE, 0, 8, nonsat);
  const fixedQ = L.e === 0;
  const emin = 1 - L.bias;
  let pattern: Int32Array | null = null;
  if (L.maxPayload < 4096) {
    pattern = new Int32Array(2 * (L.maxPayload + 1));
    for (let neg = 0; neg < 2; neg++)
      for (let p = 0; p <= L.maxPayload; p++) {
        // the exact value of payload p: n * 2^Q
        const E = fixedQ ? 0 : p >> L.m;
        const n = fixedQ ? p : E === 0 ? p : p - (E - 1) * 2 ** L.m;
        const Q = fixedQ ? 0 : E === 0 ? emin - L.m : E - L.bias - L.m;
        pattern[neg * (L.maxPayload + 1) + p] = ref(neg === 1, n, Q);
      }
  }
  return {
    m: L.m,
    p2m: 2 ** L.m,
    emin,
    bias: L.bias,
    fixedQ,
    maxPayload: L.maxPayload,
    pattern,
    signValue: 2 ** (L.bits - 1),
    zero: [ref(false, 0, 0), ref(true, 0, 0)],
    over: [ref(false, 1, 4000), ref(true, 1, 4000)],
    nonsat,
  };
}

/** RNE of M * 2^e (M a positive integer < 2^53) into the plan's layout. */
export function planRound(pl: CvtPlan, neg: boolean, M: number, e: number): number {
  const bl = M < TWO32 ? 32 - Math.clz32(M) : 64 - Math.clz32(Math.floor(M / TWO32));
  let Q: number;
  let E = 0;
  if (pl.fixedQ) Q = 0;
  else {
    const lg = e + bl - 1;
    if (lg < pl.emin) Q = pl.emin - pl.m;
    else {
      Q = lg - pl.m;
      E = lg + pl.bias;
    }
  }
  const s = e - Q;
  let n: number;
  if (s >= 0) {
    if (s > 64) return pl.over[neg ? 1 : 0]!;
    n = M * pow2(s);
  } else if (s < -106) n = 0;
  else {
    // x = M / 2^-s exactly (a power-of-two scaling of an integer < 2^53, far from underflow);
    // n0 = floor(x), the remainder decides: RNE on integers
    const x = M * pow2(s);
    const n0 = Math.floor(x);
    const f = x - n0; // exact: x and n0 are within one binade of each other
    n = f > 0.5 ? n0 + 1 : f < 0.5 ? n0 : n0 + (n0 % 2);
  }
  if (n === 0) return pl.zero[neg ? 1 : 0]!;
  const payload = E === 0 ? n : (E - 1) * pl.p2m + n; // E.(n - 2^m)
  if (payload > pl.maxPayload) return pl.over[neg ? 1 : 0]!;
  return pl.pattern ? pl.pattern[(neg ? pl.maxPayload + 1 : 0) + payload]! : neg ? payload + pl.signValue : payload;
}

const plans = new Map<string, CvtPlan | null>();

/** Sample values that reach every rounding case of a layout: each payload, the ties and neighbours between payloads, in every binade. */
function selfCheck(L: Layout, pl: CvtPlan, nonsat: boolean): boolean {
  const lo = -L.bias - L.m - 4 - 60;
  const hi = (L.maxPayload >> L.m) + 4;
  for (let e = lo - 20; e <= hi + 20; e++)
    for (const M of [1, 2, 3, 5, 7, 9, 15, 17, 31, 33, 63, 65, 127, 129, 255, 257, 1023, 1025, 2 ** 20 + 1, 2 ** 24 - 1, 2 ** 24 + 1, 2 ** 30 + 2 ** 6, 2 ** 33 + 1, 2 ** 52 + 1, 2 ** 53 - 1, 3 * 2 ** 40, 0x1234567])
      for (const neg of [false, true]) if (planRound(pl, neg, M, e) !== roundMagnitude(L, neg, M, e, RNE, 0, 8, nonsat)) return false;
  return true;
}

/** The plan of a layout (cached), or null when it does not reproduce the reference. */
export function planFor(L: Layout, nonsat = false): CvtPlan | null {
  const key = `${JSON.stringify(L)}|${nonsat}`;
  if (plans.has(key)) return plans.get(key)!;
  // a plan is RNE binade rounding: a layout without RNE (the residual rf8) takes the reference path
  if (!L.policy.roundings.includes('rne')) {
    plans.set(key, null);
    return null;
  }
  const pl = rawPlan(L, nonsat);
  const ok = selfCheck(L, pl, nonsat);
  plans.set(key, ok ? pl : null);
  return ok ? pl : null;
}

/**
 * accToFormat for an accumulator held as an exact integer double, in rounding `rounding`
 * (default: the format's). RNE on a layout with a plan takes the plan; every other case (the
 * residual rf8's greedy and nearest, RTZ) calls the reference rounding itself: |acc| is already
 * an exact M < 2^53, so roundMagnitude (which hands the residual kind to roundResidual) gets
 * exactly what accToFormat would pass it after its BigInt reduction, with no BigInt.
 */
export function makeFormatConverter(fo: Format | string, rounding?: Rounding): (acc: number, nan: boolean, T: number, Xo: number, relu: boolean) => number {
  const f = getFormat(fo as Format);
  const rd = rounding ?? f.policy.defaultRounding;
  const nanCode = accToFormat(0n, true, 0, f, 0, false, rd); // throws (InputError) for a rounding the format lacks
  const pl = rd === 'rne' ? planFor(f, false) : null;
  if (pl)
    return (acc, nan, T, Xo, relu) => {
      if (nan) return nanCode;
      if (acc === 0 || (relu && acc < 0)) return 0;
      return acc < 0 ? planRound(pl, true, -acc, T - Xo) : planRound(pl, false, acc, T - Xo);
    };
  const mode = roundingMode(rd);
  return (acc, nan, T, Xo, relu) => {
    if (nan) return nanCode;
    if (acc === 0 || (relu && acc < 0)) return 0;
    const mag = acc < 0 ? -acc : acc;
    // roundMagnitude takes M < 2^53 (an integer double beyond it goes through the BigInt reference)
    if (mag >= TWO53) return accToFormat(BigInt(acc), false, T, f, Xo, relu, rd);
    return roundMagnitude(f, acc < 0, mag, T - Xo, mode, 0, 8, false);
  };
}

/** accToBinary32Bits for an accumulator held as an exact double (|acc| < 2^53). */
export function makeF32Converter(): (acc: number, nan: boolean, T: number) => number {
  const pl = planFor(BINARY32, true);
  const nanBits = accToBinary32Bits(0n, true, 0);
  if (!pl) return (acc, nan, T) => accToBinary32Bits(BigInt(acc), nan, T) >>> 0;
  return (acc, nan, T) => {
    if (nan) return nanBits;
    if (acc === 0) return 0;
    return (acc < 0 ? planRound(pl, true, -acc, T) : planRound(pl, false, acc, T)) >>> 0;
  };
}
