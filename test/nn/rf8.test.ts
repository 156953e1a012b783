/**
 * RF8 inference equals the layer reference bit for bit, and the layer reference equals an
 * independent exact computation (decoded values, BigInt sums, `encode` of the exact result).
 */
import { describe, expect, it } from 'vitest';
import { layerForward, type LayerSpec } from '../../src/arith/index.js';
import { decodeValue, encode, f32Bits, getFormat } from '../../src/format/index.js';
import { Rng } from '../../src/util/rng.js';
import {
  buildRf8Lm, buildRf8Mlp, encodeInput, evalRf8Mlp, exportRf8Mlp, initTf, initValues, lmLayerSpecs, lmSpecs, lmWindowFloat, lmWindowRf8, mlpForwardJs, mlpLayerSpecs,
  mlpSpecs, newCounters, rf8MlpForward, withConstants, type LmConfig,
} from '../../src/nn/index.js';
import { lmForward } from '../../src/nn/lm.js';
import { loadMnist, loadBrownChars } from '../../src/io/datasets.js';
import { tf } from '../../src/nn/tf.js';

/** RNE of a double to an integer (exact for |v| < 2^52). */
function rneInt(v: number): bigint {
  const f = Math.floor(v);
  const d = v - f;
  const n = d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return BigInt(n);
}

/** Independent exact evaluation of one layer on one input (no src/arith code). */
function exactLayer(spec: LayerSpec, x: Uint8Array, xScale: number): { out: number[] } {
  const wf = getFormat(spec.wFormat);
  const xf = getFormat(spec.xFormat);
  const out: number[] = [];
  for (let r = 0; r < spec.rows; r++) {
    const T = wf.tmin + xf.tmin + spec.wScales[r]! + xScale;
    // bias: RNE of b / 2^T into integer units (the spec's rounding when loading the accumulator)
    let A = spec.bias ? rneInt(spec.bias[r]! * 2 ** -T) : 0n;
    for (let j = 0; j < spec.cols; j++) {
      const p = decodeValue(wf, spec.wCodes[r * spec.cols + j]!) * decodeValue(xf, x[j]!); // exact: short significands
      A += BigInt(p * 2 ** -(wf.tmin + xf.tmin)); // an integer in accumulator units
    }
    const exact = Number(A) * 2 ** T; // exact: |A| < 2^53 here
    if (spec.out.kind === 'f32') out.push(f32Bits(exact));
    else out.push(encode(spec.out.format, spec.out.relu && exact < 0 ? 0 : exact, { scale: spec.out.scale }));
  }
  return { out };
}

describe('MLP RF8 inference', async () => {
  await initTf();
  const data = loadMnist();
  const sizes = [784, 64, 32, 10];
  const specs = mlpSpecs(sizes);
  const values = initValues(specs, { dist: 'gg', beta0: 1.2 }, new Rng(11));
  for (const [k, v] of values) if (k.endsWith('bias')) for (let i = 0; i < v.length; i++) v[i] = Math.fround(0.05 * Math.sin(i + k.length));
  const pack = buildRf8Mlp(sizes, specs, values, { x: data.train.x, n: 100 });
  const m = mlpLayerSpecs(sizes, values, pack);

  it('hidden layers output RF8 with fused ReLU, the last binary32; W never clamps', () => {
    expect(m.layers.map((l) => l.out.kind)).toEqual(['rf8', 'rf8', 'f32']);
    expect(m.layers[0]!.out.kind === 'rf8' && m.layers[0]!.out.relu).toBe(true);
    const e = evalRf8Mlp(m, data.test, { limit: 100 });
    expect(e.counters.ovf).toBe(0);
    expect(e.counters.nan).toBe(0);
    expect(e.counters.macs).toBe(100 * (784 * 64 + 64 * 32 + 32 * 10));
  });

  it('every layer equals the independent exact computation, bit for bit', () => {
    for (let i = 0; i < 6; i++) {
      let x = encodeInput(m, data.test.x.subarray(i * 784, (i + 1) * 784));
      for (let l = 0; l < m.layers.length; l++) {
        const spec = m.layers[l]!;
        const r = layerForward(spec, x, m.inputs[l]!.scale);
        const ex = exactLayer(spec, x, m.inputs[l]!.scale);
        const got = spec.out.kind === 'f32' ? Array.from(r.out as Float32Array, (v) => f32Bits(v)) : Array.from(r.out);
        expect(got).toEqual(ex.out);
        if (spec.out.kind === 'rf8') x = r.out as Uint8Array;
      }
    }
  });

  it('the hardware export replays to the same logits bits', () => {
    const ex = exportRf8Mlp(m, data.test, 8);
    expect(ex.inputCodes).toHaveLength(8);
    for (let i = 0; i < 8; i++) {
      let codes = ex.inputCodes[i]!;
      let logits: Float32Array | undefined;
      ex.layers.forEach((spec, l) => {
        const r = layerForward(spec, codes, ex.inputs[l]!.scale);
        if (spec.out.kind === 'rf8') codes = r.out as Uint8Array;
        else logits = r.out as Float32Array;
      });
      const direct = rf8MlpForward(m, data.test.x.subarray(i * 784, (i + 1) * 784));
      expect(Buffer.from(logits!.buffer).equals(Buffer.from(direct.buffer))).toBe(true);
      expect(ex.labels[i]).toBe(data.test.y[i]);
    }
  });

  it('RF8 logits stay close to the float logits', () => {
    let maxErr = 0;
    let maxMag = 0;
    for (let i = 0; i < 20; i++) {
      const x = data.test.x.subarray(i * 784, (i + 1) * 784);
      const f = mlpForwardJs(sizes, values, x).logits;
      const q = rf8MlpForward(m, x);
      for (let k = 0; k < 10; k++) {
        maxErr = Math.max(maxErr, Math.abs(f[k]! - q[k]!));
        maxMag = Math.max(maxMag, Math.abs(f[k]!));
      }
    }
    expect(maxErr / maxMag).toBeLessThan(0.05);
  });
});

describe('LM RF8 inference', async () => {
  await initTf();
  const corpus = loadBrownChars();
  const cfg: LmConfig = { vocab: corpus.vocab.length, ctx: 16, d: 32, heads: 2, layers: 1, evalWindows: 4 };
  const specs = lmSpecs(cfg);
  const values = initValues(specs, { dist: 'gaussian', beta0: 2 }, new Rng(2));
  const r = new Rng(3);
  for (const s of specs) if (s.role !== 'weight' && s.role !== 'embedding') for (const [i, v] of values.get(s.name)!.entries()) values.get(s.name)![i] = Math.fround(v + 0.1 * r.normal());
  const tokens = corpus.test.subarray(500, 516);

  it('the JS float path equals the tfjs model', () => {
    const js = lmWindowFloat(cfg, values, tokens);
    const t = withConstants(specs, values, (get) => tf.tidy(() => lmForward(cfg, get, tf.tensor2d(Int32Array.from(tokens), [1, 16], 'int32')).dataSync() as Float32Array));
    for (let i = 0; i < js.length; i++) expect(Math.abs(js[i]! - t[i]!)).toBeLessThan(1e-5);
  });

  it('every product runs through layerForward, exactly; RF8 logits track float', () => {
    const pack = buildRf8Lm(cfg, specs, values, [corpus.train.subarray(0, 16), corpus.train.subarray(1000, 1016)]);
    const m = lmLayerSpecs(cfg, values, pack);
    const c = newCounters();
    const q = lmWindowRf8(m, values, tokens, c);
    // 4 linear layers + head per token, plus per head and position one q.k and one p.v product
    expect(c.calls).toBe(16 * 5 + 2 * 16 * 2);
    expect(c.ovf).toBe(0);
    expect(c.nan).toBe(0);
    const f = lmWindowFloat(cfg, values, tokens);
    let e = 0;
    let s = 0;
    for (let i = 0; i < f.length; i++) {
      e += (f[i]! - q[i]!) ** 2;
      s += f[i]! ** 2;
    }
    expect(Math.sqrt(e / s)).toBeLessThan(0.1);
    // a linear layer of the pack against the independent exact computation on random codes
    const spec = m.layers['h0.mlp.proj']!;
    const rng = new Rng(4);
    for (let k = 0; k < 3; k++) {
      const x = new Uint8Array(spec.cols);
      for (let i = 0; i < x.length; i++) x[i] = rng.int(256) === 0x80 ? 0 : rng.int(256) & 0xbf; // no NaN, moderate magnitudes
      for (let i = 0; i < x.length; i++) if (x[i] === 0x80) x[i] = 0;
      const got = Array.from(layerForward(spec, x, -3).out as Float32Array, (v) => f32Bits(v));
      expect(got).toEqual(exactLayer(spec, x, -3).out);
    }
  });
});
