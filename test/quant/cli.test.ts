import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rf8, rf8Async } from '../helpers/cli.js';
import { writeNpy, encodeNpy } from '../../src/io/npy.js';
import { openRf8 } from '../../src/io/rf8file.js';
import { sampleGG } from '../../src/gg/index.js';
import { quantizeTensor, dequantizeTensor } from '../../src/quant/index.js';
import { Rng } from '../../src/util/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'rf8-gg-cli-'));
const p = (name: string): string => join(dir, name);

// inputs
const w = Float32Array.from(sampleGG(new Rng(1), 0.02, 0.7, 64 * 300));
writeNpy(p('w.npy'), w, [64, 300]);
writeNpy(p('w64.npy'), sampleGG(new Rng(2), 0.5, 1.6, 20000), [20000]);
writeFileSync(p('w.f32'), new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
// bad inputs
const [head, body] = encodeNpy(w, [64, 300]);
writeFileSync(p('truncated.npy'), Buffer.concat([head, body.subarray(0, body.length - 10)]));
writeNpy(p('int32.npy'), Int32Array.from([1, 2, 3]), [3]);
writeNpy(p('nan.npy'), new Float32Array([NaN, NaN, Infinity]), [3]);
writeNpy(p('empty.npy'), new Float32Array(0), [0]);
writeFileSync(p('empty.f32'), new Uint8Array(0));
writeFileSync(p('odd.f32'), new Uint8Array(7));

function oneLineError(r: { code: number; stderr: string; stdout: string }, file: string, re: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(re);
}

describe('rf8 fit', () => {
  it('fits .npy (float32, float64) and raw .f32; one JSON document', () => {
    const a = rf8(['fit', p('w.npy'), '--json']);
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout);
    expect(ja.tensors).toHaveLength(1);
    const t = ja.tensors[0];
    expect(t.shape).toEqual([64, 300]);
    expect(t.n).toBe(w.length);
    expect(Math.abs(t.mle.beta / 0.7 - 1)).toBeLessThan(0.05);
    expect(Math.abs(t.mle.alpha / 0.02 - 1)).toBeLessThan(0.08);
    expect(t.moments.beta).toBeGreaterThan(0.5);
    expect(t.ks).toBeLessThan(0.02);
    expect(t.best).toBe('gg');
    expect(t.aic.gg).toBeLessThan(t.aic.laplace);
    expect(t.lloydMaxDb).toBeGreaterThan(35);
    const b = JSON.parse(rf8(['fit', p('w64.npy'), '--json']).stdout);
    expect(Math.abs(b.tensors[0].mle.beta / 1.6 - 1)).toBeLessThan(0.05);
    const c = JSON.parse(rf8(['fit', p('w.f32'), '--json']).stdout);
    expect(c.tensors[0].mle.beta).toBe(t.mle.beta); // same float32 values
    const txt = rf8(['fit', p('w.npy')]);
    expect(txt.code).toBe(0);
    expect(txt.stdout).toMatch(/^tensor\s+n\s+beta/);
  });

  it('--plot writes an SVG (histogram + three densities)', () => {
    const r = rf8(['fit', p('w.npy'), '--plot', p('fit.svg'), '--json']);
    expect(r.code).toBe(0);
    JSON.parse(r.stdout);
    const svg = readFileSync(p('fit.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['GG fit', 'Gaussian', 'Laplace', 'density (log scale)']) expect(svg).toContain(label);
  });

  it('bad files exit 2 with a one-line reason naming the file', () => {
    oneLineError(rf8(['fit', p('truncated.npy')]), 'truncated.npy', /truncated/);
    oneLineError(rf8(['fit', p('int32.npy')]), 'int32.npy', /dtype '<i4' is not float32\/float64/);
    oneLineError(rf8(['fit', p('nan.npy')]), 'nan.npy', /no finite values/);
    oneLineError(rf8(['fit', p('empty.npy')]), 'empty.npy', /empty/);
    oneLineError(rf8(['fit', p('empty.f32')]), 'empty.f32', /empty/);
    oneLineError(rf8(['fit', p('odd.f32')]), 'odd.f32', /not a multiple of 4/);
    oneLineError(rf8(['fit', p('missing.npy')]), 'missing.npy', /no such file/);
    oneLineError(rf8(['quantize', p('nan.npy'), '--out', p('x.safetensors')]), 'nan.npy', /no finite values/);
    oneLineError(rf8(['quantize', p('truncated.npy'), '--out', p('x.safetensors')]), 'truncated.npy', /truncated/);
    expect(existsSync(p('x.safetensors'))).toBe(false);
  });
});

describe('rf8 quantize --format rf8 (the authors\' RF8)', () => {
  it('greedy (default) and nearest, per row: the file holds the codes, the reader decodes them; auto lists rf8 only when asked', () => {
    for (const rounding of [undefined, 'nearest'] as const) {
      const out = p(`r8-${rounding ?? 'greedy'}.safetensors`);
      const r = rf8(['quantize', p('w.npy'), '--format', 'rf8', '--scale-method', 'gg', '--per-row', ...(rounding ? ['--rounding', rounding] : []), '--out', out, '--json']);
      expect(r.code).toBe(0);
      const t = JSON.parse(r.stdout).tensors[0];
      const q = quantizeTensor(w, [64, 300], { format: 'rf8', scaleMethod: 'gg', perRow: true, ...(rounding ? { rounding } : {}) });
      expect(t).toMatchObject({ format: 'rf8', rounding: rounding ?? 'greedy', scales: Array.from(q.scales) });
      expect(t.sqnrDb).toBeCloseTo(q.sqnrDb, 9);
      const z = openRf8(out);
      try {
        const t8 = z.read('w');
        expect(t8).toMatchObject({ format: 'rf8', granularity: 'row' });
        expect(Array.from(t8.codes)).toEqual(Array.from(q.codes));
        expect(t8.meta.rounding).toBe(rounding ?? 'greedy');
        expect(z.decode('w')).toEqual(dequantizeTensor(q));
      } finally {
        z.close();
      }
    }
    const a = JSON.parse(rf8(['quantize', p('w.npy'), '--modes', 'gg-modes,rf8', '--out', p('r8-auto.safetensors'), '--json']).stdout).tensors[0];
    expect(Object.keys(a.criterion).sort()).toEqual(['rf8', 'rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3']);
    const b = JSON.parse(rf8(['quantize', p('w.npy'), '--out', p('r8-auto2.safetensors'), '--json']).stdout).tensors[0];
    expect(Object.keys(b.criterion).sort()).toEqual(['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3']);
  });
});

describe('rf8 quantize', () => {
  it('writes codes and scales to RF8 safetensors and reports SQNR, bound and bits/weight', () => {
    const r = rf8(['quantize', p('w.npy'), '--format', 'auto', '--scale-method', 'gg', '--per-row', '--out', p('q.safetensors'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const t = j.tensors[0];
    const q = quantizeTensor(w, [64, 300], { format: 'auto', scaleMethod: 'gg', perRow: true });
    expect(t.format).toBe(q.format);
    expect(t.scales).toEqual(Array.from(q.scales));
    expect(t.sqnrDb).toBeCloseTo(q.sqnrDb, 9);
    expect(t.boundDb).toBeGreaterThan(t.sqnrDb);
    expect(t.boundDb - t.sqnrDb).toBeLessThan(6);
    expect(t.bits.entropy).toBeLessThan(8);
    expect(t.bits.huffman).toBeGreaterThanOrEqual(t.bits.entropy);
    const z = openRf8(p('q.safetensors'));
    try {
      const t8 = z.read('w');
      expect(Array.from(t8.codes)).toEqual(Array.from(q.codes));
      expect(Array.from(t8.scales)).toEqual(Array.from(q.scales));
      expect(t8).toMatchObject({ name: 'w', format: q.format, shape: [64, 300], granularity: 'row' });
      expect(z.metadata['rf8.scale_method']).toBe('gg');
      expect(z.decode('w')).toEqual(dequantizeTensor(q));
    } finally {
      z.close();
    }
  });

  it('fixed formats and every scale method; bad options exit 2', () => {
    for (const m of ['amax', 'mse', 'gg']) {
      const r = rf8(['quantize', p('w64.npy'), '--format', 'int8', '--scale-method', m, '--out', p(`i-${m}.safetensors`), '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).tensors[0].format).toBe('int8');
    }
    expect(rf8(['quantize', p('w.npy'), '--format', 'fp9', '--out', p('y.safetensors')]).code).toBe(2);
    oneLineError(rf8(['quantize', p('w.npy'), '--format', 'rf8', '--rounding', 'rne', '--out', p('y.safetensors')]), 'rf8', /--rounding rne is not available for rf8 \(greedy, nearest\)/);
    oneLineError(rf8(['quantize', p('w.npy'), '--format', 'rf8-e3m4', '--modes', 'gg-modes,rf8', '--out', p('y.safetensors')]), '--modes', /not of --format rf8-e3m4/);
    expect(existsSync(p('y.safetensors'))).toBe(false);
    expect(rf8(['quantize', p('w.npy'), '--out', p('y.bin')]).code).toBe(2);
    expect(rf8(['quantize', p('w.npy'), '--tensor', 'nope', '--out', p('y.safetensors')]).code).toBe(2);
  });
});

describe('rf8 sweep', () => {
  it('JSON with every format and method, the bound, and a plot', async () => {
    // async: the longest run of this file (a long synchronous spawn stalls the vitest worker's RPC)
    const r = await rf8Async(['sweep', '--beta', '0.5,2', '--n', '20000', '--json', '--plot', p('sweep.svg')]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.rows.map((x: { beta: number }) => x.beta)).toEqual([0.5, 2]);
    for (const row of j.rows) {
      expect(Object.keys(row.formats).sort()).toEqual(['int8', 'ocp-e4m3', 'ocp-e5m2', 'rf8', 'rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3']);
      expect(Object.keys(row.variants)).toEqual(['rf8:nearest']);
      expect(row.lloydMaxDb).toBeGreaterThan(row.formats['rf8-e3m4'].best.sqnrDb);
      expect(Object.keys(row.auto).sort()).toEqual(['amax', 'gg', 'mse']);
    }
    const svg = readFileSync(p('sweep.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Lloyd-Max bound');
    const txt = rf8(['sweep', '--beta', '1', '--n', '5000', '--formats', 'rf8-e3m4,int8']);
    expect(txt.code).toBe(0);
    expect(txt.stdout).toMatch(/beta\s+INT8\s+GG e3m4/);
    const r8 = rf8(['sweep', '--beta', '1', '--n', '3000', '--formats', 'rf8,rf8-e3m4']);
    expect(r8.code).toBe(0);
    expect(r8.stdout).toMatch(/beta\s+GG e3m4\s+rf8 greedy\s+rf8 nearest\s+auto \(gg\)\s+Lloyd-Max/);
    expect(rf8(['sweep', '--beta', '1', '--roundings', 'rne,sr']).code).toBe(2);
    expect(rf8(['sweep', '--beta', '0']).code).toBe(2);
    expect(rf8(['sweep', '--beta', 'x']).code).toBe(2);
  });
});
