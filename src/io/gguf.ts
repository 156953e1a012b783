/**
 * GGUF (versions 1-3, little- or big-endian): "GGUF", version, tensor count, metadata count,
 * metadata key/values, tensor infos (name, dims ne[0..n), ggml type, offset), padding to
 * `general.alignment`, tensor data. Hand-written: the maintained npm parser (@huggingface/gguf)
 * is asynchronous and fetch-oriented, and reads past the end of a local file as zeros (its
 * resizable buffer), so a truncated header parses instead of failing. Validation follows
 * ggml's own gguf loader: known types, ne[0] a multiple of the block size, tensors laid out in
 * order at the aligned offsets, unique names, data inside the file.
 *
 * Shapes are reported row-major (outermost first): GGUF's ne[] reversed.
 */
import { InputError } from '../util/errors.js';
import { type FileSystemLike, type RandomAccessFile, nodeFs, setOwn, q } from './file.js';
import { type ElemType, readElements } from './dtype.js';
import {
  MAX_GGUF_ALIGNMENT, MAX_GGUF_ARRAY_DEPTH, MAX_GGUF_ARRAY_LENGTH, MAX_GGUF_DIMS, MAX_GGUF_HEADER_BYTES,
  MAX_GGUF_KV, MAX_GGUF_STRING_BYTES, MAX_NAME_BYTES, MAX_TENSORS,
} from './limits.js';
import { EntrySource, type Entry, type WeightSource } from './source.js';

/** ggml types: id -> [name, elements per block, bytes per block]. */
export const GGML_TYPES: Readonly<Record<number, readonly [string, number, number]>> = Object.freeze({
  0: ['F32', 1, 4], 1: ['F16', 1, 2], 2: ['Q4_0', 32, 18], 3: ['Q4_1', 32, 20], 6: ['Q5_0', 32, 22],
  7: ['Q5_1', 32, 24], 8: ['Q8_0', 32, 34], 9: ['Q8_1', 32, 36], 10: ['Q2_K', 256, 84], 11: ['Q3_K', 256, 110],
  12: ['Q4_K', 256, 144], 13: ['Q5_K', 256, 176], 14: ['Q6_K', 256, 210], 15: ['Q8_K', 256, 292],
  16: ['IQ2_XXS', 256, 66], 17: ['IQ2_XS', 256, 74], 18: ['IQ3_XXS', 256, 98], 19: ['IQ1_S', 256, 50],
  20: ['IQ4_NL', 32, 18], 21: ['IQ3_S', 256, 110], 22: ['IQ2_S', 256, 82], 23: ['IQ4_XS', 256, 136],
  24: ['I8', 1, 1], 25: ['I16', 1, 2], 26: ['I32', 1, 4], 27: ['I64', 1, 8], 28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56], 30: ['BF16', 1, 2], 34: ['TQ1_0', 256, 54], 35: ['TQ2_0', 256, 66],
  39: ['MXFP4', 32, 17], 40: ['NVFP4', 64, 36], 41: ['Q1_0', 128, 18], 42: ['Q2_0', 64, 18],
});
/** ggml types read as floats. */
const GGUF_READABLE: Readonly<Record<number, ElemType>> = { 0: 'F32', 1: 'F16', 30: 'BF16', 28: 'F64', 24: 'I8', 25: 'I16', 26: 'I32' };

export const GGUF_DEFAULT_ALIGNMENT = 32;
const VALUE_SIZES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const TYPE_NAMES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];

/** Buffered forward reader over the header; every read is bounds-checked first. */
class Cursor {
  pos = 0;
  private buf = new Uint8Array(0);
  private bufStart = 0;
  private dv = new DataView(this.buf.buffer);
  readonly limit: number;
  constructor(readonly f: RandomAccessFile, public le: boolean) {
    this.limit = Math.min(f.size, MAX_GGUF_HEADER_BYTES);
  }
  remaining(): number {
    return this.limit - this.pos;
  }
  private need(n: number, what: string): number {
    if (n > this.limit - this.pos) {
      if (this.pos + n > this.f.size) throw new InputError(`GGUF: ${what} at byte ${this.pos} runs past the end of the file (${this.f.size} bytes): truncated`, this.f.path);
      throw new InputError(`GGUF: header exceeds MAX_GGUF_HEADER_BYTES (${MAX_GGUF_HEADER_BYTES}) reading ${what}`, this.f.path);
    }
    if (this.pos < this.bufStart || this.pos + n > this.bufStart + this.buf.byteLength) {
      const len = Math.min(Math.max(n, 1 << 20), this.limit - this.pos);
      this.buf = new Uint8Array(len);
      this.f.readAt(this.buf, this.pos);
      this.bufStart = this.pos;
      this.dv = new DataView(this.buf.buffer);
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return at;
  }
  u32(what: string): number {
    return this.dv.getUint32(this.need(4, what), this.le);
  }
  u64(what: string): number {
    const v = this.dv.getBigUint64(this.need(8, what), this.le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`GGUF: ${what} ${v} is out of range`, this.f.path);
    return Number(v);
  }
  /** A size field: u32 in GGUF v1, u64 after. */
  size(v1: boolean, what: string): number {
    return v1 ? this.u32(what) : this.u64(what);
  }
  scalar(type: number, what: string): number | bigint | boolean {
    const at = this.need(VALUE_SIZES[type]!, what);
    const d = this.dv;
    switch (type) {
      case 0: return d.getUint8(at);
      case 1: return d.getInt8(at);
      case 2: return d.getUint16(at, this.le);
      case 3: return d.getInt16(at, this.le);
      case 4: return d.getUint32(at, this.le);
      case 5: return d.getInt32(at, this.le);
      case 6: return d.getFloat32(at, this.le);
      case 7: return d.getUint8(at) !== 0;
      case 10: return d.getBigUint64(at, this.le);
      case 11: return d.getBigInt64(at, this.le);
      default: return d.getFloat64(at, this.le);
    }
  }
  skip(n: number, what: string): void {
    this.ensure(n, what);
    this.pos += n;
  }
  /** Throw (truncated / over the header limit) unless n more bytes are available. */
  ensure(n: number, what: string): void {
    if (n > this.remaining()) this.need(n, what);
  }
  bytes(n: number, what: string): Uint8Array {
    const at = this.need(n, what);
    return this.buf.subarray(at, at + n);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function readString(c: Cursor, v1: boolean, what: string, max: number): string {
  const n = c.size(v1, `${what} length`);
  if (n > max) throw new InputError(`GGUF: ${what} length ${n} exceeds the limit (${max})`, c.f.path);
  const b = c.bytes(n, what);
  try {
    return UTF8.decode(b);
  } catch {
    throw new InputError(`GGUF: ${what} is not valid UTF-8`, c.f.path);
  }
}

/** Read (or skip) one metadata value; returns a short text form for scalars and strings. */
function readValue(c: Cursor, type: number, v1: boolean, what: string, depth: number): string {
  if (VALUE_SIZES[type] !== undefined) return String(c.scalar(type, what));
  if (type === 8) {
    const s = readString(c, v1, what, MAX_GGUF_STRING_BYTES);
    return s.length > 4096 ? s.slice(0, 4096) + '...' : s;
  }
  if (type !== 9) throw new InputError(`GGUF: ${what} has unknown value type ${type}`, c.f.path);
  if (depth >= MAX_GGUF_ARRAY_DEPTH) throw new InputError(`GGUF: ${what} nests arrays deeper than MAX_GGUF_ARRAY_DEPTH (${MAX_GGUF_ARRAY_DEPTH})`, c.f.path);
  const et = c.u32(`${what} element type`);
  const n = c.size(v1, `${what} array length`);
  if (n > MAX_GGUF_ARRAY_LENGTH) throw new InputError(`GGUF: ${what} array length ${n} exceeds MAX_GGUF_ARRAY_LENGTH (${MAX_GGUF_ARRAY_LENGTH})`, c.f.path);
  const es = VALUE_SIZES[et];
  if (es !== undefined) {
    c.skip(n * es, `${what} array data`);
  } else if (et === 8 || et === 9) {
    const minSize = et === 8 ? (v1 ? 4 : 8) : v1 ? 8 : 12;
    c.ensure(n * minSize, `${what} array data`);
    for (let k = 0; k < n; k++) readValue(c, et, v1, `${what}[${k}]`, depth + 1);
  } else throw new InputError(`GGUF: ${what} array has unknown element type ${et}`, c.f.path);
  return `[${TYPE_NAMES[et] ?? et} x ${n}]`;
}

export interface GgufTensorInfo {
  name: string;
  typeId: number;
  typeName: string;
  /** Row-major shape (ne reversed). */
  shape: number[];
  numel: number;
  byteSize: number;
  /** Absolute byte offset of the data. */
  start: number;
}

export interface GgufHeader {
  version: number;
  littleEndian: boolean;
  alignment: number;
  metadata: Record<string, string>;
  tensors: GgufTensorInfo[];
  dataStart: number;
}

export function parseGgufHeader(f: RandomAccessFile): GgufHeader {
  const file = f.path;
  if (f.size < 8) throw new InputError(`not a GGUF file (${f.size} bytes)`, file);
  const c = new Cursor(f, true);
  const magic = c.bytes(4, 'magic');
  if (magic[0] !== 0x47 || magic[1] !== 0x47 || magic[2] !== 0x55 || magic[3] !== 0x46) throw new InputError('not a GGUF file (bad magic)', file);
  let version = c.u32('version');
  if ((version & 0xffff) === 0 && version !== 0) {
    c.le = false;
    version = ((version >>> 24) | ((version >>> 8) & 0xff00) | ((version << 8) & 0xff0000) | (version << 24)) >>> 0;
  }
  if (version < 1 || version > 3) throw new InputError(`GGUF: unsupported version ${version}`, file);
  const v1 = version === 1;
  const nTensors = c.size(v1, 'tensor count');
  const nKv = c.size(v1, 'metadata count');
  if (nTensors > MAX_TENSORS) throw new InputError(`GGUF: tensor count ${nTensors} exceeds MAX_TENSORS (${MAX_TENSORS})`, file);
  if (nKv > MAX_GGUF_KV) throw new InputError(`GGUF: metadata count ${nKv} exceeds MAX_GGUF_KV (${MAX_GGUF_KV})`, file);
  // Each key/value takes at least 13 (v1: 9) bytes and each tensor info at least 24 (v1: 16).
  if (nKv * (v1 ? 9 : 13) + nTensors * (v1 ? 16 : 24) > f.size - c.pos) {
    throw new InputError(`GGUF: ${nKv} metadata entries and ${nTensors} tensors cannot fit in a ${f.size}-byte file: truncated or bad counts`, file);
  }
  const metadata: Record<string, string> = {};
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const seenKeys = new Set<string>();
  for (let k = 0; k < nKv; k++) {
    const key = readString(c, v1, `metadata key ${k}`, MAX_NAME_BYTES);
    if (seenKeys.has(key)) throw new InputError(`GGUF: duplicate metadata key ${q(key)}`, file);
    seenKeys.add(key);
    const type = c.u32(`type of ${q(key)}`);
    const text = readValue(c, type, v1, `metadata ${q(key)}`, 0);
    setOwn(metadata, key, text);
    if (key === 'general.alignment') {
      const a = Number(text);
      if (!(type === 4 || type === 10 || type === 2 || type === 0 || type === 5 || type === 11) || !Number.isSafeInteger(a) || a < 1 || a > MAX_GGUF_ALIGNMENT || (a & (a - 1)) !== 0) {
        throw new InputError(`GGUF: general.alignment ${text} is not a power of two in [1, ${MAX_GGUF_ALIGNMENT}]`, file);
      }
      alignment = a;
    }
  }
  const infos: { name: string; ne: number[]; typeId: number; offset: number }[] = [];
  const names = new Set<string>();
  for (let t = 0; t < nTensors; t++) {
    const name = readString(c, v1, `tensor ${t} name`, MAX_NAME_BYTES);
    if (names.has(name)) throw new InputError(`GGUF: duplicate tensor name ${q(name)}`, file);
    names.add(name);
    const nd = c.u32(`tensor ${q(name)} n_dims`);
    if (nd > MAX_GGUF_DIMS) throw new InputError(`GGUF: tensor ${q(name)} has ${nd} dimensions, more than ${MAX_GGUF_DIMS}`, file);
    const ne: number[] = [];
    for (let d = 0; d < nd; d++) ne.push(c.size(v1, `tensor ${q(name)} dimension ${d}`));
    const typeId = c.u32(`tensor ${q(name)} type`);
    const offset = c.u64(`tensor ${q(name)} offset`);
    infos.push({ name, ne, typeId, offset });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  const tensors: GgufTensorInfo[] = [];
  let expect = 0;
  for (const ti of infos) {
    const what = `tensor ${q(ti.name)}`;
    const tt = GGML_TYPES[ti.typeId];
    if (!tt) throw new InputError(`GGUF: ${what} has unknown ggml type ${ti.typeId}`, file);
    const [typeName, blck, tsize] = tt;
    let numel = 1;
    for (const d of ti.ne) {
      if (d !== 0 && numel > Number.MAX_SAFE_INTEGER / d) throw new InputError(`GGUF: ${what} shape [${ti.ne.join(', ')}] overflows`, file);
      numel *= d;
    }
    const ne0 = ti.ne[0] ?? 1;
    if (ne0 % blck !== 0) throw new InputError(`GGUF: ${what} ne[0] = ${ne0} is not a multiple of the ${typeName} block size ${blck}`, file);
    const byteSize = (numel / blck) * tsize;
    if (!Number.isSafeInteger(byteSize)) throw new InputError(`GGUF: ${what} is too large`, file);
    if (ti.offset !== expect) {
      throw new InputError(`GGUF: ${what} has data offset ${ti.offset}, expected ${expect} (tensors must follow each other at ${alignment}-byte alignment; overlapping or out of order)`, file);
    }
    const start = dataStart + ti.offset;
    if (start > f.size || byteSize > f.size - start) {
      throw new InputError(`GGUF: ${what} data [${start}, ${start + byteSize}) runs past the end of the file (${f.size} bytes): truncated`, file);
    }
    expect += Math.ceil(byteSize / alignment) * alignment;
    tensors.push({ name: ti.name, typeId: ti.typeId, typeName, shape: [...ti.ne].reverse(), numel, byteSize, start });
  }
  return { version, littleEndian: c.le, alignment, metadata, tensors, dataStart };
}

export function openGguf(path: string, fs: FileSystemLike = nodeFs): WeightSource {
  const f = fs.open(path);
  try {
    const h = parseGgufHeader(f);
    const entries: Entry[] = h.tensors.map((t) => {
      const elem = GGUF_READABLE[t.typeId];
      return {
        info: {
          name: t.name,
          dtype: t.typeName,
          shape: [...t.shape],
          numel: t.numel,
          byteSize: t.byteSize,
          supported: elem !== undefined,
          ...(elem ? {} : { reason: `quantized GGUF type ${t.typeName} is not supported (readable: F32, F16, BF16, F64, I8, I16, I32)` }),
          file: path,
        },
        read: (out) => readElements(f, t.start, elem!, t.numel, out, h.littleEndian),
      };
    });
    return new EntrySource(path, 'gguf', entries, h.metadata, () => f.close());
  } catch (e) {
    f.close();
    throw e;
  }
}
