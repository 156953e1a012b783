import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ggPdf,
  ggLogPdf,
  ggCdf,
  ggSf,
  ggQuantile,
  ggVariance,
  ggAbsMoment,
  ggEntropy,
  ggAlphaForVariance,
  ggExcessKurtosis,
  ggPartialMoment,
  sampleGG,
  gammaDeviate,
  ggKsDistance,
} from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';

/** Composite Simpson on [a, b] with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Integral over [0, inf) by substituting x = t / (1 - t) (smooth for these integrands). */
function halfLine(f: (x: number) => number, n = 40000): number {
  return simpson((t) => (t >= 1 ? 0 : f(t / (1 - t)) / ((1 - t) * (1 - t))), 0, 1, n);
}

describe('GG density, cdf, quantile', () => {
  const shapes = [0.4, 0.7, 1, 1.5, 2, 3, 6];

  it('the density integrates to 1 and its second moment is the variance formula', () => {
    for (const beta of shapes) {
      const alpha = 1.3;
      expect(2 * halfLine((x) => ggPdf(x, alpha, beta))).toBeCloseTo(1, 7);
      expect(2 * halfLine((x) => x * x * ggPdf(x, alpha, beta)) / ggVariance(alpha, beta)).toBeCloseTo(1, 6);
    }
  });

  it('the cdf is the integral of the density', () => {
    for (const beta of shapes) {
      for (const x of [0.05, 0.3, 1, 2.5]) {
        // Simpson converges slowly at the cusp x = 0 for beta < 1: substitute t = s^2 there
        const num = 0.5 + simpson((s) => 2 * s * ggPdf(s * s, 0.8, beta), 0, Math.sqrt(x), 4000);
        expect(Math.abs(ggCdf(x, 0.8, beta) - num)).toBeLessThan(1e-10);
        expect(Math.abs(ggCdf(-x, 0.8, beta) - (1 - num))).toBeLessThan(1e-10);
      }
    }
  });

  it('matches the Gaussian (beta 2) and Laplace (beta 1) closed forms', () => {
    // beta = 2: sigma = alpha / sqrt 2; Phi(1) and Phi(2) from tables
    const a = Math.SQRT2;
    expect(ggCdf(1, a, 2)).toBeCloseTo(0.8413447460685429, 13);
    expect(ggCdf(-2, a, 2)).toBeCloseTo(0.022750131948179195, 14);
    expect(ggPdf(0, a, 2)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 14);
    expect(ggEntropy(a, 2)).toBeCloseTo(0.5 * Math.log(2 * Math.PI * Math.E), 12);
    // beta = 1: Laplace with b = alpha
    for (const x of [0.1, 1, 7]) expect(ggCdf(x, 2, 1)).toBeCloseTo(1 - 0.5 * Math.exp(-x / 2), 14);
    expect(ggEntropy(2, 1)).toBeCloseTo(1 + Math.log(4), 12);
    expect(ggExcessKurtosis(2)).toBeCloseTo(0, 12);
    expect(ggExcessKurtosis(1)).toBeCloseTo(3, 12);
  });

  it('keeps relative accuracy deep in both tails', () => {
    // Laplace: P(X < -60) = exp(-60)/2, far below double epsilon relative to 1
    expect(ggCdf(-60, 1, 1) / (0.5 * Math.exp(-60))).toBeCloseTo(1, 12);
    expect(ggSf(60, 1, 1) / (0.5 * Math.exp(-60))).toBeCloseTo(1, 12);
    expect(ggQuantile(0.5 * Math.exp(-60), 1, 1)).toBeCloseTo(-60, 9);
  });

  it('the quantile inverts the cdf (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.double({ min: 0.2, max: 8, noNaN: true }),
        (p, alpha, beta) => {
          const x = ggQuantile(p, alpha, beta);
          const back = ggCdf(x, alpha, beta);
          const tail = Math.min(p, 1 - p);
          expect(Math.abs(back - p)).toBeLessThanOrEqual(1e-9 * tail + 1e-15);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('logpdf is the log of pdf and the law is symmetric', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.3, max: 5, noNaN: true }), (x, beta) => {
        const lp = ggLogPdf(x, 1.7, beta);
        const p = ggPdf(x, 1.7, beta);
        if (p > 0) expect(Math.abs(lp - Math.log(p))).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(lp)));
        expect(ggCdf(x, 1.7, beta) + ggCdf(-x, 1.7, beta)).toBeCloseTo(1, 14);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('partial moments add up to the full moments', () => {
    for (const beta of [0.5, 1, 2]) {
      for (const r of [0, 1, 2]) {
        const cuts = [0, 0.1, 0.7, 2, 9, Infinity];
        let s = 0;
        for (let i = 0; i + 1 < cuts.length; i++) s += ggPartialMoment(r, cuts[i]!, cuts[i + 1]!, 1.1, beta);
        expect(s / ggAbsMoment(r, 1.1, beta)).toBeCloseTo(1, 12);
      }
    }
  });

  it('rejects bad parameters', () => {
    expect(() => ggPdf(0, 0, 1)).toThrow(RangeError);
    expect(() => ggCdf(0, 1, -1)).toThrow(RangeError);
    expect(ggQuantile(1.5, 1, 1)).toBeNaN();
    expect(ggCdf(NaN, 1, 1)).toBeNaN();
  });

  it('alpha for unit variance gives unit variance', () => {
    for (const beta of shapes) expect(ggVariance(ggAlphaForVariance(1, beta), beta)).toBeCloseTo(1, 12);
  });
});

describe('seeded sampling', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = sampleGG(new Rng(5), 1, 0.7, 1000);
    const b = sampleGG(new Rng(5), 1, 0.7, 1000);
    const c = sampleGG(new Rng(6), 1, 0.7, 1000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('Gamma deviates have the right mean and variance (shapes below and above 1)', () => {
    const rng = new Rng(11);
    for (const a of [0.25, 0.7, 1, 3.3, 10]) {
      const n = 200_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const g = gammaDeviate(rng, a);
        s += g;
        s2 += g * g;
      }
      const mean = s / n;
      const v = s2 / n - mean * mean;
      // standard errors: sqrt(a/n) for the mean; the variance within 3%
      expect(Math.abs(mean - a)).toBeLessThan(5 * Math.sqrt(a / n));
      expect(Math.abs(v / a - 1)).toBeLessThan(0.03);
    }
  });

  it('samples pass a KS test against their law for a range of shapes', () => {
    for (const beta of [0.3, 0.5, 1, 2, 4]) {
      const n = 50_000;
      const x = sampleGG(new Rng(100 + beta * 10), 0.02, beta, n);
      // 1% critical value of the KS statistic is 1.63 / sqrt(n)
      expect(ggKsDistance(x, 0.02, beta)).toBeLessThan(1.63 / Math.sqrt(n));
      // and a wrong shape is rejected
      expect(ggKsDistance(x, 0.02, beta * 1.3)).toBeGreaterThan(1.63 / Math.sqrt(n));
    }
  });
});
