import { describe, expect, it } from 'vitest';
import { RF8_MODES, encodeArray, decodeArray } from '../../src/format/index.js';
import { quantizeTensor, dequantizeTensor, sqnrDb, chooseScale, empiricalSse } from '../../src/quant/index.js';
import { sampleGG } from '../../src/gg/index.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

describe('tensor quantization', () => {
  const rows = 16;
  const cols = 500;
  // rows with very different scales and shapes
  const w = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) w.set(sampleGG(new Rng(r + 1), 0.01 * 2 ** (r / 3), 0.5 + r / 8, cols), r * cols);

  it('per-tensor: the codes are encodeArray at the chosen scale; dequantize is decodeArray', () => {
    for (const m of ['amax', 'mse', 'gg'] as const) {
      const q = quantizeTensor(w, [rows, cols], { format: 'rf8-e3m4', scaleMethod: m });
      expect(q.scales.length).toBe(1);
      expect(q.scales[0]).toBe(chooseScale(w, 'rf8-e3m4', m));
      expect(Array.from(q.codes)).toEqual(Array.from(encodeArray('rf8-e3m4', w, { scale: q.scales[0]! })));
      const d = dequantizeTensor(q);
      expect(Array.from(d)).toEqual(Array.from(decodeArray('rf8-e3m4', q.codes, q.scales[0]!)));
      expect(q.sqnrDb).toBeCloseTo(sqnrDb(w, d), 4);
    }
  });

  it('per-row: one scale per row, each the per-row choice; beats one scale per tensor', () => {
    for (const m of ['amax', 'mse', 'gg'] as const) {
      const q = quantizeTensor(w, [rows, cols], { format: 'rf8-e2m5', scaleMethod: m, perRow: true });
      expect(q.scales.length).toBe(rows);
      for (let r = 0; r < rows; r++) expect(q.scales[r]).toBe(chooseScale(w.subarray(r * cols, (r + 1) * cols), 'rf8-e2m5', m));
      const out = new Float32Array(w.length);
      dequantizeTensor(q, out);
      expect(q.sqnrDb).toBeCloseTo(sqnrDb(w, out), 4);
      const t = quantizeTensor(w, [rows, cols], { format: 'rf8-e2m5', scaleMethod: m });
      expect(q.sqnrDb).toBeGreaterThan(t.sqnrDb);
    }
  });

  it('auto picks the RF8 mode with the lowest criterion (mse: the lowest empirical error)', () => {
    for (const beta of [0.4, 1, 2.5]) {
      const x = Float32Array.from(sampleGG(new Rng(50), 1, beta, 30000));
      const q = quantizeTensor(x, [x.length], { format: 'auto', scaleMethod: 'mse' });
      let best = Infinity;
      for (const f of RF8_MODES) {
        const X = chooseScale(x, f, 'mse');
        best = Math.min(best, empiricalSse(x, f, X).sse);
      }
      expect(q.mse * x.length).toBeCloseTo(best, 6);
      const g = quantizeTensor(x, [x.length], { format: 'auto', scaleMethod: 'gg' });
      expect(RF8_MODES).toContain(g.format);
      expect(Object.keys(g.criterion).sort()).toEqual([...RF8_MODES].sort());
      expect(g.sqnrDb).toBeGreaterThan(q.sqnrDb - 0.1);
    }
  });

  it('non-finite inputs become NaN codes and are left out of the SQNR', () => {
    const x = Float32Array.from(sampleGG(new Rng(9), 1, 1, 1000));
    x[3] = NaN;
    x[4] = Infinity;
    const q = quantizeTensor(x, [1000], { format: 'rf8-e3m4', scaleMethod: 'gg' });
    expect(q.nonFinite).toBe(2);
    expect(q.codes[3]).toBe(0x80);
    expect(q.codes[4]).toBe(0x80);
    expect(Number.isFinite(q.sqnrDb)).toBe(true);
  });

  it('bad shapes and options are InputErrors', () => {
    expect(() => quantizeTensor(w, [3, 3], { format: 'rf8-e3m4', scaleMethod: 'gg' })).toThrow(InputError);
    expect(() => quantizeTensor(w, [w.length], { format: 'rf8-e3m4', scaleMethod: 'gg', perRow: true })).toThrow(InputError);
    expect(() => quantizeTensor(w, [w.length], { format: 'fp9' as never, scaleMethod: 'gg' })).toThrow(InputError);
    expect(() => quantizeTensor(w, [w.length], { format: 'int8', scaleMethod: 'max' as never })).toThrow(InputError);
  });

  it('sqnrDb', () => {
    expect(sqnrDb([1, 2], [1, 2])).toBe(Infinity);
    expect(sqnrDb([3, 4], [3, 3])).toBeCloseTo(10 * Math.log10(25), 12);
    expect(sqnrDb([1, NaN], [1.1, 5])).toBeCloseTo(20, 12);
    expect(() => sqnrDb([1], [1, 2])).toThrow(RangeError);
  });
});
