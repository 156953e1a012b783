/**
 * openWeights: one entry point for every weight file rf8kit reads, detecting the format from the
 * path (extension, folder contents) and the file's magic bytes.
 */
import { basename, posix } from 'node:path';
import { InputError } from '../util/errors.js';
import { type FileSystemLike, type RandomAccessFile, isPlainObject, nodeFs, parseJson, readBytes, setOwn, utf8, q } from './file.js';
import { numelOf, readElements } from './dtype.js';
import { MAX_INDEX_JSON_BYTES } from './limits.js';
import { baseNameNoExt, openNpy } from './npy.js';
import { openNpz } from './npz.js';
import { openGguf } from './gguf.js';
import { openTfjs } from './tfjs.js';
import { openSafetensors, safetensorsEntries } from './safetensors.js';
import { EntrySource, type Entry, type TensorInfo, type WeightFormat, type WeightSource } from './source.js';

export interface OpenOptions {
  /** Skip detection. */
  format?: WeightFormat;
  /** Shape of a raw .f32 file (default: 1-D of size/4). */
  shape?: number[];
  /** File system to read from (default node's; tests use memoryFs). */
  fs?: FileSystemLike;
}

const EXT_FORMAT: Readonly<Record<string, WeightFormat>> = {
  '.safetensors': 'safetensors', '.npy': 'npy', '.npz': 'npz', '.gguf': 'gguf', '.f32': 'f32',
};

/** Format named by the bytes at the start of a file, if any. */
export function sniffFormat(head: Uint8Array): WeightFormat | undefined {
  const s = (i: number, str: string): boolean => [...str].every((ch, k) => head[i + k] === ch.charCodeAt(0));
  if (head.length >= 6 && head[0] === 0x93 && s(1, 'NUMPY')) return 'npy';
  if (head.length >= 4 && s(0, 'PK') && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) return 'npz';
  if (head.length >= 4 && s(0, 'GGUF')) return 'gguf';
  if (head.length >= 9 && head[8] === 0x7b) {
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (dv.getBigUint64(0, true) < 2n ** 40n) return 'safetensors';
  }
  return undefined;
}

function extOf(path: string): string {
  const b = basename(path).toLowerCase();
  const i = b.lastIndexOf('.');
  return i > 0 ? b.slice(i) : '';
}

/** Work out what `path` is: a tfjs folder or model.json, a safetensors index or folder, or one file. */
export function detectFormat(path: string, fs: FileSystemLike = nodeFs): WeightFormat | 'safetensors-index' | 'safetensors-dir' {
  const kind = fs.kind(path);
  if (kind === undefined) throw new InputError('no such file or folder', path);
  if (kind === 'dir') {
    const names = fs.readdir(path);
    if (names.includes('model.json')) return 'tfjs';
    if (names.filter((n) => n.endsWith('.safetensors.index.json')).length === 1) return 'safetensors-index';
    if (names.some((n) => n.endsWith('.safetensors'))) return 'safetensors-dir';
    throw new InputError('folder holds no model.json (tfjs) and no .safetensors files', path);
  }
  const lower = path.toLowerCase();
  if (lower.endsWith('.safetensors.index.json')) return 'safetensors-index';
  if (lower.endsWith('.json')) return 'tfjs';
  const f = fs.open(path);
  let head: Uint8Array;
  try {
    head = readBytes(f, 0, Math.min(16, f.size), 'file start');
  } finally {
    f.close();
  }
  const sniffed = sniffFormat(head);
  const byExt = EXT_FORMAT[extOf(path)];
  if (byExt && sniffed && byExt !== sniffed && byExt !== 'f32') {
    throw new InputError(`the extension says ${byExt} but the content looks like ${sniffed}`, path);
  }
  const fmt = byExt ?? sniffed;
  if (!fmt) {
    throw new InputError('cannot tell the weight format (expected .safetensors, .npy, .npz, .gguf, .f32, a safetensors index, or a tfjs model folder / model.json)', path);
  }
  return fmt;
}

/**
 * Open a weight file or folder for reading tensor by tensor. Formats: safetensors (one file,
 * a folder of shards, or a `*.safetensors.index.json`), .npy, .npz, tfjs model folders
 * (folder or model.json), GGUF, raw little-endian .f32. Errors are InputError naming the file,
 * the tensor and the problem.
 */
export function openWeights(path: string, opts: OpenOptions = {}): WeightSource {
  const fs = opts.fs ?? nodeFs;
  const fmt = opts.format ?? detectFormat(path, fs);
  switch (fmt) {
    case 'safetensors':
      return openSafetensors(path, fs);
    case 'safetensors-index':
      return openSafetensorsIndex(path, fs);
    case 'safetensors-dir':
      return openSafetensorsDir(path, fs);
    case 'npy':
      return openNpy(path, fs);
    case 'npz':
      return openNpz(path, fs);
    case 'gguf':
      return openGguf(path, fs);
    case 'tfjs':
      return openTfjs(path, fs);
    case 'f32':
      return openRawF32(path, opts.shape, fs);
    default:
      throw new InputError(`unknown format ${q(String(fmt))}`, path);
  }
}

/** Raw little-endian float32, no header. */
export function openRawF32(path: string, shape: number[] | undefined, fs: FileSystemLike = nodeFs): WeightSource {
  const f = fs.open(path);
  try {
    if (f.size % 4 !== 0) throw new InputError(`raw .f32 file has ${f.size} bytes, not a multiple of 4`, path);
    const n = f.size / 4;
    const shp = shape ?? [n];
    const numel = numelOf(shp, path, 'raw .f32 shape');
    if (numel !== n) throw new InputError(`shape [${shp.join(', ')}] has ${numel} elements but the file holds ${n} float32 values`, path);
    const info: TensorInfo = { name: baseNameNoExt(path), dtype: 'F32', shape: [...shp], numel, byteSize: f.size, supported: true, file: path };
    return new EntrySource(path, 'f32', [{ info, read: (out) => readElements(f, 0, 'F32', numel, out, true) }], {}, () => f.close());
  } catch (e) {
    f.close();
    throw e;
  }
}

/** Sharded checkpoint: `model.safetensors.index.json` {metadata, weight_map: {tensor: shard file}}. */
export function openSafetensorsIndex(path: string, fs: FileSystemLike = nodeFs): WeightSource {
  let indexPath = path;
  if (fs.kind(path) === 'dir') {
    const n = fs.readdir(path).find((x) => x.endsWith('.safetensors.index.json'))!;
    indexPath = posix.join(path, n);
  }
  const dir = posix.dirname(indexPath);
  const jf = fs.open(indexPath);
  let text: string;
  try {
    if (jf.size > MAX_INDEX_JSON_BYTES) throw new InputError(`index is ${jf.size} bytes, more than MAX_INDEX_JSON_BYTES`, indexPath);
    text = utf8(readBytes(jf, 0, jf.size, 'index'), indexPath, 'index');
  } finally {
    jf.close();
  }
  const idx = parseJson(text, indexPath, 'safetensors index');
  if (!isPlainObject(idx) || !isPlainObject(idx.weight_map)) throw new InputError('safetensors index has no weight_map object', indexPath);
  const wm = idx.weight_map;
  const byShard = new Map<string, string[]>();
  for (const [name, shard] of Object.entries(wm)) {
    if (typeof shard !== 'string' || shard.length === 0 || shard.includes('/') || shard.includes('\\') || shard === '..' || shard === '.') {
      throw new InputError(`weight_map[${q(name)}]: shard must be a file name in the same folder, got ${JSON.stringify(shard)?.slice(0, 80)}`, indexPath);
    }
    const list = byShard.get(shard) ?? [];
    list.push(name);
    byShard.set(shard, list);
  }
  const files: RandomAccessFile[] = [];
  const entries: Entry[] = [];
  const metadata: Record<string, string> = {};
  try {
    for (const [shard, names] of byShard) {
      const f = fs.open(posix.join(dir, shard));
      files.push(f);
      const { entries: es, metadata: md } = safetensorsEntries(f);
      for (const k of Object.keys(md)) setOwn(metadata, k, md[k]!);
      const byName = new Map(es.map((e) => [e.info.name, e]));
      for (const n of names) {
        const e = byName.get(n);
        if (!e) throw new InputError(`weight_map says ${q(n)} is in ${shard}, but that shard has no such tensor`, indexPath);
        entries.push(e);
      }
    }
    return new EntrySource(indexPath, 'safetensors', entries, metadata, () => files.forEach((f) => f.close()));
  } catch (e) {
    files.forEach((f) => f.close());
    throw e;
  }
}

/** A folder of .safetensors files without an index: the union of their tensors (names must be unique). */
export function openSafetensorsDir(path: string, fs: FileSystemLike = nodeFs): WeightSource {
  const files: RandomAccessFile[] = [];
  const entries: Entry[] = [];
  const metadata: Record<string, string> = {};
  try {
    for (const n of fs.readdir(path).filter((x) => x.endsWith('.safetensors'))) {
      const f = fs.open(posix.join(path, n));
      files.push(f);
      const { entries: es, metadata: md } = safetensorsEntries(f);
      for (const k of Object.keys(md)) setOwn(metadata, k, md[k]!);
      entries.push(...es);
    }
    return new EntrySource(path, 'safetensors', entries, metadata, () => files.forEach((f) => f.close()));
  } catch (e) {
    files.forEach((f) => f.close());
    throw e;
  }
}

/**
 * Visit the readable tensors of a weight file one at a time (bounded memory: one tensor, plus a
 * reused buffer when `reuseBuffer` is set). Unreadable tensors are passed to `onSkip` (default:
 * ignored). Returns the number of tensors visited.
 */
export function forEachTensor(
  path: string,
  fn: (info: TensorInfo, data: Float32Array) => void,
  opts: OpenOptions & { filter?: (info: TensorInfo) => boolean; onSkip?: (info: TensorInfo) => void; reuseBuffer?: boolean } = {},
): number {
  const src = openWeights(path, opts);
  try {
    let count = 0;
    let buf: Float32Array | undefined;
    for (const info of src.listTensors()) {
      if (!info.supported) {
        opts.onSkip?.(info);
        continue;
      }
      if (opts.filter && !opts.filter(info)) continue;
      let data: Float32Array;
      if (opts.reuseBuffer) {
        if (!buf || buf.length < info.numel) buf = new Float32Array(info.numel);
        data = buf.subarray(0, info.numel);
        src.readTensorInto(info.name, data);
      } else data = src.readTensor(info.name);
      fn(info, data);
      count++;
    }
    return count;
  } finally {
    src.close();
  }
}
