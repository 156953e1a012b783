import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  charLmWorkload,
  mnistMlpWorkload,
  workloadFromWeights,
  readWeightMatrices,
  workloadRate,
  ridgeBandwidth,
  macsOf,
  weightsOf,
  DEFAULT_CHAR_LM,
  type Workload,
} from '../../src/estimate/index.js';
import { writeSafetensors } from '../../src/io/index.js';
import { lmSpecs, DEFAULT_LM } from '../../src/nn/lm.js';
import { mlpSpecs, DEFAULT_MLP } from '../../src/nn/mlp.js';
import { loadBrownChars } from '../../src/io/datasets.js';
import { Rng } from '../../src/util/rng.js';

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('workloads match the models of src/nn', () => {
  it('MNIST MLP: one weight per MAC, the shapes of DEFAULT_MLP', () => {
    const w = mnistMlpWorkload(DEFAULT_MLP.sizes);
    const specs = mlpSpecs(DEFAULT_MLP.sizes).filter((s) => s.role === 'weight');
    expect(weightsOf(w)).toBe(specs.reduce((s, p) => s + numel(p.shape), 0));
    expect(macsOf(w)).toBe(weightsOf(w));
    expect(w.ops.map((o) => [o.cols, o.rows])).toEqual(specs.map((p) => p.shape));
  });
  it('char-LM: the stated shapes are those of lmSpecs with the Brown vocabulary', () => {
    const vocab = loadBrownChars().vocab.length;
    expect(DEFAULT_CHAR_LM).toEqual({ vocab, ctx: DEFAULT_LM.ctx, d: DEFAULT_LM.d, layers: DEFAULT_LM.layers });
    const specs = lmSpecs({ ...DEFAULT_LM, vocab });
    const w = charLmWorkload();
    // weights streamed per token: every dense weight once, plus the tied head (the token embedding)
    const dense = specs.filter((s) => s.role === 'weight').reduce((s, p) => s + numel(p.shape), 0);
    const wte = specs.find((s) => s.name === 'wte')!;
    expect(weightsOf(w)).toBe(dense + numel(wte.shape));
    // attention MACs: scores + values over the average cached context, per block
    const tAvg = (DEFAULT_LM.ctx + 1) / 2;
    expect(macsOf(w) - weightsOf(w)).toBeCloseTo(DEFAULT_LM.layers * 2 * tAvg * DEFAULT_LM.d, 9);
  });
  it('a weight file: 2-D tensors become products, wte the tied head, wpe a lookup, h<l>. blocks get attention', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8est-model-'));
    const p = join(dir, 'lm.safetensors');
    const rng = new Rng(3);
    const t = (name: string, shape: number[]) => ({ name, dtype: 'F32' as const, shape, data: Float32Array.from({ length: numel(shape) }, () => rng.normal() * 0.1) });
    const codes = { name: 'rf8.h0.attn.qkv.weight', dtype: 'U8' as const, shape: [24, 8], data: new Uint8Array(192) };
    writeSafetensors(p, [t('wte', [11, 8]), t('wpe', [6, 8]), t('h0.attn.qkv.weight', [8, 24]), t('h0.mlp.fc.weight', [8, 32]), t('h0.ln1.g', [8]), t('h1.attn.qkv.weight', [8, 24]), codes]);
    const w = workloadFromWeights(p);
    expect(w.unit).toBe('token');
    expect(w.ops.map((o) => o.name)).toEqual(['h0.attn.qkv.weight', 'h0.mlp.fc.weight', 'h1.attn.qkv.weight', 'h0.attn.scores', 'h0.attn.values', 'h1.attn.scores', 'h1.attn.values', 'head (tied wte)']);
    expect(w.ops[0]).toMatchObject({ rows: 24, cols: 8, weights: 192 });
    expect(w.ops[3]).toMatchObject({ rows: 3.5, cols: 8, weights: 0, otherBytes: 28 });
    expect(w.ops[7]).toMatchObject({ rows: 11, cols: 8, weights: 88 });
    // matrices come back transposed to [out, in] rows
    const m = readWeightMatrices(p);
    expect(m.map((x) => [x.name, x.rows, x.cols])).toEqual([
      ['wte', 11, 8],
      ['h0.attn.qkv.weight', 24, 8],
      ['h0.mlp.fc.weight', 32, 8],
      ['h1.attn.qkv.weight', 24, 8],
    ]);
    const src = t('x', [8, 24]);
    writeSafetensors(join(dir, 'mlp.safetensors'), [{ ...src, name: 'fc1.weight' }]);
    const m2 = readWeightMatrices(join(dir, 'mlp.safetensors'))[0]!;
    expect(m2.data[5 * 8 + 3]).toBe(src.data[3 * 24 + 5]);
    expect(workloadFromWeights(join(dir, 'mlp.safetensors')).unit).toBe('inference');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('throughput model', () => {
  const w: Workload = { name: 't', unit: 'inference', source: 'test', ops: [{ name: 'a', rows: 10, cols: 100, weights: 1000, otherBytes: 0 }] };
  it('compute bound and memory bound by hand', () => {
    // N = 8: 10 rows x ceil(100/8) = 13 beats = 130 cycles + latency 5
    const c = workloadRate(w, { lanes: 8, fmaxMHz: 50, latency: 5 }, 16, 8);
    expect(c.computeCycles).toBe(135);
    expect(c.memoryCycles).toBe(1000 / 16);
    expect(c.cycles).toBe(135);
    expect(c.memoryBoundShare).toBe(0);
    expect(c.perSecond).toBe(50e6 / 135);
    expect(c.peakMacPerSecond).toBe(400e6);
    // 1 byte/cycle: 1000 cycles of weights
    const m = workloadRate(w, { lanes: 8, fmaxMHz: 50, latency: 5 }, 1, 8);
    expect(m.cycles).toBe(1000);
    expect(m.ops[0]!.bound).toBe('memory');
    // entropy coded at 6 bits/weight: 750 cycles
    expect(workloadRate(w, { lanes: 8, fmaxMHz: 50, latency: 5 }, 1, 6).cycles).toBe(750);
    expect(ridgeBandwidth(8, 8)).toBe(8);
  });
  it('properties: cycles >= both bounds, monotone in bandwidth, lanes and bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 512 }),
        fc.double({ min: 0.125, max: 64, noNaN: true }),
        fc.double({ min: 1, max: 8, noNaN: true }),
        (lanes, cols, rows, bw, bits) => {
          const wl: Workload = { name: 'p', unit: 'inference', source: 'p', ops: [{ name: 'x', rows, cols, weights: rows * cols, otherBytes: 0 }] };
          const e = { lanes, fmaxMHz: 40, latency: 5 };
          const r = workloadRate(wl, e, bw, bits);
          expect(r.cycles).toBeGreaterThanOrEqual(r.computeCycles);
          expect(r.cycles).toBeGreaterThanOrEqual(r.memoryCycles);
          expect(r.macPerSecond).toBeLessThanOrEqual(r.peakMacPerSecond * (1 + 1e-12));
          expect(workloadRate(wl, e, bw * 2, bits).cycles).toBeLessThanOrEqual(r.cycles);
          expect(workloadRate(wl, { ...e, lanes: Math.min(32, lanes * 2) }, bw, bits).cycles).toBeLessThanOrEqual(r.cycles);
          expect(workloadRate(wl, e, bw, 8).cycles).toBeGreaterThanOrEqual(r.cycles);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
  it('rejects nonsense', () => {
    expect(() => workloadRate(w, { lanes: 1, fmaxMHz: 10, latency: 0 }, 0, 8)).toThrow(RangeError);
    expect(() => workloadRate(w, { lanes: 1, fmaxMHz: 10, latency: 0 }, 1, 0)).toThrow(RangeError);
    expect(() => workloadRate(w, { lanes: 0, fmaxMHz: 10, latency: 0 }, 1, 8)).toThrow(RangeError);
  });
});
