/**
 * Inference with the authors' RF8 weights (`rf8`, docs/rf8-spec.md section 8) through the
 * bit-exact layer reference, against a direct per-element computation written here: the spec's
 * code table decodes every weight, the weights must be the authors' greedy (or nearest) values
 * of the float weights at their row scales, the products and the sum are exact BigInts, the bias
 * is rounded (RNE) into accumulator units, and the outputs are the binary32 of the exact sum
 * (last layer) or its greedy / nearest rf8 (hidden layers, fused ReLU), or the e3m4 code.
 */
import { describe, expect, it } from 'vitest';
import { decodeValue, encode } from '../../src/format/index.js';
import { Rng } from '../../src/util/rng.js';
import { RHO_K, modelGreedyValue, modelValue } from '../format/rf8-model.js';
import { buildRf8Mlp, encodeInput, initValues, mlpLayerSpecs, mlpSpecs, newCounters, rf8MlpForward } from '../../src/nn/index.js';
import { layerForward, type LayerSpec } from '../../src/arith/index.js';

const K_ROW = RHO_K;
/** Spec 8.2: the value of an rf8 code at scale X (the spec model of test/format/rf8-model.ts). */
const rf8Value = modelValue;
/** Power of the LSB of k (spec: rf8 -11 (8.2), e3m4 1 - 1 - 4 (section 1), int8 0). */
const TMIN: Record<string, number> = { rf8: -11, 'rf8-e3m4': -4, int8: 0 };
/** The value of an activation code (e3m4 / int8 through the production decoder, rf8 through the spec table). */
const actValue = (f: string, c: number, X: number): number => (f === 'rf8' ? rf8Value(c, X) : decodeValue(f as never, c, X));

/** The authors' greedy magnitude of y (scale 0), spec 8.3 step 2. */
const greedy = modelGreedyValue;
const VALUES = [...new Set([0, ...Array.from({ length: 120 }, (_, i) => K_ROW[i % 8]! * 2 ** (1 + Math.floor(i / 8) - 12))])].sort((a, b) => a - b);
function nearest(y: number): number {
  let best = 0;
  for (const v of VALUES) if (Math.abs(y - v) < Math.abs(y - best)) best = v;
  return best;
}

/** RNE of a double to an integer. */
function rneInt(v: number): bigint {
  const f = Math.floor(v);
  const d = v - f;
  return BigInt(d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f);
}

/** A direct per-element computation of one layer: output values (binary32 or the decoded output code's value). */
function directLayer(spec: LayerSpec, x: Uint8Array, xScale: number, rounding: 'greedy' | 'nearest'): number[] {
  const out: number[] = [];
  for (let r = 0; r < spec.rows; r++) {
    const T = TMIN[spec.wFormat]! + TMIN[spec.xFormat]! + spec.wScales[r]! + xScale;
    let A = spec.bias ? rneInt(spec.bias[r]! * 2 ** -T) : 0n;
    for (let j = 0; j < spec.cols; j++) {
      const p = rf8Value(spec.wCodes[r * spec.cols + j]!, spec.wScales[r]!) * actValue(spec.xFormat, x[j]!, xScale); // exact (short significands)
      A += BigInt(p * 2 ** -T); // an integer number of units 2^T
    }
    const v = Number(A) * 2 ** T; // exact here (|A| < 2^53)
    if (spec.out.kind === 'f32') out.push(Math.fround(v));
    else {
      const o = spec.out;
      const y = o.relu && v < 0 ? 0 : v;
      if (o.format === 'rf8') out.push(Math.sign(y) * (rounding === 'greedy' ? greedy : nearest)(Math.abs(y) * 2 ** -o.scale) * 2 ** o.scale);
      else out.push(decodeValue(o.format, encode(o.format, y, { scale: o.scale }), o.scale));
    }
  }
  return out;
}

describe('rf8 weights through the layer reference', () => {
  const sizes = [24, 12, 6, 4];
  const specs = mlpSpecs(sizes);
  const values = initValues(specs, { dist: 'gg', beta0: 1 }, new Rng(21));
  for (const [k, v] of values) if (k.endsWith('bias')) for (let i = 0; i < v.length; i++) v[i] = Math.fround(0.03 * Math.cos(3 * i + k.length));
  const rng = new Rng(4);
  const calib = { x: Float32Array.from({ length: 40 * sizes[0]! }, () => rng.float()), n: 40 };
  const inputs = Array.from({ length: 5 }, () => Float32Array.from({ length: sizes[0]! }, () => rng.float() * 1.5));

  for (const [aFormat, wRounding, aRounding] of [
    ['rf8-e3m4', 'greedy', 'greedy'],
    ['int8', 'nearest', 'greedy'],
    ['rf8', 'greedy', 'greedy'],
    ['rf8', 'nearest', 'nearest'],
  ] as const) {
    it(`rf8 (${wRounding}) weights x ${aFormat}${aFormat === 'rf8' ? ` (${aRounding})` : ''} activations: every layer, every output equals the direct computation`, () => {
      const pack = buildRf8Mlp(sizes, specs, values, calib, {
        wFormat: 'rf8',
        aFormat,
        ...(wRounding === 'nearest' ? { wRounding } : {}),
        ...(aFormat === 'rf8' && aRounding === 'nearest' ? { aRounding } : {}),
      });
      const m = mlpLayerSpecs(sizes, values, pack);
      expect(m.layers.map((l) => [l.wFormat, l.xFormat])).toEqual(m.layers.map(() => ['rf8', aFormat]));
      // the weights are the authors' greedy (or nearest) values of the float weights at the row scales
      m.layers.forEach((l, li) => {
        const w = values.get(`fc${li + 1}.weight`)!; // [in, out] row-major
        for (let r = 0; r < l.rows; r++)
          for (let j = 0; j < l.cols; j++) {
            const wv = w[j * l.rows + r]!;
            const X = l.wScales[r]!;
            const want = Math.sign(wv) * (wRounding === 'greedy' ? greedy : nearest)(Math.abs(wv) * 2 ** -X) * 2 ** X;
            expect(rf8Value(l.wCodes[r * l.cols + j]!, X)).toBe(want);
          }
      });
      const c = newCounters();
      for (const x of inputs) {
        const logits = rf8MlpForward(m, x, c);
        // layer by layer: the reference's outputs (decoded) equal the direct computation on the same inputs
        let codes = encodeInput(m, x);
        m.layers.forEach((l, li) => {
          const want = directLayer(l, codes, m.inputs[li]!.scale, aRounding);
          const r = layerForward(l, codes, m.inputs[li]!.scale);
          if (l.out.kind === 'f32') {
            expect(Array.from(r.out)).toEqual(want);
            expect(Array.from(logits)).toEqual(want);
          } else {
            const o = l.out;
            expect(Array.from(r.out as Uint8Array, (k) => actValue(o.format, k, o.scale))).toEqual(want);
            codes = r.out as Uint8Array;
          }
        });
      }
      expect(c.ovf).toBe(0);
      expect(c.nan).toBe(0);
      expect(c.calls).toBe(inputs.length * 3);
    });
  }
});
