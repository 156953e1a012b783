/**
 * Acceptance: float weights -> quantize -> RF8 safetensors -> decode equals the reference
 * dequantization (src/quant dequantizeTensor of quantizeTensor on the original data) bit for
 * bit; from safetensors (F32, F16, BF16, F64 sources) and from .npy.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Rng } from '../../src/util/rng.js';
import { InputError } from '../../src/util/errors.js';
import { bf16Bits, f16Bits, FORMAT_NAMES, SPEC_VERSION, decodeArray, type FormatName } from '../../src/format/index.js';
import { quantizeTensor, dequantizeTensor, type ScaleMethod } from '../../src/quant/index.js';
import {
  openRf8, openWeights, quantizeWeightsFile, writeNpy, writeSafetensors, writeRf8Safetensors, decodeRf8, Rf8SafetensorsWriter, type TensorInfo,
} from '../../src/io/index.js';
import { tempDir } from './helpers.js';

/** GG-like samples: sign * |N|^p scaled, so the shapes are peaky/heavy-tailed. */
function ggLike(rng: Rng, n: number, scale: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = rng.normal();
    a[i] = Math.sign(g) * Math.abs(g) ** 1.8 * scale;
  }
  return a;
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

const quantizer = (format: FormatName | 'auto', scaleMethod: ScaleMethod) => (info: TensorInfo, data: Float32Array | Float64Array, g: 'tensor' | 'row') => {
  const q = quantizeTensor(data, info.shape, { format, scaleMethod, perRow: g === 'row' });
  return { format: q.format, codes: q.codes, scales: q.scales, extra: { sqnr_db: Number(q.sqnrDb.toFixed(3)) } };
};

describe('round trip: float safetensors -> RF8 safetensors -> decode', () => {
  const rng = new Rng(2024);
  const w1 = Float32Array.from(ggLike(rng, 64 * 48, 0.02));
  const w2 = Float32Array.from(ggLike(rng, 32 * 3 * 3 * 4, 0.3));
  const bias = Float32Array.from(ggLike(rng, 64, 0.01));
  const h16 = Uint16Array.from(ggLike(rng, 16 * 24, 0.05), (x) => f16Bits(x));
  const b16 = Uint16Array.from(ggLike(rng, 24 * 16, 0.05), (x) => bf16Bits(x));
  const w64 = ggLike(rng, 10 * 20, 1.5);

  for (const [format, method] of [['auto', 'gg'], ['rf8-e3m4', 'mse'], ['rf8-e2m5', 'amax'], ['ocp-e4m3', 'mse'], ['int8', 'amax']] as const) {
    it(`${format} / ${method}: decode equals dequantizeTensor bit for bit`, () => {
      const { dir, cleanup } = tempDir();
      try {
        const src = join(dir, 'model.safetensors');
        writeSafetensors(src, [
          { name: 'layer1.weight', dtype: 'F32', shape: [64, 48], data: w1 },
          { name: 'conv.weight', dtype: 'F32', shape: [32, 3, 3, 4], data: w2 },
          { name: 'layer1.bias', dtype: 'F32', shape: [64], data: bias },
          { name: 'h.weight', dtype: 'F16', shape: [16, 24], data: h16 },
          { name: 'b.weight', dtype: 'BF16', shape: [24, 16], data: b16 },
          { name: 'd.weight', dtype: 'F64', shape: [10, 20], data: w64 },
        ]);
        const out = join(dir, 'model.rf8.safetensors');
        const sum = quantizeWeightsFile({ input: src, output: out, quantize: quantizer(format, method) });
        expect(sum).toMatchObject({ quantized: 5, kept: 1, skipped: 0 });
        const rf = openRf8(out);
        expect(rf.metadata['rf8.layout']).toBe('1');
        expect(rf.metadata['rf8.spec']).toBe(SPEC_VERSION);
        expect(rf.rf8.map((t) => t.name).sort()).toEqual(['b.weight', 'conv.weight', 'd.weight', 'h.weight', 'layer1.weight']);
        expect(rf.floats.map((t) => t.name)).toEqual(['layer1.bias']);
        expect(bitsEqual(rf.readFloat('layer1.bias'), bias)).toBe(true);
        const input = openWeights(src);
        for (const t of rf.rf8) {
          // what the quantizer saw: float64 for the F64 source, float32 for the rest
          const data = t.name === 'd.weight' ? input.readTensorF64(t.name) : input.readTensor(t.name);
          const q = quantizeTensor(data, t.shape, { format, scaleMethod: method, perRow: true });
          const ref = dequantizeTensor(q);
          const got = rf.decode(t.name);
          expect(t.format).toBe(q.format);
          expect(t.granularity).toBe('row');
          expect(t.meta.source_dtype).toBe(input.tensorInfo(t.name).dtype);
          expect(typeof t.meta.sqnr_db).toBe('number');
          expect(bitsEqual(got, ref), t.name).toBe(true);
          const raw = rf.read(t.name);
          expect(Array.from(raw.scales)).toEqual(Array.from(q.scales));
          expect(Buffer.compare(Buffer.from(raw.codes), Buffer.from(q.codes))).toBe(0);
        }
        input.close();
        rf.close();
        // the file is a plain safetensors file: our generic reader lists its U8/I8 tensors
        const plain = openWeights(out);
        expect(plain.tensorInfo('layer1.weight')).toMatchObject({ dtype: 'U8', shape: [64, 48] });
        expect(plain.tensorInfo('layer1.weight.rf8_scale')).toMatchObject({ dtype: 'I8', shape: [64] });
        plain.close();
      } finally {
        cleanup();
      }
    });
  }

  it('per-tensor scales and every format decode like decodeArray', () => {
    const { dir, cleanup } = tempDir();
    try {
      const codes = new Uint8Array(256).map((_, i) => i);
      const p = join(dir, 'all.safetensors');
      writeRf8Safetensors(p, FORMAT_NAMES.map((f, k) => ({ name: `t.${f}`, shape: [256], granularity: 'tensor' as const, format: f, codes, scales: new Int8Array([k * 7 - 20]) })));
      const rf = openRf8(p);
      FORMAT_NAMES.forEach((f, k) => {
        const got = rf.decode(`t.${f}`);
        const ref = decodeArray(f, codes, k * 7 - 20);
        const same = got.every((v, i) => Object.is(v, ref[i]) || (Number.isNaN(v) && Number.isNaN(ref[i]!)));
        expect(same, f).toBe(true);
      });
      rf.close();
    } finally {
      cleanup();
    }
  });
});

describe('round trip through .npy', () => {
  it('.npy (f4, f8, f2) -> quantize -> RF8 safetensors -> decode equals the reference', () => {
    const { dir, cleanup } = tempDir();
    try {
      const rng = new Rng(77);
      const a = Float32Array.from(ggLike(rng, 40 * 30, 0.04));
      const d = ggLike(rng, 12 * 10, 2);
      const h = Uint16Array.from(ggLike(rng, 9 * 8, 0.1), (x) => f16Bits(x));
      writeNpy(join(dir, 'a.npy'), a, [40, 30]);
      writeNpy(join(dir, 'd.npy'), d, [12, 10]);
      writeNpy(join(dir, 'h.npy'), h, [9, 8], '<f2');
      for (const n of ['a', 'd', 'h']) {
        const input = join(dir, `${n}.npy`);
        const out = join(dir, `${n}.rf8.safetensors`);
        quantizeWeightsFile({ input, output: out, quantize: quantizer('auto', 'gg') });
        const src = openWeights(input);
        const info = src.listTensors()[0]!;
        const q = quantizeTensor(n === 'd' ? src.readTensorF64(info.name) : src.readTensor(info.name), info.shape, { format: 'auto', scaleMethod: 'gg', perRow: true });
        const rf = openRf8(out);
        expect(bitsEqual(rf.decode(n), dequantizeTensor(q))).toBe(true);
        // and the decoded weights written back out as .npy read identically
        writeNpy(join(dir, `${n}.dec.npy`), rf.decode(n), info.shape);
        expect(bitsEqual(openWeights(join(dir, `${n}.dec.npy`)).readTensor(`${n}.dec`), dequantizeTensor(q))).toBe(true);
        rf.close();
        src.close();
      }
    } finally {
      cleanup();
    }
  });
});

describe('RF8 writer and reader checks', () => {
  it('validates what it writes and what it reads', () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'x.safetensors');
      const w = new Rf8SafetensorsWriter(p, [{ name: 'w', shape: [2, 3], kind: 'rf8', granularity: 'row' }]);
      expect(() => w.writeRf8('w', { format: 'rf8-e9m9', codes: new Uint8Array(6), scales: new Int8Array(2) })).toThrow(/unknown format/);
      expect(() => w.writeRf8('w', { format: 'rf8-e3m4', codes: new Uint8Array(5), scales: new Int8Array(2) })).toThrow(/5 codes for 6/);
      expect(() => w.writeRf8('w', { format: 'rf8-e3m4', codes: new Uint8Array(6), scales: new Int8Array(1) })).toThrow(/granularity 'row' needs 2/);
      w.writeRf8('w', { format: 'rf8-e4m3', codes: new Uint8Array([1, 2, 3, 4, 5, 6]), scales: new Int8Array([0, -3]) });
      w.commit();
      const rf = openRf8(p);
      expect(Array.from(rf.decode('w'))).toEqual(Array.from(decodeRf8({ format: 'rf8-e4m3', codes: new Uint8Array([1, 2, 3, 4, 5, 6]), scales: new Int8Array([0, -3]), shape: [2, 3], granularity: 'row' })));
      rf.close();
      expect(() => new Rf8SafetensorsWriter(p, [{ name: 'w', shape: [2], kind: 'rf8', granularity: 'tensor' }, { name: 'w.rf8_scale', shape: [1], kind: 'float' }])).toThrow(/collides/);
      // A plain safetensors file is not an RF8 file; a tampered rf8: entry is refused by name.
      writeSafetensors(join(dir, 'plain.safetensors'), [{ name: 'w', dtype: 'F32', shape: [1], data: new Float32Array([1]) }]);
      expect(() => openRf8(join(dir, 'plain.safetensors'))).toThrow(InputError);
      const bytes = readFileSync(p).toString('latin1').replace('rf8-e4m3', 'rf8-e9m3');
      const tampered = join(dir, 'tampered.safetensors');
      writeFileSync(tampered, Buffer.from(bytes, 'latin1'));
      expect(() => openRf8(tampered)).toThrow(/tensor 'w'.*unknown format 'rf8-e9m3'/);
    } finally {
      cleanup();
    }
  });

  it('on a failing quantizer the output is not written and the previous one stays', () => {
    const { dir, cleanup } = tempDir();
    try {
      const src = join(dir, 'm.safetensors');
      writeSafetensors(src, [{ name: 'a', dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }, { name: 'b', dtype: 'F32', shape: [2, 2], data: new Float32Array(4) }]);
      const out = join(dir, 'o.safetensors');
      quantizeWeightsFile({ input: src, output: out, quantize: quantizer('rf8-e3m4', 'amax') });
      const before = readFileSync(out);
      expect(() =>
        quantizeWeightsFile({
          input: src, output: out,
          quantize: (info, data, g) => {
            if (info.name === 'b') throw new InputError('boom');
            return quantizer('rf8-e2m5', 'amax')(info, data, g);
          },
        }),
      ).toThrow(/boom/);
      expect(Buffer.compare(readFileSync(out), before)).toBe(0);
      expect(readdirSync(dir).filter((n: string) => n.endsWith('.tmp'))).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
