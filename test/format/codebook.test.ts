import { describe, expect, it } from 'vitest';
import { CODEBOOK_NAMES, CODEBOOK_TABLES, FORMAT_NAMES, decode, decodeValue, encode, encodeArray, getFormat, decodeArray } from '../../src/format/index.js';
import { InputError } from '../../src/util/errors.js';

// docs/rf8-spec.md section 9: the GG codebooks. The model below is written from the spec text
// and reads the committed tables (src/format/codebook-tables.ts) directly: code 0x00 zero,
// 0x80 the single NaN, bit 7 the sign, payload p = 1..127 the magnitude k[p-1] * 2^(sh[p-1] + tmin)
// with k < 2^K; encoding = the nearest of the 255 finite values, ties to the smaller magnitude,
// saturating; NaN and +-Inf -> 0x80; a zero result is 0x00.

/** An exact dyadic num * 2^exp (num a BigInt). */
interface Dy {
  num: bigint;
  exp: number;
}
function dyOfDouble(x: number): Dy {
  // exact decomposition of a finite double, by repeated doubling (no bit tricks shared with the code)
  if (x === 0) return { num: 0n, exp: 0 };
  let e = 0;
  let m = Math.abs(x);
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  while (m > Number.MAX_SAFE_INTEGER) {
    m /= 2;
    e++;
  }
  return { num: BigInt(x < 0 ? -m : m), exp: e };
}
function cmp(a: Dy, b: Dy): number {
  const e = Math.min(a.exp, b.exp);
  const x = a.num << BigInt(a.exp - e);
  const y = b.num << BigInt(b.exp - e);
  return x < y ? -1 : x > y ? 1 : 0;
}
function sub(a: Dy, b: Dy): Dy {
  const e = Math.min(a.exp, b.exp);
  return { num: (a.num << BigInt(a.exp - e)) - (b.num << BigInt(b.exp - e)), exp: e };
}
const abs = (a: Dy): Dy => ({ num: a.num < 0n ? -a.num : a.num, exp: a.exp });

interface ModelCode {
  nan: boolean;
  v: Dy; // signed value at scale 0
}
function modelCodes(name: string): ModelCode[] {
  const t = CODEBOOK_TABLES.find((e) => e.name === name)!;
  const out: ModelCode[] = [];
  for (let c = 0; c < 256; c++) {
    if (c === 0x80) out.push({ nan: true, v: { num: 0n, exp: 0 } });
    else if ((c & 0x7f) === 0) out.push({ nan: false, v: { num: 0n, exp: 0 } });
    else {
      const p = (c & 0x7f) - 1;
      const k = BigInt(t.k[p]!);
      out.push({ nan: false, v: { num: c & 0x80 ? -k : k, exp: t.sh[p]! + t.tmin } });
    }
  }
  return out;
}
/** Brute-force nearest over the 255 finite codes of the model at scale X; ties to the smaller magnitude. */
function modelEncode(codes: ModelCode[], x: number, X: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x)) return 0x80;
  const y = dyOfDouble(x);
  // every value and y as integers at one common exponent e0
  let e0 = y.exp;
  for (const m of codes) if (!m.nan && m.v.num !== 0n) e0 = Math.min(e0, m.v.exp + X);
  const Y = y.num << BigInt(y.exp - e0);
  let best = -1;
  let bestD = 0n;
  let bestA = 0n;
  for (let c = 0; c < 256; c++) {
    const m = codes[c]!;
    if (m.nan) continue;
    const V = m.v.num === 0n ? 0n : m.v.num << BigInt(m.v.exp + X - e0);
    const d = Y > V ? Y - V : V - Y;
    const a = V < 0n ? -V : V;
    // a tie goes to the smaller magnitude; equal values (+0 and 0x00 only) keep the first code
    if (best < 0 || d < bestD || (d === bestD && a < bestA)) [best, bestD, bestA] = [c, d, a];
  }
  return best;
}

const next = (x: number, dir: 1 | -1): number => {
  // the neighbouring double (one ulp) by bit arithmetic on a DataView
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  let b = dv.getBigUint64(0);
  if (x === 0) return dir * Number.MIN_VALUE;
  b += (x > 0 ? 1n : -1n) * BigInt(dir);
  dv.setBigUint64(0, b);
  return dv.getFloat64(0);
};

describe('GG codebooks: the committed tables (spec section 9)', () => {
  it('32 codebooks, K = 7, strictly ascending magnitudes, canonical odd k; not layout formats', () => {
    expect(CODEBOOK_NAMES).toHaveLength(32);
    expect(CODEBOOK_NAMES).toEqual(CODEBOOK_TABLES.map((t) => t.name));
    for (const n of CODEBOOK_NAMES) expect(FORMAT_NAMES).not.toContain(n);
    for (const t of CODEBOOK_TABLES) {
      expect(t.K).toBe(7);
      expect(t.k).toHaveLength(127);
      let prev = 0;
      for (let p = 0; p < 127; p++) {
        expect(t.k[p]! % 2, `${t.name} p ${p + 1}`).toBe(1);
        expect(t.k[p]! < 2 ** t.K).toBe(true);
        expect(t.sh[p]! >= 0).toBe(true);
        const v = t.k[p]! * 2 ** (t.sh[p]! + t.tmin);
        expect(v > prev, `${t.name}: ascending at ${p + 1}`).toBe(true);
        prev = v;
      }
      expect(Math.min(...t.sh)).toBe(0); // tmin is the smallest exponent
      expect(t.lloydMaxDb - t.sqnrDb).toBeLessThan(0.6); // every table within 0.6 dB of the unconstrained bound under its own law
    }
  });

  it('every code of every codebook decodes per the table (exhaustive, 32 x 256)', () => {
    for (const name of CODEBOOK_NAMES) {
      const f = getFormat(name);
      expect(f.policy.decoder).toBe('table');
      const m = modelCodes(name);
      for (let c = 0; c < 256; c++) {
        const d = decode(f, c);
        if (m[c]!.nan) {
          expect(d.kind).toBe('nan');
          expect(Number.isNaN(decodeValue(f, c))).toBe(true);
          continue;
        }
        const want = m[c]!.v;
        if (want.num === 0n) {
          expect(d.kind).toBe('zero');
          expect(Object.is(decodeValue(f, c), 0)).toBe(true);
          continue;
        }
        expect(d.kind).toBe('normal');
        expect(d.sign).toBe(want.num < 0n ? 1 : 0);
        expect(BigInt(d.k)).toBe(want.num < 0n ? -want.num : want.num);
        expect(d.t).toBe(want.exp);
        expect(d.t).toBe(d.sh + f.tmin);
        expect(cmp(dyOfDouble(decodeValue(f, c, 3)), { num: want.num, exp: want.exp + 3 })).toBe(0);
      }
      expect(f.maxFinite).toBe(decodeValue(f, 0x7f));
      expect(f.kBits).toBeLessThanOrEqual(7);
    }
  });
});

describe('GG codebooks: nearest encoding = brute force over the 255 values', () => {
  const SCALES = [-20, -3, 0, 5, 40];
  it('every midpoint and one ulp either side, both signs, five scales, four codebooks (and every codebook at scale 0)', () => {
    const picks = new Set(['cb-b0.3-p0', 'cb-b1-p2', 'cb-b2-p1', 'cb-b4-p3']);
    for (const name of CODEBOOK_NAMES) {
      const f = getFormat(name);
      const m = modelCodes(name);
      const t = CODEBOOK_TABLES.find((e) => e.name === name)!;
      const vals = [0, ...t.k.map((k, i) => k * 2 ** (t.sh[i]! + t.tmin))];
      for (const X of picks.has(name) ? SCALES : [0]) {
        const xs: number[] = [];
        for (let p = 0; p < 127; p++) {
          const mid = ((vals[p]! + vals[p + 1]!) / 2) * 2 ** X; // exact: dyadic, in range
          xs.push(mid, next(mid, 1), next(mid, -1), vals[p + 1]! * 2 ** X);
        }
        const top = vals[127]! * 2 ** X;
        xs.push(top * 1.5, top * 2 ** 30, Number.MAX_VALUE, vals[1]! * 2 ** (X - 1), vals[1]! * 2 ** (X - 2), Number.MIN_VALUE, 2 ** -1074 * 3);
        for (const x0 of xs)
          for (const x of [x0, -x0]) {
            const want = modelEncode(m, x, X);
            const got = encode(f, x, { scale: X });
            if (got !== want) expect(`${name} X=${X} x=${x}: got 0x${got.toString(16)}`).toBe(`want 0x${want.toString(16)}`);
          }
      }
    }
  });

  it('specials: NaN and +-Inf -> 0x80, +-0 -> 0x00, saturation keeps the sign; only `nearest` is a rounding', () => {
    for (const name of ['cb-b0.5-p0', 'cb-b3-p2']) {
      const f = getFormat(name);
      expect(encode(f, NaN)).toBe(0x80);
      expect(encode(f, Infinity)).toBe(0x80);
      expect(encode(f, -Infinity)).toBe(0x80);
      expect(encode(f, 0)).toBe(0);
      expect(encode(f, -0)).toBe(0);
      expect(encode(f, 1e300)).toBe(0x7f);
      expect(encode(f, -1e300)).toBe(0xff);
      expect(encode(f, -1e-300)).toBe(0);
      expect(() => encode(f, 1, { rounding: 'rne' })).toThrow(InputError);
      expect(() => encode(f, 1, { rounding: 'greedy' })).toThrow(InputError);
      expect(encode(f, 1, { rounding: 'nearest' })).toBe(encode(f, 1));
    }
  });

  it('bulk (binary32 table path and Float64 path) = scalar encode, random and boundary values, several scales', () => {
    let s = 12345;
    const rnd = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    for (const name of ['cb-b0.5-p1', 'cb-b1.4-p0', 'cb-b4-p2']) {
      const f = getFormat(name);
      const t = CODEBOOK_TABLES.find((e) => e.name === name)!;
      const vals = [0, ...t.k.map((k, i) => k * 2 ** (t.sh[i]! + t.tmin))];
      for (const X of [-4, 3]) {
        const n = 1 << 15; // the table path's threshold
        const x = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const r = rnd();
          const p = i % 128;
          // around every midpoint (float32 neighbours), random magnitudes over 40 binades, specials
          if (i % 4 === 0 && p < 127) x[i] = ((vals[p]! + vals[p + 1]!) / 2) * 2 ** X * (1 + (r - 0.5) * 2 ** -20);
          else if (i % 97 === 0) x[i] = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 3e38][i % 7]!;
          else x[i] = (r < 0.5 ? -1 : 1) * 2 ** (rnd() * 40 - 25 + X);
        }
        const bulk = encodeArray(f, x, { scale: X });
        const bulk64 = encodeArray(f, Float64Array.from(x), { scale: X });
        let bad = -1;
        for (let i = 0; i < n && bad < 0; i++) if (bulk[i] !== encode(f, x[i]!, { scale: X }) || bulk64[i] !== bulk[i]) bad = i;
        expect(bad, `${name} X=${X}: first mismatch at ${bad} (x = ${x[bad]})`).toBe(-1);
        // decode of the bulk codes: exact values at scale X
        const back = decodeArray(f, bulk, X, new Float64Array(n));
        for (let i = 0; i < 200; i++) expect(back[i]).toBe(decodeValue(f, bulk[i]!, X));
      }
    }
  });
});
