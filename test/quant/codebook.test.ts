import { describe, expect, it } from 'vitest';
import { CODEBOOK_NAMES, GG_MODES, getFormat, decodeValue, encode } from '../../src/format/index.js';
import { quantizeTensor, chooseScaleDetailed, amaxScale, maxAbsFinite } from '../../src/quant/index.js';
import { sampleGG } from '../../src/gg/sample.js';
import { lloydMax } from '../../src/gg/bounds.js';
import { Rng } from '../../src/util/rng.js';

// docs/rf8-spec.md section 9.5: scale selection and `auto` with the GG codebooks.

const data = (beta: number, alpha: number, n = 40000, seed = 3): Float32Array => Float32Array.from(sampleGG(new Rng(seed), alpha, beta, n));

describe('scale selection with a codebook', () => {
  it('amax: the smallest X with amax * 2^-X <= maxfinite; mse and gg agree within one step', () => {
    const x = data(1, 1.3, 20000);
    for (const name of ['cb-b1-p0', 'cb-b1-p2', 'cb-b0.5-p1']) {
      const f = getFormat(name);
      const X = amaxScale(maxAbsFinite(x), f);
      expect(maxAbsFinite(x) * 2 ** -X).toBeLessThanOrEqual(f.maxFinite);
      expect(maxAbsFinite(x) * 2 ** -(X - 1)).toBeGreaterThan(f.maxFinite);
      // saturating at amax: the largest magnitude encodes to the top code or its neighbour
      expect(encode(f, maxAbsFinite(x), { scale: X }) & 0x7f).toBeGreaterThan(100);
      const mse = chooseScaleDetailed(x, f, 'mse');
      const gg = chooseScaleDetailed(x, f, 'gg');
      expect(Math.abs(mse.X - gg.X)).toBeLessThanOrEqual(1);
      expect(decodeValue(f, 0x7f, gg.X)).toBe(f.maxFinite * 2 ** gg.X);
    }
  });
});

describe('auto among the codebooks (only when asked)', () => {
  it('default auto stays among the three GG float modes', () => {
    const q = quantizeTensor(data(1, 1), [40000], { format: 'auto', scaleMethod: 'gg' });
    expect(GG_MODES).toContain(q.format);
    expect(Object.keys(q.criterion).sort()).toEqual([...GG_MODES].sort());
  });

  it('auto with the codebooks and the modes picks a codebook by the gg criterion, within 1 dB of Lloyd-Max, beating the modes', () => {
    for (const [beta, alpha] of [
      [0.5, 1],
      [1, 1.37],
      [2, 0.71],
    ] as const) {
      const x = data(beta, alpha);
      const modes = quantizeTensor(x, [x.length], { format: 'auto', scaleMethod: 'gg' });
      const q = quantizeTensor(x, [x.length], { format: 'auto', scaleMethod: 'gg', candidates: [...GG_MODES, ...CODEBOOK_NAMES] });
      expect(CODEBOOK_NAMES, `beta ${beta}`).toContain(q.format);
      expect(Object.keys(q.criterion)).toHaveLength(35);
      const crit = q.criterion as Record<string, number>;
      for (const f of Object.keys(crit)) expect(crit[q.format]!).toBeLessThanOrEqual(crit[f]!);
      const lm = lloydMax(alpha, beta).sqnrDb;
      expect(lm - q.sqnrDb, `beta ${beta}: ${q.format} ${q.sqnrDb.toFixed(2)} dB vs LM ${lm.toFixed(2)}`).toBeLessThan(1);
      expect(q.sqnrDb).toBeGreaterThan(modes.sqnrDb);
    }
  });

  it('an unknown candidate is an InputError naming it', () => {
    expect(() => quantizeTensor(data(1, 1, 100), [100], { format: 'auto', scaleMethod: 'gg', candidates: ['cb-nope' as never] })).toThrow(/cb-nope/);
  });
});

describe('the sweep with codebooks', () => {
  it('reports the best codebook (samples and law) and the codebook auto pick beside the other formats', async () => {
    const { runSqnrSweep } = await import('../../src/quant/sweep.js');
    const res = runSqnrSweep({ betas: [1], n: 8000, formats: ['rf8-e3m4', 'cb-b1-p0', 'cb-b1-p2', 'cb-b2-p0'] });
    const r = res.rows[0]!;
    expect(r.codebook).toBeDefined();
    const cb = r.codebook!;
    expect(['cb-b1-p0', 'cb-b1-p2', 'cb-b2-p0']).toContain(cb.best.format);
    expect(cb.best.sqnrDb).toBe(Math.max(...['cb-b1-p0', 'cb-b1-p2', 'cb-b2-p0'].map((f) => r.formats[f as 'cb-b1-p0']!.best.sqnrDb)));
    // under the exact law (alpha = 1) the alpha = 1 codebook for beta 1 is the best: its design gap
    expect(cb.best.lawFormat).toBe('cb-b1-p0');
    expect(cb.best.lawGapDb).toBeGreaterThan(0);
    expect(cb.best.lawGapDb).toBeLessThan(0.3);
    expect(cb.gg).toBeDefined();
    expect(r.formats['rf8-e3m4']!.best.sqnrDb).toBeLessThan(cb.best.sqnrDb);
    // the default sweep leaves the codebooks out
    expect(runSqnrSweep({ betas: [1], n: 2000, formats: ['rf8-e3m4'] }).rows[0]!.codebook).toBeUndefined();
  });
});
