import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CODEBOOK_TABLES, getFormat, decodeValue, type FormatName } from '../../src/format/index.js';
import { Mac, accToFormat, accWidth, maxProduct, productTable } from '../../src/arith/index.js';
import { ORACLE_FORMATS, oracleDecode } from './oracle.js';

// docs/rf8-spec.md sections 4, 5 and 9.4: products of the GG codebooks with themselves, int8 and
// rf8-e3m4 are exact in the section 4 accumulator; the model is BigInt, from the committed tables
// (codebooks) and the independent decoder of oracle.ts (int8, rf8-e3m4).

interface MCode {
  nan: boolean;
  num: bigint;
  exp: number;
}
function modelCodes(name: string): { codes: MCode[]; tmin: number } {
  const t = CODEBOOK_TABLES.find((e) => e.name === name);
  const codes: MCode[] = [];
  if (t) {
    for (let c = 0; c < 256; c++) {
      if (c === 0x80) codes.push({ nan: true, num: 0n, exp: 0 });
      else if ((c & 0x7f) === 0) codes.push({ nan: false, num: 0n, exp: t.tmin });
      else {
        const k = BigInt(t.k[(c & 0x7f) - 1]!);
        codes.push({ nan: false, num: c & 0x80 ? -k : k, exp: t.sh[(c & 0x7f) - 1]! + t.tmin });
      }
    }
    return { codes, tmin: t.tmin };
  }
  const o = ORACLE_FORMATS.find((f) => f.name === name)!;
  for (let c = 0; c < 256; c++) {
    const d = oracleDecode(o, c);
    codes.push(d.kind === 'finite' ? { nan: false, num: d.neg ? -d.mag.num : d.mag.num, exp: d.mag.exp } : { nan: true, num: 0n, exp: 0 });
  }
  return { codes, tmin: o.specials === 'int8' ? 0 : 1 - o.bias - o.m };
}
/** P in accumulator LSB units 2^(tmin_a + tmin_b). */
function modelP(A: ReturnType<typeof modelCodes>, ca: number, B: ReturnType<typeof modelCodes>, cb: number): { nan: boolean; p: bigint } {
  const a = A.codes[ca]!;
  const b = B.codes[cb]!;
  if (a.nan || b.nan) return { nan: true, p: 0n };
  const sh = a.exp + b.exp - A.tmin - B.tmin;
  if (sh < 0) throw new Error('model: product below the LSB');
  return { nan: false, p: (a.num * b.num) << BigInt(sh) };
}
const SPEC_W: Record<string, number> = {
  'cb-b0.3-p0 x cb-b0.3-p0': 51,
  'cb-b0.3-p0 x cb-b4-p1': 44,
  'cb-b0.3-p0 x int8': 39,
  'cb-b0.3-p0 x rf8-e3m4': 43,
  'cb-b1-p0 x cb-b1-p0': 43,
  'cb-b1-p0 x int8': 35,
  'cb-b1-p0 x rf8-e3m4': 39,
  'cb-b2-p2 x cb-b2-p2': 40,
  'cb-b2-p2 x int8': 34,
  'cb-b2-p2 x rf8-e3m4': 38,
  'cb-b4-p1 x cb-b4-p1': 38,
  'cb-b4-p1 x int8': 33,
  'cb-b4-p1 x rf8-e3m4': 36,
  'int8 x cb-b0.3-p0': 39,
  'int8 x cb-b1-p0': 35,
  'int8 x cb-b2-p2': 34,
  'int8 x cb-b4-p1': 33,
  'rf8-e3m4 x cb-b0.3-p0': 43,
  'rf8-e3m4 x cb-b1-p0': 39,
  'rf8-e3m4 x cb-b2-p2': 38,
  'rf8-e3m4 x cb-b4-p1': 36,
};
const bitsOf = (v: bigint): number => (v === 0n ? 0 : (v < 0n ? -v : v).toString(2).length);

const CB = ['cb-b0.3-p0', 'cb-b1-p0', 'cb-b2-p2', 'cb-b4-p1'] as FormatName[];
const PAIRS: [FormatName, FormatName][] = [];
for (const c of CB) PAIRS.push([c, c], [c, 'int8'], ['int8', c], [c, 'rf8-e3m4'], ['rf8-e3m4', c]);
PAIRS.push(['cb-b0.3-p0', 'cb-b4-p1']);

describe('GG codebook products (exhaustive: all 65,536 code pairs)', () => {
  it('product table = BigInt model for every pair; max|P| and W = bits(max|P|) + 1 + 12 for 4096 terms', () => {
    const W: Record<string, number> = {};
    for (const [fa, fb] of PAIRS) {
      const A = modelCodes(fa);
      const B = modelCodes(fb);
      const t = productTable(fa, fb);
      let bad = -1;
      let maxP = 0n;
      for (let i = 0; i < 65536 && bad < 0; i++) {
        const m = modelP(A, i >> 8, B, i & 255);
        const got = t[i]!;
        if (m.nan ? !Number.isNaN(got) : !(Number.isSafeInteger(got) && BigInt(got) === m.p)) bad = i;
        if (!m.nan && (m.p < 0n ? -m.p : m.p) > maxP) maxP = m.p < 0n ? -m.p : m.p;
      }
      expect(bad, `${fa} x ${fb}: first mismatch at 0x${bad.toString(16)}`).toBe(-1);
      expect(maxProduct(fa, fb), `${fa} x ${fb}`).toBe(maxP);
      expect(accWidth(fa, fb, 4096).W).toBe(bitsOf(maxP) + 1 + 12);
      W[`${fa} x ${fb}`] = bitsOf(maxP) + 13;
    }
    // the table of docs/rf8-spec.md section 9.4 (4096-term sums)
    // max|P| of a codebook square is (its largest magnitude in units of 2^tmin)^2: the W table of docs/rf8-spec.md section 9.4
    const t = CODEBOOK_TABLES.find((e) => e.name === 'cb-b1-p0')!;
    expect(W['cb-b1-p0 x cb-b1-p0']).toBe(bitsOf((BigInt(t.k[126]!) << BigInt(t.sh[126]!)) ** 2n) + 13);
    expect(W['cb-b1-p0 x rf8-e3m4']).toBe(W['rf8-e3m4 x cb-b1-p0']);
    expect(W).toEqual(SPEC_W);
  });

  it('the N-lane MAC = the BigInt model sum, and the output conversion to a codebook = nearest of the exact sum (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PAIRS),
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }),
        fc.constantFrom(...CB),
        fc.integer({ min: -6, max: 6 }),
        ([fa, fb], N, pairs, fo, Xo) => {
          const A = modelCodes(fa);
          const B = modelCodes(fb);
          const W = accWidth(fa, fb, Math.max(1, pairs.length)).W;
          const mac = new Mac({ a: fa, b: fb, W, lanes: N });
          mac.clear();
          let sum = 0n;
          let nan = false;
          for (let i = 0; i < pairs.length; i += N) {
            const chunk = pairs.slice(i, i + N);
            mac.step(chunk.map((p) => p[0]), chunk.map((p) => p[1]), 2 ** chunk.length - 1); // a short last chunk: its lanes only
            for (const [a, b] of chunk) {
              const m = modelP(A, a, B, b);
              if (m.nan) nan = true;
              else sum += m.p;
            }
          }
          expect(mac.acc).toBe(sum);
          expect(mac.nan).toBe(nan);
          expect(mac.ovf).toBe(false);
          // output conversion: the nearest codebook value to sum * 2^T (T = tmin_a + tmin_b), ties to the smaller magnitude
          const T = A.tmin + B.tmin;
          const got = accToFormat(sum, nan, T, fo, Xo, false);
          if (nan) return got === 0x80;
          const O = modelCodes(fo);
          let best = 0;
          let bestD = -1n;
          const e0 = Math.min(T, ...O.codes.filter((c) => !c.nan).map((c) => c.exp + Xo));
          const y = sum << BigInt(T - e0);
          for (let c = 0; c < 256; c++) {
            const o = O.codes[c]!;
            if (o.nan) continue;
            const v = o.num << BigInt(o.exp + Xo - e0);
            const d = y > v ? y - v : v - y;
            const av = v < 0n ? -v : v;
            const bv = O.codes[best]!.num << BigInt(O.codes[best]!.exp + Xo - e0);
            if (bestD < 0n || d < bestD || (d === bestD && av < (bv < 0n ? -bv : bv))) [best, bestD] = [c, d];
          }
          expect(got).toBe(best);
          return true;
        },
      ),
      { numRuns: 300, seed: 17 },
    );
  });

  it('output conversion of a wide accumulator (beyond 53 bits) at every midpoint and one LSB either side', () => {
    for (const name of ['cb-b0.3-p1', 'cb-b2-p0']) {
      const f = getFormat(name);
      const t = CODEBOOK_TABLES.find((e) => e.name === name)!;
      const units = [0n, ...t.k.map((k, i) => BigInt(k) << BigInt(t.sh[i]! + 1))]; // 2^(tmin - 1)
      for (let p = 0; p < 127; p++) {
        const mid = (units[p]! + units[p + 1]!) << 40n; // the midpoint in units of 2^(tmin - 2 - 40): 70+ bits
        const T = t.tmin - 2 - 40;
        expect(accToFormat(mid, false, T, f, 0, false), `${name} mid ${p}`).toBe(p === 0 ? 0 : p);
        expect(accToFormat(mid + 1n, false, T, f, 0, false)).toBe(p + 1);
        expect(accToFormat(mid - 1n, false, T, f, 0, false)).toBe(p === 0 ? 0 : p);
        expect(accToFormat(-(mid + 1n), false, T, f, 0, false)).toBe(0x80 | (p + 1));
      }
    }
  });

  it('fused ReLU and saturation of the output conversion', () => {
    const f = getFormat('cb-b1-p0');
    expect(accToFormat(-5n, false, 0, f, 0, true)).toBe(0);
    expect(accToFormat(1n << 200n, false, 0, f, 0, false)).toBe(0x7f);
    expect(accToFormat(-(1n << 200n), false, 0, f, 0, false)).toBe(0xff);
    // 1.0: between two neighbours of the table, the nearer one
    let p = 1;
    while (decodeValue(f, p + 1) <= 1) p++;
    const lo = decodeValue(f, p);
    const hi = decodeValue(f, p + 1);
    expect(decodeValue(f, accToFormat(1n, false, 0, f, 0, false))).toBe(1 - lo <= hi - 1 ? lo : hi);
  });
});
