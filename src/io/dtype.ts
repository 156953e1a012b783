/**
 * Element types the readers can convert to float, and the streamed conversion of a byte range
 * into a Float32Array / Float64Array. Every conversion is exact except F64 -> f32 and large
 * integers -> f32, which round to nearest even (what a Float32Array assignment does).
 */
import { InputError } from '../util/errors.js';
import { IO_CHUNK_BYTES } from './limits.js';
import type { RandomAccessFile } from './file.js';

/** Element types a reader can decode (names in safetensors style). */
export type ElemType = 'F64' | 'F32' | 'F16' | 'BF16' | 'U8' | 'I8' | 'U16' | 'I16' | 'I32';

export const ELEM_BYTES: Record<ElemType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, U8: 1, I8: 1, U16: 2, I16: 2, I32: 4 };

let f16Table: Float32Array | undefined;
/** The 65536 binary16 values as float32 (exact: every binary16 value is a float32). */
export function f16ToF32Table(): Float32Array {
  if (!f16Table) {
    const t = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      let v: number;
      if (e === 0) v = s * m * 2 ** -24;
      else if (e === 31) v = m === 0 ? s * Infinity : NaN;
      else v = s * (1024 + m) * 2 ** (e - 25);
      t[h] = v;
    }
    // NaN payloads: keep the quiet NaN bit pattern of binary16 widened (as IEEE conversion does).
    const u = new Uint32Array(t.buffer);
    for (let h = 0; h < 65536; h++) {
      if (((h >> 10) & 0x1f) === 31 && (h & 0x3ff) !== 0) u[h] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
    }
    f16Table = t;
  }
  return f16Table;
}

/**
 * Convert `count` elements of type `dt` from `src` (raw bytes, byte order given by `le`) into
 * out[outOff ..]. `src` must start at an element boundary.
 */
export function convertBytes(dt: ElemType, src: Uint8Array, count: number, out: Float32Array | Float64Array, outOff: number, le: boolean): void {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  switch (dt) {
    case 'F32':
      if (le && (src.byteOffset & 3) === 0) {
        const v = new Float32Array(src.buffer, src.byteOffset, count);
        out.set(v, outOff);
      } else for (let i = 0; i < count; i++) out[outOff + i] = dv.getFloat32(4 * i, le);
      return;
    case 'F64':
      if (le && (src.byteOffset & 7) === 0) {
        const v = new Float64Array(src.buffer, src.byteOffset, count);
        out.set(v, outOff);
      } else for (let i = 0; i < count; i++) out[outOff + i] = dv.getFloat64(8 * i, le);
      return;
    case 'F16': {
      const t = f16ToF32Table();
      if (out instanceof Float32Array) {
        const ob = new Uint32Array(out.buffer, out.byteOffset + 4 * outOff, count);
        const tb = new Uint32Array(t.buffer);
        for (let i = 0; i < count; i++) ob[i] = tb[dv.getUint16(2 * i, le)]!;
      } else for (let i = 0; i < count; i++) out[outOff + i] = t[dv.getUint16(2 * i, le)]!;
      return;
    }
    case 'BF16': {
      if (out instanceof Float32Array) {
        const ob = new Uint32Array(out.buffer, out.byteOffset + 4 * outOff, count);
        for (let i = 0; i < count; i++) ob[i] = dv.getUint16(2 * i, le) << 16;
      } else {
        const tmp = new Float32Array(1);
        const tu = new Uint32Array(tmp.buffer);
        for (let i = 0; i < count; i++) {
          tu[0] = dv.getUint16(2 * i, le) << 16;
          out[outOff + i] = tmp[0]!;
        }
      }
      return;
    }
    case 'U8':
      for (let i = 0; i < count; i++) out[outOff + i] = src[i]!;
      return;
    case 'I8':
      for (let i = 0; i < count; i++) out[outOff + i] = dv.getInt8(i);
      return;
    case 'U16':
      for (let i = 0; i < count; i++) out[outOff + i] = dv.getUint16(2 * i, le);
      return;
    case 'I16':
      for (let i = 0; i < count; i++) out[outOff + i] = dv.getInt16(2 * i, le);
      return;
    case 'I32':
      for (let i = 0; i < count; i++) out[outOff + i] = dv.getInt32(4 * i, le);
      return;
  }
}

/**
 * Read `count` elements of `dt` stored contiguously at byte `pos` of `f` into `out` (length
 * `count`), in chunks of IO_CHUNK_BYTES, or straight into `out` when no conversion is needed.
 */
export function readElements(f: RandomAccessFile, pos: number, dt: ElemType, count: number, out: Float32Array | Float64Array, le = true): void {
  const eb = ELEM_BYTES[dt];
  const total = count * eb;
  if (out.length !== count) throw new InputError(`internal: output length ${out.length} != ${count}`, f.path);
  if (!Number.isSafeInteger(total) || pos < 0 || pos > f.size || total > f.size - pos) {
    throw new InputError(`data needs bytes [${pos}, ${pos + total}) but the file has ${f.size} (truncated)`, f.path);
  }
  if (le && ((dt === 'F32' && out instanceof Float32Array) || (dt === 'F64' && out instanceof Float64Array))) {
    f.readAt(new Uint8Array(out.buffer, out.byteOffset, total), pos);
    return;
  }
  const per = Math.max(1, Math.floor(IO_CHUNK_BYTES / eb));
  const buf = new Uint8Array(Math.min(total, per * eb));
  for (let i = 0; i < count; i += per) {
    const n = Math.min(per, count - i);
    const view = buf.subarray(0, n * eb);
    f.readAt(view, pos + i * eb);
    convertBytes(dt, view, n, out, i, le);
  }
}

/** Number of elements of `shape`; InputError on a bad dimension or an overflow past 2^53. */
export function numelOf(shape: readonly unknown[], file: string, what: string): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new InputError(`${what}: dimension ${i} of the shape is ${JSON.stringify(d)}, not a non-negative integer`, file);
    }
    if (d !== 0 && n > Number.MAX_SAFE_INTEGER / d) throw new InputError(`${what}: shape [${shape.join(', ')}] overflows`, file);
    n *= d;
  }
  return n;
}
