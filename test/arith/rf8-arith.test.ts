import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ALL_FORMAT_NAMES, FORMAT_NAMES, getFormat, type FormatName } from '../../src/format/index.js';
import { Mac, ModeMac, accToFormat, accWidth, accWidthModes, dot, layerForward, maxProduct, modeSet, product, productTable } from '../../src/arith/index.js';
import { ORACLE_FORMATS, oracleDecode } from '../format/oracle.js';
import { RHO_K, modelDecode, modelGreedyDy, modelNearestDy } from '../format/rf8-model.js';

// docs/rf8-spec.md sections 4, 5 and 8.4: products, the exact accumulator and the output
// conversion of the authors' rf8 with every family format, against a BigInt model built from
// the independent decoders of test/format (oracle.ts for the family, rf8-model.ts for rf8).

interface MCode {
  nan: boolean;
  num: bigint; // signed
  exp: number;
}
/** tmin of each format from the spec text: 1 - bias - m for the floats, 0 for int8 (section 1), -11 for rf8 (section 8). */
function tminOf(name: string): number {
  if (name === 'rf8') return -11;
  const o = ORACLE_FORMATS.find((f) => f.name === name)!;
  return o.specials === 'int8' ? 0 : 1 - o.bias - o.m;
}
const modelCache = new Map<string, MCode[]>();
function modelCodes(name: string): MCode[] {
  let m = modelCache.get(name);
  if (m) return m;
  m = [];
  for (let c = 0; c < 256; c++) {
    if (name === 'rf8') {
      const d = modelDecode(c);
      m.push(d.nan ? { nan: true, num: 0n, exp: 0 } : { nan: false, num: d.v.num, exp: d.v.exp });
    } else {
      const d = oracleDecode(ORACLE_FORMATS.find((f) => f.name === name)!, c);
      // an infinite operand is NaN to the MAC (section 4)
      m.push(d.kind === 'finite' ? { nan: false, num: d.neg ? -d.mag.num : d.mag.num, exp: d.mag.exp } : { nan: true, num: 0n, exp: 0 });
    }
  }
  modelCache.set(name, m);
  return m;
}
/** The model's product in accumulator LSB units 2^(tmin_a + tmin_b): an integer by section 4. */
function modelP(fa: string, ca: number, fb: string, cb: number): { nan: boolean; p: bigint } {
  const a = modelCodes(fa)[ca]!;
  const b = modelCodes(fb)[cb]!;
  if (a.nan || b.nan) return { nan: true, p: 0n };
  const sh = a.exp + b.exp - tminOf(fa) - tminOf(fb);
  if (sh < 0) throw new Error(`model: product below the accumulator LSB (${fa} ${ca} x ${fb} ${cb})`);
  return { nan: false, p: (a.num * b.num) << BigInt(sh) };
}

const FAMILY = FORMAT_NAMES.filter((n) => n !== 'rf8');
const PAIRS: [FormatName, FormatName][] = [['rf8', 'rf8'], ...FAMILY.map((f) => [f, 'rf8'] as [FormatName, FormatName]), ...FAMILY.map((f) => ['rf8', f] as [FormatName, FormatName])];
const bitsOf = (v: bigint): number => (v === 0n ? 0 : (v < 0n ? -v : v).toString(2).length);

describe('rf8 products (exhaustive: all 65,536 code pairs of every pair with rf8)', () => {
  it('the product table equals the BigInt model for every pair, and product() agrees', () => {
    expect(ALL_FORMAT_NAMES).toContain('rf8');
    expect(PAIRS).toHaveLength(13);
    for (const [fa, fb] of PAIRS) {
      const t = productTable(fa, fb);
      let bad = -1;
      for (let i = 0; i < 65536 && bad < 0; i++) {
        const m = modelP(fa, i >> 8, fb, i & 255);
        const got = t[i]!;
        if (m.nan ? !Number.isNaN(got) : !(Number.isSafeInteger(got) && BigInt(got) === m.p)) bad = i;
      }
      expect(bad, `${fa} x ${fb}: first mismatch at pair 0x${bad.toString(16)}`).toBe(-1);
      for (const i of [0x4b4b, 0x7979, 0xf979, 0x8001, 0x0180, 0x0b0b, 0x3c79]) {
        const m = modelP(fa, i >> 8, fb, i & 255);
        expect(product(fa, i >> 8, fb, i & 255)).toEqual(m.nan ? { nan: true, p: 0n } : { nan: false, p: m.p });
      }
    }
  });

  it('max|P| and W = bits(max|P|) + 1 + ceil(log2 N) per pair (spec examples: rf8-e3m4 x rf8 43, int8 x rf8 39, rf8 x rf8 51)', () => {
    const measured: Record<string, { maxP: bigint; bits: number; W: number }> = {};
    for (const [fa, fb] of PAIRS) {
      let best = 0n;
      for (let i = 0; i < 65536; i++) {
        const m = modelP(fa, i >> 8, fb, i & 255);
        if (!m.nan && (m.p < 0n ? -m.p : m.p) > best) best = m.p < 0n ? -m.p : m.p;
      }
      const bits = bitsOf(best);
      measured[`${fa} x ${fb}`] = { maxP: best, bits, W: bits + 1 + 12 };
      expect(maxProduct(fa, fb), `${fa} x ${fb}`).toBe(best);
      const w = accWidth(fa, fb, 4096, 8);
      expect(w.W, `${fa} x ${fb}`).toBe(bits + 1 + 12);
      expect(w.productBits).toBe(bits);
      expect(w.treeBits).toBe(bits + 1 + 3);
    }
    expect(measured['rf8-e3m4 x rf8']!.maxP).toBe((31n * 24n) << 20n);
    expect(measured['rf8-e3m4 x rf8']!.W).toBe(43);
    expect(measured['int8 x rf8']!.W).toBe(39);
    expect(measured['rf8 x rf8']!.W).toBe(51);
    expect(measured['rf8 x rf8']!.maxP).toBe((24n * 24n) << 28n);
    // the spec's table of section 8.4 and the other pairs (docs/rf8-spec.md)
    expect(Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, v.W]))).toEqual({
      'rf8 x rf8': 51,
      'rf8-e2m5 x rf8': 40,
      'rf8-e3m4 x rf8': 43,
      'rf8-e4m3 x rf8': 50,
      'ocp-e4m3 x rf8': 50,
      'ocp-e5m2 x rf8': 64,
      'int8 x rf8': 39,
      'rf8 x rf8-e2m5': 40,
      'rf8 x rf8-e3m4': 43,
      'rf8 x rf8-e4m3': 50,
      'rf8 x ocp-e4m3': 50,
      'rf8 x ocp-e5m2': 64,
      'rf8 x int8': 39,
    });
  });

  it('multiplying by an rf8 operand is one shift-and-add: ka * kb = (ka << 4) +- (ka << j) or ka << 4', () => {
    for (const kb of RHO_K) {
      const d = kb - 16;
      const j = d === 0 ? -1 : Math.log2(Math.abs(d)); // d is 0 or +-2^j by the code table
      expect(d === 0 || Number.isInteger(j)).toBe(true);
      for (let ka = 0; ka < 256; ka++) expect(ka * kb).toBe((ka << 4) + (d === 0 ? 0 : Math.sign(d) * (ka << j)));
    }
  });
});

describe('the N-lane accumulator with rf8 operands equals the sequential one without clamps (fast-check)', () => {
  it('Mac(N lanes) = Mac(1 lane) = the model sum; nan sticky; no ovf at the spec W; dot() agrees', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PAIRS),
        fc.integer({ min: 1, max: 32 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), { maxLength: 300 }),
        ([fa, fb], N, pairs) => {
          const W = accWidth(fa, fb, Math.max(1, pairs.length)).W;
          const seq = new Mac({ a: fa, b: fb, W, lanes: 1 });
          const par = new Mac({ a: fa, b: fb, W, lanes: N });
          seq.clear();
          par.clear();
          let sum = 0n;
          let nan = false;
          for (const [a, b] of pairs) {
            seq.step([a], [b]);
            const m = modelP(fa, a, fb, b);
            if (m.nan) nan = true;
            else sum += m.p;
          }
          for (let i = 0; i < pairs.length; i += N) {
            const chunk = pairs.slice(i, i + N);
            par.step(chunk.map((p) => p[0]), chunk.map((p) => p[1]), chunk.length === 32 ? 0xffffffff : 2 ** chunk.length - 1);
          }
          expect(seq.acc).toBe(sum);
          expect(par.acc).toBe(sum);
          expect(seq.nan).toBe(nan);
          expect(par.nan).toBe(nan);
          expect(seq.ovf || par.ovf).toBe(false);
          const d = dot(fa, Uint8Array.from(pairs.map((p) => p[0])), fb, Uint8Array.from(pairs.map((p) => p[1])), { W, lanes: N });
          expect(d).toEqual({ acc: sum, nan, ovf: false });
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
  it('multi-mode: rf8 is a mode like any other (ModeMac = Mac shifted onto the shared grid; W over the mode pairs)', () => {
    const A = modeSet(['rf8-e3m4', 'rf8']);
    const B = modeSet(['rf8', 'int8']);
    expect(A.t).toBe(-11);
    expect(A.off).toEqual([7, 0]);
    const W = accWidthModes(A, B, 4096).W;
    // rf8-e3m4 (k 31, sh 6, 7 up the grid) x int8 (k 128): 31 * 128 << 13; rf8 x rf8: 24 * 24 << 28
    expect(W).toBe(bitsOf(maxProduct('rf8', 'rf8')) + 1 + 12);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), { maxLength: 100 }), (ma, mb, pairs) => {
        const mm = new ModeMac({ a: ['rf8-e3m4', 'rf8'], b: ['rf8', 'int8'], W, lanes: 4 });
        mm.clear(0n, ma, mb);
        let sum = 0n;
        for (let i = 0; i < pairs.length; i += 4) {
          const ch = pairs.slice(i, i + 4);
          mm.step(ch.map((p) => p[0]), ch.map((p) => p[1]), 2 ** ch.length - 1);
        }
        const fa = A.modes[ma]!.name;
        const fb = B.modes[mb]!.name;
        for (const [a, b] of pairs) {
          const m = modelP(fa, a, fb, b);
          if (!m.nan) sum += m.p << BigInt(A.off[ma]! + B.off[mb]!);
        }
        expect(mm.acc).toBe(sum);
      }),
      { numRuns: 100, seed: 8 },
    );
  });
});

describe('output conversion to rf8 from the exact accumulator (greedy and nearest, fused ReLU)', () => {
  /** floor(sqrt(2) * 2^p), computed here by bisection on squares (independent of src/format). */
  function floorSqrt2(p: number): bigint {
    const target = 1n << BigInt(2 * p + 1);
    let lo = 0n;
    let hi = 1n << BigInt(p + 1);
    while (lo < hi) {
      const mid = (lo + hi + 1n) >> 1n;
      if (mid * mid <= target) lo = mid;
      else hi = mid - 1n;
    }
    return lo;
  }
  /** (acc, T) cases around every decision point, with accumulators of up to 64 bits (past 2^53). */
  function cases(): { acc: bigint; T: number }[] {
    const out: { acc: bigint; T: number }[] = [];
    const push = (acc: bigint, T: number): void => {
      for (const d of [-1n, 0n, 1n]) out.push({ acc: acc + d, T }, { acc: -(acc + d), T });
    };
    for (const p of [3, 10, 25, 40, 52, 53, 54, 60, 63]) {
      for (const j of [-9, -8, -3, 0, 4, 7, 8]) {
        const T = j - p; // the value is about 2^(p + T) = 2^j
        push(floorSqrt2(p), T); // first term: round_log2 threshold
        for (let d = 1; d <= 6; d++) {
          if (p - d < 0) continue;
          const r = floorSqrt2(p - d);
          push((1n << BigInt(p)) + r, T); // second term above 2^p
          push((1n << BigInt(p + 1)) - r, T); // second term below 2^(p+1)
        }
      }
    }
    // every code value and the midpoints of neighbouring magnitudes, scaled into wide accumulators
    const mags = [...new Set(Array.from({ length: 128 }, (_, c) => modelDecode(c)).flatMap((d) => (d.nan ? [] : [Number(d.v.num) * 2 ** d.v.exp])))].sort((a, b) => a - b);
    for (let i = 0; i < mags.length; i++) {
      const g = 20 + (i % 30);
      const T = -11 - 1 - g; // units of 2^-12 of the value, times 2^g
      const v = BigInt(mags[i]! * 2 ** 12) << BigInt(g);
      push(v, T);
      if (i + 1 < mags.length) push((v + (BigInt(mags[i + 1]! * 2 ** 12) << BigInt(g))) / 2n, T);
    }
    // saturation, underflow, random
    push(1n << 62n, 0);
    push(1n, -200);
    push(123456789n, 300);
    let s = 0x12345678n;
    for (let i = 0; i < 400; i++) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      const bits = 1 + (i % 63);
      const acc = s >> BigInt(64 - bits);
      out.push({ acc: i % 2 ? -acc : acc, T: -bits + (i % 17) - 8 });
    }
    return out;
  }
  const CASES = cases();
  it('greedy = the model on the exact value A 2^(T - Xo) (BigInt beyond 2^53), at several output scales', () => {
    expect(CASES.some((c) => c.acc > 1n << 53n)).toBe(true);
    for (const Xo of [0, 3, -5]) {
      for (const { acc, T } of CASES) {
        const want = modelGreedyDy({ num: acc, exp: T - Xo });
        expect(accToFormat(acc, false, T, 'rf8', Xo, false), `greedy acc=${acc} T=${T} Xo=${Xo}`).toBe(want);
        expect(accToFormat(acc, false, T, 'rf8', Xo, false, 'greedy')).toBe(want);
        expect(accToFormat(acc, false, T, 'rf8', Xo, true)).toBe(acc < 0n ? 0 : want); // fused ReLU
      }
    }
  });
  it('nearest = nearest-neighbour over the decoded values, exactly', () => {
    for (let i = 0; i < CASES.length; i += 2) {
      const { acc, T } = CASES[i]!;
      const want = modelNearestDy({ num: acc, exp: T - 1 });
      expect(accToFormat(acc, false, T, 'rf8', 1, false, 'nearest'), `nearest acc=${acc} T=${T}`).toBe(want);
      expect(accToFormat(acc, false, T, 'rf8', 1, true, 'nearest')).toBe(acc < 0n ? 0 : want);
    }
  });
  it('NaN accumulator -> 0x80; zero -> 0x00; other roundings are an InputError', () => {
    expect(accToFormat(5n, true, 0, 'rf8', 0, false)).toBe(0x80);
    expect(accToFormat(0n, false, 0, 'rf8', 0, false, 'nearest')).toBe(0x00);
    for (const r of ['rne', 'rtz', 'sr'] as const) expect(() => accToFormat(1n, false, 0, 'rf8', 0, false, r)).toThrow(new RegExp(`'${r}'.*rf8`));
    expect(() => accToFormat(1n, false, 0, 'rf8-e3m4', 0, false, 'greedy')).toThrow(/greedy.*rf8-e3m4/);
    // the layout formats keep RNE by default: unchanged behaviour
    expect(accToFormat(3n, false, -1, 'rf8-e3m4', 0, false)).toBe(accToFormat(3n, false, -1, 'rf8-e3m4', 0, false, 'rne'));
  });
  it('a layer with rf8 weights converts its outputs to rf8: equals the model sum rounded by the model', () => {
    const rows = 6;
    const cols = 40;
    const wCodes = Uint8Array.from({ length: rows * cols }, (_, i) => (i * 37 + 11) & 0xff).map((c) => (c === 0x80 ? 0x41 : c));
    const x = Uint8Array.from({ length: cols }, (_, i) => (i * 53 + 5) & 0x7f);
    const wScales = Int8Array.from([0, -2, 3, 1, -4, 2]);
    for (const rounding of ['greedy', 'nearest'] as const) {
      const W = accWidth('rf8', 'rf8-e3m4', cols).W;
      const res = layerForward({ wFormat: 'rf8', rows, cols, wCodes, wScales, xFormat: 'rf8-e3m4', W, out: { kind: 'rf8', format: 'rf8', scale: 2, relu: true, rounding } }, x, -3);
      for (let r = 0; r < rows; r++) {
        let sum = 0n;
        for (let c = 0; c < cols; c++) sum += modelP('rf8', wCodes[r * cols + c]!, 'rf8-e3m4', x[c]!).p;
        expect(res.acc[r]).toBe(sum);
        const T = -11 + tminOf('rf8-e3m4') + wScales[r]! - 3;
        const y = { num: sum < 0n ? 0n : sum, exp: T - 2 };
        expect(res.out[r], `row ${r} ${rounding}`).toBe(rounding === 'greedy' ? modelGreedyDy(y) : modelNearestDy(y));
      }
    }
    expect(getFormat('rf8').policy.defaultRounding).toBe('greedy');
  });
});
