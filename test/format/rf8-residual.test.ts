import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FORMAT_NAMES, decode, decodeArray, decodeValue, encode, encodeArray, formatTables, getFormat } from '../../src/format/index.js';
import { InputError } from '../../src/util/errors.js';
import { RHO_K, exactDouble, modelDecode, modelGreedy, modelNearest, type Dy } from './rf8-model.js';

// docs/rf8-spec.md section 8: the authors' RF8 (residual float), against the independent model of ./rf8-model.ts

const dyToNumber = (d: Dy): number => Number(d.num) * 2 ** d.exp;

/** The double `n` ulps away from x (towards +inf for n > 0), from the IEEE bits. */
function ulpStep(x: number, n: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  let b = dv.getBigUint64(0);
  const neg = b >> 63n === 1n;
  // magnitude steps: away from zero for x >= 0 and n > 0
  const step = BigInt(n) * (neg ? -1n : 1n);
  b += step;
  dv.setBigUint64(0, b);
  return dv.getFloat64(0);
}
/** The binary32 `n` ulps away from fround(x). */
function f32Step(x: number, n: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  u[0] = u[0]! + (x < 0 ? -n : n);
  return f[0]!;
}

const SCALES = [0, 3, -5, 17, -29, 100, -120, 127, -128];

/** Inputs around every decision point of both roundings, at several scales. */
function thresholdInputs(): number[] {
  const base: number[] = [];
  // greedy, first term: round_log2 thresholds 2^(e1 + 1/2), underflow (e1 = -8) to saturation (e1 = 7)
  for (let e1 = -10; e1 <= 9; e1++) base.push(Math.SQRT2 * 2 ** e1);
  // greedy, second term: |r| = 2^(e1 - d + 1/2) on either side of 2^e1 (d = 5 is the d <= 4 cutoff)
  for (let e1 = -8; e1 <= 8; e1++)
    for (let d = 1; d <= 6; d++)
      for (const s of [1, -1]) base.push(2 ** e1 + s * Math.SQRT2 * 2 ** (e1 - d));
  // nearest: the midpoints of neighbouring magnitudes (exact dyadics), and every value
  const mags = [...new Set(Array.from({ length: 128 }, (_, c) => modelDecode(c)).flatMap((d) => (d.nan ? [] : [dyToNumber(d.v)])))].sort((a, b) => a - b);
  for (let i = 0; i + 1 < mags.length; i++) base.push((mags[i]! + mags[i + 1]!) / 2, mags[i + 1]!);
  base.push(mags[mags.length - 1]! * 1.5, mags[mags.length - 1]! * 1e6);
  const out: number[] = [];
  for (const X of [0, -3, 40]) {
    const s = 2 ** X;
    for (const b0 of base) {
      const b = b0 * s; // exact: power-of-two scaling in range
      for (const n of [-2, -1, 0, 1, 2]) out.push(ulpStep(b, n), -ulpStep(b, n));
      for (const n of [-1, 0, 1]) out.push(f32Step(b, n), -f32Step(b, n));
    }
  }
  return out;
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 192, 193, -192, 1e300, 1e-300, 2 ** -1074 * 3, 2 ** 1023 * 1.9];

describe('rf8 (the authors\' RF8): decode, spec section 8 (exhaustive)', () => {
  it('traits: tmin -11, k 5 bits (max 24), largest 192 = 0x79, NaN 0x80, residual decoder', () => {
    const f = getFormat('rf8');
    expect(f.policy.decoder).toBe('residual');
    expect(f.kTable).toEqual(RHO_K);
    expect([f.tmin, f.kBits, f.kMax, f.shMax, f.maxFinite, f.nanCode, f.maxPayload]).toEqual([-11, 5, 24, 14, 192, 0x80, 0x79]);
    expect(f.policy.roundings).toEqual(['greedy', 'nearest']);
    expect(f.policy.defaultRounding).toBe('greedy');
    expect(FORMAT_NAMES).not.toContain('rf8');
  });
  it('all 256 codes decode as the code table says: E = 0 zero except 0x80 NaN; k by R; t = E - 12', () => {
    const tab = formatTables('rf8');
    for (let c = 0; c < 256; c++) {
      const m = modelDecode(c);
      const d = decode('rf8', c);
      const v = decodeValue('rf8', c);
      if (m.nan) {
        expect(d.kind, `code ${c}`).toBe('nan');
        expect(Number.isNaN(v)).toBe(true);
        expect(tab.nan[c]).toBe(1);
        continue;
      }
      expect(tab.nan[c]).toBe(0);
      const want = dyToNumber(m.v);
      expect(Object.is(v, want === 0 ? 0 : want), `code ${c}: ${v} vs ${want}`).toBe(true); // zero has no sign
      expect(tab.value[c]).toBe(v);
      if (want === 0) {
        expect(d.kind).toBe('zero');
        expect(d.k).toBe(0);
      } else {
        expect(d.kind).toBe('normal');
        expect(d.k).toBe(RHO_K[c & 7]);
        expect(d.t).toBe(((c >> 3) & 15) - 12);
        expect(d.sh).toBe(((c >> 3) & 15) - 1);
        expect(d.sign).toBe(c >> 7);
        expect(d.k * 2 ** d.t * (d.sign ? -1 : 1)).toBe(want);
      }
      for (const X of [5, -9]) expect(decodeValue('rf8', c, X)).toBe((want === 0 ? 0 : want) * 2 ** X);
    }
    expect(decodeValue('rf8', 0x79)).toBe(192);
    expect(decodeValue('rf8', 0x0b)).toBe(0.75 * 2 ** -7);
    const nonzero = Array.from({ length: 256 }, (_, c) => decodeValue('rf8', c)).filter((v) => v > 0);
    expect(Math.min(...nonzero)).toBe(0.75 * 2 ** -7);
  });
  it('bulk decode equals decodeValue', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, c) => c);
    const out = decodeArray('rf8', codes, -3, new Float64Array(256));
    for (let c = 0; c < 256; c++) expect(Object.is(out[c], decodeValue('rf8', c, -3)) || (c === 0x80 && Number.isNaN(out[c]))).toBe(true);
  });
});

describe('rf8 encode: greedy (the authors\' algorithm) and nearest, against the model', () => {
  it('every code\'s value at several scales: greedy and nearest agree with the model and give back the value', () => {
    for (const X of SCALES) {
      for (let c = 0; c < 256; c++) {
        const m = modelDecode(c);
        if (m.nan) continue;
        const v = dyToNumber(m.v) * 2 ** X;
        expect(encode('rf8', v, { scale: X }), `greedy ${v} X=${X}`).toBe(modelGreedy(v, X));
        expect(encode('rf8', v, { scale: X, rounding: 'nearest' }), `nearest ${v} X=${X}`).toBe(modelNearest(v, X));
        expect(decodeValue('rf8', encode('rf8', v, { scale: X }), X)).toBe(v === 0 ? 0 : v);
        expect(decodeValue('rf8', encode('rf8', v, { scale: X, rounding: 'nearest' }), X)).toBe(v === 0 ? 0 : v);
      }
    }
  });
  it('one double ulp and one binary32 ulp around every threshold of both terms (sqrt 2 of e1 and e2, the d <= 4 cutoff, midpoints), at several scales', () => {
    const xs = thresholdInputs();
    expect(xs.length).toBeGreaterThan(5000);
    for (const x of xs) {
      expect(encode('rf8', x, { rounding: 'greedy' }), `greedy ${x}`).toBe(modelGreedy(x, 0));
      expect(encode('rf8', x, { rounding: 'nearest' }), `nearest ${x}`).toBe(modelNearest(x, 0));
    }
    // the same inputs read at other scales
    for (const X of [7, -7, 127, -128]) {
      for (let i = 0; i < xs.length; i += 7) {
        expect(encode('rf8', xs[i]!, { scale: X }), `greedy ${xs[i]} X=${X}`).toBe(modelGreedy(xs[i]!, X));
        expect(encode('rf8', xs[i]!, { scale: X, rounding: 'nearest' })).toBe(modelNearest(xs[i]!, X));
      }
    }
  });
  it('each threshold really splits: the inputs one ulp either side of sqrt(2) 2^e encode differently (the test is not vacuous)', () => {
    let splits = 0;
    for (let e1 = -7; e1 <= 6; e1++) {
      const t = Math.SQRT2 * 2 ** e1;
      if (encode('rf8', ulpStep(t, -2)) !== encode('rf8', ulpStep(t, 2))) splits++;
    }
    expect(splits).toBe(14);
  });
  it('saturation, underflow, NaN, +-Inf, +-0 (spec section 8 steps 1, 2, 5)', () => {
    for (const x of SPECIAL)
      for (const X of [0, 127, -128]) {
        expect(encode('rf8', x, { scale: X }), `greedy ${x} X=${X}`).toBe(modelGreedy(x, X));
        expect(encode('rf8', x, { scale: X, rounding: 'nearest' }), `nearest ${x} X=${X}`).toBe(modelNearest(x, X));
      }
    expect(encode('rf8', NaN)).toBe(0x80);
    expect(encode('rf8', Infinity)).toBe(0x80);
    expect(encode('rf8', -Infinity, { rounding: 'nearest' })).toBe(0x80);
    expect(encode('rf8', -0)).toBe(0x00);
    expect(encode('rf8', -1e-30)).toBe(0x00); // underflow drops the sign
    expect(encode('rf8', 1e30)).toBe(0x79);
    expect(encode('rf8', -1e30)).toBe(0xf9);
    expect(encode('rf8', 181)).toBe(0x79); // e1 = 7: 128 + 53, d = 1: 192
    expect(encode('rf8', 182)).toBe(0x79); // e1 = 8: saturates
    expect(encode('rf8', 170, { rounding: 'nearest' })).toBe(0x7a); // 160 is nearer than 192 (0x7a = 1.25 * 2^7)
    // "both decode to the same value, and the greedy encoder produces each for its own inputs"
    expect(encode('rf8', 1.4)).toBe((8 << 3) | 1); // e1 = 0, d = 1: 1 + 1/2
    expect(encode('rf8', 1.45)).toBe((9 << 3) | 3); // e1 = 1, r < 0, d = 2: 2 (1 - 1/4)
    expect(encode('rf8', 1.45, { rounding: 'nearest' })).toBe((8 << 3) | 1); // nearest: the smaller E
  });
  it('random doubles (log-uniform, both signs) agree with the model', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.boolean(), fc.integer({ min: -40, max: 40 }), (lg, neg, X) => {
        const x = (neg ? -1 : 1) * 2 ** lg;
        expect(encode('rf8', x, { scale: X })).toBe(modelGreedy(x, X));
        expect(encode('rf8', x, { scale: X, rounding: 'nearest' })).toBe(modelNearest(x, X));
      }),
      { numRuns: 1500, seed: 12 },
    );
  });
  it('other roundings are an InputError naming the rounding and the format; greedy/nearest are for rf8 only', () => {
    for (const r of ['rne', 'rtz', 'sr'] as const) {
      expect(() => encode('rf8', 1, { rounding: r })).toThrow(InputError);
      expect(() => encode('rf8', 1, { rounding: r })).toThrow(new RegExp(`rounding '${r}'.*rf8`));
      expect(() => encodeArray('rf8', new Float32Array(4), { rounding: r })).toThrow(InputError);
    }
    for (const f of FORMAT_NAMES)
      for (const r of ['greedy', 'nearest'] as const) expect(() => encode(f, 1, { rounding: r })).toThrow(new RegExp(`rounding '${r}'.*${f}`));
  });
});

describe('rf8 encode properties (fast-check)', () => {
  const anyDouble = fc.double({ noNaN: false });
  const roundings = fc.constantFrom('greedy' as const, 'nearest' as const);
  it('odd-symmetric: encode(-x) is encode(x) with the sign flipped (zero and NaN stay)', () => {
    fc.assert(
      fc.property(anyDouble, roundings, fc.integer({ min: -128, max: 127 }), (x, rounding, X) => {
        const a = encode('rf8', x, { scale: X, rounding });
        const b = encode('rf8', -x, { scale: X, rounding });
        if (a === 0 || a === 0x80) expect(b).toBe(a);
        else expect(b).toBe(a ^ 0x80);
      }),
      { numRuns: 3000, seed: 1 },
    );
  });
  it('scale-exact: encode(x 2^X, scale X) = encode(x) whenever x 2^X is exact', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), roundings, fc.integer({ min: -128, max: 127 }), (x, rounding, X) => {
        const y = x * 2 ** X;
        fc.pre(Number.isFinite(y) && y * 2 ** -X === x && (y === 0 || Math.abs(y) >= 2 ** -1022));
        expect(encode('rf8', y, { scale: X, rounding })).toBe(encode('rf8', x, { rounding }));
      }),
      { numRuns: 3000, seed: 2 },
    );
  });
  it('nearest is monotone', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -20, max: 20 }), (a, b, X) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(decodeValue('rf8', encode('rf8', lo, { scale: X, rounding: 'nearest' }))).toBeLessThanOrEqual(decodeValue('rf8', encode('rf8', hi, { scale: X, rounding: 'nearest' })));
      }),
      { numRuns: 3000, seed: 3 },
    );
  });
  it('decode(encode(v)) = v for every representable v (both roundings, any scale)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: -128, max: 127 }), roundings, (c, X, rounding) => {
        fc.pre(c !== 0x80);
        const v = decodeValue('rf8', c, X);
        expect(decodeValue('rf8', encode('rf8', v, { scale: X, rounding }), X)).toBe(v);
      }),
      { numRuns: 3000, seed: 4 },
    );
  });
});

describe('rf8 bulk encode (binary32 bit-pattern tables) equals the scalar exact encoder', () => {
  it('dense binary32 sweep with every threshold input, both roundings, three scales', () => {
    const xs: number[] = [];
    // every 1999th binary32 pattern over the binades of the format (2^-10 .. 2^9) and a few beyond, both signs
    for (let b = 0x3a000000; b < 0x44800000; b += 1999) xs.push(new Float32Array(new Uint32Array([b]).buffer)[0]!);
    for (const x of thresholdInputs()) xs.push(x);
    for (const x of SPECIAL) xs.push(x);
    for (let b = 0; b < 4096; b++) xs.push(new Float32Array(new Uint32Array([b * 1048573]).buffer)[0]!); // subnormals, Inf, NaN patterns too
    const src = Float32Array.from(xs.flatMap((x) => [x, -x]));
    expect(src.length).toBeGreaterThan(65536); // the table path
    for (const rounding of ['greedy', 'nearest'] as const)
      for (const X of [0, -6, 9]) {
        const out = encodeArray('rf8', src, { scale: X, rounding });
        let bad = -1;
        for (let i = 0; i < src.length && bad < 0; i++) if (out[i] !== encode('rf8', src[i]!, { scale: X, rounding })) bad = i;
        expect(bad, bad >= 0 ? `${rounding} X=${X}: ${src[bad]} -> ${out[bad]} vs ${encode('rf8', src[bad]!, { scale: X, rounding })}` : '').toBe(-1);
      }
    // and a short array (the scalar path) against the model
    const short = src.subarray(0, 3000);
    const o2 = encodeArray('rf8', short, { scale: 3 });
    for (let i = 0; i < short.length; i += 3) expect(o2[i]).toBe(modelGreedy(short[i]!, 3));
  });
  it('Float64Array input takes the exact scalar path', () => {
    const src = Float64Array.from(thresholdInputs().slice(0, 2000));
    const out = encodeArray('rf8', src, { rounding: 'nearest', scale: -2 });
    for (let i = 0; i < src.length; i++) expect(out[i]).toBe(modelNearest(src[i]!, -2));
  });
});

describe('the model itself (sanity: the authors\' algorithm on hand-worked values)', () => {
  it('worked examples', () => {
    expect(modelGreedy(3, 0)).toBe((10 << 3) | 3); // e1 = 2 (3 > 2^1.5), r = -1, d = 2: 4 (1 - 1/4)
    expect(modelGreedy(1.0625, 0)).toBe((8 << 3) | 6); // d = 4: kept
    expect(modelGreedy(1.03125, 0)).toBe(8 << 3); // d = 5: dropped
    expect(exactDouble(-0.75)).toEqual({ num: -(3n << 51n), exp: -53 });
  });
});
