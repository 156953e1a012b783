import { describe, expect, it } from 'vitest';
import {
  fitGG, fitSparseGG, ggMomentRatio, momentRatioEstimate, momentRatioIndex, momentRatioTable, sampleGG, MR_TABLE_SIZE,
} from '../../src/gg/index.js';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';

// An independent Gamma function (Lanczos, g = 7, n = 9), written here from the textbook formula.
const LG = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
function gammaFn(z: number): number {
  if (z < 0.5) return Math.PI / (Math.sin(Math.PI * z) * gammaFn(1 - z));
  z -= 1;
  let x = LG[0]!;
  for (let i = 1; i < 9; i++) x += LG[i]! / (z + i);
  const t = z + 7.5;
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * x;
}
const ratioRef = (nu: number) => (gammaFn(1 / nu) * gammaFn(3 / nu)) / gammaFn(2 / nu) ** 2;

describe('moment-ratio table (the authors\' estimator)', () => {
  it('holds nu = 0.10 .. 3.00 in steps of 0.01 and the GG moment ratio', () => {
    const t = momentRatioTable();
    expect(t.nu.length).toBe(MR_TABLE_SIZE);
    expect(t.nu[0]).toBe(0.1);
    expect(t.nu[290]).toBe(3);
    for (let i = 0; i < t.nu.length; i++) {
      expect(Math.abs(t.nu[i]! - (0.1 + 0.01 * i))).toBeLessThan(1e-12);
      if (t.nu[i]! >= 0.2) expect(t.ratio[i]! / ratioRef(t.nu[i]!) - 1).toBeLessThan(1e-9); // Lanczos loses digits near 1/nu = 10
    }
    // hand values: R(1) = Gamma(1) Gamma(3) / Gamma(2)^2 = 2, R(2) = pi / 2, R(1/2) = 5! / 3!^2 = 10 / 3
    expect(ggMomentRatio(1)).toBeCloseTo(2, 12);
    expect(ggMomentRatio(2)).toBeCloseTo(Math.PI / 2, 12);
    expect(ggMomentRatio(0.5)).toBeCloseTo(10 / 3, 11);
  });

  it('looks up the nearest ratio (hand cases)', () => {
    // [0, 0, 1, -1]: n = 4, sum w^2 = 2, sum |w| = 2, rho = 4 * 2 / 4 = 2 = R(1)
    const e = momentRatioEstimate(new Float32Array([0, 0, 1, -1]));
    expect(e.rho).toBe(2);
    expect(e.nu).toBe(1);
    expect(e.std).toBeCloseTo(Math.sqrt(0.5), 14);
    expect(e.alpha).toBeCloseTo(Math.sqrt(0.5) * Math.sqrt(gammaFn(1) / gammaFn(3)), 12); // = 0.5
    // [1, -3]: rho = 2 * 10 / 16 = 1.25 < R(3) = 1.461: clamped to the table end, 3.00
    expect(momentRatioEstimate([1, -3]).nu).toBe(3);
    // huge rho (one large value among zeros): the other end, 0.10
    const spiky = new Float64Array(10000);
    spiky[0] = 1;
    expect(momentRatioEstimate(spiky).nu).toBe(0.1);
    // pooled over several arrays = over their concatenation
    expect(momentRatioEstimate([1, 2], [-3, 0.5]).rho).toBe(momentRatioEstimate([1, 2, -3, 0.5]).rho);
    // all zero: NaN shape, no number invented
    expect(Number.isNaN(momentRatioEstimate([0, 0]).nu)).toBe(true);
  });

  it('returns the entry nearest to rho against an independent ratio, for many rho', () => {
    const rng = new Rng(14);
    const nus = Array.from({ length: 291 }, (_, i) => (10 + i) / 100);
    const ref = nus.map((v) => (v >= 0.2 ? ratioRef(v) : ggMomentRatio(v)));
    for (let k = 0; k < 500; k++) {
      const rho = 1.47 + rng.float() * 6; // inside [R(3), R(0.28)]
      const i = momentRatioIndex(rho);
      const d = Math.abs(rho - ref[i]!);
      for (let j = 0; j < ref.length; j++) expect(d).toBeLessThanOrEqual(Math.abs(rho - ref[j]!) + 1e-9);
    }
  });

  it('recovers the shape of GG samples to the table resolution (+- sampling)', () => {
    for (const b of [0.5, 1, 1.5, 2]) {
      const x = sampleGG(new Rng(3), 0.1, b, 200_000);
      expect(Math.abs(momentRatioEstimate(x).nu - b)).toBeLessThan(0.03 * b + 0.011);
    }
  });
});

describe('spike-and-slab GG fit', () => {
  const sparse = (beta: number, zeroFrac: number, n: number, seed: number, tiny = false): Float32Array => {
    const rng = new Rng(seed);
    const body = sampleGG(rng, 0.05, beta, n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.float() < zeroFrac ? (tiny ? (rng.float() - 0.5) * 1e-9 : 0) : body[i]!;
    return out;
  };

  it('GG(1.5) body + 47% zeros: slab beta within 2% of the body, zero fraction exact', () => {
    const x = sparse(1.5, 0.47, 200_000, 1);
    const body = fitGG(Float64Array.from(x).filter((v) => v !== 0));
    const f = fitSparseGG(x);
    expect(f.method).toBe('continuous');
    expect(Math.abs(f.slab!.beta / body.beta - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.slab!.beta / 1.5 - 1)).toBeLessThan(0.02);
    expect(Math.abs(f.spike.fraction - 0.47)).toBeLessThan(4 * f.spike.stderr + 1e-3);
    expect(f.spike.count - f.exactZeros).toBeLessThan(6); // a body value below 2^-16 RMS is a 1e-5 event
    expect(f.slab!.ks).toBeLessThan(0.01);
    // the plain MLE is broken by the zeros (the regression this fit exists for)
    expect(fitGG(x).beta).toBeLessThan(0.5);
  });

  it('several betas and zero fractions (seeded), exact zeros and near-zeros (1e-9)', () => {
    let seed = 10;
    for (const beta of [0.5, 1, 1.5, 2]) {
      for (const z of [0.1, 0.47, 0.8]) {
        for (const tiny of [false, true]) {
          const x = sparse(beta, z, 150_000, seed++, tiny);
          const f = fitSparseGG(x);
          expect(Math.abs(f.slab!.beta / beta - 1), `beta ${beta} zeros ${z} tiny ${tiny}`).toBeLessThan(0.02);
          expect(Math.abs(f.spike.fraction - z)).toBeLessThan(5 * f.spike.stderr);
        }
      }
    }
  });

  it('a coarse grid: the discretized likelihood recovers beta where the continuous one cannot', () => {
    const rng = new Rng(7);
    const body = sampleGG(rng, 1, 1.5, 100_000);
    const step = 0.4;
    const q = new Float64Array(body.length);
    for (let i = 0; i < q.length; i++) q[i] = rng.float() < 0.3 ? 0 : Math.round(body[i]! / step) * step;
    const f = fitSparseGG(q);
    expect(f.method).toBe('grid');
    expect(f.grid!.step).toBeCloseTo(step, 12);
    expect(Math.abs(f.slab!.beta / 1.5 - 1)).toBeLessThan(0.03);
    expect(Math.abs(f.slab!.alpha - 1)).toBeLessThan(0.03);
    // the spike is the 30% point mass, not the rounded body's zero cell (P(|X| < 0.2) ~ 0.15)
    expect(f.spike.fraction).toBeGreaterThan(0.38);
    expect(Math.abs(f.spike.pi0 - 0.3)).toBeLessThan(0.01);
    const cont = fitSparseGG(q, { grid: 'off' });
    expect(Math.abs(cont.slab!.beta / 1.5 - 1)).toBeGreaterThan(0.05);
  });

  // rf8kit's BackSlash (sqrt(w^2 + eps^2), eps = 0.01 alpha) leaves pruned weights in a narrow
  // cluster around 0, not at 0: a Gaussian of sd eps / 2 here, far above the 2^-16 RMS threshold
  const clustered = (beta: number, frac: number, n: number, seed: number): Float32Array => {
    const rng = new Rng(seed);
    const body = sampleGG(rng, 0.05, beta, n);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = rng.float() < frac ? rng.normal() * 0.0005 * 0.5 : body[i]!;
    return out;
  };

  it('a near-zero cluster (eps = 0.01 alpha) is the spike: slab beta within 2% of the body, pi0 the cluster fraction', () => {
    let seed = 100;
    for (const beta of [0.5, 1, 1.5, 2]) {
      for (const frac of [0.2, 0.47, 0.8]) {
        const x = clustered(beta, frac, 120_000, seed++);
        const f = fitSparseGG(x);
        const what = `beta ${beta} cluster ${frac}`;
        expect(f.spike.cluster, what).toBe(true);
        expect(Math.abs(f.slab!.beta / beta - 1), what).toBeLessThan(0.02);
        expect(Math.abs(f.slab!.alpha / 0.05 - 1), what).toBeLessThan(0.06); // alpha moves with beta (strongly at small beta)
        expect(Math.abs(f.spike.pi0 - frac), what).toBeLessThan(0.01);
        // the threshold sits between the cluster (|x| ~ 2.5e-4) and the body
        expect(f.spike.threshold, what).toBeGreaterThan(5e-4);
        expect(f.spike.threshold, what).toBeLessThan(0.01);
        expect(f.slab!.ks, what).toBeLessThan(0.01);
        expect(fitSparseGG(x, { cluster: 'off' }).slab!.beta, what).toBeLessThan(0.6 * beta);
      }
    }
  });

  it('a cluster smeared over many octaves (a fine-tune spreads it) is still the spike', () => {
    let seed = 150;
    // (30% smeared under beta 1 is missed: its valley is about 0.6-0.7 of the peaks, docs/gg.md)
    for (const [beta, fracs] of [[0.7, [0.3, 0.8]], [1, [0.5, 0.8]]] as const) {
      for (const frac of fracs) {
        const rng = new Rng(seed++);
        const body = sampleGG(rng, 0.05, beta, 120_000);
        const x = Float32Array.from(body, (v) => (rng.float() < frac ? (rng.float() < 0.5 ? -1 : 1) * 2 ** (-20 + 11 * rng.float()) : v));
        const f = fitSparseGG(x);
        const what = `beta ${beta} smeared ${frac}`;
        expect(f.spike.cluster, what).toBe(true);
        expect(Math.abs(f.slab!.beta / beta - 1), what).toBeLessThan(0.02);
        expect(Math.abs(f.spike.pi0 - frac), what).toBeLessThan(0.015);
      }
    }
  });

  it('no cluster is seen in a clean GG (small beta, small n), with exact zeros, or on a grid', () => {
    let seed = 200;
    for (const beta of [0.2, 0.3, 0.5, 1, 2, 4]) {
      for (const n of [1200, 20_000, 200_000]) {
        const x = sampleGG(new Rng(seed++), 0.05, beta, n);
        const f = fitSparseGG(x);
        expect(f.spike.cluster, `beta ${beta} n ${n}`).toBe(false);
        expect(f.warnings.join(' ')).not.toMatch(/cluster/);
      }
    }
    expect(fitSparseGG(sparse(1, 0.6, 100_000, 300)).spike.cluster).toBe(false);
    const rng = new Rng(301);
    const q = Float64Array.from(sampleGG(rng, 1, 1, 100_000), (v) => Math.round(v / 0.05) * 0.05);
    const g = fitSparseGG(q);
    expect(g.method).toBe('grid');
    expect(g.spike.cluster).toBe(false);
  });

  it('degenerate tensors give a reason, never a NaN number', () => {
    const all0 = fitSparseGG(new Float32Array(100));
    expect(all0.slab).toBeNull();
    expect(all0.degenerate).toBe(true);
    expect(all0.spike.fraction).toBe(1);
    expect(all0.reason).toMatch(/every value is zero/);
    const one = new Float32Array(100);
    one[3] = 0.5;
    const f1 = fitSparseGG(one);
    expect(f1.slab).toBeNull();
    expect(f1.reason).toMatch(/one nonzero value/);
    const grid2 = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? 0.25 : -0.25));
    const f2 = fitSparseGG(grid2);
    expect(f2.slab).toBeNull();
    expect(f2.reason).toMatch(/2-level grid/);
    expect(() => fitSparseGG(new Float32Array([NaN]))).toThrow(InputError);
    expect(() => fitSparseGG([])).toThrow(InputError);
  });
});

describe('gg scale selection on a sparse tensor', () => {
  it('47% zeros: gg picks the scale of the slab, as good as the best empirical scale', async () => {
    const { chooseScaleDetailed, sqnrDb: _s } = await import('../../src/quant/index.js');
    const rng = new Rng(21);
    const body = sampleGG(rng, 0.05, 1.5, 60_000);
    const x = new Float32Array(body.length);
    for (let i = 0; i < x.length; i++) x[i] = rng.float() < 0.47 ? (i % 2 ? 0 : 1e-10) : body[i]!;
    for (const fmt of ['rf8-e3m4', 'rf8-e2m5', 'int8'] as const) {
      const gg = chooseScaleDetailed(x, fmt, 'gg');
      const mse = chooseScaleDetailed(x, fmt, 'mse');
      const at = mse.candidates.find((c) => c.X === gg.X)!;
      expect(10 * Math.log10(at.mse / mse.mse), fmt).toBeLessThan(0.1);
      expect(Math.abs(gg.fit!.beta / 1.5 - 1)).toBeLessThan(0.03);
    }
  });
});
