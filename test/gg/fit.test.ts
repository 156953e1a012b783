import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fitGG, ggLoglik, sampleGG, BETA_MAX, betaFromMomentRatio, lnGamma } from '../../src/gg/index.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

interface Fixture {
  cases: { seed: number; alpha: number; beta: number; n: number; scipy: { beta: number; alpha: number; loglik: number } }[];
}
const fixture: Fixture = JSON.parse(readFileSync(new URL('../fixtures/gg/scipy-gennorm.json', import.meta.url), 'utf8'));

describe('fitGG against scipy.stats.gennorm.fit(floc=0)', () => {
  it('has the six shapes of the acceptance test', () => {
    expect(fixture.cases.map((c) => c.beta)).toEqual([0.3, 0.5, 1, 1.5, 2, 4]);
    expect(fixture.cases.every((c) => c.n === 1_000_000)).toBe(true);
  });
  for (const c of fixture.cases) {
    it(`beta ${c.beta}: beta and alpha within 1% of scipy, likelihood at least scipy's`, () => {
      const x = sampleGG(new Rng(c.seed), c.alpha, c.beta, c.n);
      const f = fitGG(x);
      expect(f.converged).toBe(true);
      expect(Math.abs(f.beta / c.scipy.beta - 1)).toBeLessThan(0.01);
      expect(Math.abs(f.alpha / c.scipy.alpha - 1)).toBeLessThan(0.01);
      // in fact much closer (docs/gg.md): both find the same optimum
      expect(Math.abs(f.beta / c.scipy.beta - 1)).toBeLessThan(1e-3);
      expect(Math.abs(f.alpha / c.scipy.alpha - 1)).toBeLessThan(1e-3);
      // the same data: our maximum is no worse than scipy's Nelder-Mead optimum
      expect(f.loglik).toBeGreaterThanOrEqual(c.scipy.loglik - 1e-9 * Math.abs(c.scipy.loglik));
      // the closed-form loglik at the MLE equals a direct evaluation
      expect(ggLoglik(x, f.alpha, f.beta)).toBeCloseTo(f.loglik, 4);
      // few passes over the data
      expect(f.passes).toBeLessThanOrEqual(8);
    });
  }
});

describe('fitGG', () => {
  it('is a maximum of the likelihood: nearby (alpha, beta) are worse', () => {
    const x = sampleGG(new Rng(3), 0.5, 0.8, 20000);
    const f = fitGG(x);
    const ll = ggLoglik(x, f.alpha, f.beta);
    for (const [da, db] of [[1.001, 1], [0.999, 1], [1, 1.001], [1, 0.999], [1.001, 1.001], [0.999, 0.999]] as const) {
      expect(ggLoglik(x, f.alpha * da, f.beta * db)).toBeLessThan(ll);
    }
  });

  it('moments and MLE agree with the truth on large samples', () => {
    for (const beta of [0.5, 1, 2]) {
      const x = sampleGG(new Rng(9), 2, beta, 200_000);
      const m = fitGG(x, { method: 'moments' });
      const l = fitGG(x, { method: 'mle' });
      expect(m.method).toBe('moments');
      expect(Math.abs(m.beta / beta - 1)).toBeLessThan(0.03);
      expect(Math.abs(l.beta / beta - 1)).toBeLessThan(0.01);
      expect(Math.abs(l.alpha / 2 - 1)).toBeLessThan(0.02);
      expect(l.loglik).toBeGreaterThanOrEqual(m.loglik);
    }
  });

  it('inverts the moment ratio', () => {
    for (const b of [0.1, 0.3, 1, 2, 7]) {
      const rho = Math.exp(lnGamma(2 / b) - 0.5 * (lnGamma(1 / b) + lnGamma(3 / b)));
      expect(betaFromMomentRatio(rho) / b).toBeCloseTo(1, 9);
    }
  });

  it('is scale-equivariant (property)', () => {
    const x = sampleGG(new Rng(21), 1, 1.3, 5000);
    fc.assert(
      fc.property(fc.integer({ min: -60, max: 60 }), (e) => {
        const c = 2 ** e; // exact scaling
        const y = x.map((v) => v * c);
        const f = fitGG(x);
        const g = fitGG(y);
        expect(g.beta / f.beta).toBeCloseTo(1, 8);
        expect(g.alpha / (f.alpha * c)).toBeCloseTo(1, 8);
      }),
      { numRuns: 25, seed: 3 },
    );
  });

  it('reports and excludes NaN and infinities', () => {
    const x = sampleGG(new Rng(1), 1, 1, 1000);
    const y = new Float64Array(1004);
    y.set(x);
    y[1000] = NaN;
    y[1001] = Infinity;
    y[1002] = -Infinity;
    y[1003] = NaN;
    const f = fitGG(y);
    const g = fitGG(x);
    expect(f.excluded).toBe(4);
    expect(f.nan).toBe(2);
    expect(f.posInf).toBe(1);
    expect(f.negInf).toBe(1);
    expect(f.n).toBe(1000);
    expect(f.beta).toBe(g.beta);
    expect(f.alpha).toBe(g.alpha);
    expect(f.warnings.join(' ')).toMatch(/4 non-finite/);
  });

  it('throws InputError on empty and all-non-finite data', () => {
    expect(() => fitGG(new Float32Array(0))).toThrow(InputError);
    expect(() => fitGG(new Float32Array([NaN, NaN, Infinity]))).toThrow(/no finite values/);
  });

  it('handles degenerate tensors: all zero, constant magnitude, a single value', () => {
    const z = fitGG(new Float32Array(100));
    expect(z.alpha).toBe(0);
    expect(z.beta).toBeNaN();
    expect(z.degenerate).toBe(true);
    const c = fitGG(new Float32Array([0.5, -0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5, 0.5, -0.5]));
    expect(c.beta).toBe(BETA_MAX);
    expect(c.degenerate).toBe(true);
    expect(c.alpha).toBeGreaterThan(0.5);
    expect(c.alpha).toBeLessThan(0.53);
    expect(c.warnings.join(' ')).toMatch(/constant/);
    const one = fitGG(new Float64Array([3]));
    expect(one.n).toBe(1);
    expect(Number.isFinite(one.alpha)).toBe(true);
    expect(one.warnings.join(' ')).toMatch(/unreliable/);
    const two = fitGG(new Float64Array([1, -2]));
    expect(Number.isFinite(two.beta) && two.beta > 0).toBe(true);
  });

  it('is robust to heavy tails (Cauchy), extreme magnitudes and many zeros', () => {
    const rng = new Rng(8);
    const cauchy = new Float64Array(100_000);
    for (let i = 0; i < cauchy.length; i++) cauchy[i] = Math.tan(Math.PI * (rng.float() - 0.5));
    const fc1 = fitGG(cauchy);
    expect(fc1.converged).toBe(true);
    expect(fc1.beta).toBeGreaterThan(0.1);
    expect(fc1.beta).toBeLessThan(0.6);
    // double-range extremes: the sums are taken in logs, nothing overflows
    const big = sampleGG(new Rng(2), 1e300, 1, 10_000);
    const fb = fitGG(big);
    expect(fb.converged).toBe(true);
    expect(fb.alpha / 1e300).toBeGreaterThan(0.95);
    expect(fb.alpha / 1e300).toBeLessThan(1.05);
    const tiny = Float32Array.from(sampleGG(new Rng(2), 1e-30, 1, 10_000));
    const ft = fitGG(tiny);
    expect(ft.converged).toBe(true);
    expect(ft.alpha / 1e-30).toBeGreaterThan(0.95);
    // 30% exact zeros (pruned weights): still a finite fit, with a shape below the unpruned one
    const pr = sampleGG(new Rng(4), 1, 1, 20_000);
    for (let i = 0; i < pr.length; i += 3) pr[i] = 0;
    const fp = fitGG(pr);
    expect(fp.zeros).toBe(Math.ceil(20_000 / 3));
    expect(Number.isFinite(fp.beta)).toBe(true);
    expect(fp.beta).toBeLessThan(1);
  });

  it('keeps the top magnitudes of the data', () => {
    const x = sampleGG(new Rng(12), 1, 0.5, 5000);
    const f = fitGG(x, { topK: 5 });
    const sorted = Array.from(x, Math.abs).sort((a, b) => b - a);
    expect(Array.from(f.top)).toEqual(sorted.slice(0, 5));
    expect(f.maxAbs).toBe(sorted[0]);
    expect(fitGG(new Float64Array([1, -3, 2]), { topK: 16 }).top).toEqual(new Float64Array([3, 2, 1]));
  });
});
