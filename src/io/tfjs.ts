/**
 * TensorFlow.js model folders: model.json with a `weightsManifest` (groups of shard `paths` and
 * `weights` specs), and the binary shards. Within a group the weights are laid out back to back
 * over the concatenation of the group's shards (a weight may span two shards). Dequantization is
 * exactly tfjs-core's (io_utils.js decodeWeight, v4.22):
 * - quantization uint8 / uint16 with {min, scale}: float32 weights get `v * scale + min`
 *   (computed in double, stored to float32), int32 weights `Math.round(v * scale + min)`;
 * - quantization float16 (float32 weights only): binary16 -> float32 (exact);
 * - unquantized float32 / int32 / bool read as they are; string and complex64 are listed but
 *   not readable.
 * The shards are read with bounded memory (one weight at a time).
 */
import { posix, resolve, sep } from 'node:path';
import { InputError } from '../util/errors.js';
import { type FileSystemLike, type RandomAccessFile, checkRange, isPlainObject, nodeFs, parseJson, readBytes, utf8, q } from './file.js';
import { type ElemType, f16ToF32Table, numelOf, readElements } from './dtype.js';
import { IO_CHUNK_BYTES, MAX_NAME_BYTES, MAX_RANK, MAX_TENSORS, MAX_TFJS_MODEL_JSON_BYTES, MAX_TFJS_SHARDS, MAX_TFJS_STRING_ELEMENTS } from './limits.js';
import { EntrySource, type Entry, type WeightSource } from './source.js';

const DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANT_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

/** The shards of one manifest group, read as one concatenated byte range. */
class ConcatFile implements RandomAccessFile {
  readonly size: number;
  private readonly starts: number[] = [];
  private open: { i: number; f: RandomAccessFile } | undefined;
  constructor(readonly path: string, private readonly fs: FileSystemLike, private readonly shards: { path: string; size: number }[]) {
    let s = 0;
    for (const sh of shards) {
      this.starts.push(s);
      s += sh.size;
    }
    this.size = s;
  }
  readAt(dst: Uint8Array, pos: number): void {
    checkRange(this.path, this.size, pos, dst.byteLength);
    let w = 0;
    while (w < dst.byteLength) {
      const at = pos + w;
      // binary search the shard holding byte `at`
      let lo = 0;
      let hi = this.shards.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.starts[mid]! <= at) lo = mid;
        else hi = mid - 1;
      }
      const sh = this.shards[lo]!;
      const off = at - this.starts[lo]!;
      const n = Math.min(dst.byteLength - w, sh.size - off);
      if (n <= 0) throw new InputError(`internal: no shard holds byte ${at}`, this.path);
      this.handle(lo).readAt(dst.subarray(w, w + n), off);
      w += n;
    }
  }
  private handle(i: number): RandomAccessFile {
    if (this.open?.i !== i) {
      this.open?.f.close();
      const f = this.fs.open(this.shards[i]!.path);
      if (f.size !== this.shards[i]!.size) {
        f.close();
        throw new InputError('shard changed size while reading', this.shards[i]!.path);
      }
      this.open = { i, f };
    }
    return this.open.f;
  }
  close(): void {
    this.open?.f.close();
    this.open = undefined;
  }
}

/** Resolve a manifest path inside the model folder; refuse absolute paths, URLs and '..' escapes. */
function shardPath(dir: string, p: unknown, file: string): string {
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096) throw new InputError(`weightsManifest: bad shard path ${JSON.stringify(p)?.slice(0, 80)}`, file);
  if (p.includes('\0') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p) || p.startsWith('/') || p.startsWith('\\')) {
    throw new InputError(`weightsManifest: shard path ${q(p)} must be relative to the model folder`, file);
  }
  const norm = posix.normalize(p.replace(/\\/g, '/'));
  if (norm === '..' || norm.startsWith('../')) throw new InputError(`weightsManifest: shard path ${q(p)} leaves the model folder`, file);
  const full = resolve(dir, norm);
  const root = resolve(dir);
  if (full !== root && !full.startsWith(root + sep) && !full.startsWith(root + '/')) throw new InputError(`weightsManifest: shard path ${q(p)} leaves the model folder`, file);
  return full;
}

interface WeightPlan {
  name: string;
  dtype: string;
  shape: number[];
  numel: number;
  q?: { dtype: 'uint8' | 'uint16' | 'float16'; min: number; scale: number };
  start: number;
  bytes: number;
  reason?: string;
}

export function openTfjs(path: string, fs: FileSystemLike = nodeFs): WeightSource {
  const jsonPath = fs.kind(path) === 'dir' ? posix.join(path.replace(/\\/g, '/'), 'model.json') : path;
  const dir = posix.dirname(jsonPath.replace(/\\/g, '/'));
  const jf = fs.open(jsonPath);
  let text: string;
  try {
    if (jf.size > MAX_TFJS_MODEL_JSON_BYTES) throw new InputError(`model.json is ${jf.size} bytes, more than MAX_TFJS_MODEL_JSON_BYTES (${MAX_TFJS_MODEL_JSON_BYTES})`, jsonPath);
    text = utf8(readBytes(jf, 0, jf.size, 'model.json'), jsonPath, 'model.json');
  } finally {
    jf.close();
  }
  const model = parseJson(text, jsonPath, 'model.json');
  if (!isPlainObject(model)) throw new InputError('model.json is not a JSON object', jsonPath);
  const manifest = model.weightsManifest;
  if (!Array.isArray(manifest)) throw new InputError('model.json has no weightsManifest array', jsonPath);
  const groups: ConcatFile[] = [];
  const entries: Entry[] = [];
  let nShards = 0;
  let nWeights = 0;
  try {
    for (let g = 0; g < manifest.length; g++) {
      const grp = manifest[g];
      if (!isPlainObject(grp) || !Array.isArray(grp.paths) || !Array.isArray(grp.weights)) {
        throw new InputError(`weightsManifest[${g}] is not a {paths: [...], weights: [...]} group`, jsonPath);
      }
      nShards += grp.paths.length;
      nWeights += grp.weights.length;
      if (nShards > MAX_TFJS_SHARDS) throw new InputError(`weightsManifest lists more than MAX_TFJS_SHARDS (${MAX_TFJS_SHARDS}) shards`, jsonPath);
      if (nWeights > MAX_TENSORS) throw new InputError(`weightsManifest lists more than MAX_TENSORS (${MAX_TENSORS}) weights`, jsonPath);
      const shards = grp.paths.map((p) => {
        const full = shardPath(dir, p, jsonPath);
        const size = fs.size(full);
        if (size === undefined) throw new InputError(`weight shard ${q(String(p))} is missing`, jsonPath);
        return { path: full, size };
      });
      const cf = new ConcatFile(`${jsonPath}[group ${g}]`, fs, shards);
      groups.push(cf);
      let at = 0;
      const plans: WeightPlan[] = [];
      for (let w = 0; w < grp.weights.length; w++) {
        const spec = grp.weights[w];
        if (!isPlainObject(spec)) throw new InputError(`weightsManifest[${g}].weights[${w}] is not an object`, jsonPath);
        const { name, shape, dtype, quantization } = spec;
        if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > MAX_NAME_BYTES) {
          throw new InputError(`weightsManifest[${g}].weights[${w}]: bad name`, jsonPath);
        }
        const what = `weight ${q(name)}`;
        if (!Array.isArray(shape) || shape.length > MAX_RANK) throw new InputError(`${what}: shape is not an array of at most ${MAX_RANK} dimensions`, jsonPath);
        const numel = numelOf(shape, jsonPath, what);
        if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES || dtype === 'string')) {
          throw new InputError(`${what}: unknown dtype ${JSON.stringify(dtype)?.slice(0, 40)}`, jsonPath);
        }
        const plan: WeightPlan = { name, dtype, shape: shape as number[], numel, start: at, bytes: 0 };
        if (quantization !== undefined) {
          if (!isPlainObject(quantization)) throw new InputError(`${what}: quantization is not an object`, jsonPath);
          const qd = quantization.dtype;
          if (typeof qd !== 'string' || !(qd in QUANT_BYTES)) throw new InputError(`${what}: unknown quantization dtype ${JSON.stringify(qd)?.slice(0, 40)} (tfjs has uint8, uint16, float16)`, jsonPath);
          let min = 0;
          let scale = 1;
          if (qd === 'uint8' || qd === 'uint16') {
            const { min: mn, scale: sc } = quantization;
            if (typeof mn !== 'number' || typeof sc !== 'number' || !Number.isFinite(mn) || !Number.isFinite(sc)) {
              throw new InputError(`${what}: ${qd} quantization needs finite numeric min and scale`, jsonPath);
            }
            min = mn;
            scale = sc;
            if (dtype !== 'float32' && dtype !== 'int32') throw new InputError(`${what}: ${qd} quantization of a ${dtype} weight`, jsonPath);
          } else if (dtype !== 'float32') throw new InputError(`${what}: float16 quantization only applies to float32 weights, not ${dtype}`, jsonPath);
          plan.q = { dtype: qd as 'uint8' | 'uint16' | 'float16', min, scale };
          plan.bytes = numel * QUANT_BYTES[qd]!;
        } else if (dtype === 'string') {
          plan.bytes = stringBytes(cf, at, numel, what, jsonPath);
          plan.reason = 'string weights are not numeric';
        } else {
          plan.bytes = numel * DTYPE_BYTES[dtype]!;
          if (dtype === 'complex64') plan.reason = 'complex64 weights are not supported';
        }
        if (!Number.isSafeInteger(at + plan.bytes)) throw new InputError(`${what}: too large`, jsonPath);
        at += plan.bytes;
        if (at > cf.size) {
          throw new InputError(`${what}: needs bytes [${plan.start}, ${at}) of group ${g} but its shards hold ${cf.size} bytes (truncated or missing shard data)`, jsonPath);
        }
        plans.push(plan);
      }
      for (const p of plans) entries.push(tfjsEntry(cf, p, jsonPath));
    }
  } catch (e) {
    for (const g of groups) g.close();
    throw e;
  }
  const metadata: Record<string, string> = {};
  for (const k of ['format', 'generatedBy', 'convertedBy'] as const) if (typeof model[k] === 'string') metadata[k] = model[k] as string;
  try {
    return new EntrySource(jsonPath, 'tfjs', entries, metadata, () => groups.forEach((g) => g.close()));
  } catch (e) {
    groups.forEach((g) => g.close());
    throw e;
  }
}

/** Byte length of a tfjs string weight: per element a u32 length then the bytes. */
function stringBytes(cf: ConcatFile, start: number, numel: number, what: string, file: string): number {
  if (numel > MAX_TFJS_STRING_ELEMENTS) throw new InputError(`${what}: ${numel} strings, more than MAX_TFJS_STRING_ELEMENTS`, file);
  let at = start;
  const b = new Uint8Array(4);
  for (let i = 0; i < numel; i++) {
    if (at + 4 > cf.size) throw new InputError(`${what}: string ${i} runs past the shards (truncated)`, file);
    cf.readAt(b, at);
    at += 4 + (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 16777216;
    if (at > cf.size) throw new InputError(`${what}: string ${i} runs past the shards (truncated)`, file);
  }
  return at - start;
}

function tfjsEntry(cf: ConcatFile, p: WeightPlan, file: string): Entry {
  const dtype = p.q ? `${p.q.dtype}->${p.dtype}` : p.dtype;
  return {
    info: {
      name: p.name,
      dtype,
      shape: [...p.shape],
      numel: p.numel,
      byteSize: p.bytes,
      supported: p.reason === undefined,
      ...(p.reason ? { reason: p.reason } : {}),
      file,
    },
    read: (out) => {
      if (!p.q) {
        const elem: ElemType = p.dtype === 'float32' ? 'F32' : p.dtype === 'int32' ? 'I32' : 'U8';
        readElements(cf, p.start, elem, p.numel, out, true);
        return;
      }
      const qz = p.q;
      if (qz.dtype === 'float16') {
        readElements(cf, p.start, 'F16', p.numel, out, true);
        return;
      }
      // uint8 / uint16 affine dequantization, chunked.
      const vb = qz.dtype === 'uint8' ? 1 : 2;
      const per = Math.floor(IO_CHUNK_BYTES / vb);
      const buf = new Uint8Array(Math.min(p.numel, per) * vb);
      const isInt = p.dtype === 'int32';
      const f32 = out instanceof Float32Array;
      for (let i = 0; i < p.numel; i += per) {
        const n = Math.min(per, p.numel - i);
        const view = buf.subarray(0, n * vb);
        cf.readAt(view, p.start + i * vb);
        for (let k = 0; k < n; k++) {
          const v = vb === 1 ? view[k]! : view[2 * k]! | (view[2 * k + 1]! << 8);
          const x = isInt ? Math.round(v * qz.scale + qz.min) | 0 : v * qz.scale + qz.min;
          out[i + k] = f32 || isInt ? x : Math.fround(x);
        }
      }
    },
  };
}

/** Re-export for tests: the exact binary16 table tfjs' decoder must agree with. */
export { f16ToF32Table };
