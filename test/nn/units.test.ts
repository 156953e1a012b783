/**
 * Unit tests of the pieces: initialization, the BackSlash rate term, compression, DeepShape.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitGG, ggVariance, sampleGG } from '../../src/gg/index.js';
import { egDecode, egEncode } from '../../src/quant/index.js';
import { Rng } from '../../src/util/rng.js';
import {
  alphaAtBeta, chooseStep, compressValues, deepshape, deepshapeTensor, fitLaws, initStd, initValues, initTf, quantizeUniform, rateBits, rateTerm, SIDE_BITS_ORDER, SIDE_BITS_STEP,
  withConstants, type ParamSpec,
} from '../../src/nn/index.js';
import { tf } from '../../src/nn/tf.js';

const specs: ParamSpec[] = [
  { name: 'a.weight', shape: [400, 300], role: 'weight', rule: 'he', fanIn: 400, fanOut: 300 },
  { name: 'a.bias', shape: [300], role: 'bias' },
  { name: 'b.weight', shape: [300, 50], role: 'weight', rule: 'xavier', fanIn: 300, fanOut: 50 },
  { name: 'n.g', shape: [50], role: 'gain' },
];

function variance(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s / v.length;
}

describe('initialization', () => {
  it('Gaussian and GG(beta0) init have the He / Xavier variance; GG has the requested shape', () => {
    for (const dist of ['gaussian', 'gg'] as const) {
      const v = initValues(specs, { dist, beta0: 0.8 }, new Rng(3));
      expect(variance(v.get('a.weight')!) / initStd(specs[0]!) ** 2).toBeCloseTo(1, 1);
      expect(variance(v.get('b.weight')!) / (2 / 350)).toBeCloseTo(1, 1);
      expect(v.get('a.bias')!.every((x) => x === 0)).toBe(true);
      expect(v.get('n.g')!.every((x) => x === 1)).toBe(true);
      const beta = fitGG(v.get('a.weight')!).beta;
      if (dist === 'gg') expect(beta).toBeCloseTo(0.8, 1);
      else expect(beta).toBeCloseTo(2, 1);
    }
  });
  it('is a function of the seed', () => {
    const a = initValues(specs, { dist: 'gg', beta0: 1.3 }, new Rng(9)).get('a.weight')!;
    const b = initValues(specs, { dist: 'gg', beta0: 1.3 }, new Rng(9)).get('a.weight')!;
    const c = initValues(specs, { dist: 'gg', beta0: 1.3 }, new Rng(10)).get('a.weight')!;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });
});

describe('BackSlash rate term', () => {
  it('alphaAtBeta is the MLE scale at fixed beta (the fit agrees at the fitted beta)', () => {
    const x = Float32Array.from(sampleGG(new Rng(1), 0.3, 0.7, 20000));
    const f = fitGG(x);
    expect(alphaAtBeta(x, f.beta) / f.alpha).toBeCloseTo(1, 6);
  });
  it('the tfjs term equals the double computation, and at the MLE the mean penalty is 1/(beta ln 2)', async () => {
    await initTf();
    const values = initValues(specs, { dist: 'gg', beta0: 0.9 }, new Rng(4));
    const laws = fitLaws(specs, values);
    expect(laws.map((l) => l.name)).toEqual(['a.weight', 'b.weight']);
    const t = withConstants(specs, values, (get) => tf.tidy(() => rateTerm(get, laws, 1e-6).dataSync()[0]!));
    const d = rateBits(values, laws, 1e-6);
    expect(t / d).toBeCloseTo(1, 4);
    const n = 400 * 300;
    const only = rateBits(values, [laws[0]!], 0) / n;
    expect(only).toBeCloseTo(1 / (laws[0]!.beta * Math.LN2), 6);
  });
  it('beta is clamped, or fixed (DeepShape fine-tune)', () => {
    const v = initValues(specs, { dist: 'gg', beta0: 0.15 }, new Rng(5));
    const laws = fitLaws(specs, v);
    expect(laws[0]!.betaFit).toBeLessThan(0.3);
    expect(laws[0]!.beta).toBe(0.3);
    const fixed = fitLaws(specs, v, { epsRel: 0.01, betaMin: 0.3, betaMax: 2.5, fixedBeta: 0.6 });
    expect(fixed.every((l) => l.beta === 0.6)).toBe(true);
  });
  it('smoothing keeps the gradient finite and bounded at w = 0 for beta < 1', async () => {
    await initTf();
    const laws = [{ name: 'w', alpha: 0.1, beta: 0.5, betaFit: 0.5, n: 3 }];
    const w = tf.variable(tf.tensor1d([0, 1e-9, -0.05]));
    const g = tf.grad((x: tf.Tensor) => rateTerm(() => x, laws, 0.01))(w).dataSync();
    expect(g.every((x) => Number.isFinite(x))).toBe(true);
    expect(g[0]).toBe(0);
    // bound beta / alpha * (eps / alpha)^(beta - 1) / ln 2 (eps = 0.01 alpha)
    const bound = (0.5 / 0.1) * 0.01 ** -0.5 / Math.LN2;
    for (const x of g) expect(Math.abs(x)).toBeLessThanOrEqual(bound);
    expect(g[2]).toBeLessThan(0); // d/dw of |w|^beta at w < 0 is negative
    w.dispose();
  });
});

describe('uniform quantization + Exp-Golomb', () => {
  it('rounds halves away from zero', () => {
    expect(Array.from(quantizeUniform(Float32Array.from([0.5, -0.5, 1.49, -1.5, 2.5, 0.25]), 1))).toEqual([1, -1, 1, -2, 3, 0]);
  });
  it('bit counts are exact: the encoded stream has that many bits and decodes back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.001, max: 1, noNaN: true }), (seed, step) => {
        const v = initValues(specs, { dist: 'gg', beta0: 1 }, new Rng(seed));
        const { result, dequantized } = compressValues(specs, v, step);
        let bits = 0;
        let zeros = 0;
        for (const t of result.tensors) {
          const q = quantizeUniform(v.get(t.name)!, t.step);
          const enc = egEncode(q, t.order);
          expect(enc.length).toBe(Math.ceil(t.bits / 8));
          expect(Array.from(egDecode(enc, q.length, t.order))).toEqual(Array.from(q));
          bits += t.bits;
          zeros += q.filter((x) => x === 0).length;
          const d = dequantized.get(t.name)!;
          for (let i = 0; i < q.length; i += 37) expect(d[i]).toBe(Math.fround(q[i]! * step));
        }
        expect(result.sideBits).toBe(specs.length * SIDE_BITS_ORDER + SIDE_BITS_STEP);
        expect(result.bits).toBe(bits + result.sideBits);
        expect(result.bitsPerParam).toBe(result.bits / result.params);
        expect(result.zeroFrac).toBe(zeros / result.params);
      }),
      { numRuns: 5 },
    );
  });
  it('a coarser step never costs more bits here, and per-tensor RMS steps carry one side step each', () => {
    const v = initValues(specs, { dist: 'gg', beta0: 1 }, new Rng(2));
    const fine = compressValues(specs, v, 0.001).result.bitsPerParam;
    const coarse = compressValues(specs, v, 0.01).result.bitsPerParam;
    expect(coarse).toBeLessThan(fine);
    expect(compressValues(specs, v, 0.5, 'rms').result.sideBits).toBe(specs.length * (SIDE_BITS_ORDER + SIDE_BITS_STEP));
  });
});

describe('step choice for a target', () => {
  const v = initValues(specs, { dist: 'gaussian', beta0: 2 }, new Rng(1));
  it('keeps the coarsest step below the first failure (a lucky coarse score is not picked)', () => {
    // synthetic validation metric: falls with the step, with a lucky spike at a coarse step
    const metric = (vals: Map<string, Float32Array>) => {
      const d = vals.get('a.weight')!;
      let s = 0;
      for (let i = 0; i < 1000; i++) s += Math.abs(d[i]! - v.get('a.weight')![i]!);
      const err = s / 1000;
      return err > 0.02 && err < 0.03 ? 0.99 : 1 - 10 * err;
    };
    const c = chooseStep(specs, v, { metric: 'acc', target: 0.9, evalVal: metric, evalTest: metric, testAll: true });
    expect(c.chosen).not.toBeNull();
    expect(c.chosen!.val).toBeGreaterThanOrEqual(0.9);
    // every finer step passes, the next coarser one fails
    const finer = c.sweep.filter((p) => p.step <= c.chosen!.step);
    expect(finer.every((p) => p.val >= 0.9)).toBe(true);
    const coarser = c.sweep.filter((p) => p.step > c.chosen!.step);
    expect(coarser[coarser.length - 1]!.val).toBeLessThan(0.9);
    // the spike exists above the chosen step and was not taken
    expect(coarser.some((p) => p.val === 0.99)).toBe(true);
    // without testAll the sweep stops right after the first failure, same choice
    const d = chooseStep(specs, v, { metric: 'acc', target: 0.9, evalVal: metric });
    expect(d.chosen!.step).toBe(c.chosen!.step);
    expect(d.sweep.length).toBeLessThan(c.sweep.length);
  });
  it('bpc targets are upper bounds; an unreachable target gives no choice', () => {
    const c = chooseStep(specs, v, { metric: 'bpc', target: 1, evalVal: () => 2 });
    expect(c.chosen).toBeNull();
    const d = chooseStep(specs, v, { metric: 'bpc', target: 1, evalVal: () => 0.5 });
    expect(d.chosen!.step).toBe(Math.max(...d.sweep.map((p) => p.step)));
  });
});

describe('DeepShape', () => {
  const w = Float32Array.from(sampleGG(new Rng(8), 0.05, 1.8, 30000));
  it('gamma 0 is the identity', () => {
    expect(Array.from(deepshapeTensor(w, { betaTarget: 0.7, gamma: 0 }).out)).toEqual(Array.from(w));
  });
  it('gamma 1 gives the target shape at the same variance and keeps the order', () => {
    for (const cdf of ['empirical', 'fitted'] as const) {
      const r = deepshapeTensor(w, { betaTarget: 0.7, gamma: 1, cdf });
      expect(fitGG(r.out).beta).toBeCloseTo(0.7, 1);
      expect(variance(r.out) / variance(w)).toBeCloseTo(1, 1);
      expect(ggVariance(r.target.alpha, 0.7) / variance(w)).toBeCloseTo(1, 6);
      for (let i = 1; i < 2000; i++) {
        if (w[i]! > w[i - 1]!) expect(r.out[i]!).toBeGreaterThanOrEqual(r.out[i - 1]!);
      }
    }
  });
  it('intermediate gamma lands in between; biases untouched', () => {
    const v = initValues(specs, { dist: 'gaussian', beta0: 2 }, new Rng(1));
    v.get('a.bias')!.fill(0.25);
    const r = deepshape(specs, v, { betaTarget: 0.6, gamma: 0.5 });
    expect(r.report).toHaveLength(2);
    const b = r.report[0]!;
    expect(b.after.beta).toBeLessThan(b.before.beta);
    expect(b.after.beta).toBeGreaterThan(0.6);
    expect(r.values.get('a.bias')!.every((x) => x === 0.25)).toBe(true);
  });
});
