/**
 * An independent model of the authors' RF8 (docs/rf8-spec.md section 8), written from the spec
 * text with BigInt dyadic rationals. It shares no code with src/format: decoding follows the
 * code table; greedy encoding follows the authors' algorithm step by step, with round_log2 as
 * the spec's rule 2^(2e-1) <= a^2 < 2^(2e+1) (squares compared by bit length of a BigInt);
 * nearest encoding is a nearest-neighbour search over the 256 decoded values.
 */

/** An exact dyadic num * 2^exp (num may be negative). */
export interface Dy {
  num: bigint;
  exp: number;
}

export const RHO_K = [16, 24, 20, 12, 18, 14, 17, 15]; // k = 16 (1 + rho) by R, from the spec's table

export type ModelValue = { nan: true } | { nan: false; v: Dy };

export function modelDecode(code: number): ModelValue {
  if (code === 0x80) return { nan: true };
  const s = code >> 7;
  const E = (code >> 3) & 15;
  const R = code & 7;
  if (E === 0) return { nan: false, v: { num: 0n, exp: 0 } };
  const k = BigInt(RHO_K[R]!);
  return { nan: false, v: { num: s ? -k : k, exp: E - 12 } };
}

/** The exact value of a double (finite), from its IEEE bits. */
export function exactDouble(x: number): Dy {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const neg = hi >>> 31 === 1;
  const ex = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (ex === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = ex - 1075;
  }
  return { num: neg ? -mant : mant, exp };
}

const bl = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** round(log2 a) for a > 0: the e with 2^(2e-1) <= a^2 < 2^(2e+1). */
export function roundLog2(a: Dy): number {
  const n = abs(a.num);
  // a^2 = n^2 * 2^(2 exp); F = floor(log2 a^2); 2e - 1 <= F <= 2e  =>  e = ceil(F / 2)
  const F = bl(n * n) - 1 + 2 * a.exp;
  return Math.ceil(F / 2);
}

function sub(a: Dy, b: Dy): Dy {
  const e = Math.min(a.exp, b.exp);
  return { num: (a.num << BigInt(a.exp - e)) - (b.num << BigInt(b.exp - e)), exp: e };
}
function cmpAbs(a: Dy, b: Dy): number {
  const e = Math.min(a.exp, b.exp);
  const x = abs(a.num) << BigInt(a.exp - e);
  const y = abs(b.num) << BigInt(b.exp - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Code of the spec's greedy encoding of x at scale X (NaN/Inf -> 0x80, 0 -> 0x00). */
export function modelGreedy(x: number, X: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x)) return 0x80;
  if (x === 0) return 0x00;
  const w = exactDouble(x);
  return modelGreedyDy({ num: w.num, exp: w.exp - X });
}

/** Greedy code of an exact signed dyadic y (already divided by 2^X). */
export function modelGreedyDy(w: Dy): number {
  if (w.num === 0n) return 0x00;
  const neg = w.num < 0n;
  const y: Dy = { num: abs(w.num), exp: w.exp };
  const e1 = roundLog2(y);
  const E = e1 + 8;
  if (E <= 0) return 0x00;
  const sgn = neg ? 0x80 : 0;
  if (E >= 16) return sgn | (15 << 3) | 1;
  const r = sub(y, { num: 1n, exp: e1 });
  let R = 0;
  if (r.num !== 0n) {
    const e2 = roundLog2(r);
    const d = e1 - e2;
    if (d <= 4) {
      // rho = sign(r) 2^-d: the R whose k = 16 (1 + rho)
      const k = r.num > 0n ? 16 + 16 / 2 ** d : 16 - 16 / 2 ** d;
      R = RHO_K.indexOf(k);
      if (R < 0) throw new Error(`model: rho not in the table (d = ${d}, r < 0: ${r.num < 0n})`);
    }
  }
  return sgn | (E << 3) | R;
}

/** Every non-NaN code's value, at scale 0. */
const DECODED: { code: number; v: Dy; E: number }[] = [];
for (let c = 0; c < 256; c++) {
  const d = modelDecode(c);
  if (!d.nan) DECODED.push({ code: c, v: d.v, E: (c >> 3) & 15 });
}

/** Code of the spec's nearest encoding: nearest magnitude, ties to the smaller, equal values -> smaller E; saturating; 0 canonical. */
export function modelNearest(x: number, X: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x)) return 0x80;
  if (x === 0) return 0x00;
  const w = exactDouble(x);
  return modelNearestDy({ num: w.num, exp: w.exp - X });
}

/** Nearest code of an exact signed dyadic y (already divided by 2^X). */
export function modelNearestDy(w: Dy): number {
  if (w.num === 0n) return 0x00;
  const neg = w.num < 0n;
  const y: Dy = { num: abs(w.num), exp: w.exp };
  let best: { code: number; v: Dy; E: number } | null = null;
  let bestDist: Dy | null = null;
  for (const c of DECODED) {
    if (c.v.num < 0n) continue; // magnitudes only (non-negative codes)
    const dist = sub(y, c.v);
    if (best === null) {
      best = c;
      bestDist = dist;
      continue;
    }
    const o = cmpAbs(dist, bestDist!);
    const mag = cmpAbs(c.v, best.v);
    if (o < 0 || (o === 0 && (mag < 0 || (mag === 0 && c.E < best.E)))) {
      best = c;
      bestDist = dist;
    }
  }
  const code = best!.code;
  if (code === 0 || (code & 0x78) === 0) return 0x00;
  return neg ? code | 0x80 : code;
}

/** The value of a code at scale X, from the spec's code table (NaN for 0x80; zero unsigned). */
export function modelValue(code: number, X = 0): number {
  const d = modelDecode(code);
  return d.nan ? NaN : Number(d.v.num) * 2 ** (d.v.exp + X);
}

/** |x| = M * 2^s exactly (x a finite double). */
export function exactMagnitude(x: number): { M: bigint; s: number } {
  const d = exactDouble(Math.abs(x));
  return { M: d.num, s: d.exp };
}

/** round_log2 of M * 2^s (M > 0). */
export const roundLog2Of = (M: bigint, s: number): number => roundLog2({ num: M, exp: s });

/** The authors' greedy magnitude of y >= 0 at scale 0 (spec 8.3 step 2): the decoded value of its code. */
export const modelGreedyValue = (y: number): number => modelValue(modelGreedy(y, 0));
