import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Mac, ModeMac, accWidth, accWidthModes, maxProductModes, modeIndex, modeSet, parseModeList, productTable } from '../../src/arith/index.js';
import { RF8_MODES, formatTables, getFormat } from '../../src/format/index.js';
import { InputError } from '../../src/util/errors.js';

const RF8 = [...RF8_MODES];

describe('multi-mode operands (src/arith/modes.ts)', () => {
  it('the shared grid is the finest LSB; offsets are the tmin differences', () => {
    const s = modeSet(RF8);
    expect(s.modes.map((f) => f.name)).toEqual(['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3']);
    expect(s.t).toBe(Math.min(...RF8.map((n) => getFormat(n).tmin)));
    s.modes.forEach((f, i) => expect(s.t + s.off[i]!).toBe(f.tmin));
    expect(Math.min(...s.off)).toBe(0);
  });

  it('mode numbers past the list select mode 0', () => {
    const s = modeSet(RF8);
    expect([0, 1, 2, 3, -1, 1.5].map((m) => modeIndex(s, m))).toEqual([0, 1, 2, 0, 0, 0]);
  });

  it('bad mode lists are input errors', () => {
    expect(() => modeSet([])).toThrow(InputError);
    expect(() => modeSet(['rf8-e3m4', 'rf8-e3m4'])).toThrow(/repeat/);
    expect(() => modeSet(['rf8-e3m4', 'rf8-e2m5', 'rf8-e4m3', 'int8', 'ocp-e4m3'])).toThrow(/at most 4/);
    expect(() => parseModeList('rf8-e3m4')).toThrow(/2 to 4/);
    expect(() => parseModeList('rf8-e3m4,nope')).toThrow(/unknown format 'nope'/);
    expect(parseModeList('gg-modes')).toEqual(RF8);
    expect(() => parseModeList('rf8')).toThrow(/'rf8' is the authors' residual format, 'gg-modes'/);
    expect(parseModeList(' int8, ocp-e4m3 ')).toEqual(['int8', 'ocp-e4m3']);
  });

  it('max|P| on the shared grid is the largest product of any code pair of any mode pair (exhaustive), and W follows the spec bound', () => {
    for (const list of [RF8, ['ocp-e4m3', 'int8'], ['rf8-e3m4', 'ocp-e5m2', 'int8']]) {
      const s = modeSet(list);
      let best = 0n;
      s.modes.forEach((fa, i) =>
        s.modes.forEach((fb, j) => {
          const t = productTable(fa, fb);
          let m = 0;
          for (let x = 0; x < 65536; x++) if (t[x] === t[x] && Math.abs(t[x]!) > m) m = Math.abs(t[x]!);
          const v = BigInt(m) << BigInt(s.off[i]! + s.off[j]!);
          if (v > best) best = v;
        }),
      );
      expect(maxProductModes(s, s)).toBe(best);
      const w = accWidthModes(s, s, 4096, 8);
      expect(w.productBits).toBe(best.toString(2).length);
      expect(w.W).toBe(w.productBits + 1 + 12);
      expect(w.treeBits).toBe(w.productBits + 1 + 3);
    }
    // one mode: the single-format bound of spec section 4
    for (const f of RF8) expect(accWidthModes(modeSet([f]), modeSet([f]), 4096).W).toBe(accWidth(f, f, 4096).W);
    // the three rf8 modes: e4m3's products sit 2 + 2 bits up the e2m5 grid
    expect(accWidthModes(modeSet(RF8), modeSet(RF8), 4096).W).toBe(accWidth('rf8-e4m3', 'rf8-e4m3', 4096).W + 4);
  });

  it('ModeMac with modes (ma, mb) = Mac of those formats, shifted onto the shared grid (no clamp), for any mode numbers', () => {
    const s = modeSet(RF8);
    const W = accWidthModes(s, s, 4096, 4).W;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 15 })), { minLength: 1, maxLength: 40 }),
        fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }),
        (ma, mb, beats, init) => {
          const ia = modeIndex(s, ma);
          const ib = modeIndex(s, mb);
          const sh = BigInt(s.off[ia]! + s.off[ib]!);
          const mm = new ModeMac({ a: RF8, b: RF8, W, lanes: 4 });
          const ref = new Mac({ a: s.modes[ia]!, b: s.modes[ib]!, W: W + 8, lanes: 4 });
          mm.clear(init << sh, ma, mb);
          ref.clear(init);
          for (const [a, b, mask] of beats) {
            mm.step(a, b, mask);
            ref.step(a, b, mask);
            expect(mm.acc).toBe(ref.acc << sh);
            expect(mm.nan).toBe(ref.nan);
            expect(mm.ovf).toBe(false);
          }
          expect(mm.modes).toEqual({ a: ia, b: ib });
          expect(mm.tBase).toBe(2 * s.t);
        },
      ),
      { seed: 11, numRuns: 400 },
    );
  });

  it('ModeMac clamps at W bits with a sticky ovf, and clear resets flags and modes', () => {
    const mm = new ModeMac({ a: RF8, b: RF8, W: 20, lanes: 1 });
    const tE4 = formatTables('rf8-e4m3');
    let big = 0;
    for (let c = 0; c < 128; c++) if (!tE4.nan[c] && tE4.k[c]! * 2 ** tE4.sh[c]! > tE4.k[big]! * 2 ** tE4.sh[big]!) big = c;
    mm.clear(0n, 2, 2);
    mm.step([big], [big]);
    expect(mm.ovf).toBe(true);
    expect(mm.acc).toBe((1n << 19n) - 1n);
    mm.step([0], [0]);
    expect(mm.ovf).toBe(true); // sticky
    mm.clear(5n, 0, 1);
    expect([mm.acc, mm.ovf, mm.nan, mm.modes.a, mm.modes.b]).toEqual([5n, false, false, 0, 1]);
    expect(() => mm.clear(1n << 19n)).toThrow(InputError);
  });

  it('wide mode sets (ocp-e5m2) fall back to an exact BigInt lane sum', () => {
    const list = ['ocp-e5m2', 'rf8-e2m5'];
    const s = modeSet(list);
    const W = accWidthModes(s, s, 64, 32).W;
    expect(Number(maxProductModes(s, s)) * 32).toBeGreaterThan(2 ** 53);
    const mm = new ModeMac({ a: list, b: list, W, lanes: 32 });
    const big = 0x7b; // ocp-e5m2 max finite
    mm.clear(0n, 0, 0);
    const a = Array(32).fill(big);
    mm.step(a, a);
    const p = BigInt(productTable('ocp-e5m2', 'ocp-e5m2')[(big << 8) | big]!) << BigInt(2 * s.off[0]!);
    expect(mm.acc).toBe(32n * p);
    expect(mm.ovf).toBe(false);
  });
});
