import { describe, expect, it } from 'vitest';
import { lloydMax, panterDiteSqnrDb, ggGridMse, ggGridSqnrDb, ggAlphaForVariance, ggAbsMoment, ggVariance, ggPdf, sampleGG, GridMseCache } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';

function simpson(f: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

describe('Lloyd-Max quantizer for GG', () => {
  it("reproduces Max's (1960) Gaussian quantizers", () => {
    // J. Max, "Quantizing for minimum distortion", IRE Trans. IT-6, 1960, table I (unit variance)
    const a = ggAlphaForVariance(1, 2);
    expect(lloydMax(a, 2, 2).mse).toBeCloseTo(0.3634, 4);
    expect(lloydMax(a, 2, 4).mse).toBeCloseTo(0.1175, 4);
    const q8 = lloydMax(a, 2, 8);
    expect(q8.mse).toBeCloseTo(0.03455, 5);
    // Max's table gives 4 significant digits
    [0.2451, 0.756, 1.344, 2.152].forEach((v, i) => expect(Math.abs(q8.points[i]! - v)).toBeLessThan(6e-4));
    [0.5006, 1.050, 1.748].forEach((v, i) => expect(Math.abs(q8.thresholds[i]! - v)).toBeLessThan(6e-4));
  });

  it('two levels: the points are +-E|X| and the error is Var - (E|X|)^2, for any shape', () => {
    for (const beta of [0.3, 0.7, 1, 2, 5]) {
      const q = lloydMax(1.5, beta, 2);
      const m1 = ggAbsMoment(1, 1.5, beta);
      expect(q.points[0]! / m1).toBeCloseTo(1, 12);
      expect(q.mse / (ggVariance(1.5, beta) - m1 * m1)).toBeCloseTo(1, 10);
    }
  });

  it('256 levels: converges fast, meets its own optimality conditions, sits just above Panter-Dite', () => {
    for (const beta of [0.2, 0.5, 1, 2, 4]) {
      const q = lloydMax(1, beta);
      expect(q.converged).toBe(true);
      expect(q.iterations).toBeLessThan(20);
      // midpoint condition
      for (let i = 0; i < q.thresholds.length; i++) {
        expect(Math.abs(q.thresholds[i]! - 0.5 * (q.points[i]! + q.points[i + 1]!)) / q.thresholds[i]!).toBeLessThan(1e-10);
      }
      // the distortion of the same points with nearest-point decisions is the Lloyd-Max error
      expect(ggGridMse(1, beta, q.points) / q.mse).toBeCloseTo(1, 9);
      // high-resolution approximation is close and slightly optimistic at 256 levels
      const pd = panterDiteSqnrDb(beta);
      expect(q.sqnrDb - pd).toBeGreaterThan(0);
      expect(q.sqnrDb - pd).toBeLessThan(0.1);
      // scale-free SQNR
      expect(lloydMax(0.01, beta).sqnrDb).toBeCloseTo(q.sqnrDb, 8);
    }
  });

  it('no 256-level grid beats it: perturbed and uniform quantizers are worse', () => {
    const beta = 0.8;
    const q = lloydMax(1, beta);
    const rng = new Rng(5);
    for (let trial = 0; trial < 5; trial++) {
      const p = q.points.map((v) => v * (1 + 1e-3 * (rng.float() - 0.5)));
      p.sort();
      expect(ggGridMse(1, beta, p)).toBeGreaterThan(q.mse);
    }
    for (const step of [0.02, 0.05, 0.1]) {
      const u = Float64Array.from({ length: 128 }, (_, i) => (i + 0.5) * step);
      expect(ggGridSqnrDb(1, beta, u)).toBeLessThan(q.sqnrDb);
    }
  });

  it('Panter-Dite equals (int f^(1/3))^3 / (12 N^2) by quadrature', () => {
    for (const beta of [0.5, 1, 2]) {
      const alpha = 0.7;
      const t = (s: number): number => s / (1 - s);
      const half = simpson((s) => (s >= 1 ? 0 : Math.cbrt(ggPdf(t(s), alpha, beta)) / ((1 - s) * (1 - s))), 0, 1, 200000);
      const d = (2 * half) ** 3 / (12 * 256 * 256);
      expect(panterDiteSqnrDb(beta)).toBeCloseTo(10 * Math.log10(ggVariance(alpha, beta) / d), 3);
    }
  });
});

describe('expected distortion of a grid', () => {
  it('equals a quadrature of (|x| - q(|x|))^2 f(x), with saturation and truncation', () => {
    const pts = [0, 0.1, 0.25, 0.5, 0.8, 1.3, 2];
    const q = (x: number): number => {
      let best = pts[0]!;
      for (const p of pts) if (Math.abs(x - p) < Math.abs(x - best)) best = p;
      return best;
    };
    for (const beta of [0.6, 1, 2.5]) {
      const alpha = 0.9;
      // integrate cell by cell (the integrand is smooth inside each cell)
      const edges = [0, ...pts.slice(1).map((p, i) => (p + pts[i]!) / 2)];
      let num = 0;
      for (let i = 0; i + 1 < edges.length; i++) {
        const a = edges[i]!;
        const b = edges[i + 1]!;
        const n = 2000;
        // sqrt substitution at 0 for the cusp of beta < 1
        num += a === 0 ? simpson((s) => 2 * s * 2 * (s * s - q(s * s)) ** 2 * ggPdf(s * s, alpha, beta), 0, Math.sqrt(b), n) : simpson((x) => 2 * (x - q(x)) ** 2 * ggPdf(x, alpha, beta), a, b, n);
      }
      // saturation cell [1.65, inf): x = a + s / (1 - s)
      const a6 = edges[edges.length - 1]!;
      num += simpson((s) => {
        if (s >= 1) return 0;
        const x = a6 + s / (1 - s);
        return (2 * (x - 2) ** 2 * ggPdf(x, alpha, beta)) / ((1 - s) * (1 - s));
      }, 0, 1, 200000);
      expect(ggGridMse(alpha, beta, pts) / num).toBeCloseTo(1, 6);
      // truncated at 1.0: the law conditioned on |X| <= 1
      const T = 1.0;
      const cut = [0, ...pts.slice(1).map((p, i) => (p + pts[i]!) / 2).filter((e) => e < T), T];
      let numT = 0;
      for (let i = 0; i + 1 < cut.length; i++) {
        const a = cut[i]!;
        const b = cut[i + 1]!;
        numT += a === 0 ? simpson((s) => 4 * s * (s * s - q(s * s)) ** 2 * ggPdf(s * s, alpha, beta), 0, Math.sqrt(b), 2000) : simpson((x) => 2 * (x - q(x)) ** 2 * ggPdf(x, alpha, beta), a, b, 2000);
      }
      const mass = simpson((s) => 4 * s * ggPdf(s * s, alpha, beta), 0, 1, 4000);
      expect(ggGridMse(alpha, beta, pts, T) / (numT / mass)).toBeCloseTo(1, 6);
      // a cache gives identical results
      const c = new GridMseCache(beta);
      expect(ggGridMse(alpha, beta, pts, T, c)).toBe(ggGridMse(alpha, beta, pts, T));
      expect(ggGridMse(alpha, beta, pts, T, c)).toBe(ggGridMse(alpha, beta, pts, T));
    }
  });

  it('predicts the empirical error of 10^6 samples (within 4 standard errors)', () => {
    for (const [beta, step] of [[0.7, 0.3], [2, 0.06]] as const) {
      const pts = Float64Array.from({ length: 100 }, (_, i) => i * step);
      const x = sampleGG(new Rng(77), 0.5, beta, 1_000_000);
      let e = 0;
      let e2 = 0;
      for (const v of x) {
        const a = Math.abs(v);
        const k = Math.min(99, Math.round(a / step));
        const d = (a - pts[k]!) ** 2;
        e += d;
        e2 += d * d;
      }
      const m = e / x.length;
      const se = Math.sqrt(e2 / x.length - m * m) / Math.sqrt(x.length);
      expect(se / m).toBeLessThan(0.01);
      expect(Math.abs(ggGridMse(0.5, beta, pts) - m)).toBeLessThan(4 * se);
    }
  });
});
