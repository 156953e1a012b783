/**
 * The authors' algorithms (src/nn/paper.ts, src/nn/rf8-weight-only.ts) on small hand-computed
 * cases, with expectations computed here from paper-methods.md (not from the production code).
 */
import { describe, expect, it } from 'vitest';
import { fitGG, ggExcessKurtosis, lnGamma, momentRatioTable } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';
import { backslashShrink, deepshapePaper, ggInitPaper, paperNDim } from '../../src/nn/paper.js';
import { haveAuthorsRf8, residualValue, rf8WeightOnly, roundLog2 } from '../../src/nn/rf8-weight-only.js';
import { lmSpecs } from '../../src/nn/lm.js';
import { mlpSpecs } from '../../src/nn/mlp.js';
import type { ParamSpec, Values } from '../../src/nn/params.js';

const ratio = (nu: number) => Math.exp(lnGamma(1 / nu) + lnGamma(3 / nu) - 2 * lnGamma(2 / nu));
/** nearest table shape to rho, by a linear scan over nu = 0.10 .. 3.00 written here */
function nearestNu(rho: number): number {
  let best = 0.1;
  for (let i = 0; i <= 290; i++) {
    const nu = (10 + i) / 100;
    if (Math.abs(rho - ratio(nu)) < Math.abs(rho - ratio(best))) best = nu;
  }
  return best;
}

describe('GG init (paper)', () => {
  it('Var(w) = xi / n_dim with n_dim = the outputs of a [in, out] kernel, the rows of an embedding', () => {
    const specs = mlpSpecs([784, 256, 128, 10]);
    for (const [shape, xi] of [[2, 2], [1, 1], [0.7, 2 / (1 + 0.01)]] as const) {
      const v = ggInitPaper(specs, { shape, xi }, new Rng(11));
      for (const s of specs.filter((x) => x.shape.length === 2)) {
        const w = v.get(s.name)!;
        const nDim = s.shape[1]!; // PyTorch's first dimension = outputs
        expect(paperNDim(s)).toBe(nDim);
        let m2 = 0;
        for (const x of w) m2 += x * x;
        m2 /= w.length;
        // sampling sd of the mean square: Var(w) sqrt((kurtosis + 2) / n), kurtosis = excess + 3 - 1 ... Var(w^2) = (excess + 2) Var^2
        const sd = (xi / nDim) * Math.sqrt((ggExcessKurtosis(shape) + 2) / w.length);
        expect(Math.abs(m2 - xi / nDim), `${s.name} shape ${shape}`).toBeLessThan(4 * sd);
      }
      for (const s of specs.filter((x) => x.shape.length === 1)) expect(v.get(s.name)!.every((x) => x === 0)).toBe(true);
      if (shape === 0.7) expect(fitGG(v.get('fc1.weight')!).beta).toBeCloseTo(0.7, 1);
    }
    const lm = lmSpecs({ vocab: 30, ctx: 16, d: 32, heads: 2, layers: 1, evalWindows: 4 });
    const v = ggInitPaper(lm, { shape: 2, xi: 1 }, new Rng(2));
    expect(paperNDim(lm.find((s) => s.name === 'wte')!)).toBe(30);
    for (const s of lm) {
      if (s.role === 'gain') expect(v.get(s.name)!.every((x) => x === 1)).toBe(true);
      if (s.role === 'bias' || s.role === 'shift') expect(v.get(s.name)!.every((x) => x === 0)).toBe(true);
    }
  });
});

describe('BackSlash (paper): one shrink step', () => {
  it('hand case nu = 1: [1, -1, 0, 0], rdo 0.4: every nonzero weight moves 0.4 * 1 / 4 = 0.1 toward 0', () => {
    // n = 4, sum w^2 = 2, sum |w| = 2: rho = 4 * 2 / 2^2 = 2 = Gamma(1) Gamma(3) / Gamma(2)^2, nu = 1,
    // (|w| + clip)^0 = 1 whatever clip
    const w = new Float32Array([1, -1, 0, 0]);
    const r = backslashShrink([w], { rdo: 0.4, clip: 1 });
    expect(r.nu).toBe(1);
    expect(r.n).toBe(4);
    expect(Array.from(w)).toEqual([Math.fround(0.9), Math.fround(-0.9), 0, 0]);
  });

  it('pooled over every tensor, the formula w - (rdo nu / n) sign(w) (|w| + clip)^(nu - 1)', () => {
    const a = new Float32Array([0.5, -0.25, 0.125, 0]);
    const b = new Float32Array([-0.75, 1]);
    const orig = [...a, ...b];
    // pooled: n = 6, sum w^2 = 0.25 + 0.0625 + 0.015625 + 0.5625 + 1 = 1.890625, sum |w| = 2.625
    const rho = (6 * 1.890625) / 2.625 ** 2;
    const nu = nearestNu(rho);
    const rdo = 0.06;
    const clip = 0.5;
    const r = backslashShrink([a, b], { rdo, clip });
    expect(r.nu).toBe(nu);
    const got = [...a, ...b];
    orig.forEach((x, i) => {
      const want = x - ((rdo * nu) / 6) * Math.sign(x) * Math.pow(Math.abs(x) + clip, nu - 1);
      expect(got[i]).toBe(Math.fround(want));
    });
  });
});

describe('DeepShape (paper): histogram equalization on the 2^-13 grid', () => {
  it('a tiny tensor, by hand', () => {
    const G = 2 ** 13;
    // grid values (q): counts 0:4, +-1:2 each, +-2:1 each, 5:1, 9:1 -> q_max (smallest positive with count <= 1) = 2
    const qs = [-2, -1, -1, 0, 0, 0, 0, 1, 1, 2, 5, 9];
    // the originals sit a little off the grid (so that step 1 rounds), in scrambled order
    const orig = [0, 1, 9, -1, 2, 0, -2, 5, 0, 1, -1, 0].map((q, i) => (q + (i % 3 === 0 ? 0.2 : -0.3)) / G);
    const specs: ParamSpec[] = [{ name: 'w', shape: [12], role: 'bias' }];
    const values: Values = new Map([['w', new Float32Array(orig)]]);
    const { values: out, report } = deepshapePaper(specs, values, { shapeScale: 0.8, stdScale: 0.6, adjMinnum: 1 });
    expect([...new Float32Array(orig)].map((x) => Math.round(x * G) + 0).sort((x, y) => x - y)).toEqual(qs);
    expect(report.qMax).toBe(2);
    // core estimate over originals with |w| <= 2 / 2^13: the 10 values of q in [-2, 2]
    const core = [...new Float32Array(orig)].filter((x) => Math.abs(x) <= 2 / G);
    expect(core.length).toBe(10);
    const n = core.length;
    const s2 = core.reduce((s, x) => s + x * x, 0);
    const s1 = core.reduce((s, x) => s + Math.abs(x), 0);
    const nu = nearestNu((n * s2) / s1 ** 2);
    const alpha = Math.sqrt(s2 / n) * Math.sqrt(Math.exp(lnGamma(1 / nu) - lnGamma(3 / nu)));
    const mu = Math.trunc((core.reduce((s, x) => s + x, 0) / n) * G);
    expect(report.before.nu).toBe(nu);
    expect(report.mu).toBe(mu);
    // target counts floor(10 p(x)), x = mu-2 .. mu+2
    const at = 0.6 * alpha * G;
    const nt = 0.8 * nu;
    const p = [-2, -1, 0, 1, 2].map((d) => Math.exp(-Math.pow(Math.abs(d) / at, nt)));
    const z = p.reduce((s, x) => s + x, 0);
    const counts = p.map((x) => Math.floor((10 * x) / z));
    // the sorted core takes the grid points in order; leftovers keep their grid value
    const sortedIdx = [...orig.keys()].filter((i) => Math.abs(Math.round(orig[i]! * G) - mu) <= 2).sort((i, j) => orig[i]! - orig[j]!);
    const want = new Map<number, number>(orig.map((x, i) => [i, Math.round(x * G) + 0]));
    let k = 0;
    counts.forEach((c, j) => {
      for (let t = 0; t < c; t++) want.set(sortedIdx[k++]!, mu - 2 + j);
    });
    expect(report.assigned).toBe(k);
    expect(Array.from(out.get('w')!, (x) => x * G)).toEqual(orig.map((_, i) => want.get(i)!));
    // outside the core (5, 9) the quantized value is kept
    expect(out.get('w')![2]! * G).toBe(9);
    expect(out.get('w')![7]! * G).toBe(5);
    // this case is not trivial: the target is narrower (more mass at mu)
    expect(counts[2]).toBeGreaterThan(4);
  });

  it('rejects adj_minnum that leaves no core', () => {
    const specs: ParamSpec[] = [{ name: 'w', shape: [3], role: 'bias' }];
    expect(() => deepshapePaper(specs, new Map([['w', new Float32Array([0, 0, 0])]]), { shapeScale: 0.8, stdScale: 0.6, adjMinnum: 1000 })).toThrow(/adj_minnum/);
  });
});

describe("the authors' RF8 (weight-only)", () => {
  it('round(log2 a) exactly at the sqrt(2) thresholds', () => {
    expect(roundLog2(1)).toBe(0);
    expect(roundLog2(Math.SQRT2)).toBe(1); // Math.SQRT2 is just above sqrt(2)
    const below = Math.SQRT2 - 2 ** -52; // the double just below
    expect(roundLog2(below)).toBe(0);
    expect(roundLog2(Math.SQRT2 * 2 ** -20)).toBe(-19);
    expect(roundLog2(0.7)).toBe(-1);
    expect(roundLog2(5e-324)).toBe(-1074);
  });

  it('residual values, by hand', () => {
    // 0.3: e1 = round(-1.74) = -2 -> 0.25; r = 0.05, e2 = round(-4.32) = -4 -> 0.0625; d = 2 <= 4
    expect(residualValue(Math.fround(0.3))).toBe(0.3125);
    // -0.7: t1 = -0.5, r = -0.2 -> -0.25 (d = 1, same sign): -0.75
    expect(residualValue(Math.fround(-0.7))).toBe(-0.75);
    // 1.03: t1 = 1, r = 0.03, e2 = -5, d = 5 > 4: no second term
    expect(residualValue(Math.fround(1.03))).toBe(1);
    expect(residualValue(0)).toBe(0);
    expect(residualValue(1)).toBe(1);
    // every value is one of sign 2^e1 (1 + rho), rho in {0, +-1/16, +-1/8, +-1/4, 1/2}
    const rng = new Rng(4);
    const rhos = new Set([0, 0.5, 0.25, -0.25, 0.125, -0.125, 0.0625, -0.0625]);
    for (let i = 0; i < 2000; i++) {
      const w = Math.fround((rng.float() - 0.5) * 2 ** (rng.int(20) - 10));
      if (w === 0) continue;
      const v = residualValue(w);
      const e1 = roundLog2(Math.abs(w));
      expect(rhos.has(Math.abs(v) / 2 ** e1 - 1)).toBe(true);
      expect(Math.sign(v)).toBe(Math.sign(w));
    }
  });

  it('value-domain weight-only pass covers every parameter', () => {
    const specs = mlpSpecs([6, 4, 2]);
    const v = ggInitPaper(specs, { shape: 2, xi: 2 }, new Rng(1));
    v.get('fc1.bias')!.set([0.3, -0.7, 0, 1.03]);
    const r = rf8WeightOnly(specs, v, 'values');
    expect(Array.from(r.values.get('fc1.bias')!)).toEqual([0.3125, -0.75, 0, 1]);
    expect(r.tensors.map((t) => t.name)).toEqual(specs.map((s) => s.name));
  });

  // Runs once the authors' RF8 format (`rf8`, branch h12a) is in src/format.
  it.skipIf(!haveAuthorsRf8())('the rf8 format with greedy rounding decodes to the authors\' residual values (in range)', () => {
    const specs = mlpSpecs([64, 32, 10]);
    const v = ggInitPaper(specs, { shape: 1, xi: 2 }, new Rng(5));
    const r = rf8WeightOnly(specs, v, 'format');
    for (const s of specs) {
      const w = v.get(s.name)!;
      let max = 0;
      for (const x of w) max = Math.max(max, Math.abs(x));
      const d = r.values.get(s.name)!;
      for (let i = 0; i < w.length; i++) if (Math.abs(w[i]!) >= max * 2 ** -13) expect(d[i]).toBe(residualValue(w[i]!));
    }
  });
});

// keep the table import exercised (the estimate uses exactly these 291 entries)
it('table size', () => expect(momentRatioTable().nu.length).toBe(291));

describe('rf8kit DeepShape on a sparse tensor', () => {
  it('keeps the spike at zero and moves the slab to the target shape', async () => {
    const { deepshapeTensor } = await import('../../src/nn/deepshape.js');
    const { sampleGG, fitSparseGG } = await import('../../src/gg/index.js');
    const rng = new Rng(8);
    const body = sampleGG(rng, 0.05, 1.5, 40_000);
    const w = new Float32Array(body.length);
    for (let i = 0; i < w.length; i++) w[i] = rng.float() < 0.47 ? (i % 3 ? 0 : 1e-11) : body[i]!;
    const r = deepshapeTensor(w, { betaTarget: 0.8, gamma: 1 });
    expect(Math.abs(r.before.beta / 1.5 - 1)).toBeLessThan(0.03);
    for (let i = 0; i < w.length; i++) if (Math.abs(w[i]!) < 1e-9) expect(r.out[i]).toBe(w[i]);
    const after = fitSparseGG(r.out);
    expect(after.spike.fraction).toBeCloseTo(r.before.zeroFrac, 12);
    expect(Math.abs(after.slab!.beta / 0.8 - 1)).toBeLessThan(0.03);
  });
});

describe('train() runs the paper variants', () => {
  it('gg-paper init and a shrink step after each optimizer step until the fine-tune', async () => {
    const { defaultTrainConfig, train } = await import('../../src/nn/train.js');
    const cfg = defaultTrainConfig('mlp');
    Object.assign(cfg, { steps: 4, evalEvery: 0, warmup: 1, init: 'gg-paper', paperInit: { shape: 2, xi: 2 }, paperBackslash: { rdo: 2, clip: 1, finetuneSteps: 1 } });
    const r = await train(cfg, { logEvery: 1 });
    expect(r.shrink.map((s) => s.step)).toEqual([0, 1, 2]); // step 3 is the plain fine-tune
    for (const s of r.shrink) {
      expect(s.n).toBe(235146);
      expect(s.coef).toBeCloseTo((2 * s.nu) / 235146, 15);
      expect(Math.round(s.nu * 100)).toBeCloseTo(s.nu * 100, 9); // a table entry
    }
  }, 120_000);
});
