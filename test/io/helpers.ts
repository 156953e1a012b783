/** Builders of small weight files (in memory) for the io tests. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSafetensors, type SafetensorsTensorOut } from '../../src/io/safetensors.js';
import { writeNpz, crc32, type NpzArray } from '../../src/io/npz.js';
import { deflateRawSync } from 'node:zlib';
import { Rng } from '../../src/util/rng.js';

export function tempDir(prefix = 'rf8io-'): { dir: string; cleanup: () => void } {
  const base = process.platform === 'linux' ? '/dev/shm' : tmpdir();
  let dir: string;
  try {
    dir = mkdtempSync(join(base, prefix));
  } catch {
    dir = mkdtempSync(join(tmpdir(), prefix));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bytes of a safetensors file (written by our writer to a temp dir, read back). */
export function safetensorsBytes(tensors: SafetensorsTensorOut[], metadata: Record<string, string> = {}): Uint8Array {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, 'x.safetensors');
    writeSafetensors(p, tensors, metadata);
    return new Uint8Array(readFileSync(p));
  } finally {
    cleanup();
  }
}

export function npzBytes(arrays: NpzArray[]): Uint8Array {
  const { dir, cleanup } = tempDir();
  try {
    const p = join(dir, 'x.npz');
    writeNpz(p, arrays);
    return new Uint8Array(readFileSync(p));
  } finally {
    cleanup();
  }
}

export function randomF32(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * 0.05;
  return a;
}

// ------------------------------------------------------------------------------------- GGUF

export type GgufKv = [key: string, type: number, value: unknown, elemType?: number];
export interface GgufTensorSpec {
  name: string;
  /** ne order (innermost first). */
  ne: number[];
  type: number;
  data: Uint8Array;
}

class ByteWriter {
  private parts: number[] = [];
  /** [offset, width] of every integer field written (fuzz targets). */
  readonly fields: [number, number][] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): void {
    this.parts.push(v & 0xff);
  }
  bytes(b: Uint8Array): void {
    for (const x of b) this.parts.push(x);
  }
  num(v: number | bigint, size: number, kind: 'u' | 'i' | 'f'): void {
    if (kind !== 'f') this.fields.push([this.parts.length, size]);
    const dv = new DataView(new ArrayBuffer(size));
    if (kind === 'f') size === 4 ? dv.setFloat32(0, Number(v), this.le) : dv.setFloat64(0, Number(v), this.le);
    else if (size === 1) kind === 'u' ? dv.setUint8(0, Number(v)) : dv.setInt8(0, Number(v));
    else if (size === 2) kind === 'u' ? dv.setUint16(0, Number(v), this.le) : dv.setInt16(0, Number(v), this.le);
    else if (size === 4) kind === 'u' ? dv.setUint32(0, Number(v), this.le) : dv.setInt32(0, Number(v), this.le);
    else kind === 'u' ? dv.setBigUint64(0, BigInt(v), this.le) : dv.setBigInt64(0, BigInt(v), this.le);
    this.bytes(new Uint8Array(dv.buffer));
  }
  get length(): number {
    return this.parts.length;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Build a GGUF file. Tensor data is placed in order at `alignment`. */
export function ggufBytes(opts: { version?: number; le?: boolean; kv?: GgufKv[]; tensors: GgufTensorSpec[]; alignment?: number }, fields?: [number, number][]): Uint8Array {
  const version = opts.version ?? 3;
  const le = opts.le ?? true;
  const align = opts.alignment ?? 32;
  const v1 = version === 1;
  const w = new ByteWriter(le);
  const size = (n: number | bigint): void => (v1 ? w.num(n, 4, 'u') : w.num(n, 8, 'u'));
  const str = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    size(b.length);
    w.bytes(b);
  };
  const value = (type: number, v: unknown, elemType?: number): void => {
    switch (type) {
      case 0: return w.num(v as number, 1, 'u');
      case 1: return w.num(v as number, 1, 'i');
      case 2: return w.num(v as number, 2, 'u');
      case 3: return w.num(v as number, 2, 'i');
      case 4: return w.num(v as number, 4, 'u');
      case 5: return w.num(v as number, 4, 'i');
      case 6: return w.num(v as number, 4, 'f');
      case 7: return w.u8(v ? 1 : 0);
      case 8: return str(v as string);
      case 9: {
        // elements of an array of arrays are given as { et, v } (their own element type)
        const arr = v as unknown[];
        w.num(elemType!, 4, 'u');
        size(arr.length);
        for (const x of arr) {
          if (elemType === 9) {
            const { et, v: inner } = x as { et: number; v: unknown[] };
            value(9, inner, et);
          } else value(elemType!, x);
        }
        return;
      }
      case 10: return w.num(v as number, 8, 'u');
      case 11: return w.num(v as number, 8, 'i');
      case 12: return w.num(v as number, 8, 'f');
    }
  };
  w.bytes(Buffer.from('GGUF'));
  w.num(version, 4, 'u');
  size(opts.tensors.length);
  const kv = [...(opts.kv ?? [])];
  if (opts.alignment !== undefined && !kv.some((k) => k[0] === 'general.alignment')) kv.push(['general.alignment', 4, align]);
  size(kv.length);
  for (const [k, t, v, et] of kv) {
    str(k);
    w.num(t, 4, 'u');
    value(t, v, et);
  }
  let off = 0;
  for (const t of opts.tensors) {
    str(t.name);
    w.num(t.ne.length, 4, 'u');
    for (const d of t.ne) size(d);
    w.num(t.type, 4, 'u');
    w.num(off, 8, 'u');
    off += Math.ceil(t.data.length / align) * align;
  }
  while (w.length % align) w.u8(0);
  for (const t of opts.tensors) {
    w.bytes(t.data);
    let n = t.data.length;
    while (n % align) {
      w.u8(0);
      n++;
    }
  }
  if (fields) fields.push(...w.fields);
  return w.toBytes();
}

/** Bytes of a typed array in big-endian order (element size `size`). */
export function toBigEndian(a: ArrayBufferView, size: number): Uint8Array {
  const b = new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
  return b;
}

export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

// ------------------------------------------------------------------------------------- zip


export interface ZipMemberSpec {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Override the CRC written (to test corruption). */
  crc?: number;
  /** Override the declared uncompressed size. */
  size?: number;
}

/** A minimal zip (no ZIP64) with stored or deflated members. */
export function zipBytes(members: ZipMemberSpec[]): Uint8Array {
  const out: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let pos = 0;
  const push = (b: Uint8Array): void => {
    out.push(b);
    pos += b.length;
  };
  for (const m of members) {
    const comp = m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const crc = m.crc ?? crc32(m.data);
    const size = m.size ?? m.data.length;
    const name = Buffer.from(m.name, 'utf8');
    const off = pos;
    const lh = new DataView(new ArrayBuffer(30));
    lh.setUint32(0, 0x04034b50, true);
    lh.setUint16(4, 20, true);
    lh.setUint16(6, 0x800, true);
    lh.setUint16(8, m.deflate ? 8 : 0, true);
    lh.setUint32(14, crc, true);
    lh.setUint32(18, comp.length, true);
    lh.setUint32(22, size, true);
    lh.setUint16(26, name.length, true);
    push(new Uint8Array(lh.buffer));
    push(name);
    push(comp);
    const ch = new DataView(new ArrayBuffer(46));
    ch.setUint32(0, 0x02014b50, true);
    ch.setUint16(4, 20, true);
    ch.setUint16(6, 20, true);
    ch.setUint16(8, 0x800, true);
    ch.setUint16(10, m.deflate ? 8 : 0, true);
    ch.setUint32(16, crc, true);
    ch.setUint32(20, comp.length, true);
    ch.setUint32(24, size, true);
    ch.setUint16(28, name.length, true);
    ch.setUint32(42, off, true);
    central.push(new Uint8Array(ch.buffer), name);
  }
  const cdOff = pos;
  for (const c of central) push(c);
  const e = new DataView(new ArrayBuffer(22));
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, members.length, true);
  e.setUint16(10, members.length, true);
  e.setUint32(12, pos - cdOff, true);
  e.setUint32(16, cdOff, true);
  push(new Uint8Array(e.buffer));
  return Buffer.concat(out);
}
