import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, FORMATS, decode, decodeValue, decodeArray, encode, formatTables, getFormat } from '../../src/format/index.js';
import { ORACLE_FORMATS, oracleDecode } from './oracle.js';

const oracle = Object.fromEntries(ORACLE_FORMATS.map((f) => [f.name, f]));

describe('decode: every code of every format (exhaustive, against the spec formulas)', () => {
  for (const name of FORMAT_NAMES) {
    it(name, () => {
      const of = oracle[name]!;
      for (let c = 0; c < 256; c++) {
        const want = oracleDecode(of, c);
        const got = decode(name, c);
        const v = decodeValue(name, c);
        if (want.kind === 'nan') {
          expect(got.kind, `code ${c}`).toBe('nan');
          expect(Number.isNaN(v)).toBe(true);
        } else if (want.kind === 'inf') {
          expect(got.kind).toBe('inf');
          expect(v).toBe(want.neg ? -Infinity : Infinity);
        } else {
          const exact = Number(want.mag.num) * 2 ** want.mag.exp;
          expect(Object.is(v, want.neg ? -exact : exact), `code ${c}: ${v} vs ${want.neg ? '-' : ''}${exact}`).toBe(true);
          // k * 2^t with t = sh + tmin and sh = max(E,1)-1
          expect(got.k * 2 ** got.t).toBe(exact);
          expect(got.t).toBe(got.sh + FORMATS[name].tmin);
          expect(got.k).toBeLessThan(2 ** FORMATS[name].kBits);
          expect(got.sh).toBeLessThanOrEqual(FORMATS[name].shMax);
        }
      }
    });
  }
});

describe('format traits (spec section 1 numbers)', () => {
  it('largest magnitudes', () => {
    expect(FORMATS['rf8-e2m5'].maxFinite).toBe(7.875);
    expect(FORMATS['rf8-e3m4'].maxFinite).toBe(124);
    expect(FORMATS['rf8-e4m3'].maxFinite).toBe(30720);
    expect(FORMATS['ocp-e4m3'].maxFinite).toBe(448);
    expect(FORMATS['ocp-e5m2'].maxFinite).toBe(57344);
    expect(FORMATS.int8.maxFinite).toBe(127);
    for (const n of ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'] as const) {
      const f = FORMATS[n];
      expect(f.maxFinite).toBe((2 ** (f.m + 1) - 1) * 2 ** (2 ** f.e - 2 - f.m));
      expect(decodeValue(n, 0x7f)).toBe(f.maxFinite);
    }
  });
  it('rf8 elements are multiples of 2^-m; smallest subnormals', () => {
    for (const n of ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'] as const) {
      const f = FORMATS[n];
      for (let c = 0; c < 256; c++) if (c !== 0x80) expect(Number.isInteger(decodeValue(n, c) * 2 ** f.m)).toBe(true);
      expect(decodeValue(n, 1)).toBe(2 ** -f.m);
    }
    expect(decodeValue('ocp-e4m3', 1)).toBe(2 ** -9);
    expect(decodeValue('ocp-e5m2', 1)).toBe(2 ** -16);
  });
  it('rf8 specials: single NaN 0x80, no -0, no infinity', () => {
    for (const n of ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'] as const) {
      const kinds = Array.from({ length: 256 }, (_, c) => decode(n, c).kind);
      expect(kinds.filter((k) => k === 'nan').length).toBe(1);
      expect(kinds.filter((k) => k === 'inf').length).toBe(0);
      expect(kinds.filter((k) => k === 'zero').length).toBe(1);
    }
  });
  it('OCP specials: E4M3FN NaN at S.1111.111, E5M2 IEEE Inf/NaN, -0 exists', () => {
    expect(decode('ocp-e4m3', 0x7f).kind).toBe('nan');
    expect(decode('ocp-e4m3', 0xff).kind).toBe('nan');
    expect(decode('ocp-e4m3', 0x7e).kind).toBe('normal');
    expect(Object.is(decodeValue('ocp-e4m3', 0x80), -0)).toBe(true);
    expect(decodeValue('ocp-e5m2', 0x7c)).toBe(Infinity);
    expect(decodeValue('ocp-e5m2', 0xfc)).toBe(-Infinity);
    for (const c of [0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff]) expect(decode('ocp-e5m2', c).kind).toBe('nan');
    expect(Object.is(decodeValue('ocp-e5m2', 0x80), -0)).toBe(true);
  });
  it('int8: two\'s complement, 0x80 = -128', () => {
    expect(decodeValue('int8', 0x80)).toBe(-128);
    expect(decodeValue('int8', 0xff)).toBe(-1);
    expect(decodeValue('int8', 0x7f)).toBe(127);
    expect(FORMATS.int8.tmin).toBe(0);
  });
  it('getFormat rejects unknown names', () => {
    expect(() => getFormat('e3m4')).toThrow(/unknown format 'e3m4'/);
  });
});

describe('bulk decode', () => {
  it('decodeArray equals decodeValue for every code at several scales (f64 exact, f32 = fround)', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const name of FORMAT_NAMES) {
      for (const X of [-128, -7, 0, 5, 127]) {
        const d64 = decodeArray(name, codes, X, new Float64Array(256));
        const d32 = decodeArray(name, codes, X);
        for (let c = 0; c < 256; c++) {
          const v = decodeValue(name, c, X);
          expect(Object.is(d64[c], v) || (Number.isNaN(d64[c]!) && Number.isNaN(v))).toBe(true);
          const f = Math.fround(v);
          expect(Object.is(d32[c], f) || (Number.isNaN(d32[c]!) && Number.isNaN(f))).toBe(true);
        }
      }
    }
  });
  it('tables agree with decode', () => {
    for (const name of FORMAT_NAMES) {
      const t = formatTables(name);
      for (let c = 0; c < 256; c++) {
        const d = decode(name, c);
        expect(t.k[c]).toBe(d.k);
        expect(t.sh[c]).toBe(d.sh);
        expect(t.nan[c]).toBe(d.kind === 'nan' || d.kind === 'inf' ? 1 : 0);
      }
    }
  });
  it('rejects bad scales and codes', () => {
    expect(() => decodeValue('rf8-e3m4', 256)).toThrow(/code: not a code in 0..255/);
    expect(() => decodeArray('rf8-e3m4', new Uint8Array(1), 200)).toThrow(/scale exponent/);
    expect(() => encode('rf8-e3m4', 1, { scale: 1.5 })).toThrow(/scale exponent/);
  });
});
