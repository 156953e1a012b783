/**
 * The reduced pipeline that CI runs: short trainings of the MLP (and a tiny LM), asserting the
 * invariants, not absolute accuracy: the loss decreases, the rate term lowers bits/param, RF8
 * inference equals the layer reference bit for bit, checkpoints round-trip, runs repeat.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layerForward } from '../../src/arith/index.js';
import {
  buildRf8Mlp, compressValues, defaultTrainConfig, evalRf8Mlp, exportRf8Mlp, loadCheckpoint, mlpLayerSpecs, rf8MlpForward, saveCheckpoint, train, withConstants,
  type TrainConfig, type TrainResult,
} from '../../src/nn/index.js';
import { buildPack, modelDescOf, rf8Eval, rf8MlpExportFromCheckpoint, type AnyTask } from '../../src/nn/evaluate.js';
import { mlpTask } from '../../src/nn/mlp.js';
import { lmTask } from '../../src/nn/lm.js';

const mean = (a: ArrayLike<number>, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s / (to - from);
};

describe('reduced MLP pipeline', async () => {
  const task = mlpTask();
  const base: TrainConfig = { ...defaultTrainConfig('mlp'), steps: 150, evalEvery: 0, warmup: 10 };
  const plain = await train({ ...base, lambda: 0 }, { task });
  const rated = await train({ ...base, lambda: 1, refitEvery: 25 }, { task });

  it('the loss decreases', () => {
    expect(mean(plain.losses, 120, 150)).toBeLessThan(0.5 * mean(plain.losses, 0, 30));
    expect(plain.log[0]!.step).toBe(0);
    expect(plain.final.test.n).toBe(1500);
  });

  it('the rate term lowers bits/param at the same quantization step', () => {
    expect(rated.laws.length).toBe(6); // re-estimated every 25 of 150 steps
    expect(rated.log.some((l) => l.rate > 0)).toBe(true);
    for (const step of [0.01, 0.03]) {
      const a = compressValues(task.specs, plain.values, step).result;
      const b = compressValues(task.specs, rated.values, step).result;
      expect(b.bitsPerParam).toBeLessThan(a.bitsPerParam);
      expect(b.zeroFrac).toBeGreaterThan(a.zeroFrac);
    }
  });

  it('RF8 inference equals the layer reference bit for bit, and tracks float accuracy', () => {
    const pack = buildRf8Mlp(task.cfg.sizes, task.specs, plain.values, { x: task.data.train.x, n: 100 });
    const m = mlpLayerSpecs(task.cfg.sizes, plain.values, pack);
    const ex = exportRf8Mlp(m, task.data.test, 20);
    for (let i = 0; i < 20; i++) {
      let codes = ex.inputCodes[i]!;
      let logits: Float32Array | undefined;
      ex.layers.forEach((spec, l) => {
        const r = layerForward(spec, codes, ex.inputs[l]!.scale);
        if (spec.out.kind === 'rf8') codes = r.out as Uint8Array;
        else logits = r.out as Float32Array;
      });
      const direct = rf8MlpForward(m, task.data.test.x.subarray(i * 784, (i + 1) * 784));
      expect(Buffer.from(direct.buffer).equals(Buffer.from(logits!.buffer))).toBe(true);
    }
    const e = evalRf8Mlp(m, task.data.test, { limit: 300 });
    const f = withConstants(task.specs, plain.values, (get) => task.evaluate(get, 'test', { limit: 300 }));
    expect(Math.abs(e.acc! - f.acc!)).toBeLessThan(0.02);
    expect(e.counters.ovf).toBe(0);
  });

  it('checkpoints round-trip (floats, RF8 codes, scales, activation quantizers)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf8-nn-ck-'));
    const pack = buildPack(task, plain.values, 50);
    saveCheckpoint(dir, { sidecar: { kind: 'rf8kit-run', version: 1, model: modelDescOf(task), train: plain.config, seed: 1, data: task.data.split, params: plain.params, metrics: { final: plain.final } }, values: plain.values, pack });
    const ck = loadCheckpoint(dir);
    for (const s of task.specs) expect(Buffer.from(ck.values.get(s.name)!.buffer).equals(Buffer.from(plain.values.get(s.name)!.buffer))).toBe(true);
    expect(ck.pack!.acts).toEqual(pack.acts);
    for (const [k, w] of Object.entries(pack.weights)) {
      const r = ck.pack!.weights[k]!;
      expect([r.format, r.rows, r.cols]).toEqual([w.format, w.rows, w.cols]);
      expect(Buffer.from(r.codes).equals(Buffer.from(w.codes))).toBe(true);
      expect(Array.from(r.scales)).toEqual(Array.from(w.scales));
    }
    const a = rf8Eval(task, plain.values, pack, 'test', 50);
    const b = rf8Eval(task as AnyTask, ck.values, ck.pack!, 'test', 50);
    expect(b.acc).toBe(a.acc);
    expect(b.loss).toBe(a.loss);
    const side = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(side.rf8.weights['fc1.weight'].format).toBe(pack.weights['fc1.weight']!.format);
    // the hardware path's export, straight from the checkpoint folder
    const hw = rf8MlpExportFromCheckpoint(dir, 5);
    const mem = exportRf8Mlp(mlpLayerSpecs(task.cfg.sizes, plain.values, pack), task.data.test, 5);
    expect(hw.layers.map((l) => [l.rows, l.cols, l.W, l.wFormat, l.xFormat])).toEqual(mem.layers.map((l) => [l.rows, l.cols, l.W, l.wFormat, l.xFormat]));
    expect(hw.inputCodes.map((c) => Buffer.from(c).toString('hex'))).toEqual(mem.inputCodes.map((c) => Buffer.from(c).toString('hex')));
    expect(hw.labels).toEqual(mem.labels);
  });

  it('the same seed gives the same weights; another seed does not', async () => {
    const a = await train({ ...base, steps: 15 }, { task });
    const b = await train({ ...base, steps: 15 }, { task });
    const c = await train({ ...base, steps: 15, seed: 2 }, { task });
    const w = (r: TrainResult) => Buffer.from(r.values.get('fc1.weight')!.buffer);
    expect(w(a).equals(w(b))).toBe(true);
    expect(w(a).equals(w(c))).toBe(false);
  });
});

describe('reduced char-LM pipeline', async () => {
  const task = lmTask({ d: 32, heads: 2, layers: 1, ctx: 32, evalWindows: 4 });
  const r = await train({ ...defaultTrainConfig('lm'), steps: 60, batch: 8, warmup: 5, evalEvery: 0, lm: task.cfg }, { task });

  it('the loss decreases', () => {
    expect(mean(r.losses, 50, 60)).toBeLessThan(mean(r.losses, 0, 5) - 0.5);
    expect(r.final.test.bpc).toBeCloseTo(r.final.test.loss / Math.LN2, 10);
  });

  it('RF8 bits per character within 10% of float on the same windows, no clamps', () => {
    const pack = buildPack(task, r.values, 2);
    const q = rf8Eval(task, r.values, pack, 'test', 2);
    const f = withConstants(task.specs, r.values, (get) => task.evaluate(get, 'test', { limit: 2 }));
    expect(q.n).toBe(f.n);
    expect(Math.abs(q.bpc! - f.bpc!) / f.bpc!).toBeLessThan(0.1);
    expect(q.counters.ovf).toBe(0);
  });
});
