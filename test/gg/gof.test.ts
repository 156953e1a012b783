import { describe, expect, it } from 'vitest';
import { fitGG, ggGoodness, ksDistanceSorted, sortedFinite, kolmogorovPValue, ggCdf, sampleGG } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';

describe('goodness of fit', () => {
  it('KS distance equals a brute-force evaluation, ties included', () => {
    const rng = new Rng(4);
    const x = new Float64Array(300);
    for (let i = 0; i < x.length; i++) x[i] = Math.round(rng.normal() * 4) / 4; // many ties
    const s = sortedFinite(x);
    const F = (v: number): number => ggCdf(v, 1.2, 1.7);
    let brute = 0;
    for (const v of s) {
      // sup over x of |Fn(x) - F(x)| is reached at data points, from the left or at the point
      let le = 0;
      let lt = 0;
      for (const w of s) {
        if (w <= v) le++;
        if (w < v) lt++;
      }
      brute = Math.max(brute, Math.abs(le / s.length - F(v)), Math.abs(lt / s.length - F(v)));
    }
    expect(ksDistanceSorted(s, F)).toBeCloseTo(brute, 14);
  });

  it('prefers GG for peaky data, is never worse than the nested Gaussian and Laplace in likelihood', () => {
    for (const beta of [0.5, 1, 2, 3]) {
      const x = sampleGG(new Rng(31), 1, beta, 20000);
      const g = ggGoodness(x);
      expect(g.gg.loglik).toBeGreaterThanOrEqual(g.gaussian.loglik - 1e-6);
      expect(g.gg.loglik).toBeGreaterThanOrEqual(g.laplace.loglik - 1e-6);
      if (beta === 0.5 || beta === 3) expect(g.best).toBe('gg');
      expect(g.ks).toBeLessThan(1.63 / Math.sqrt(20000));
    }
    // Laplace data: the Laplace law (1 parameter) is competitive in AIC with GG (2)
    const lap = sampleGG(new Rng(32), 1, 1, 20000);
    const gl = ggGoodness(lap);
    expect(Math.abs(gl.laplace.aic - gl.gg.aic)).toBeLessThan(10);
  });

  it('Kolmogorov p-values are sane', () => {
    expect(kolmogorovPValue(1000, 0.001)).toBe(1);
    expect(kolmogorovPValue(1000, 1.36 / Math.sqrt(1000))).toBeGreaterThan(0.04);
    expect(kolmogorovPValue(1000, 1.36 / Math.sqrt(1000))).toBeLessThan(0.06);
    expect(kolmogorovPValue(1000, 0.2)).toBeLessThan(1e-20);
  });

  it('accepts a precomputed fit and reports NaN KS for a degenerate one', () => {
    const x = sampleGG(new Rng(1), 1, 1, 1000);
    const f = fitGG(x);
    expect(ggGoodness(x, f).gg.loglik).toBe(f.loglik);
    const z = ggGoodness(new Float32Array(10));
    expect(z.ks).toBeNaN();
    expect(z.best).toBe('none');
  });
});
