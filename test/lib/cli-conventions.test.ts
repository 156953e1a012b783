/**
 * Issue 16, standard CLI parsing: `--` ends options, negative numbers in any notation and
 * nan / inf are values, the results match the library, and `--in` reads files by content.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, encodeArray, encodeNpy, writeSafetensors } from '../../src/index.js';
import { rf8 } from '../helpers/cli.js';

describe('values that look like options', () => {
  it('rf8 encode --format ocp-e4m3 --json -- -inf -1e-9 nan 0.5 matches the library', () => {
    const r = rf8(['encode', '--format', 'ocp-e4m3', '--json', '--', '-inf', '-1e-9', 'nan', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    const codes = JSON.parse(r.stdout).results.map((x: { code: number }) => x.code);
    expect(codes).toEqual([-Infinity, -1e-9, NaN, 0.5].map((x) => encode('ocp-e4m3', x)));
  });
  it('negative numbers in any notation without --, also as option values', () => {
    const vals = ['-1e-9', '-1e400', '-inf', '-Infinity', '-.5', '-0x10', '-0x1.8p-3', '1e400', '-nan'];
    const r = rf8(['encode', '--json', '--scale', '-3', ...vals]);
    expect(r.code, r.stderr).toBe(0);
    const want = [-1e-9, -Infinity, -Infinity, -Infinity, -0.5, -16, -0.1875, Infinity, NaN].map((x) => encode('rf8-e3m4', x, { scale: -3 }));
    expect(JSON.parse(r.stdout).results.map((x: { code: number }) => x.code)).toEqual(want);
    expect(JSON.parse(r.stdout).options.scale).toBe(-3);
  });
  it('after -- a token is a value even when it names an option', () => {
    const r = rf8(['decode', '--json', '--', '0x10']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).results[0].code).toBe(16);
  });
});

describe('--in is read by content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rf8-in-'));
  const x = new Float32Array([0.1, -2.5, 3e-3, 100, -0]);
  it('a .npy, a one-tensor .safetensors and a raw .f32 give the same codes as encodeArray', () => {
    writeFileSync(join(dir, 'x.npy'), Buffer.concat(encodeNpy(x, [5])));
    writeSafetensors(join(dir, 'x.safetensors'), [{ name: 'w', dtype: 'F32', shape: [5], data: x }]);
    writeFileSync(join(dir, 'x.f32'), Buffer.from(x.buffer));
    const want = Buffer.from(encodeArray('rf8-e2m5', x));
    for (const f of ['x.npy', 'x.safetensors', 'x.f32']) {
      const out = join(dir, f + '.rf8');
      const r = rf8(['encode', '-f', 'rf8-e2m5', '--in', join(dir, f), '--out', out]);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      expect(Buffer.compare(readFileSync(out), want), f).toBe(0);
    }
  });
  it('a weight file with several tensors is an error naming the count', () => {
    writeSafetensors(join(dir, 'two.safetensors'), [
      { name: 'a', dtype: 'F32', shape: [1], data: new Float32Array(1) },
      { name: 'b', dtype: 'F32', shape: [1], data: new Float32Array(1) },
    ]);
    const r = rf8(['encode', '--in', join(dir, 'two.safetensors'), '--out', join(dir, 'o.rf8')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/two\.safetensors: --in: holds 2 readable tensors/);
  });
});
