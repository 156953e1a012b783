/**
 * An independent oracle for the element family, written from the formulas of docs/rf8-spec.md
 * sections 1 and 3 and the OCP 8-bit float spec, with BigInt rationals. It shares no code with
 * src/format: decoding is spelled out per specials policy, and rounding is a nearest-neighbour
 * search over the sorted list of representable values (not the bit-level algorithm of the
 * implementation).
 */

export interface OracleFormat {
  name: string;
  e: number;
  m: number;
  bias: number;
  specials: 'rf8' | 'ocp-fn' | 'ieee' | 'int8';
  /** Pattern width (sign included); 8 unless stated. */
  bits?: number;
}

const width = (f: OracleFormat): number => f.bits ?? 8;

export const ORACLE_FORMATS: OracleFormat[] = [
  { name: 'rf8-e2m5', e: 2, m: 5, bias: 1, specials: 'rf8' },
  { name: 'rf8-e3m4', e: 3, m: 4, bias: 1, specials: 'rf8' },
  { name: 'rf8-e4m3', e: 4, m: 3, bias: 1, specials: 'rf8' },
  { name: 'ocp-e4m3', e: 4, m: 3, bias: 7, specials: 'ocp-fn' },
  { name: 'ocp-e5m2', e: 5, m: 2, bias: 15, specials: 'ieee' },
  { name: 'int8', e: 0, m: 0, bias: 0, specials: 'int8' },
];

/** An exact dyadic rational: num * 2^exp. */
export interface Dy {
  num: bigint;
  exp: number;
}

export type OracleValue = { kind: 'nan' } | { kind: 'inf'; neg: boolean } | { kind: 'finite'; neg: boolean; mag: Dy };

/** Decode per the spec text. */
export function oracleDecode(f: OracleFormat, code: number): OracleValue {
  if (f.specials === 'int8') {
    const v = code >= 128 ? code - 256 : code;
    return { kind: 'finite', neg: v < 0, mag: { num: BigInt(Math.abs(v)), exp: 0 } };
  }
  const s = code >> (width(f) - 1);
  const E = (code >> f.m) & ((1 << f.e) - 1);
  const M = code & ((1 << f.m) - 1);
  const allOnesE = E === (1 << f.e) - 1;
  if (f.specials === 'rf8' && code === 0x80) return { kind: 'nan' };
  if (f.specials === 'ocp-fn' && allOnesE && M === (1 << f.m) - 1) return { kind: 'nan' };
  if (f.specials === 'ieee' && allOnesE) return M === 0 ? { kind: 'inf', neg: s === 1 } : { kind: 'nan' };
  if (E === 0) return { kind: 'finite', neg: s === 1, mag: { num: BigInt(M), exp: 1 - f.bias - f.m } };
  return { kind: 'finite', neg: s === 1, mag: { num: BigInt((1 << f.m) + M), exp: E - f.bias - f.m } };
}

/** Compare a*2^ea with b*2^eb exactly. */
export function cmpDy(a: Dy, b: Dy): number {
  const e = Math.min(a.exp, b.exp);
  const x = a.num << BigInt(a.exp - e);
  const y = b.num << BigInt(b.exp - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function subDy(a: Dy, b: Dy): Dy {
  const e = Math.min(a.exp, b.exp);
  return { num: (a.num << BigInt(a.exp - e)) - (b.num << BigInt(b.exp - e)), exp: e };
}

/** Exact dyadic of a finite double's magnitude. */
export function dyOfDouble(x: number): Dy {
  let v = Math.abs(x);
  if (v === 0) return { num: 0n, exp: 0 };
  let exp = 0;
  while (!Number.isInteger(v)) {
    v *= 2;
    exp--;
  }
  // v is an integer double; it may be huge (exact integer), BigInt(v) is exact
  return { num: BigInt(v), exp };
}

interface Grid {
  /** Non-negative finite magnitudes in increasing order, each with the code that holds it. */
  values: { mag: Dy; code: number; n: bigint }[];
  /** The grid point one quantum above the largest finite value (used to decide overflow). */
  beyond: Dy;
  maxCode: number;
}

const grids = new Map<string, Grid>();

/** The non-negative finite codes and their values, by enumeration of the decode formulas. */
export function grid(f: OracleFormat): Grid {
  let g = grids.get(f.name);
  if (g) return g;
  const vals: { mag: Dy; code: number; n: bigint }[] = [];
  const top = 2 ** (width(f) - 1) - 1;
  for (let c = 0; c <= top; c++) {
    const d = oracleDecode(f, c);
    if (d.kind !== 'finite') continue;
    // n = value / quantum of its binade: for floats the significand count k; int8 the value
    vals.push({ mag: d.mag, code: c, n: d.mag.num });
  }
  vals.sort((a, b) => cmpDy(a.mag, b.mag));
  const last = vals[vals.length - 1]!;
  // quantum of the top binade
  const q: Dy = f.specials === 'int8' ? { num: 1n, exp: 0 } : { num: 1n, exp: last.mag.exp };
  g = { values: vals, beyond: { num: (last.mag.num << BigInt(last.mag.exp - q.exp)) + 1n, exp: q.exp }, maxCode: last.code };
  grids.set(f.name, g);
  return g;
}

export type OracleRounding = { mode: 'rne' } | { mode: 'rtz' } | { mode: 'sr'; u: number; r: number };

/**
 * The spec's encode of a finite double x at scale X, by nearest-neighbour search. Returns the
 * code, or 'overflow' when the rounded magnitude exceeds the largest finite value.
 */
export function oracleEncodeFinite(f: OracleFormat, x: number, X: number, rnd: OracleRounding): { neg: boolean; code: number } | { neg: boolean; overflow: true } {
  const neg = x < 0 || Object.is(x, -0);
  const y0 = dyOfDouble(x);
  const y: Dy = { num: y0.num, exp: y0.exp - X };
  const g = grid(f);
  // find lo = largest grid value <= y
  let lo = 0; // values[0] is zero <= y
  let hi = g.values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cmpDy(g.values[mid]!.mag, y) <= 0) lo = mid;
    else hi = mid - 1;
  }
  const loV = g.values[lo]!;
  const hiMag = lo + 1 < g.values.length ? g.values[lo + 1]!.mag : g.beyond;
  if (cmpDy(loV.mag, y) === 0) return { neg, code: loV.code };
  if (lo === g.values.length - 1 && cmpDy(y, g.beyond) >= 0) return { neg, overflow: true };
  const step = subDy(hiMag, loV.mag);
  const off = subDy(y, loV.mag); // 0 < off < step
  let up: boolean;
  if (rnd.mode === 'rtz') up = false;
  else if (rnd.mode === 'rne') {
    const c = cmpDy({ num: off.num * 2n, exp: off.exp }, step);
    // parity of n for lo: for floats, the mantissa LSB of lo's code; int8 the value's LSB
    const loEven = (loV.code & 1) === 0; // the LSB of the mantissa field (int8: of the value)
    up = c > 0 || (c === 0 && !loEven);
  } else {
    // floor(off/step + u/2^r) >= 1  <=>  off*2^r >= step*(2^r - u)
    const lhs: Dy = { num: off.num << BigInt(rnd.r), exp: off.exp };
    const rhs: Dy = { num: step.num * (2n ** BigInt(rnd.r) - BigInt(rnd.u)), exp: step.exp };
    up = cmpDy(lhs, rhs) >= 0;
  }
  if (!up) return { neg, code: loV.code };
  if (lo + 1 < g.values.length) return { neg, code: g.values[lo + 1]!.code };
  return { neg, overflow: true };
}

/** Full expected code per spec section 3 (sat or nonsat), including specials and zero sign. */
export function oracleEncode(f: OracleFormat, x: number, X: number, rnd: OracleRounding, nonsat: boolean): number {
  const nanOk = -1; // marker: caller checks "is a NaN code of the right sign"
  if (Number.isNaN(x)) return nanOk;
  const neg = x < 0 || Object.is(x, -0);
  const sat = (): number => signed(f, neg, grid(f).maxCode);
  if (!Number.isFinite(x)) {
    if (f.specials === 'rf8') return 0x80;
    if (f.specials === 'int8') return signed(f, neg, 127);
    if (!nonsat) return sat();
    return f.specials === 'ocp-fn' ? nanOk : signed(f, neg, ((1 << f.e) - 1) << f.m);
  }
  const r = oracleEncodeFinite(f, x, X, rnd);
  if ('overflow' in r) {
    if (!nonsat || f.specials === 'rf8' || f.specials === 'int8') return sat();
    return f.specials === 'ocp-fn' ? nanOk : signed(f, neg, ((1 << f.e) - 1) << f.m);
  }
  if (r.code === 0) return f.specials === 'ocp-fn' || f.specials === 'ieee' ? (neg ? 2 ** (width(f) - 1) : 0) : 0;
  return signed(f, neg, r.code);
}

function signed(f: OracleFormat, neg: boolean, payload: number): number {
  if (!neg) return payload;
  if (f.specials === 'int8') return (256 - payload) & 0xff;
  return payload + 2 ** (width(f) - 1);
}

export function isNaNCode(f: OracleFormat, code: number): boolean {
  return oracleDecode(f, code).kind === 'nan';
}
