import { describe, expect, it } from 'vitest';
import { accToFormat } from '../../src/arith/index.js';
import { getFormat } from '../../src/format/index.js';
import { ceilSqrtPow2Odd, evalGreedyModel, greedyModel } from '../../src/rtl/reference-vlog.js';

/**
 * The independent model of rf8's greedy output rounding (src/rtl/reference-vlog.ts greedyModel,
 * the tables `rf8 prove -a rf8` emits as Verilog) against the TypeScript reference accToFormat,
 * evaluated with the same tables and loops as the emitted model.
 */
const rf8 = getFormat('rf8');

function lcg(seed: bigint): () => bigint {
  let s = seed;
  return () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    return s >> 11n;
  };
}

describe('greedy model (thresholds ceil(2^(n - 1/2)))', () => {
  it('ceilSqrtPow2Odd: the least integer y with y^2 >= 2^m (m odd), 1 for m < 0', () => {
    for (let m = -9; m <= 161; m += 2) {
      const y = ceilSqrtPow2Odd(m);
      if (m < 0) expect(y).toBe(1n);
      else {
        const n = 1n << BigInt(m);
        expect(y * y > n).toBe(true); // 2^m is no square for m odd: strictly above
        expect((y - 1n) * (y - 1n) < n).toBe(true);
      }
    }
    expect(ceilSqrtPow2Odd(1)).toBe(2n);
    expect(ceilSqrtPow2Odd(3)).toBe(3n); // sqrt(8) = 2.83
    expect(ceilSqrtPow2Odd(5)).toBe(6n); // sqrt(32) = 5.66
    expect(() => ceilSqrtPow2Odd(4)).toThrow(/odd/);
  });

  it('the tables of rf8: first terms 2^4 .. 2^18 (units 2^-11), second terms to d = 4, 240 codes', () => {
    const m = greedyModel(rf8, 16);
    expect([m.pLo, m.pHi, m.NQ, m.dMax]).toEqual([4, 18, 16, 4]);
    expect(m.code.size).toBe(2 * 15 * 8); // 2 signs x 15 exponents x (none, +-1/4, +-1/8, +-1/16, +1/2)
    expect([m.nanCode, m.zeroCode, m.satCode]).toEqual([0x80, 0x00, [0x79, 0xf9]]);
  });

  it('W = 12: every accumulator, every d in [-16, 24], relu, equals accToFormat (greedy)', () => {
    const W = 12;
    const m = greedyModel(rf8, W);
    let n = 0;
    for (let a = -(1n << BigInt(W - 1)); a < 1n << BigInt(W - 1); a++)
      for (let d = -16; d <= 24; d++)
        for (const relu of [false, true]) {
          const want = accToFormat(a, false, d + rf8.tmin, rf8, 0, relu, 'greedy');
          const got = evalGreedyModel(m, a, false, relu, d);
          if (got !== want) expect({ a, d, relu, got }).toEqual({ a, d, relu, got: want });
          n++;
        }
    expect(n).toBe(4096 * 41 * 2);
    expect(evalGreedyModel(m, 5n, true, false, 0)).toBe(0x80);
  });

  it('W = 51 (rf8 x rf8): random accumulators of every length, the rails, d from below zero to saturation', () => {
    const W = 51;
    const m = greedyModel(rf8, W);
    const r = lcg(7n);
    const lim = 1n << BigInt(W - 1);
    const accs: bigint[] = [-lim, lim - 1n, -lim + 1n, 1n, -1n];
    for (let i = 0; i < 3000; i++) {
      const b = Number(r() % BigInt(W)); // the bit length
      let a = (1n << BigInt(b)) | (r() % (1n << BigInt(b))) | (b > 40 ? r() << BigInt(b - 40) : 0n);
      a &= (1n << BigInt(b + 1)) - 1n;
      if (a >= lim) a = lim - 1n;
      accs.push(r() & 1n ? -a : a);
    }
    // near the thresholds: ceil(2^(n - 1/2)) and its neighbours, and powers of two +- 1
    for (let n = 1; n < W; n++) {
      const t = m.thr[n]!;
      for (const x of [t - 1n, t, t + 1n, 1n << BigInt(n - 1), (1n << BigInt(n - 1)) + 1n, (1n << BigInt(n - 1)) - 1n]) if (x > 0n && x < lim) accs.push(x, -x);
    }
    let bad = 0;
    for (const a of accs)
      for (let d = -W - 4; d <= 22; d++) {
        const want = accToFormat(a, false, d + rf8.tmin, rf8, 0, false, 'greedy');
        if (evalGreedyModel(m, a, false, false, d) !== want) bad++;
      }
    expect(bad).toBe(0);
    // far outside: zero below, saturated above
    expect(evalGreedyModel(m, lim - 1n, false, false, -2048)).toBe(0);
    expect(evalGreedyModel(m, -1n, false, false, 2047)).toBe(0xf9);
  });
});
