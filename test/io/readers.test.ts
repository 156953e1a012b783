import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { fromBf16Bits, fromF16Bits } from '../../src/format/index.js';
import {
  openWeights, memoryFs, forEachTensor, writeSafetensors, writeNpy, writeNpz, encodeNpy, parsePyLiteral, f16ToF32Table,
  detectFormat, SafetensorsWriter, openNpz,
} from '../../src/io/index.js';
import { bytesOf, ggufBytes, npzBytes, randomF32, safetensorsBytes, tempDir, toBigEndian, zipBytes } from './helpers.js';

function expectInputError(fn: () => unknown, ...parts: (string | RegExp)[]): InputError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an InputError').toBeInstanceOf(InputError);
  for (const p of parts) expect((err as Error).message).toMatch(p);
  return err as InputError;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

const mem = (files: Record<string, Uint8Array>) => memoryFs(files);

describe('f16 table', () => {
  it('matches the format module and tfjs-core float16 decoding for all 65536 patterns', async () => {
    const t = f16ToF32Table();
    for (let h = 0; h < 65536; h++) {
      const ref = fromF16Bits(h);
      if (Number.isNaN(ref)) expect(Number.isNaN(t[h]!)).toBe(true);
      else expect(Object.is(t[h], ref)).toBe(true);
    }
    await tf.setBackend('cpu');
    const all = new Uint16Array(65536).map((_, i) => i);
    const dec = tf.io.decodeWeights(all.buffer, [{ name: 'h', shape: [65536], dtype: 'float32', quantization: { dtype: 'float16' } }]);
    const viaTf = dec.h!.dataSync() as Float32Array;
    expect(sameBits(viaTf, t)).toBe(true);
    dec.h!.dispose();
  });
});

describe('safetensors', () => {
  const rng = new Rng(11);
  const f32 = randomF32(rng, 24);
  const f64 = new Float64Array(10).map(() => rng.normal() * Math.PI);
  const f16 = new Uint16Array(65536).map((_, i) => i);
  const bf16 = new Uint16Array(4096).map(() => rng.u32() & 0xffff);
  const u8 = new Uint8Array(256).map((_, i) => i);
  const i8 = new Int8Array(256).map((_, i) => i - 128);
  const bytes = safetensorsBytes(
    [
      { name: 'a.f32', dtype: 'F32', shape: [4, 6], data: f32 },
      { name: 'b.f64', dtype: 'F64', shape: [10], data: f64 },
      { name: 'c.f16', dtype: 'F16', shape: [256, 256], data: f16 },
      { name: 'd.bf16', dtype: 'BF16', shape: [64, 64], data: bf16 },
      { name: 'e.u8', dtype: 'U8', shape: [256], data: u8 },
      { name: 'f.i8', dtype: 'I8', shape: [2, 128], data: i8 },
      { name: '__proto__', dtype: 'F32', shape: [], data: new Float32Array([7]) },
    ],
    { note: 'hi', __proto__: 'x' } as Record<string, string>,
  );
  const fs = mem({ '/m.safetensors': bytes });

  it('reads every dtype exactly', () => {
    const s = openWeights('/m.safetensors', { fs });
    expect(s.format).toBe('safetensors');
    expect(s.metadata.note).toBe('hi');
    const names = s.listTensors().map((t) => t.name);
    expect(names).toEqual(['a.f32', 'b.f64', 'c.f16', 'd.bf16', 'e.u8', 'f.i8', '__proto__']);
    expect(s.tensorInfo('a.f32')).toMatchObject({ dtype: 'F32', shape: [4, 6], numel: 24, byteSize: 96, supported: true });
    expect(sameBits(s.readTensor('a.f32'), f32)).toBe(true);
    expect(Array.from(s.readTensorF64('b.f64'))).toEqual(Array.from(f64));
    expect(Array.from(s.readTensor('b.f64'))).toEqual(Array.from(f64, Math.fround));
    const h = s.readTensor('c.f16');
    for (let i = 0; i < 65536; i++) {
      const ref = fromF16Bits(i);
      expect(Number.isNaN(ref) ? Number.isNaN(h[i]!) : Object.is(h[i], ref)).toBe(true);
    }
    const b = s.readTensor('d.bf16');
    for (let i = 0; i < bf16.length; i++) {
      const ref = fromBf16Bits(bf16[i]!);
      expect(Number.isNaN(ref) ? Number.isNaN(b[i]!) : Object.is(b[i], ref)).toBe(true);
    }
    expect(Array.from(s.readTensor('e.u8'))).toEqual(Array.from(u8));
    expect(Array.from(s.readTensorF64('f.i8'))).toEqual(Array.from(i8));
    expect(Array.from(s.readTensor('__proto__'))).toEqual([7]);
    const out = new Float32Array(24);
    s.readTensorInto('a.f32', out);
    expect(sameBits(out, f32)).toBe(true);
    expectInputError(() => s.readTensorInto('a.f32', new Float32Array(5)), /output array has 5/);
    expectInputError(() => s.readTensor('nope'), /no tensor named 'nope'/, /m\.safetensors/);
    s.close();
    expectInputError(() => s.readTensor('a.f32'), /closed/);
  });

  it('lists other dtypes as unsupported and refuses to read them', () => {
    const hdr = JSON.stringify({ x: { dtype: 'I64', shape: [2], data_offsets: [0, 16] }, y: { dtype: 'F4', shape: [4], data_offsets: [16, 18] } });
    const h = Buffer.from(hdr);
    const file = Buffer.concat([Buffer.alloc(8), h, Buffer.alloc(18)]);
    file.writeBigUInt64LE(BigInt(h.length), 0);
    const s = openWeights('/u.safetensors', { fs: mem({ '/u.safetensors': file }) });
    const [x, y] = s.listTensors();
    expect(x).toMatchObject({ supported: false, dtype: 'I64' });
    expect(y).toMatchObject({ supported: false, reason: 'unknown dtype F4' });
    expectInputError(() => s.readTensor('x'), /tensor 'x'/, /I64/);
  });

  function craft(header: string | Uint8Array, dataBytes: number, lenOverride?: bigint): Uint8Array {
    const h = typeof header === 'string' ? Buffer.from(header) : Buffer.from(header);
    const b = Buffer.concat([Buffer.alloc(8), h, Buffer.alloc(dataBytes)]);
    b.writeBigUInt64LE(lenOverride ?? BigInt(h.length), 0);
    return b;
  }
  const open = (b: Uint8Array) => openWeights('/bad.safetensors', { fs: mem({ '/bad.safetensors': b }) });

  it('rejects bad headers with messages naming the file, the tensor and the problem', () => {
    expectInputError(() => open(new Uint8Array(5)), /bad\.safetensors/, /shorter than the 8-byte/);
    expectInputError(() => open(craft('{}', 0, 2n ** 62n)), /exceeds MAX_SAFETENSORS_HEADER_BYTES/);
    expectInputError(() => open(craft('{}', 0, 1000n)), /runs past the end/);
    expectInputError(() => open(craft('[]', 0)), /does not start with '\{'/);
    expectInputError(() => open(craft('{"a":', 0)), /not valid JSON/);
    expectInputError(() => open(craft(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 0)), /not valid UTF-8/);
    const t = (o: unknown, n: number) => craft(JSON.stringify(o), n);
    expectInputError(() => open(t({ w: { dtype: 'F32', shape: [4, 4], data_offsets: [0, 60] } }, 60)), /tensor 'w'/, /needs 64 bytes but data_offsets span 60/);
    expectInputError(() => open(t({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4)), /tensor 'w'/, /not a non-negative integer/);
    expectInputError(() => open(t({ w: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, 4)), /overflows/);
    expectInputError(() => open(t({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 2)), /past the data buffer/);
    expectInputError(() => open(t({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4)), /begin <= end/);
    expectInputError(
      () => open(t({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12)),
      /tensor 'b'/, /overlaps/,
    );
    expectInputError(() => open(t({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8)), /tensor 'a'/, /gap/);
    expectInputError(() => open(t({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8)), /4 bytes after the last tensor/);
    expectInputError(() => open(t({ a: { dtype: 'float', shape: [1], data_offsets: [0, 4] } }, 4)), /tensor 'a'/, /bad dtype/);
    expectInputError(() => open(t({ __metadata__: { a: 1 } }, 0)), /__metadata__ value of 'a' is not a string/);
    expectInputError(() => open(t({ a: { dtype: 'F32', shape: new Array(17).fill(1), data_offsets: [0, 4] } }, 4)), /MAX_RANK/);
  });

  it('the streaming writer accepts tensors in any order and reserves header space', () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'w.safetensors');
      const w = new SafetensorsWriter(p, [{ name: 'x', dtype: 'F32', shape: [3] }, { name: 'y', dtype: 'U8', shape: [2] }], {}, 64);
      w.writeTensor('y', new Uint8Array([9, 8]));
      w.writeTensor('x', new Float32Array([1, 2, 3]));
      w.setMetadata('late', 'value that was not known at the start');
      w.commit();
      const s = openWeights(p);
      expect(Array.from(s.readTensor('x'))).toEqual([1, 2, 3]);
      expect(Array.from(s.readTensor('y'))).toEqual([9, 8]);
      expect(s.metadata.late).toMatch(/not known/);
      const raw = readFileSync(p);
      expect(Number(raw.readBigUInt64LE(0)) % 8).toBe(0);
      s.close();
      const w2 = new SafetensorsWriter(p, [{ name: 'x', dtype: 'F32', shape: [3] }]);
      expectInputError(() => w2.commit(), /not written: x/);
      expect(Array.from(openWeights(p).readTensor('x'))).toEqual([1, 2, 3]); // previous file intact
      const w3 = new SafetensorsWriter(p, [{ name: 'x', dtype: 'F32', shape: [3] }]);
      expectInputError(() => w3.writeTensor('x', new Float32Array(2)), /8 bytes given/);
      w3.abort();
    } finally {
      cleanup();
    }
  });
});

describe('.npy', () => {
  it('round-trips every writable dtype through writeNpy', () => {
    const { dir, cleanup } = tempDir();
    try {
      const rng = new Rng(3);
      const arrays = [randomF32(rng, 12), new Float64Array([1e-300, -2.5, Math.PI]), new Uint8Array([0, 255, 7]), new Int8Array([-128, 127, 0]),
        new Uint16Array([0, 65535]), new Int16Array([-32768, 32767]), new Int32Array([-(2 ** 31), 2 ** 31 - 1])];
      arrays.forEach((a, k) => {
        const p = join(dir, `a${k}.npy`);
        writeNpy(p, a, k === 0 ? [3, 4] : [a.length]);
        const s = openWeights(p);
        expect(s.listTensors()[0]!.name).toBe(`a${k}`);
        expect(Array.from(s.readTensorF64(`a${k}`))).toEqual(Array.from(a as ArrayLike<number>));
        s.close();
        expect(readFileSync(p).readUInt16LE(8) + 10).toBe(Math.ceil((readFileSync(p).readUInt16LE(8) + 10) / 64) * 64);
      });
    } finally {
      cleanup();
    }
  });

  const npy = (header: string, data: Uint8Array, major = 1): Uint8Array => {
    const pre = major === 1 ? 10 : 12;
    const b = Buffer.alloc(pre + header.length + data.length);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(b);
    if (major === 1) b.writeUInt16LE(header.length, 8);
    else b.writeUInt32LE(header.length, 8);
    b.write(header, pre, 'latin1');
    Buffer.from(data).copy(b, pre + header.length);
    return b;
  };
  const open = (b: Uint8Array) => openWeights('/x.npy', { fs: mem({ '/x.npy': b }) });

  it('reorders Fortran-order arrays, reads big-endian and version 2/3 headers', () => {
    // A 2x3 array [[0,1,2],[3,4,5]] stored in Fortran order is 0 3 1 4 2 5.
    const f = new Float32Array([0, 3, 1, 4, 2, 5]);
    const s = open(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", bytesOf(f)));
    expect(Array.from(s.readTensor('x'))).toEqual([0, 1, 2, 3, 4, 5]);
    // 3-d: C index (i,j,k) of shape (2,2,3) holds 100i+10j+k; Fortran order puts i fastest.
    const shape = [2, 2, 3];
    const fo: number[] = [];
    for (let k = 0; k < 3; k++) for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) fo.push(100 * i + 10 * j + k);
    const s3 = open(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2, 3)}", bytesOf(new Float64Array(fo))));
    const c: number[] = [];
    for (let i = 0; i < shape[0]!; i++) for (let j = 0; j < shape[1]!; j++) for (let k = 0; k < shape[2]!; k++) c.push(100 * i + 10 * j + k);
    expect(Array.from(s3.readTensor('x'))).toEqual(c);
    const be = open(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }", toBigEndian(new Float32Array([1.5, -2, 3e-5]), 4)));
    expect(Array.from(be.readTensor('x'))).toEqual(Array.from(new Float32Array([1.5, -2, 3e-5])));
    const v2 = open(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", bytesOf(new Uint16Array([0x3c00, 0xc000])), 2));
    expect(Array.from(v2.readTensor('x'))).toEqual([1, -2]);
    const v3 = open(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", bytesOf(new Float32Array([4])), 3));
    expect(v3.tensorInfo('x').shape).toEqual([]);
    expect(Array.from(v3.readTensor('x'))).toEqual([4]);
  });

  it('parses the Python literal subset strictly', () => {
    expect(parsePyLiteral("{'a': (1, 2,), \"b\": True, 'c': [None, -3]}", 'f')).toBeInstanceOf(Map);
    expectInputError(() => parsePyLiteral("{'a': __import__('os')}", 'f'), /unexpected character/);
    expectInputError(() => parsePyLiteral("{'a': 1", 'f'), /expected ',' or '\}'/);
    expectInputError(() => parsePyLiteral('('.repeat(100), 'f'), /nested too deeply/);
    expectInputError(() => parsePyLiteral("{'a': 99999999999999999999}", 'f'), /out of range/);
  });

  it('rejects bad .npy files by name', () => {
    const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    expectInputError(() => open(new Uint8Array(4)), /x\.npy/, /shorter than the 10-byte/);
    expectInputError(() => open(npy(ok, new Uint8Array(4))), /array 'x'/, /needs 8 bytes .* only 4/);
    expectInputError(() => open(npy(ok, new Uint8Array(12))), /4 unexpected bytes/);
    expectInputError(() => open(npy("{'descr': '<f4', 'shape': (2,)}", new Uint8Array(8))), /keys are/);
    expectInputError(() => open(npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", new Uint8Array(8))), /fortran_order/);
    expectInputError(() => open(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", new Uint8Array(8))), /not a non-negative integer/);
    const b = Buffer.from(npy(ok, new Uint8Array(8)));
    b[6] = 9;
    expectInputError(() => open(b), /unsupported .npy format version 9/);
    const c = Buffer.from(npy(ok, new Uint8Array(8)));
    c.writeUInt16LE(60000, 8);
    expectInputError(() => open(c), /runs past the end/);
    const u = open(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", new Uint8Array(8)));
    expect(u.listTensors()[0]!.supported).toBe(false);
    expectInputError(() => u.readTensor('x'), /'<c8' is not supported/);
  });
});

describe('.npz', () => {
  it('reads stored (writeNpz) and deflated members, with the CRC checked', () => {
    const rng = new Rng(5);
    const w = randomF32(rng, 5000);
    const b = new Int8Array([1, -2, 3]);
    const bytes = npzBytes([{ name: 'w', data: w, shape: [50, 100] }, { name: 'layer/b', data: b }]);
    const s = openWeights('/s.npz', { fs: mem({ '/s.npz': bytes }) });
    expect(s.listTensors().map((t) => [t.name, t.shape])).toEqual([['w', [50, 100]], ['layer/b', [3]]]);
    expect(sameBits(s.readTensor('w'), w)).toBe(true);
    expect(Array.from(s.readTensor('layer/b'))).toEqual([1, -2, 3]);
    const [h, d] = encodeNpy(w, [5000]);
    const member = Buffer.concat([h, d]);
    const z = zipBytes([{ name: 'w.npy', data: member, deflate: true }, { name: 'readme.txt', data: Buffer.from('not an array') }]);
    const s2 = openWeights('/c.npz', { fs: mem({ '/c.npz': z }) });
    expect(s2.listTensors().map((t) => t.name)).toEqual(['w']);
    expect(sameBits(s2.readTensor('w'), w)).toBe(true);
    expect(sameBits(s2.readTensor('w'), w)).toBe(true); // a second read restarts the stream
    const bad = zipBytes([{ name: 'w.npy', data: member, deflate: true, crc: 1234 }]);
    expectInputError(() => openWeights('/bad.npz', { fs: mem({ '/bad.npz': bad }) }).readTensor('w'), /bad\.npz/, /'w\.npy' fails its CRC-32/);
    const badStored = zipBytes([{ name: 'w.npy', data: member, crc: 99 }]);
    expectInputError(() => openWeights('/bs.npz', { fs: mem({ '/bs.npz': badStored }) }).readTensor('w'), /CRC-32/);
  });

  it('refuses members that inflate past their declared size (zip bombs) or overlap', () => {
    const [h] = encodeNpy(new Float32Array(1000), [1000]);
    const member = Buffer.concat([h, Buffer.alloc(4000 + 1_000_000)]); // npy says 1000 floats, member is much larger
    const z = zipBytes([{ name: 'w.npy', data: member, deflate: true, size: h.length + 4000 }]);
    expectInputError(() => openWeights('/bomb.npz', { fs: mem({ '/bomb.npz': z }) }).readTensor('w'), /inflates to more than its declared|does not end at its declared/);
    // Large declared sizes are verified by a first inflate pass before the result is allocated.
    const n = 20_000_000; // 80 MB of float32 zeros, > MAX_UNVERIFIED_INFLATE_BYTES
    const bigHead = Buffer.from(encodeNpy(new Float32Array(1), [1])[0]); // header of the right length
    bigHead.write(`{'descr': '<f4', 'fortran_order': False, 'shape': (${n},), }`.padEnd(bigHead.length - 11) + '\n', 10, 'latin1');
    const body = Buffer.alloc(4 * n - 4); // 4 bytes short of what the header promises
    const lying = zipBytes([{ name: 'w.npy', data: Buffer.concat([bigHead, body]), deflate: true, size: bigHead.length + 4 * n }]);
    const ls = openWeights('/lie.npz', { fs: mem({ '/lie.npz': lying }) });
    expect(ls.tensorInfo('w').numel).toBe(n);
    expectInputError(() => ls.readTensor('w'), /inflates to \d+ bytes, not its declared/);
    // Two central entries pointing at the same local header.
    const one = Buffer.from(zipBytes([{ name: 'a.npy', data: Buffer.concat(encodeNpy(new Float32Array(2), [2])) }]));
    const cdOff = one.readUInt32LE(one.length - 6);
    const cd = one.subarray(cdOff, one.length - 22);
    const eocd = Buffer.from(one.subarray(one.length - 22));
    eocd.writeUInt16LE(2, 8);
    eocd.writeUInt16LE(2, 10);
    eocd.writeUInt32LE(cd.length * 2, 12);
    const twice = Buffer.concat([one.subarray(0, cdOff), cd, cd, eocd]);
    expectInputError(() => openNpz('/o.npz', mem({ '/o.npz': twice })), /overlap|appears twice/);
  });
});

describe('GGUF', () => {
  const rng = new Rng(8);
  const f32 = randomF32(rng, 6 * 4);
  const f16 = new Uint16Array(8).map(() => rng.u32() & 0x7bff);
  const bf16 = new Uint16Array(8).map(() => rng.u32() & 0xffff);
  const kv = [
    ['general.architecture', 8, 'llama'],
    ['general.name', 8, 'tiny ünïcode'],
    ['llama.block_count', 4, 2],
    ['tokenizer.ggml.tokens', 9, ['a', 'bb', 'ccc'], 8],
    ['tokenizer.ggml.scores', 9, [0.5, 1.5], 6],
    ['x.nested', 9, [{ et: 5, v: [1, 2] }, { et: 8, v: ['z'] }], 9],
    ['x.i64', 11, -5n],
    ['x.bool', 7, true],
  ] as const;

  for (const [version, le] of [[3, true], [2, true], [1, true], [3, false]] as const) {
    it(`reads F32/F16/BF16 and names quantized types (v${version}, ${le ? 'LE' : 'BE'})`, () => {
      const enc = (a: ArrayBufferView, size: number) => (le ? bytesOf(a) : toBigEndian(a, size));
      const file = ggufBytes({
        version, le,
        kv: kv.map((k) => [...k] as never),
        tensors: [
          { name: 'blk.0.w', ne: [4, 6], type: 0, data: enc(f32, 4) },
          { name: 'blk.0.h', ne: [8], type: 1, data: enc(f16, 2) },
          { name: 'blk.0.b', ne: [2, 2, 2], type: 30, data: enc(bf16, 2) },
          { name: 'blk.0.q', ne: [64, 2], type: 2, data: new Uint8Array(18 * 4) },
          { name: 'blk.0.k', ne: [256], type: 12, data: new Uint8Array(144) },
        ],
      });
      const s = openWeights('/m.gguf', { fs: mem({ '/m.gguf': file }) });
      expect(s.format).toBe('gguf');
      expect(s.metadata['general.name']).toBe('tiny ünïcode');
      expect(s.metadata['tokenizer.ggml.tokens']).toBe('[string x 3]');
      expect(s.metadata['x.i64']).toBe('-5');
      const info = s.listTensors();
      expect(info.map((t) => [t.name, t.dtype, t.shape, t.supported])).toEqual([
        ['blk.0.w', 'F32', [6, 4], true],
        ['blk.0.h', 'F16', [8], true],
        ['blk.0.b', 'BF16', [2, 2, 2], true],
        ['blk.0.q', 'Q4_0', [2, 64], false],
        ['blk.0.k', 'Q4_K', [256], false],
      ]);
      expect(info[3]!.byteSize).toBe(72);
      expect(sameBits(s.readTensor('blk.0.w'), f32)).toBe(true);
      expect(Array.from(s.readTensor('blk.0.h'))).toEqual(Array.from(f16, (h) => fromF16Bits(h)));
      expect(sameBits(s.readTensor('blk.0.b'), Float32Array.from(bf16, (h) => fromBf16Bits(h)))).toBe(true);
      expectInputError(() => s.readTensor('blk.0.q'), /m\.gguf/, /tensor 'blk\.0\.q'/, /quantized GGUF type Q4_0 is not supported/);
    });
  }

  it('honours general.alignment and rejects bad layouts', () => {
    const t = (ne: number[], type = 0, n = 4) => ({ name: 'w', ne, type, data: new Uint8Array(n) });
    const good = ggufBytes({ tensors: [t([1]), { name: 'v', ne: [2], type: 0, data: bytesOf(new Float32Array([5, 6])) }], alignment: 64 });
    const s = openWeights('/g.gguf', { fs: mem({ '/g.gguf': good }) });
    expect(Array.from(s.readTensor('v'))).toEqual([5, 6]);
    const open = (b: Uint8Array) => openWeights('/g.gguf', { fs: mem({ '/g.gguf': b }) });
    expectInputError(() => open(ggufBytes({ tensors: [t([1])], kv: [['general.alignment', 4, 24]] })), /general\.alignment 24 is not a power of two/);
    expectInputError(() => open(ggufBytes({ tensors: [t([31], 2, 18)] })), /tensor 'w'/, /not a multiple of the Q4_0 block size 32/);
    expectInputError(() => open(ggufBytes({ tensors: [t([1], 77)] })), /tensor 'w'/, /unknown ggml type 77/);
    expectInputError(() => open(ggufBytes({ tensors: [t([1]), t([1])] })), /duplicate tensor name 'w'/);
    expectInputError(() => open(ggufBytes({ tensors: [t([1, 1, 1, 1, 1])] })), /5 dimensions/);
    const b = Buffer.from(ggufBytes({ tensors: [t([1]), { name: 'v', ne: [1], type: 0, data: new Uint8Array(4) }] }));
    // second tensor's offset field is the last 8 bytes before the 32-aligned padding; find it and corrupt it
    const pos = b.indexOf(Buffer.from('v')) + 1 + 4 + 8 + 4;
    b.writeBigUInt64LE(0n, pos);
    expectInputError(() => open(b), /tensor 'v' has data offset 0, expected 32/);
    const trunc = good.subarray(0, good.length - 60); // into v's data (the padding after it may go)
    expectInputError(() => open(trunc), /tensor 'v'/, /runs past the end of the file/);
    const many = Buffer.from(ggufBytes({ tensors: [] }));
    many.writeBigUInt64LE(1000n, 16);
    expectInputError(() => open(many), /cannot fit/);
    expectInputError(() => open(new Uint8Array([0x47, 0x47, 0x55, 0x46, 9, 0, 0, 0])), /unsupported version 9/);
  });
});

describe('tfjs model folders', () => {
  it('dequantizes exactly as tfjs-core does (uint8, uint16, float16), across shard boundaries', async () => {
    await tf.setBackend('cpu');
    const rng = new Rng(21);
    const kernel = randomF32(rng, 40);
    const q8 = new Uint8Array(30).map(() => rng.int(256));
    const q16 = new Uint16Array(10).map(() => rng.int(65536));
    const h16 = new Uint16Array(12).map(() => rng.u32() & 0xffff);
    const qi = new Uint8Array(6).map(() => rng.int(256));
    const ints = new Int32Array([-5, 7, 1 << 30]);
    const bools = new Uint8Array([1, 0, 1, 1]);
    const specs: tf.io.WeightsManifestEntry[] = [
      { name: 'dense/kernel', shape: [8, 5], dtype: 'float32' },
      { name: 'q8', shape: [5, 6], dtype: 'float32', quantization: { dtype: 'uint8', min: -0.731, scale: 0.00573 } },
      { name: 'q16', shape: [10], dtype: 'float32', quantization: { dtype: 'uint16', min: -1.1, scale: 3.3e-5 } },
      { name: 'h16', shape: [3, 4], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'qi', shape: [6], dtype: 'int32', quantization: { dtype: 'uint8', min: -3, scale: 0.37 } },
      { name: 'ints', shape: [3], dtype: 'int32' },
      { name: 'bools', shape: [4], dtype: 'bool' },
    ];
    const blob = Buffer.concat([bytesOf(kernel), q8, bytesOf(q16), bytesOf(h16), qi, bytesOf(ints), bools]);
    // three shards with boundaries inside weights
    const cuts = [37, 101, blob.length];
    const files: Record<string, Uint8Array> = {};
    let a = 0;
    cuts.forEach((c, i) => {
      files[`/m/group1-shard${i + 1}of3.bin`] = blob.subarray(a, c);
      a = c;
    });
    files['/m/model.json'] = Buffer.from(JSON.stringify({ format: 'layers-model', generatedBy: 'test', weightsManifest: [{ paths: cuts.map((_, i) => `./group1-shard${i + 1}of3.bin`), weights: specs }] }));
    const s = openWeights('/m', { fs: mem(files) });
    expect(s.format).toBe('tfjs');
    expect(s.metadata.generatedBy).toBe('test');
    const ref = tf.io.decodeWeights(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.length), specs);
    for (const sp of specs) {
      const got = s.readTensor(sp.name);
      const want = Float32Array.from(ref[sp.name]!.dataSync() as ArrayLike<number>);
      expect(sameBits(got, want), sp.name).toBe(true);
      expect(s.tensorInfo(sp.name).shape).toEqual(sp.shape);
    }
    expect(s.tensorInfo('q8').dtype).toBe('uint8->float32');
    expect(Array.from(s.readTensorF64('ints'))).toEqual([-5, 7, 1 << 30]);
    tf.dispose(Object.values(ref));
    // also from disk, via model.json
    const { dir, cleanup } = tempDir();
    try {
      for (const [k, v] of Object.entries(files)) {
        mkdirSync(join(dir, 'm'), { recursive: true });
        writeFileSync(join(dir, k), v);
      }
      expect(detectFormat(join(dir, 'm'))).toBe('tfjs');
      const d = openWeights(join(dir, 'm', 'model.json'));
      expect(sameBits(d.readTensor('dense/kernel'), kernel)).toBe(true);
      d.close();
    } finally {
      cleanup();
    }
  });

  it('rejects escaping shard paths, missing and short shards, bad quantization', () => {
    const mk = (weightsManifest: unknown, extra: Record<string, Uint8Array> = {}) =>
      openWeights('/m', { fs: mem({ '/m/model.json': Buffer.from(JSON.stringify({ weightsManifest })), ...extra }) });
    const w = [{ name: 'k', shape: [2], dtype: 'float32' }];
    expectInputError(() => mk([{ paths: ['../secret.bin'], weights: w }]), /model\.json/, /leaves the model folder/);
    expectInputError(() => mk([{ paths: ['/etc/passwd'], weights: w }]), /must be relative/);
    expectInputError(() => mk([{ paths: ['http://x/y.bin'], weights: w }]), /must be relative/);
    expectInputError(() => mk([{ paths: ['a.bin'], weights: w }]), /weight shard 'a\.bin' is missing/);
    expectInputError(() => mk([{ paths: ['a.bin'], weights: w }], { '/m/a.bin': new Uint8Array(7) }), /weight 'k'/, /hold 7 bytes/);
    expectInputError(() => mk([{ paths: ['a.bin'], weights: [{ name: 'k', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', min: 'x', scale: 1 } }] }], { '/m/a.bin': new Uint8Array(2) }), /numeric min and scale/);
    expectInputError(() => mk([{ paths: ['a.bin'], weights: [{ name: 'k', shape: [2], dtype: 'float32', quantization: { dtype: 'int4' } }] }], { '/m/a.bin': new Uint8Array(2) }), /unknown quantization dtype/);
    expectInputError(() => mk({}), /no weightsManifest array/);
    const str = mk([{ paths: ['a.bin'], weights: [{ name: 's', shape: [2], dtype: 'string' }, { name: 'k', shape: [1], dtype: 'float32' }] }], {
      '/m/a.bin': Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from('hi'), Buffer.from([1, 0, 0, 0]), Buffer.from('x'), bytesOf(new Float32Array([2.5]))]),
    });
    expect(str.tensorInfo('s').supported).toBe(false);
    expect(Array.from(str.readTensor('k'))).toEqual([2.5]);
  });
});

describe('raw .f32, sharded safetensors, detection, forEachTensor', () => {
  it('reads raw float32 with an optional shape', () => {
    const f = new Float32Array([1, 2, 3, 4, 5, 6]);
    const fs = mem({ '/w.f32': bytesOf(f), '/odd.f32': new Uint8Array(7) });
    expect(Array.from(openWeights('/w.f32', { fs }).readTensor('w'))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(openWeights('/w.f32', { fs, shape: [2, 3] }).tensorInfo('w').shape).toEqual([2, 3]);
    expectInputError(() => openWeights('/w.f32', { fs, shape: [4] }), /shape \[4\] has 4 elements but the file holds 6/);
    expectInputError(() => openWeights('/odd.f32', { fs }), /not a multiple of 4/);
  });

  it('opens sharded checkpoints through the index or the folder', () => {
    const a = safetensorsBytes([{ name: 'l0.w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }]);
    const b = safetensorsBytes([{ name: 'l1.w', dtype: 'F32', shape: [1], data: new Float32Array([3]) }]);
    const index = Buffer.from(JSON.stringify({ metadata: { total_size: 12 }, weight_map: { 'l0.w': 'm-00001-of-00002.safetensors', 'l1.w': 'm-00002-of-00002.safetensors' } }));
    const fs = mem({ '/c/m-00001-of-00002.safetensors': a, '/c/m-00002-of-00002.safetensors': b, '/c/model.safetensors.index.json': index });
    for (const p of ['/c', '/c/model.safetensors.index.json']) {
      const s = openWeights(p, { fs });
      expect(s.listTensors().map((t) => t.name)).toEqual(['l0.w', 'l1.w']);
      expect(Array.from(s.readTensor('l1.w'))).toEqual([3]);
      s.close();
    }
    const fs2 = mem({ '/d/a.safetensors': a, '/d/b.safetensors': b });
    expect(openWeights('/d', { fs: fs2 }).listTensors().length).toBe(2);
    const badIdx = Buffer.from(JSON.stringify({ weight_map: { 'l0.w': '../x.safetensors' } }));
    expectInputError(() => openWeights('/c/model.safetensors.index.json', { fs: mem({ '/c/model.safetensors.index.json': badIdx }) }), /same folder/);
    const missing = Buffer.from(JSON.stringify({ weight_map: { nope: 'm-00001-of-00002.safetensors' } }));
    expectInputError(() => openWeights('/c/model.safetensors.index.json', { fs: mem({ '/c/model.safetensors.index.json': missing, '/c/m-00001-of-00002.safetensors': a }) }), /'nope'/, /no such tensor/);
  });

  it('detects by magic and refuses contradicting extensions', () => {
    const st = safetensorsBytes([{ name: 'x', dtype: 'F32', shape: [1], data: new Float32Array([1]) }]);
    const fs = mem({ '/x.bin': st, '/x.npy': st, '/x.weird': new Uint8Array(20) });
    expect(detectFormat('/x.bin', fs)).toBe('safetensors');
    expectInputError(() => openWeights('/x.npy', { fs }), /extension says npy but the content looks like safetensors/);
    expectInputError(() => openWeights('/x.weird', { fs }), /cannot tell the weight format/);
    expectInputError(() => openWeights('/none', { fs }), /no such file/);
  });

  it('forEachTensor visits readable tensors one at a time, optionally reusing one buffer', () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'm.safetensors');
      writeSafetensors(p, [
        { name: 'big', dtype: 'F32', shape: [4, 4], data: new Float32Array(16).fill(2) },
        { name: 'small', dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) },
        { name: 'ints', dtype: 'U8', shape: [1], data: new Uint8Array([9]) },
      ]);
      const seen: [string, number, number][] = [];
      const n = forEachTensor(p, (info, data) => seen.push([info.name, data.length, data[0]!]), { reuseBuffer: true });
      expect(n).toBe(3);
      expect(seen).toEqual([['big', 16, 2], ['small', 3, 1], ['ints', 1, 9]]);
      expect(forEachTensor(p, () => {}, { filter: (i) => i.shape.length === 2 })).toBe(1);
      // unreadable tensors go to onSkip
      const h = Buffer.from(JSON.stringify({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] }, y: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }));
      const f = Buffer.concat([Buffer.alloc(8), h, Buffer.alloc(12)]);
      f.writeBigUInt64LE(BigInt(h.length), 0);
      writeFileSync(join(dir, 'u.safetensors'), f);
      const skipped: string[] = [];
      expect(forEachTensor(join(dir, 'u.safetensors'), () => {}, { onSkip: (i) => skipped.push(i.name) })).toBe(1);
      expect(skipped).toEqual(['x']);
    } finally {
      cleanup();
    }
  });
});
