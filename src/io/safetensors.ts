/**
 * safetensors: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({"__metadata__": {str: str}, name: {dtype, shape, data_offsets: [begin, end]}}), then the
 * data buffer; offsets are relative to the buffer. Hand-written (no maintained npm parser for
 * local files exists; the format is a few lines). Validation mirrors the reference loader:
 * a JSON object header starting with '{', known dtypes, byte sizes matching the shapes, tensors
 * tiling the data buffer exactly (no gap, no overlap, no trailing bytes).
 */
import { InputError } from '../util/errors.js';
import { AtomicFileWriter } from '../util/atomic.js';
import { type FileSystemLike, type RandomAccessFile, isPlainObject, nodeFs, parseJson, readBytes, setOwn, utf8, q } from './file.js';
import { type ElemType, ELEM_BYTES, numelOf, readElements } from './dtype.js';
import { MAX_NAME_BYTES, MAX_RANK, MAX_SAFETENSORS_HEADER_BYTES, MAX_TENSORS } from './limits.js';
import { EntrySource, type Entry, type TensorInfo, type WeightSource } from './source.js';

/** Every dtype name of the safetensors format, with its element size in bytes. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8, C64: 8,
});
/** The dtypes this reader decodes to float. */
export const SAFETENSORS_READABLE: readonly string[] = Object.freeze(['F64', 'F32', 'F16', 'BF16', 'U8', 'I8']);

export interface SafetensorsTensorHeader {
  name: string;
  dtype: string;
  shape: number[];
  numel: number;
  /** Absolute byte offsets in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: SafetensorsTensorHeader[];
  /** Byte offset of the data buffer (8 + N). */
  dataStart: number;
  headerBytes: number;
}

/** Parse and validate the header of an open safetensors file (reads only 8 + N bytes). */
export function parseSafetensorsHeader(f: RandomAccessFile): SafetensorsHeader {
  const file = f.path;
  if (f.size < 8) throw new InputError(`not a safetensors file: ${f.size} bytes, shorter than the 8-byte header length`, file);
  const lenBytes = readBytes(f, 0, 8, 'safetensors header length');
  const n64 = new DataView(lenBytes.buffer).getBigUint64(0, true);
  if (n64 > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw new InputError(`safetensors header length ${n64} exceeds MAX_SAFETENSORS_HEADER_BYTES (${MAX_SAFETENSORS_HEADER_BYTES})`, file);
  }
  const n = Number(n64);
  if (n > f.size - 8) throw new InputError(`safetensors header length ${n} runs past the end of the file (${f.size} bytes): truncated`, file);
  if (n < 2) throw new InputError(`safetensors header length ${n} is too small for a JSON object`, file);
  const hb = readBytes(f, 8, n, 'safetensors header');
  if (hb[0] !== 0x7b) throw new InputError(`safetensors header does not start with '{'`, file);
  const text = utf8(hb, file, 'safetensors header');
  const json = parseJson(text, file, 'safetensors header');
  if (!isPlainObject(json)) throw new InputError('safetensors header is not a JSON object', file);
  const dataStart = 8 + n;
  const dataSize = f.size - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorHeader[] = [];
  const keys = Object.keys(json);
  if (keys.length > MAX_TENSORS + 1) throw new InputError(`safetensors header lists ${keys.length} entries, more than MAX_TENSORS (${MAX_TENSORS})`, file);
  for (const name of keys) {
    const v = json[name];
    if (name === '__metadata__') {
      if (!isPlainObject(v)) throw new InputError('__metadata__ is not an object of strings', file);
      for (const [k, s] of Object.entries(v)) {
        if (typeof s !== 'string') throw new InputError(`__metadata__ value of ${q(k)} is not a string`, file);
        setOwn(metadata, k, s);
      }
      continue;
    }
    const what = `tensor ${q(name)}`;
    if (name.length === 0) throw new InputError('a tensor has an empty name', file);
    if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw new InputError(`${what}: name longer than MAX_NAME_BYTES (${MAX_NAME_BYTES})`, file);
    if (!isPlainObject(v)) throw new InputError(`${what}: entry is not an object`, file);
    const { dtype, shape, data_offsets: off } = v;
    if (typeof dtype !== 'string' || !/^[A-Z][A-Z0-9_]{0,15}$/.test(dtype)) throw new InputError(`${what}: bad dtype ${JSON.stringify(dtype)?.slice(0, 40)}`, file);
    if (!Array.isArray(shape)) throw new InputError(`${what}: shape is not an array`, file);
    if (shape.length > MAX_RANK) throw new InputError(`${what}: rank ${shape.length} exceeds MAX_RANK (${MAX_RANK})`, file);
    const numel = numelOf(shape, file, what);
    if (!Array.isArray(off) || off.length !== 2) throw new InputError(`${what}: data_offsets is not a [begin, end] pair`, file);
    const [b, e] = off as unknown[];
    if (typeof b !== 'number' || typeof e !== 'number' || !Number.isSafeInteger(b) || !Number.isSafeInteger(e) || b < 0 || e < b) {
      throw new InputError(`${what}: data_offsets [${String(b)}, ${String(e)}] are not 0 <= begin <= end integers`, file);
    }
    if (e > dataSize) throw new InputError(`${what}: data_offsets end ${e} is past the data buffer (${dataSize} bytes): truncated or bad offset`, file);
    const eb = SAFETENSORS_DTYPE_BYTES[dtype];
    if (eb !== undefined && numel * eb !== e - b) {
      throw new InputError(`${what}: ${dtype} [${shape.join(', ')}] needs ${numel * eb} bytes but data_offsets span ${e - b}`, file);
    }
    tensors.push({ name, dtype, shape: shape as number[], numel, begin: dataStart + b, end: dataStart + e });
  }
  // Tensors must tile the data buffer: sorted by offset, each begins where the previous ended.
  const sorted = [...tensors].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let at = dataStart;
  for (const t of sorted) {
    if (t.begin < at) throw new InputError(`tensor ${q(t.name)}: data overlaps the previous tensor (starts at ${t.begin - dataStart}, previous ends at ${at - dataStart})`, file);
    if (t.begin > at) throw new InputError(`tensor ${q(t.name)}: gap in the data buffer before it (${at - dataStart} .. ${t.begin - dataStart})`, file);
    at = t.end;
  }
  if (at !== f.size) throw new InputError(`data buffer has ${f.size - at} bytes after the last tensor (the header and the file size disagree)`, file);
  return { metadata, tensors, dataStart, headerBytes: n };
}

function infoOf(t: SafetensorsTensorHeader, file: string): TensorInfo {
  const readable = SAFETENSORS_READABLE.includes(t.dtype);
  const known = SAFETENSORS_DTYPE_BYTES[t.dtype] !== undefined;
  return {
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    numel: t.numel,
    byteSize: t.end - t.begin,
    supported: readable,
    ...(readable ? {} : { reason: known ? `dtype ${t.dtype} is not read as weights (readable: ${SAFETENSORS_READABLE.join(', ')})` : `unknown dtype ${t.dtype}` }),
    file,
  };
}

/** Entries of one safetensors file (shared with the sharded-checkpoint source). */
export function safetensorsEntries(f: RandomAccessFile): { entries: Entry[]; metadata: Record<string, string> } {
  const h = parseSafetensorsHeader(f);
  const entries: Entry[] = h.tensors.map((t) => ({
    info: infoOf(t, f.path),
    read: (out) => readElements(f, t.begin, t.dtype as ElemType, t.numel, out, true),
  }));
  return { entries, metadata: h.metadata };
}

export function openSafetensors(path: string, fs: FileSystemLike = nodeFs): WeightSource {
  const f = fs.open(path);
  try {
    const { entries, metadata } = safetensorsEntries(f);
    return new EntrySource(path, 'safetensors', entries, metadata, () => f.close());
  } catch (e) {
    f.close();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** dtypes the writer accepts. */
export type SafetensorsWriteDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'U8' | 'I8';

export interface SafetensorsPlanEntry {
  name: string;
  dtype: SafetensorsWriteDtype;
  shape: number[];
}

interface Slot extends SafetensorsPlanEntry {
  begin: number;
  end: number;
  written: boolean;
}

function checkPlanName(name: string, path: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new InputError('tensor name must be a non-empty string', path);
  if (name === '__metadata__') throw new InputError("'__metadata__' cannot name a tensor", path);
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw new InputError(`tensor name longer than MAX_NAME_BYTES (${MAX_NAME_BYTES})`, path);
}

/**
 * Streaming, atomic safetensors writer. The plan (names, dtypes, shapes) is fixed up front, so
 * every tensor's offset is known and tensors can be written in any order, one at a time; the
 * header is written last (in space reserved at the start, padded with spaces, which JSON and the
 * reference loader allow), so metadata may be added while writing. Nothing appears at `path`
 * until commit(): a crash leaves the previous file.
 */
export class SafetensorsWriter {
  private readonly slots = new Map<string, Slot>();
  private readonly order: Slot[] = [];
  private readonly metadata: Record<string, string> = {};
  private readonly reserved: number;
  private readonly dataStart: number;
  private readonly out: AtomicFileWriter;
  private done = false;

  /**
   * @param reserveBytes extra header bytes to reserve for metadata set after construction
   *   (setMetadata); the header may grow by at most this much.
   */
  constructor(readonly path: string, plan: SafetensorsPlanEntry[], metadata: Record<string, string> = {}, reserveBytes = 0) {
    if (plan.length > MAX_TENSORS) throw new InputError(`more than MAX_TENSORS (${MAX_TENSORS}) tensors`, path);
    for (const k of Object.keys(metadata)) setOwn(this.metadata, k, metadata[k]!);
    let at = 0;
    for (const p of plan) {
      checkPlanName(p.name, path);
      if (this.slots.has(p.name)) throw new InputError(`tensor ${q(p.name)} is planned twice`, path);
      const eb = ELEM_BYTES[p.dtype as ElemType];
      if (eb === undefined || !(['F64', 'F32', 'F16', 'BF16', 'U8', 'I8'] as string[]).includes(p.dtype)) {
        throw new InputError(`tensor ${q(p.name)}: cannot write dtype ${String(p.dtype)}`, path);
      }
      if (!Array.isArray(p.shape) || p.shape.length > MAX_RANK) throw new InputError(`tensor ${q(p.name)}: bad shape`, path);
      const numel = numelOf(p.shape, path, `tensor ${q(p.name)}`);
      const slot: Slot = { name: p.name, dtype: p.dtype, shape: [...p.shape], begin: at, end: at + numel * eb, written: false };
      at = slot.end;
      this.slots.set(p.name, slot);
      this.order.push(slot);
    }
    const initial = Buffer.byteLength(this.headerJson(), 'utf8');
    this.reserved = Math.ceil((initial + Math.max(0, Math.floor(reserveBytes))) / 8) * 8;
    this.dataStart = 8 + this.reserved;
    this.out = new AtomicFileWriter(path);
  }

  /** Add or replace one `__metadata__` entry (before commit). */
  setMetadata(key: string, value: string): void {
    if (typeof value !== 'string') throw new InputError(`metadata ${q(key)} must be a string`, this.path);
    setOwn(this.metadata, key, value);
  }

  /** Write one planned tensor's data (raw little-endian bytes or a typed array of its dtype). */
  writeTensor(name: string, data: ArrayBufferView): void {
    const s = this.slots.get(name);
    if (!s) throw new InputError(`tensor ${q(name)} is not in the plan`, this.path);
    if (this.done) throw new InputError('writer already committed or aborted', this.path);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.byteLength !== s.end - s.begin) {
      throw new InputError(`tensor ${q(name)}: ${bytes.byteLength} bytes given, ${s.dtype} [${s.shape.join(', ')}] needs ${s.end - s.begin}`, this.path);
    }
    this.out.writeAt(bytes, this.dataStart + s.begin);
    s.written = true;
  }

  /** Names planned but not written yet. */
  missing(): string[] {
    return this.order.filter((s) => !s.written).map((s) => s.name);
  }

  commit(): void {
    if (this.done) throw new InputError('writer already committed or aborted', this.path);
    const miss = this.missing();
    if (miss.length) {
      this.abort();
      throw new InputError(`not written: ${miss.slice(0, 5).join(', ')}${miss.length > 5 ? ` and ${miss.length - 5} more` : ''}`, this.path);
    }
    const json = Buffer.from(this.headerJson(), 'utf8');
    if (json.byteLength > this.reserved) {
      this.abort();
      throw new InputError(`header grew to ${json.byteLength} bytes, more than the ${this.reserved} reserved`, this.path);
    }
    const head = Buffer.alloc(8 + this.reserved, 0x20);
    head.writeBigUInt64LE(BigInt(this.reserved), 0);
    json.copy(head, 8);
    this.out.writeAt(head, 0);
    // A file whose last tensors are empty still needs its full length.
    this.done = true;
    this.out.commit();
  }

  abort(): void {
    if (!this.out.closed) this.out.abort();
    this.done = true;
  }

  private headerJson(): string {
    // Built by hand so that any key (even '__proto__') is written as given.
    const parts: string[] = [];
    const meta = Object.keys(this.metadata);
    if (meta.length) parts.push(`"__metadata__":{${meta.map((k) => `${JSON.stringify(k)}:${JSON.stringify(this.metadata[k])}`).join(',')}}`);
    for (const s of this.order) {
      parts.push(`${JSON.stringify(s.name)}:{"dtype":${JSON.stringify(s.dtype)},"shape":${JSON.stringify(s.shape)},"data_offsets":[${s.begin},${s.end}]}`);
    }
    return `{${parts.join(',')}}`;
  }
}

export interface SafetensorsTensorOut {
  name: string;
  dtype: SafetensorsWriteDtype;
  shape: number[];
  /** Little-endian bytes, or a typed array of the dtype (Float32Array for F32, Uint16Array of bit patterns for F16/BF16...). */
  data: ArrayBufferView;
}

/** Write a whole safetensors file atomically (tensors in the given order). */
export function writeSafetensors(path: string, tensors: SafetensorsTensorOut[], metadata: Record<string, string> = {}): void {
  const w = new SafetensorsWriter(path, tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })), metadata);
  try {
    for (const t of tensors) w.writeTensor(t.name, t.data);
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}
