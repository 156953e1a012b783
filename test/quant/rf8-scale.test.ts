/**
 * Scale selection and tensor quantization for the authors' RF8 (`rf8`, docs/rf8-spec.md
 * section 8): the amax rule against an exact model written here from the spec text (BigInt
 * squares, no production code), mse / gg sane and deterministic for both roundings, the greedy
 * quantizer cells against an independent greedy encoder, and `auto` with and without rf8 listed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GG_MODES, decodeArray, encodeArray } from '../../src/format/index.js';
import { amaxScale, chooseScaleDetailed, empiricalSse, formatCells, ggChooseScale, ggTensorMse, parseCandidates, quantizeTensor } from '../../src/quant/index.js';
import { fitGG, sampleGG } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';
import { InputError } from '../../src/util/errors.js';
import { exactMagnitude } from '../format/rf8-model.js';

/** |x| = M * 2^s exactly (the spec model of test/format/rf8-model.ts). */
const exact = exactMagnitude;

/**
 * round_log2(M * 2^s) from the spec's definition: e with 2^(2e-1) <= y^2 < 2^(2e+1). With
 * L = floor(log2 y^2) (exact from the bit length of M^2), e = ceil(L / 2).
 */
function roundLog2Model(M: bigint, s: number): number {
  const L = (M * M).toString(2).length - 1 + 2 * s;
  return Math.ceil(L / 2);
}

/** The amax rule of spec section 8: E = round_log2(amax 2^-X) + 8 <= 15. */
function fitsModel(amax: number, X: number): boolean {
  const { M, s } = exact(amax);
  return roundLog2Model(M, s - X) + 8 <= 15;
}

/** The authors' greedy algorithm (spec 8.3) on an exact y = M 2^s, no scale: the decoded magnitude, as an exact number. */
function greedyModel(y: number): number {
  if (y === 0) return 0;
  const { M, s } = exact(y);
  const e1 = roundLog2Model(M, s);
  const E = e1 + 8;
  if (E <= 0) return 0;
  if (E >= 16) return 192;
  // r = y - 2^e1, exactly, as a BigInt over 2^min(s, e1)
  const lo = Math.min(s, e1);
  const r = (M << BigInt(s - lo)) - (1n << BigInt(e1 - lo));
  if (r === 0n) return 2 ** e1;
  const ar = r < 0n ? -r : r;
  const e2 = roundLog2Model(ar, lo);
  const d = e1 - e2;
  return d <= 4 ? 2 ** e1 + (r < 0n ? -1 : 1) * 2 ** e2 : 2 ** e1;
}

const nextUp = (x: number): number => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  b.setBigUint64(0, b.getBigUint64(0) + 1n);
  return b.getFloat64(0);
};
const nextDown = (x: number): number => {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  b.setBigUint64(0, b.getBigUint64(0) - 1n);
  return b.getFloat64(0);
};

describe('rf8 scale selection', () => {
  it('amax: the smallest X with E <= 15 for the largest magnitude (exact model, property + thresholds)', () => {
    const check = (amax: number): void => {
      const X = amaxScale(amax, 'rf8');
      expect(fitsModel(amax, X), `amax ${amax} X ${X}`).toBe(true);
      expect(fitsModel(amax, X - 1), `amax ${amax} X-1 ${X - 1}`).toBe(false);
    };
    fc.assert(
      fc.property(fc.double({ min: 1e-30, max: 1e30, noNaN: true }), (a) => check(a)),
      { numRuns: 1000, seed: 12 },
    );
    // one ulp either side of every threshold sqrt(2) * 2^(7 + X), X in [-60, 60]
    for (let X = -60; X <= 60; X++) {
      const t = Math.SQRT2 * 2 ** (7 + X); // the double just above the irrational threshold
      for (const a of [nextDown(t), t, nextUp(t), 192 * 2 ** X, 128 * 2 ** X]) check(a);
      expect(amaxScale(nextDown(t), 'rf8')).toBe(X);
      expect(amaxScale(t, 'rf8')).toBe(X + 1);
    }
    expect(amaxScale(0, 'rf8')).toBe(0);
    expect(Object.is(amaxScale(181, 'rf8'), 0)).toBe(true); // 181 < 2^7.5 = 181.02: X = 0 (not -0)
    expect(amaxScale(182, 'rf8')).toBe(1); // at X = 0 it would saturate (E = 16)
    // the same rule for both roundings: the encoding at X_amax never saturates the first term
    for (const a of [1e-3, 0.7, 3, 181, 5000]) {
      const X = amaxScale(a, 'rf8');
      expect(decodeArray('rf8', encodeArray('rf8', new Float64Array([a]), { scale: X }), X, new Float64Array(1))[0]).toBe(greedyModel(a * 2 ** -X) * 2 ** X);
    }
  });

  it('greedy cells: every cut separates the neighbouring points under an independent greedy encoder', () => {
    const { points, cuts } = formatCells('rf8', 'greedy');
    expect(cuts).not.toBeNull();
    expect(points.length).toBe(107); // 0 and the 106 distinct magnitudes of the 8-bit code
    for (let i = 0; i < cuts!.length; i++) {
      const c = cuts![i]!;
      expect(greedyModel(nextDown(c)), `cut ${i} at ${c}`).toBeLessThanOrEqual(points[i]!);
      expect(greedyModel(c), `cut ${i} at ${c}`).toBeGreaterThanOrEqual(points[i + 1]!);
    }
    // spec: underflow below 2^-7.5, the top point's cell starts at 2^7 (1 + sqrt(2)/4)
    expect(cuts![0]).toBeCloseTo(2 ** -7.5, 15);
    expect(cuts!.at(-1)).toBeCloseTo(128 * (1 + Math.SQRT2 / 4), 10);
    // nearest is nearest-point: the exact midpoints (null); so is RNE for the GG float modes
    expect(formatCells('rf8', 'nearest').cuts).toBeNull();
    expect(formatCells('rf8-e3m4').cuts).toBeNull();
    expect(() => formatCells('rf8-e3m4', 'sr')).toThrow(InputError);
  });

  it('mse and gg: deterministic, within the candidate range, gg within 0.1 dB of the best empirical scale', () => {
    for (const beta of [0.5, 1, 2]) {
      const x = Float32Array.from(sampleGG(new Rng(40 + beta * 4), 0.02, beta, 20_000));
      const fit = fitGG(x);
      for (const rounding of ['greedy', 'nearest'] as const) {
        const m1 = chooseScaleDetailed(x, 'rf8', 'mse', { rounding });
        const m2 = chooseScaleDetailed(x, 'rf8', 'mse', { rounding });
        expect(m2).toEqual(m1);
        const g1 = ggChooseScale(fit, 'rf8', rounding);
        expect(ggChooseScale(fit, 'rf8', rounding)).toEqual(g1);
        const xa = amaxScale(fit.maxAbs, 'rf8');
        expect(m1.X).toBeGreaterThanOrEqual(xa - 8);
        expect(m1.X).toBeLessThanOrEqual(xa + 2);
        for (const k of m1.candidates) expect(m1.mse).toBeLessThanOrEqual(k.mse);
        let best = Infinity;
        for (let X = xa - 12; X <= xa + 2; X++) best = Math.min(best, empiricalSse(x, 'rf8', X, undefined, rounding).sse);
        const loss = 10 * Math.log10(empiricalSse(x, 'rf8', g1.X, undefined, rounding).sse / best);
        expect(loss, `beta ${beta} ${rounding}`).toBeLessThanOrEqual(0.1);
        // the expected error tracks the empirical one at the chosen scale
        const emp = empiricalSse(x, 'rf8', g1.X, undefined, rounding).sse / x.length;
        expect(Math.abs(10 * Math.log10(ggTensorMse(fit, 'rf8', g1.X, undefined, rounding) / emp)), `beta ${beta} ${rounding}`).toBeLessThan(0.3);
      }
    }
  });

  it('nearest beats greedy on GG data, and the rounding reaches the codes', () => {
    const x = Float32Array.from(sampleGG(new Rng(9), 1, 1, 20_000));
    const g = quantizeTensor(x, [x.length], { format: 'rf8', scaleMethod: 'mse' });
    const n = quantizeTensor(x, [x.length], { format: 'rf8', scaleMethod: 'mse', rounding: 'nearest' });
    expect(g.rounding).toBe('greedy');
    expect(n.rounding).toBe('nearest');
    expect(n.sqnrDb).toBeGreaterThan(g.sqnrDb);
    expect(g.codes).toEqual(encodeArray('rf8', x, { scale: g.scales[0]!, rounding: 'greedy' }));
    expect(n.codes).toEqual(encodeArray('rf8', x, { scale: n.scales[0]!, rounding: 'nearest' }));
  });

  it('auto: the GG float modes unless rf8 is listed; the rounding applies where offered', () => {
    const x = Float32Array.from(sampleGG(new Rng(3), 0.05, 0.7, 8_000));
    const plain = quantizeTensor(x, [40, 200], { format: 'auto', scaleMethod: 'gg', perRow: true });
    expect(GG_MODES).toContain(plain.format);
    expect(Object.keys(plain.criterion).sort()).toEqual([...GG_MODES].sort());
    const listed = quantizeTensor(x, [40, 200], { format: 'auto', candidates: parseCandidates('gg-modes,rf8'), scaleMethod: 'gg', perRow: true, rounding: 'nearest' });
    expect(Object.keys(listed.criterion).sort()).toEqual([...GG_MODES, 'rf8'].sort());
    // rf8 (28 dB) loses to the best GG float mode (about 37 dB) on GG data
    expect(listed.format).toBe(plain.format);
    expect(listed.rounding).toBe('rne');
    // rf8 alone with nearest: its criterion is the nearest one
    const only = quantizeTensor(x, [40, 200], { format: 'auto', candidates: ['rf8'], scaleMethod: 'gg', perRow: true, rounding: 'nearest' });
    expect(only.format).toBe('rf8');
    expect(only.rounding).toBe('nearest');
    expect(only.criterion.rf8).toBeCloseTo(listed.criterion.rf8!, 12);
    expect(() => quantizeTensor(x, [x.length], { format: 'rf8-e3m4', scaleMethod: 'amax', rounding: 'greedy' })).toThrow(/not available/);
    expect(() => quantizeTensor(x, [x.length], { format: 'auto', scaleMethod: 'amax', rounding: 'nearest' })).toThrow(InputError);
    expect(() => parseCandidates('gg-modes,rf9')).toThrow(/--modes: (format: )?unknown format 'rf9'/);
    expect(() => parseCandidates('rf8,rf8')).toThrow(/repeat/);
  });
});
