import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FORMAT_NAMES, FORMATS, decodeValue, fromF32Bits, decode, type FormatName } from '../../src/format/index.js';
import { Mac, accWidth, product, productTable, maxProduct, accToBinary32Bits, accToFormat, biasToAcc, dot, layerForward, type LayerSpec } from '../../src/arith/index.js';
import { oracleEncode, ORACLE_FORMATS } from '../format/oracle.js';

const SEED = 0xacc;
const fmtArb = fc.constantFrom(...FORMAT_NAMES);
const codeArb = fc.integer({ min: 0, max: 255 });
const isNaNish = (f: FormatName, c: number) => ['nan', 'inf'].includes(decode(f, c).kind);

describe('products (spec section 4)', () => {
  it('every product of every format pair is exact: P * 2^(tmin_a + tmin_b) = a * b', () => {
    for (const fa of FORMAT_NAMES) {
      for (const fb of FORMAT_NAMES) {
        const t = productTable(fa, fb);
        const s = 2 ** (FORMATS[fa].tmin + FORMATS[fb].tmin);
        for (let a = 0; a < 256; a++) {
          for (let b = 0; b < 256; b++) {
            const p = t[(a << 8) | b]!;
            if (isNaNish(fa, a) || isNaNish(fb, b)) {
              if (!Number.isNaN(p)) throw new Error(`${fa}x${fb} ${a},${b}: NaN/Inf operand must give NaN`);
              continue;
            }
            // an 8-bit x 8-bit product has at most 16 significant bits: the double product is exact
            const want = decodeValue(fa, a) * decodeValue(fb, b);
            if (p * s !== want || !Number.isInteger(p)) throw new Error(`${fa}x${fb} ${a},${b}: P=${p} want ${want / s}`);
          }
        }
      }
    }
  });
  it('product() returns BigInt P and the nan flag', () => {
    expect(product('rf8-e3m4', 0x7f, 'rf8-e3m4', 0x7f)).toEqual({ nan: false, p: 31n * 31n * 4096n });
    expect(product('rf8-e3m4', 0x80, 'rf8-e3m4', 0x10).nan).toBe(true);
    expect(product('ocp-e5m2', 0x7c, 'ocp-e5m2', 0x3c).nan).toBe(true); // Inf operand -> nan flag
    expect(product('int8', 0x80, 'int8', 0x80)).toEqual({ nan: false, p: 16384n });
  });
  it('exactness bound: e3m4 x e3m4 max|P| = 31*31<<12 (22 bits), W = 35 for 4096 terms', () => {
    expect(maxProduct('rf8-e3m4', 'rf8-e3m4')).toBe(31n * 31n << 12n);
    const w = accWidth('rf8-e3m4', 'rf8-e3m4', 4096);
    expect(w.productBits).toBe(22);
    expect(w.W).toBe(35);
    expect(w.reason).toMatch(/W = 35/);
    // the bound holds: 4096 max products of either sign fit in W bits
    const max = 4096n * maxProduct('rf8-e3m4', 'rf8-e3m4');
    expect(max <= (1n << 34n) - 1n).toBe(true);
  });
});

/** Reference by definition: BigInt, sequential, per-cycle clamp. */
function refRun(fa: FormatName, fb: FormatName, W: number, N: number, cycles: { a: number[]; b: number[]; mask: number }[], init = 0n) {
  let A = init;
  let nan = false;
  let ovf = false;
  const hi = (1n << BigInt(W - 1)) - 1n;
  const lo = -(1n << BigInt(W - 1));
  for (const c of cycles) {
    let S = 0n;
    for (let i = 0; i < N; i++) {
      if (!((c.mask >>> i) & 1)) continue;
      const p = product(fa, c.a[i]!, fb, c.b[i]!);
      if (p.nan) nan = true;
      else S += p.p;
    }
    A += S;
    if (A > hi) { A = hi; ovf = true; }
    if (A < lo) { A = lo; ovf = true; }
  }
  return { acc: A, nan, ovf };
}

const cyclesArb = (N: number) =>
  fc.array(fc.record({ a: fc.array(codeArb, { minLength: N, maxLength: N }), b: fc.array(codeArb, { minLength: N, maxLength: N }), mask: fc.integer({ min: 0, max: 2 ** N - 1 }) }), { maxLength: 40 });

describe('the N-lane accumulator', () => {
  it('matches the BigInt definition for every format pair, lane count and width (clamps included)', () => {
    fc.assert(
      fc.property(fmtArb, fmtArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 4, max: 80 }), fc.integer({ min: 1, max: 8 }).chain((N) => fc.tuple(fc.constant(N), cyclesArb(N))), (fa, fb, _n, W, [N, cycles]) => {
        const mac = new Mac({ a: fa, b: fb, W, lanes: N });
        mac.clear();
        for (const c of cycles) mac.step(c.a, c.b, c.mask);
        const want = refRun(fa, fb, W, N, cycles);
        return mac.acc === want.acc && mac.nan === want.nan && mac.ovf === want.ovf;
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
  it('N-lane equals sequential, and sums are order-independent, when no clamp happens', () => {
    fc.assert(
      fc.property(fc.constantFrom<FormatName>('rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3', 'int8', 'ocp-e4m3'), fc.array(fc.tuple(codeArb, codeArb), { maxLength: 300 }), fc.integer({ min: 1, max: 16 }), fc.nat(), (f, pairs, N, rot) => {
        const W = accWidth(f, f, 512).W;
        const a = Uint8Array.from(pairs.map((p) => p[0]));
        const b = Uint8Array.from(pairs.map((p) => p[1]));
        const seq = dot(f, a, f, b, { W, lanes: 1 });
        const lanes = dot(f, a, f, b, { W, lanes: N });
        // a rotated and reversed order
        const k = pairs.length ? rot % pairs.length : 0;
        const perm = [...pairs.slice(k), ...pairs.slice(0, k)].reverse();
        const ra = Uint8Array.from(perm.map((p) => p[0]));
        const rb = Uint8Array.from(perm.map((p) => p[1]));
        const other = dot(f, ra, f, rb, { W, lanes: N });
        const mac = new Mac({ a: f, b: f, W, lanes: N });
        mac.clear();
        for (let i = 0; i < a.length; i += N) mac.step(a.subarray(i, i + N), b.subarray(i, i + N), (2 ** Math.min(N, a.length - i) - 1) >>> 0);
        return !seq.ovf && seq.acc === lanes.acc && seq.acc === other.acc && seq.nan === lanes.nan && mac.acc === seq.acc && mac.nan === seq.nan;
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
  it('clamp sets the sticky ovf; clear(init) loads init and clears both flags', () => {
    const mac = new Mac({ a: 'rf8-e3m4', b: 'rf8-e3m4', W: 12, lanes: 2 });
    mac.clear(100n);
    expect(mac.acc).toBe(100n);
    mac.step([0x7f, 0x7f], [0x7f, 0x7f]); // huge positive
    expect(mac.acc).toBe(2047n);
    expect(mac.ovf).toBe(true);
    mac.step([0x10, 0], [0x90, 0]); // -256
    expect(mac.acc).toBe(2047n - 256n);
    expect(mac.ovf).toBe(true); // sticky
    mac.step([0x80, 0x10], [0x10, 0x10], 0b01); // NaN in lane 0
    expect(mac.nan).toBe(true);
    expect(mac.acc).toBe(2047n - 256n);
    mac.step([0x10, 0x80], [0x10, 0x10], 0b01); // NaN only in a disabled lane
    expect(mac.acc).toBe(2047n);
    mac.clear(-5n);
    expect([mac.acc, mac.nan, mac.ovf]).toEqual([-5n, false, false]);
    expect(() => mac.clear(5000n)).toThrow(/does not fit/);
    mac.step([0xff, 0xff], [0x7f, 0x7f]);
    expect(mac.acc).toBe(-2048n);
    expect(mac.ovf).toBe(true);
  });
  it('BigInt mode (wide products: ocp-e5m2) agrees with the definition', () => {
    const w = accWidth('ocp-e5m2', 'ocp-e5m2', 64);
    expect(w.W).toBeGreaterThan(53);
    const mac = new Mac({ a: 'ocp-e5m2', b: 'ocp-e5m2', W: w.W, lanes: 4 });
    mac.clear();
    mac.step([0x7b, 0x7b, 0x01, 0xfb], [0x7b, 0x7b, 0x01, 0x7b]);
    expect(mac.acc).toBe(maxProduct('ocp-e5m2', 'ocp-e5m2') + 1n);
  });
});

describe('output conversion (spec section 5)', () => {
  /** Exact check that r (a binary32 value) is the RNE rounding of acc*2^T. */
  function isRne32(acc: bigint, T: number, r: number): boolean {
    if (!Number.isFinite(r)) {
      // overflow: |acc*2^T| >= 2^128 - 2^103 (the RNE overflow threshold)
      const mag = acc < 0n ? -acc : acc;
      const lhs = T >= 0 ? mag << BigInt(T) : mag;
      const rhs = T >= 0 ? (1n << 128n) - (1n << 103n) : ((1n << 128n) - (1n << 103n)) << BigInt(-T);
      return lhs >= rhs && Math.sign(r) === (acc < 0n ? -1 : 1);
    }
    // exact dyadic compare at a common exponent
    const E = Math.min(T, -160);
    const x = acc << BigInt(T - E);
    const toInt = (v: number) => {
      // v = integer * 2^E exactly for binary32 v (E <= -149)
      let n = 0n;
      let m = Math.abs(v);
      let e = 0;
      while (!Number.isInteger(m)) { m *= 2; e--; }
      n = BigInt(m) << BigInt(e - E);
      return v < 0 ? -n : n;
    };
    const rv = toInt(r);
    const up = toInt(next32(r, 1));
    const dn = toInt(next32(r, -1));
    const err = x - rv < 0n ? rv - x : x - rv;
    const eu = x - up < 0n ? up - x : x - up;
    const ed = x - dn < 0n ? dn - x : x - dn;
    if (err > eu || err > ed) return false;
    if (err === eu || err === ed) return (new Uint32Array(new Float32Array([r]).buffer)[0]! & 1) === 0;
    return true;
  }
  function next32(v: number, dir: number): number {
    const b = new Float32Array([v]);
    const u = new Int32Array(b.buffer);
    if (v === 0) return dir * 2 ** -149;
    u[0] = u[0]! + ((v > 0) === (dir > 0) ? 1 : -1);
    const r = b[0]!;
    return Number.isFinite(r) ? r : v * 2;
  }
  it('to binary32: RNE of A * 2^T for any A (BigInt exact check), NaN if nan', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 90n), max: 1n << 90n }), fc.integer({ min: -200, max: 60 }), (acc, T) => {
        const r = fromF32Bits(accToBinary32Bits(acc, false, T));
        if (acc === 0n) return r === 0;
        return isRne32(acc, T, r);
      }),
      { seed: SEED, numRuns: 5000 },
    );
    expect(accToBinary32Bits(5n, true, 0)).toBe(0x7fc00000);
    expect(fromF32Bits(accToBinary32Bits((1n << 24n) + 1n, false, 0))).toBe(2 ** 24); // tie to even
    expect(fromF32Bits(accToBinary32Bits((1n << 24n) + 3n, false, 0))).toBe(2 ** 24 + 4);
  });
  it('to RF8: RNE with saturation at scale Xo, fused ReLU, NaN (against the BigInt oracle)', () => {
    const of = Object.fromEntries(ORACLE_FORMATS.map((f) => [f.name, f]));
    fc.assert(
      fc.property(fmtArb, fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.integer({ min: -30, max: 10 }), fc.integer({ min: -20, max: 20 }), fc.boolean(), (fo, acc, T, Xo, relu) => {
        const got = accToFormat(acc, false, T, fo, Xo, relu);
        const v = relu && acc < 0n ? 0 : Number(acc) * 2 ** T; // exact: |acc| < 2^53
        const want = oracleEncode(of[fo]!, v, Xo, { mode: 'rne' }, false);
        return got === (want === 0x80 && (fo === 'ocp-e4m3' || fo === 'ocp-e5m2') && v === 0 ? 0 : want);
      }),
      { seed: SEED, numRuns: 5000 },
    );
    expect(accToFormat(123n, true, 0, 'rf8-e3m4', 0, true)).toBe(0x80);
    expect(accToFormat(-123n, false, 0, 'rf8-e3m4', 0, true)).toBe(0x00);
    expect(accToFormat(1n << 60n, false, 0, 'rf8-e3m4', 0, false)).toBe(0x7f);
  });
  it('bias: binary32 rounded RNE into accumulator units, saturating', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.integer({ min: -30, max: 10 }), (b, T) => {
        const got = biasToAcc(b, T, 64);
        const v = b * 2 ** -T; // exact double (binary32 scaled by a power of two)
        const fl = Math.floor(v);
        const d = v - fl;
        const want = d > 0.5 ? fl + 1 : d < 0.5 ? fl : fl % 2 === 0 ? fl : fl + 1;
        return got === BigInt(want);
      }),
      { seed: SEED, numRuns: 5000 },
    );
    expect(biasToAcc(Math.fround(1e30), 0, 16)).toBe(32767n);
    expect(biasToAcc(Math.fround(-1e30), 0, 16)).toBe(-32768n);
    expect(() => biasToAcc(0.1, 0, 16)).toThrow(/not a binary32/);
    expect(biasToAcc(2.5, 0, 16)).toBe(2n);
    expect(() => biasToAcc(NaN, 0, 16)).toThrow(/NaN/);
  });
});

describe('layer reference (spec section 6)', () => {
  it('equals a per-row Mac run with bias init and output conversion', () => {
    const rows = 5, cols = 37;
    const wCodes = Uint8Array.from({ length: rows * cols }, (_, i) => (i * 37 + 11) & 0x7f ^ (i & 0x80));
    const wScales = Int8Array.from([-3, -2, 0, 1, -5]);
    const bias = Float32Array.from([0.5, -1.25, 3, 0, -0.001]);
    const x = Uint8Array.from({ length: cols }, (_, i) => (i * 53 + 7) & 0xff);
    x[3] = 0x11;
    if (x.includes(0x80)) x[x.indexOf(0x80)] = 0x81;
    const base: Omit<LayerSpec, 'out'> = { wFormat: 'rf8-e3m4', rows, cols, wCodes: wCodes.map((c) => (c === 0x80 ? 0 : c)), wScales, bias, xFormat: 'rf8-e2m5', W: accWidth('rf8-e3m4', 'rf8-e2m5', 64).W, lanes: 4 };
    const hid = layerForward({ ...base, out: { kind: 'rf8', format: 'rf8-e3m4', scale: -1, relu: true } }, x, -2);
    const last = layerForward({ ...base, out: { kind: 'f32' } }, x, -2);
    for (let r = 0; r < rows; r++) {
      const T = FORMATS['rf8-e3m4'].tmin + FORMATS['rf8-e2m5'].tmin + wScales[r]! - 2;
      const mac = new Mac({ a: 'rf8-e3m4', b: 'rf8-e2m5', W: base.W, lanes: 4 });
      mac.clear(biasToAcc(bias[r]!, T, base.W));
      for (let i = 0; i < cols; i += 4) {
        const n = Math.min(4, cols - i);
        mac.step(base.wCodes.subarray(r * cols + i, r * cols + i + n), x.subarray(i, i + n), 2 ** n - 1);
      }
      expect(hid.acc[r]).toBe(mac.acc);
      expect(hid.out[r]).toBe(accToFormat(mac.acc, mac.nan, T, 'rf8-e3m4', -1, true));
      expect(last.out[r]).toBe(fromF32Bits(accToBinary32Bits(mac.acc, mac.nan, T)));
      // and the float value is close to the real-number layer output
      let s = bias[r]!;
      for (let i = 0; i < cols; i++) s += decodeValue('rf8-e3m4', base.wCodes[r * cols + i]!, wScales[r]!) * decodeValue('rf8-e2m5', x[i]!, -2);
      expect(Math.abs((last.out[r] as number) - s)).toBeLessThan(Math.abs(s) * 1e-6 + 2 ** (T + 1));
    }
  });
  it('rejects malformed layers', () => {
    expect(() => layerForward({ wFormat: 'rf8-e3m4', rows: 2, cols: 2, wCodes: new Uint8Array(3), wScales: new Int8Array(2), xFormat: 'rf8-e3m4', W: 20, out: { kind: 'f32' } }, new Uint8Array(2), 0)).toThrow(/3 weight codes/);
  });
});
