import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { egBitCount, egEncode, egDecode, bestEgOrder, egCodeLength, egMapSigned, egUnmapSigned, EG_MAX_ORDER } from '../../src/quant/index.js';
import { InputError } from '../../src/util/errors.js';

function bitString(bytes: Uint8Array, nbits: number): string {
  let s = '';
  for (let i = 0; i < nbits; i++) s += (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return s;
}

const int32 = fc.oneof(
  fc.integer({ min: -2147483648, max: 2147483647 }),
  fc.integer({ min: -40, max: 40 }),
  fc.constantFrom(-2147483648, 2147483647, 0, -1, 1),
);

describe('signed Exp-Golomb', () => {
  it('writes the textbook codewords (order 0, se(v) mapping)', () => {
    const cases: [number, string][] = [
      [0, '1'],
      [1, '010'],
      [-1, '011'],
      [2, '00100'],
      [-2, '00101'],
      [3, '00110'],
    ];
    for (const [v, code] of cases) {
      const b = egEncode(Int32Array.of(v), 0);
      expect(bitString(b, code.length)).toBe(code);
      expect(egBitCount(Int32Array.of(v), 0)).toBe(code.length);
      expect(egCodeLength(v, 0)).toBe(code.length);
    }
    // order 2: u = 0 -> '100', u = 4 -> '01000'
    expect(bitString(egEncode(Int32Array.of(0), 2), 3)).toBe('100');
    expect(bitString(egEncode(Int32Array.of(-2), 2), 5)).toBe('01000');
  });

  it('bit count = bitstream length, zero padding, lossless round trip (property)', () => {
    fc.assert(
      fc.property(fc.array(int32, { maxLength: 300 }), fc.integer({ min: 0, max: EG_MAX_ORDER }), (arr, k) => {
        const v = Int32Array.from(arr);
        const bits = egBitCount(v, k);
        const bytes = egEncode(v, k);
        expect(bytes.length).toBe(Math.ceil(bits / 8));
        // the padding bits after the last codeword are zero
        if (bits % 8) expect(bytes[bytes.length - 1]! & ((1 << (8 - (bits % 8))) - 1)).toBe(0);
        // the sum of per-value lengths
        let s = 0;
        for (const x of arr) s += egCodeLength(x, k);
        expect(s).toBe(bits);
        expect(Array.from(egDecode(bytes, v.length, k))).toEqual(arr);
      }),
      { numRuns: 400, seed: 1 },
    );
  });

  it('decoding exactly consumes the counted bits: a stream cut one byte short is an error', () => {
    fc.assert(
      fc.property(fc.array(int32, { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 8 }), (arr, k) => {
        const v = Int32Array.from(arr);
        const bytes = egEncode(v, k);
        expect(() => egDecode(bytes.subarray(0, bytes.length - 1), v.length, k)).toThrow(InputError);
      }),
      { numRuns: 100, seed: 2 },
    );
  });

  it('bestEgOrder is the minimum over every order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5000, max: 5000 }), { maxLength: 200 }), (arr) => {
        const v = Int32Array.from(arr);
        const k = bestEgOrder(v);
        for (let j = 0; j <= EG_MAX_ORDER; j++) expect(egBitCount(v, k)).toBeLessThanOrEqual(egBitCount(v, j));
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('the signed mapping is a bijection', () => {
    fc.assert(
      fc.property(int32, (v) => {
        expect(egUnmapSigned(egMapSigned(v))).toBe(v);
      }),
      { numRuns: 500, seed: 4 },
    );
    expect([0, 1, -1, 2, -2].map(egMapSigned)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects bad orders and non-integers', () => {
    expect(() => egBitCount(Int32Array.of(1), 32)).toThrow(RangeError);
    expect(() => egEncode([1.5], 0)).toThrow(RangeError);
  });
});
