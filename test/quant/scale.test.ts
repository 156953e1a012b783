import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FORMAT_NAMES, FORMATS, encodeArray, decodeArray } from '../../src/format/index.js';
import { amaxScale, chooseScale, chooseScaleDetailed, empiricalSse, scaleCandidates, formatGrid, ggChooseScale, ggTensorMse } from '../../src/quant/index.js';
import { fitGG, sampleGG } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';

describe('scale selection', () => {
  it('amax: the smallest X with amax * 2^-X <= maxfinite (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FORMAT_NAMES), fc.double({ min: 1e-30, max: 1e30, noNaN: true }), (f, amax) => {
        const X = amaxScale(amax, f);
        const mf = FORMATS[f].maxFinite;
        expect(amax * 2 ** -X).toBeLessThanOrEqual(mf);
        expect(amax * 2 ** -(X - 1)).toBeGreaterThan(mf);
      }),
      { numRuns: 500, seed: 5 },
    );
    expect(amaxScale(0, 'rf8-e3m4')).toBe(0);
    expect(amaxScale(124, 'rf8-e3m4')).toBe(0);
    expect(amaxScale(124.0001, 'rf8-e3m4')).toBe(1);
  });

  it('empiricalSse equals encode + decode + sum of squares', () => {
    const x = Float32Array.from(sampleGG(new Rng(2), 0.1, 0.8, 5000));
    x[7] = NaN;
    for (const f of FORMAT_NAMES) {
      const codes = encodeArray(f, x, { scale: -5 });
      const y = decodeArray(f, codes, -5, new Float64Array(x.length));
      let e = 0;
      for (let i = 0; i < x.length; i++) if (i !== 7) e += (x[i]! - y[i]!) ** 2;
      const r = empiricalSse(x, f, -5);
      expect(r.n).toBe(x.length - 1);
      expect(r.sse).toBeCloseTo(e, 12);
    }
  });

  it('mse: the candidate range of the spec and the best error within it', () => {
    const x = Float32Array.from(sampleGG(new Rng(3), 0.05, 1, 20000));
    for (const f of FORMAT_NAMES) {
      const c = chooseScaleDetailed(x, f, 'mse');
      const xa = chooseScale(x, f, 'amax');
      expect(c.candidates.map((k) => k.X)).toEqual(scaleCandidates(xa));
      expect(scaleCandidates(xa)).toEqual(Array.from({ length: 11 }, (_, i) => xa - 8 + i));
      for (const k of c.candidates) expect(c.mse).toBeLessThanOrEqual(k.mse);
      expect(c.mse).toBeCloseTo(empiricalSse(x, f, c.X).sse / x.length, 15);
    }
  });

  it('gg: within 0.1 dB of the best empirical power-of-two scale on GG samples', () => {
    // every format, shapes from very heavy to light tails, several seeds and sizes
    for (const beta of [0.3, 0.5, 1, 2, 4]) {
      for (const [seed, n] of [[1, 100_000], [2, 20_000], [3, 2_000]] as const) {
        const x = Float32Array.from(sampleGG(new Rng(1000 * beta + seed), 0.03, beta, n));
        const fit = fitGG(x);
        for (const f of FORMAT_NAMES) {
          const X = ggChooseScale(fit, f).X;
          const xa = chooseScale(x, f, 'amax');
          let best = Infinity;
          for (let k = xa - 20; k <= xa + 2; k++) best = Math.min(best, empiricalSse(x, f, k).sse);
          const loss = 10 * Math.log10(empiricalSse(x, f, X).sse / best);
          expect(loss, `beta ${beta} n ${n} ${f}`).toBeLessThanOrEqual(0.1);
        }
      }
    }
  });

  it('gg: the expected error tracks the empirical error of the chosen scale', () => {
    const x = Float32Array.from(sampleGG(new Rng(17), 1, 0.8, 200_000));
    const fit = fitGG(x);
    for (const f of ['rf8-e3m4', 'rf8-e2m5', 'int8'] as const) {
      const c = ggChooseScale(fit, f);
      const emp = empiricalSse(x, f, c.X).sse / x.length;
      expect(Math.abs(10 * Math.log10(ggTensorMse(fit, f, c.X) / emp))).toBeLessThan(0.2);
    }
  });

  it('a grid holds the non-negative finite values of a format', () => {
    expect(formatGrid('rf8-e3m4').length).toBe(128);
    expect(formatGrid('rf8-e3m4')[127]).toBe(124);
    expect(formatGrid('ocp-e4m3').length).toBe(127); // +0 .. 448, NaN excluded
    expect(formatGrid('ocp-e5m2').at(-1)).toBe(57344);
    expect(formatGrid('int8').length).toBe(128); // 0..127 (-128 is never produced)
  });

  it('degenerate data: all zero picks X = 0; a fit with no data too', () => {
    expect(chooseScale(new Float32Array(10), 'rf8-e3m4', 'gg')).toBe(0);
    expect(chooseScale(new Float32Array(10), 'rf8-e3m4', 'mse')).toBe(-8);
    expect(chooseScale([1, 2, 3], 'rf8-e3m4', 'amax')).toBe(-5);
  });
});
