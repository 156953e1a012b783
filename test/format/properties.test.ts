import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FORMAT_NAMES, RF8_MODES, decodeValue, encode, f32Bits, fromF32Bits, bf16Bits, fromBf16Bits, f16Bits, fromF16Bits,
  decodeToBits, encodeFromBits, type FormatName,
} from '../../src/format/index.js';
import { oracleEncode } from './oracle.js';

const SEED = 0x5eed;
const fmtArb = fc.constantFrom(...FORMAT_NAMES);
const scaleArb = fc.integer({ min: -128, max: 127 });
const doubleArb = fc.double({ noNaN: true });
const roundingArb = fc.constantFrom('rne' as const, 'rtz' as const, 'sr' as const);

/** The value of a code as an orderable number (NaN codes excluded by callers). */
function val(f: FormatName, c: number): number {
  return decodeValue(f, c);
}

describe('fast-check properties of encode', () => {
  it('encode is monotone on finite inputs: x <= y implies value(encode(x)) <= value(encode(y))', () => {
    // (rf8 maps +-Inf to its NaN on purpose, so infinities are outside the order)
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fmtArb, scaleArb, finite, finite, fc.constantFrom('rne' as const, 'rtz' as const), (f, X, a, b, rounding) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        const cx = encode(f, x, { scale: X, rounding });
        const cy = encode(f, y, { scale: X, rounding });
        return val(f, cx) <= val(f, cy);
      }),
      { seed: SEED, numRuns: 20000 },
    );
  });
  it('stochastic rounding is monotone in u and brackets the value', () => {
    fc.assert(
      fc.property(fmtArb, fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.integer({ min: 0, max: 254 }), (f, x, u) => {
        const lo = val(f, encode(f, x, { rounding: 'sr', u, r: 8 }));
        const hi = val(f, encode(f, x, { rounding: 'sr', u: u + 1, r: 8 }));
        const down = val(f, encode(f, x, { rounding: 'sr', u: 0, r: 8 }));
        const up = val(f, encode(f, x, { rounding: 'sr', u: 255, r: 8 }));
        return Math.abs(lo) <= Math.abs(hi) && Math.abs(down) <= Math.abs(lo) && Math.abs(hi) <= Math.abs(up);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
  it('negation symmetry: encode(-x) = -encode(x) (same magnitude, opposite sign; zeros by the format rule)', () => {
    fc.assert(
      fc.property(fmtArb, scaleArb, doubleArb, roundingArb, fc.integer({ min: 0, max: 255 }), (f, X, x, rounding, u) => {
        const o = { scale: X, rounding, u, r: 8 };
        const a = val(f, encode(f, x, o));
        const b = val(f, encode(f, -x, o));
        if (Number.isNaN(a)) return Number.isNaN(b);
        return a === -b;
      }),
      { seed: SEED, numRuns: 20000 },
    );
  });
  it('scale is exact: encode(x * 2^X, scale X) = encode(x, scale 0) whenever x * 2^X is exact', () => {
    fc.assert(
      fc.property(fmtArb, fc.integer({ min: -100, max: 100 }), fc.double({ noNaN: true, min: -1e30, max: 1e30 }), (f, X, x) => {
        return encode(f, x * 2 ** X, { scale: X }) === encode(f, x);
      }),
      { seed: SEED, numRuns: 10000 },
    );
  });
  it('RNE is the nearest representable value (checked against the BigInt oracle)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...RF8_MODES), fc.double({ noNaN: true, min: -200, max: 200 }), (f, x) => {
        return encode(f, x) === oracleEncode({ name: f, e: Number(f[5]), m: Number(f[7]), bias: 1, specials: 'rf8' }, x, 0, { mode: 'rne' }, false);
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});

describe('IEEE conversions (RNE), round trips', () => {
  it('binary32 bits equal Math.fround (V8 RNE) for any double, and round-trip', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const b = f32Bits(x);
        const back = fromF32Bits(b);
        const want = Math.fround(x);
        if (Number.isNaN(want)) return Number.isNaN(back);
        return Object.is(back, want) && f32Bits(back) === b;
      }),
      { seed: SEED, numRuns: 50000 },
    );
  });
  it('bfloat16 from binary32 equals the independent bit trick (b + 0x7fff + lsb) >> 16', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (bits) => {
        const x = fromF32Bits(bits);
        if (Number.isNaN(x)) return Number.isNaN(fromBf16Bits(bf16Bits(x)));
        const want = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
        // the trick overflows into Inf exactly as RNE does; it differs only for NaN (excluded)
        return bf16Bits(x) === (bits >= 2 ** 32 - 0x7fff ? want : want);
      }),
      { seed: SEED, numRuns: 50000 },
    );
  });
  it('binary16: every pattern round-trips; halfway cases tie to even', () => {
    for (let b = 0; b < 65536; b++) {
      const x = fromF16Bits(b);
      if (Number.isNaN(x)) continue;
      expect(f16Bits(x)).toBe(b);
    }
    expect(f16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(f16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f16Bits(65520)).toBe(0x7c00); // overflow -> Inf
    expect(f16Bits(2 ** -25)).toBe(0x0000); // tie with min subnormal -> even (0)
    expect(f16Bits(2 ** -25 * 1.5)).toBe(0x0001);
  });
  it('every code of every format survives code -> binary32 -> code and code -> bf16 -> code', () => {
    for (const f of FORMAT_NAMES) {
      for (let c = 0; c < 256; c++) {
        const v = decodeValue(f, c);
        if (Number.isNaN(v) || (f === 'int8' && c === 0x80)) continue;
        for (const X of [-20, 0, 20]) {
          const o = { scale: X, overflow: 'nonsat' as const };
          expect(encodeFromBits(f, 'f32', decodeToBits(f, c, 'f32', X), o)).toBe(c);
          expect(encodeFromBits(f, 'bf16', decodeToBits(f, c, 'bf16', X), o)).toBe(c);
        }
      }
    }
  });
  it('binary32 -> RF8 -> binary32 -> RF8 is idempotent after the first step', () => {
    fc.assert(
      fc.property(fmtArb, fc.integer({ min: 0, max: 2 ** 32 - 1 }), scaleArb, (f, bits, X) => {
        const c1 = encodeFromBits(f, 'f32', bits, { scale: X });
        const v = decodeValue(f, c1, X);
        if (Number.isNaN(v)) return true;
        const c2 = encodeFromBits(f, 'f32', decodeToBits(f, c1, 'f32', X), { scale: X });
        return Number.isFinite(Math.fround(v)) ? c2 === c1 : true;
      }),
      { seed: SEED, numRuns: 20000 },
    );
  });
});
