import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, FORMATS, decode, decodeValue, encode, encodeArray, fromF32Bits, type FormatName } from '../../src/format/index.js';
import { ORACLE_FORMATS, oracleDecode, oracleEncode, isNaNCode, type OracleRounding } from './oracle.js';
import { Rng } from '../../src/util/rng.js';

const oracle = Object.fromEntries(ORACLE_FORMATS.map((f) => [f.name, f]));
const SCALES = [-128, -9, 0, 4, 127];
const R = 8;
const MODES: OracleRounding[] = [{ mode: 'rne' }, { mode: 'rtz' }, { mode: 'sr', u: 0, r: R }, { mode: 'sr', u: 2 ** R - 1, r: R }, { mode: 'sr', u: 77, r: R }];

function opts(rnd: OracleRounding, X: number, nonsat = false) {
  return rnd.mode === 'sr'
    ? { scale: X, rounding: 'sr' as const, u: rnd.u, r: rnd.r, overflow: nonsat ? ('nonsat' as const) : ('sat' as const) }
    : { scale: X, rounding: rnd.mode, overflow: nonsat ? ('nonsat' as const) : ('sat' as const) };
}

/** expect encode(...) to agree with the oracle (NaN: any NaN code of the input's sign for OCP). */
function check(name: FormatName, x: number, X: number, rnd: OracleRounding, nonsat = false): void {
  const of = oracle[name]!;
  const want = oracleEncode(of, x, X, rnd, nonsat);
  const got = encode(name, x, opts(rnd, X, nonsat));
  if (want === -1) {
    if (name === 'int8') expect(got, `int8 NaN -> 0`).toBe(0);
    else expect(isNaNCode(of, got), `${name} ${x} X=${X} ${JSON.stringify(rnd)} nonsat=${nonsat}: want NaN, got ${got}`).toBe(true);
    return;
  }
  expect(got, `${name} x=${x} X=${X} ${JSON.stringify(rnd)} nonsat=${nonsat}`).toBe(want);
}

/** Sorted distinct non-negative finite values of a format at scale 0. */
function positives(name: FormatName): number[] {
  const s = new Set<number>();
  for (let c = 0; c < 128; c++) {
    const v = decodeValue(name, c);
    if (Number.isFinite(v)) s.add(Math.abs(v));
  }
  return [...s].sort((a, b) => a - b);
}

describe('encode(decode(c)) == c for every non-NaN code', () => {
  for (const name of FORMAT_NAMES) {
    it(name, () => {
      for (let c = 0; c < 256; c++) {
        const d = decode(name, c);
        if (d.kind === 'nan') continue;
        if (name === 'int8' && c === 0x80) continue; // -128: encode clamps to -127 (tested by name below)
        for (const X of SCALES) {
          const v = decodeValue(name, c, X);
          // infinities come back only in the non-saturating mode
          expect(encode(name, v, { scale: X, overflow: 'nonsat' }), `${name} code ${c} X=${X}`).toBe(c);
          if (d.kind !== 'inf') for (const r of ['rne', 'rtz'] as const) expect(encode(name, v, { scale: X, rounding: r })).toBe(c);
          if (d.kind !== 'inf') expect(encode(name, v, { scale: X, rounding: 'sr', u: 255, r: 8 })).toBe(c);
        }
      }
    });
  }
});

describe('every midpoint between adjacent values (RNE ties to even, RTZ, SR at u=0 and u=2^r-1)', () => {
  for (const name of FORMAT_NAMES) {
    it(name, () => {
      const vs = positives(name);
      const top = FORMATS[name].maxFinite;
      // include the midpoint above maxfinite (overflow tie) using the top quantum
      const q = vs[vs.length - 1]! - vs[vs.length - 2]!;
      const pts = [...vs, top + q];
      for (let i = 0; i + 1 < pts.length; i++) {
        const mid = (pts[i]! + pts[i + 1]!) / 2; // exact: dyadic with one more bit
        for (const X of SCALES) {
          const xs = [mid, -mid].map((v) => v * 2 ** X);
          for (const x of xs) {
            // the tie, and the nearest doubles on either side of it
            for (const y of [x, nextUp(x), nextDown(x)]) for (const rnd of MODES) for (const ns of [false, true]) check(name, y, X, rnd, ns);
          }
        }
      }
    });
  }
});

describe('boundaries, by name', () => {
  it('largest finite value; overflow saturates by default', () => {
    expect(encode('rf8-e3m4', 124)).toBe(0x7f);
    expect(encode('rf8-e3m4', 1e6)).toBe(0x7f);
    expect(encode('rf8-e3m4', -1e6)).toBe(0xff);
    expect(encode('rf8-e3m4', 1e6, { overflow: 'nonsat' })).toBe(0x7f); // rf8 always saturates
    expect(encode('ocp-e4m3', 1e6)).toBe(0x7e);
    expect(encode('ocp-e5m2', 1e6)).toBe(0x7b);
  });
  it('overflow in the non-saturating mode: e4m3 -> NaN, e5m2 -> Inf', () => {
    expect(encode('ocp-e4m3', 464, { overflow: 'nonsat' })).toBe(0x7e); // tie to even (448 has even mantissa)
    expect(encode('ocp-e4m3', 464.00000001, { overflow: 'nonsat' })).toBe(0x7f);
    expect(encode('ocp-e4m3', -500, { overflow: 'nonsat' })).toBe(0xff);
    expect(encode('ocp-e5m2', 61440, { overflow: 'nonsat' })).toBe(0x7c); // tie: 57344 has odd mantissa -> up -> Inf
    expect(encode('ocp-e5m2', 61439.99, { overflow: 'nonsat' })).toBe(0x7b);
    expect(encode('ocp-e5m2', -1e9, { overflow: 'nonsat' })).toBe(0xfc);
  });
  it('minimum subnormal, underflow to zero', () => {
    expect(encode('rf8-e3m4', 2 ** -4)).toBe(0x01);
    expect(encode('rf8-e3m4', 2 ** -5)).toBe(0x00); // tie between 0 and min subnormal: to even (0)
    expect(encode('rf8-e3m4', 2 ** -5 * 1.0000001)).toBe(0x01);
    expect(encode('rf8-e3m4', -(2 ** -6))).toBe(0x00); // rf8 zero drops the sign
    expect(encode('ocp-e4m3', -(2 ** -11))).toBe(0x80); // OCP keeps -0
    expect(encode('ocp-e5m2', 2 ** -18)).toBe(0x00);
    expect(encode('rf8-e3m4', 5e-324)).toBe(0x00);
  });
  it('carry into the next binade', () => {
    // e3m4: 1.96875 = (31.5/16)*... binade [1,2) quantum 1/16: 1.96875 = 31.5/16 -> tie -> 32 -> 2.0 (code 0x20)
    expect(encode('rf8-e3m4', 1.96875)).toBe(0x20);
    expect(decodeValue('rf8-e3m4', 0x20)).toBe(2);
    // from the subnormals into the first normal binade: e3m4 subnormal quantum 1/16, 15.5/16 -> 16/16 = 1.0
    expect(encode('rf8-e3m4', 15.5 / 16)).toBe(0x10);
    expect(encode('rf8-e3m4', 1.96875, { rounding: 'rtz' })).toBe(0x1f);
  });
  it('-0, NaN, +-Inf', () => {
    expect(encode('rf8-e3m4', -0)).toBe(0x00);
    expect(encode('ocp-e4m3', -0)).toBe(0x80);
    expect(encode('ocp-e5m2', -0)).toBe(0x80);
    expect(encode('rf8-e3m4', NaN)).toBe(0x80);
    expect(encode('rf8-e3m4', Infinity)).toBe(0x80); // rf8: Inf -> NaN
    expect(encode('rf8-e3m4', -Infinity)).toBe(0x80);
    expect(encode('ocp-e4m3', Infinity)).toBe(0x7e);
    expect(encode('ocp-e4m3', -Infinity)).toBe(0xfe);
    expect(encode('ocp-e4m3', Infinity, { overflow: 'nonsat' })).toBe(0x7f);
    expect(encode('ocp-e5m2', -Infinity, { overflow: 'nonsat' })).toBe(0xfc);
    expect(decode('ocp-e4m3', encode('ocp-e4m3', NaN)).kind).toBe('nan');
    expect(decode('ocp-e5m2', encode('ocp-e5m2', NaN)).kind).toBe('nan');
  });
  it('int8: clamps to [-127, 127], never produces 0x80, rounds to nearest even', () => {
    expect(encode('int8', -128)).toBe(0x81);
    expect(encode('int8', -1000)).toBe(0x81);
    expect(encode('int8', 127.4)).toBe(0x7f);
    expect(encode('int8', 2.5)).toBe(2);
    expect(encode('int8', 3.5)).toBe(4);
    expect(encode('int8', -2.5)).toBe(0xfe);
    expect(encode('int8', NaN)).toBe(0);
    expect(encode('int8', Infinity)).toBe(0x7f);
    expect(encode('int8', -Infinity)).toBe(0x81);
    expect(encode('int8', 1.5, { scale: -1 })).toBe(3);
  });
  it('the reference stays exact where y leaves the double range', () => {
    // 2^-1074 * 2^127 is far inside rf8-e4m3's range only after scaling; y = x * 2^-X with X = -128
    expect(decodeValue('rf8-e4m3', encode('rf8-e4m3', 2 ** -1074, { scale: -128 }))).toBe(0);
    expect(encode('rf8-e3m4', 1.7976931348623157e308, { scale: 127 })).toBe(0x7f);
    expect(encode('rf8-e2m5', 2 ** 130, { scale: 127 })).toBe(encode('rf8-e2m5', 8)); // 2^3 -> saturates to 7.875
    expect(decodeValue('rf8-e2m5', encode('rf8-e2m5', 2 ** 127, { scale: 127 }))).toBe(1);
  });
  it('stochastic rounding is floor(y/q + u/2^r), bit-exact', () => {
    // e3m4 at 1 + 1/64: y/q = 16.25; u/2^8 >= 0.75 rounds up
    const x = 1 + 1 / 64;
    expect(encode('rf8-e3m4', x, { rounding: 'sr', u: 191, r: 8 })).toBe(0x10);
    expect(encode('rf8-e3m4', x, { rounding: 'sr', u: 192, r: 8 })).toBe(0x11);
    expect(encode('rf8-e3m4', x, { rounding: 'sr', u: 3, r: 2 })).toBe(0x11);
    expect(encode('rf8-e3m4', x, { rounding: 'sr', u: 2, r: 2 })).toBe(0x10);
    expect(() => encode('rf8-e3m4', x, { rounding: 'sr', u: 4, r: 2 })).toThrow(/u must be/);
  });
});

describe('dense binary32 sweep against the oracle (all formats, OCP included)', () => {
  // Expected values come from test/format/oracle.ts: the spec formulas evaluated with BigInt
  // and a nearest-neighbour search over every representable value; no code from src/format.
  const inputs: number[] = [];
  // 1) a stride through all 2^32 binary32 patterns (every exponent, both signs, Inf and NaN)
  for (let b = 0; b < 2 ** 32; b += 104729) inputs.push(fromF32Bits(b));
  // 2) dense near the formats' ranges: every exponent in [-24, 18], random mantissas
  const rng = new Rng(2024);
  for (let e = -24; e <= 18; e++) for (let j = 0; j < 160; j++) inputs.push((rng.u32() & 1 ? -1 : 1) * Math.fround((1 + rng.u32() / 2 ** 32) * 2 ** e));
  for (const name of FORMAT_NAMES) {
    it(`${name} (${inputs.length} inputs, RNE, sat and nonsat, scale 0 and -3)`, () => {
      for (const x of inputs) for (const X of [0, -3]) for (const ns of [false, true]) check(name, x, X, { mode: 'rne' }, ns);
    });
  }
  it('bulk encodeArray equals scalar encode on the same inputs', () => {
    const src = Float32Array.from(inputs);
    const u = new Uint32Array(src.length);
    new Rng(7).bytes(new Uint8Array(u.buffer));
    for (let i = 0; i < u.length; i++) u[i] = u[i]! >>> 24;
    for (const name of FORMAT_NAMES) {
      for (const o of [{ scale: 0 }, { scale: -5, rounding: 'rtz' as const }, { scale: 3, overflow: 'nonsat' as const }]) {
        const got = encodeArray(name, src, o);
        const got64 = encodeArray(name, Float64Array.from(src), o);
        for (let i = 0; i < src.length; i++) {
          const want = encode(name, src[i]!, o);
          if (got[i] !== want || got64[i] !== want) expect([got[i], got64[i]], `${name} ${src[i]} ${JSON.stringify(o)}`).toEqual([want, want]);
        }
      }
      const sr = encodeArray(name, src, { rounding: 'sr', r: 8, uArray: u });
      for (let i = 0; i < src.length; i++) {
        const want = encode(name, src[i]!, { rounding: 'sr', r: 8, u: u[i]! });
        if (sr[i] !== want) expect(sr[i], `${name} sr ${src[i]} u=${u[i]}`).toBe(want);
      }
    }
  });
});

describe('oracle self-check', () => {
  it('oracle decode agrees with known OCP values', () => {
    const e4 = oracle['ocp-e4m3']!;
    const v = oracleDecode(e4, 0x7e);
    expect(v.kind === 'finite' && Number(v.mag.num) * 2 ** v.mag.exp).toBe(448);
  });
});

function nextUp(x: number): number {
  if (x === 0) return 5e-324;
  const b = new BigInt64Array(new Float64Array([x]).buffer);
  b[0] = b[0]! + (x > 0 ? 1n : -1n);
  return new Float64Array(b.buffer)[0]!;
}
function nextDown(x: number): number {
  return -nextUp(-x);
}

describe('bulk table path (binary32 top-16-bit tables) is exact', () => {
  // For each of the 65536 top halves, low halves 0, 1 and 0xffff: encode is monotone in the
  // input, so equal results at 1 and 0xffff prove every low half in between gives that result.
  const words = new Uint32Array(65536 * 4);
  const rng = new Rng(99);
  for (let hi = 0; hi < 65536; hi++) {
    words[4 * hi] = hi << 16 >>> 0;
    words[4 * hi + 1] = ((hi << 16) | 1) >>> 0;
    words[4 * hi + 2] = ((hi << 16) | 0xffff) >>> 0;
    words[4 * hi + 3] = ((hi << 16) | (rng.u32() & 0xffff)) >>> 0;
  }
  const src = new Float32Array(words.buffer);
  for (const name of ['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3', 'ocp-e4m3', 'ocp-e5m2'] as FormatName[]) {
    it(name, () => {
      for (const o of [{ scale: -6 }, { scale: 0, rounding: 'rtz' as const }, { scale: 2, overflow: 'nonsat' as const }]) {
        const got = encodeArray(name, src, o);
        for (let i = 0; i < src.length; i++) {
          const want = encode(name, src[i]!, o);
          if (got[i] !== want) expect(got[i], `${name} word 0x${words[i]!.toString(16)} ${JSON.stringify(o)}`).toBe(want);
        }
      }
    });
  }
});
