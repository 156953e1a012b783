/**
 * RF8 safetensors: quantized weights in a plain safetensors file that any safetensors loader
 * opens (layout documented in docs/io.md):
 * - `<name>`            U8 [original shape]   the RF8 codes, row-major
 * - `<name>.rf8_scale`  I8 [1] or [shape[0]]  the scale exponent X per tensor or per row
 *                                             (row = slice along the first axis)
 * - `__metadata__`: "format": "pt", "rf8.layout": "1", "rf8.spec": SPEC_VERSION, and per quantized
 *   tensor "rf8:<name>": JSON {"format", "scale", "granularity", "source_dtype", ...extra}
 * - tensors kept in float (e.g. norms, biases) are ordinary F32 tensors with no rf8: entry.
 * Value of an element = decodeValue(format, code) * 2^X (docs/rf8-spec.md section 2).
 */
import { InputError } from '../util/errors.js';
import { decodeArray, getFormat, SPEC_VERSION, type FormatName } from '../format/index.js';
import { type FileSystemLike, type RandomAccessFile, isPlainObject, nodeFs, q, readBytes } from './file.js';
import { numelOf, readElements } from './dtype.js';
import { MAX_RF8_META_BYTES, MAX_TENSOR_ELEMENTS } from './limits.js';
import { SafetensorsWriter, parseSafetensorsHeader, type SafetensorsPlanEntry, type SafetensorsTensorHeader } from './safetensors.js';

export const RF8_SCALE_SUFFIX = '.rf8_scale';
export const RF8_META_PREFIX = 'rf8:';
export const RF8_LAYOUT_VERSION = '1';
/** The spec version written to `rf8.spec` (docs/rf8-spec.md, SPEC_VERSION of src/format). */
export const RF8_SPEC_VERSION: string = SPEC_VERSION;

export type ScaleGranularity = 'tensor' | 'row';

export interface Rf8TensorMeta {
  format: FormatName;
  scale: string;
  granularity: ScaleGranularity;
  source_dtype?: string;
  [extra: string]: string | number | boolean | undefined;
}

export type Rf8PlanEntry =
  | { name: string; shape: number[]; kind: 'rf8'; granularity: ScaleGranularity; sourceDtype?: string }
  | { name: string; shape: number[]; kind: 'float' };

export interface Rf8Codes {
  format: FormatName | string;
  codes: Uint8Array;
  /** Length 1 (granularity 'tensor') or shape[0] ('row'). */
  scales: Int8Array;
  /** Extra per-tensor facts for the metadata (e.g. the GG fit); small strings/numbers only. */
  extra?: Record<string, string | number | boolean>;
}

function scaleCount(shape: number[], g: ScaleGranularity): number {
  return g === 'row' ? shape[0]! : 1;
}

/**
 * Streaming, atomic writer of an RF8 safetensors file: the plan is fixed up front, tensors are
 * written one at a time (any order), the header is finalized at commit(). Memory: the caller's
 * current tensor only.
 */
export class Rf8SafetensorsWriter {
  private readonly w: SafetensorsWriter;
  private readonly plan = new Map<string, Rf8PlanEntry>();

  /**
   * @param reservePerTensor header bytes reserved per quantized tensor for its metadata beyond
   *   the fixed fields (for `extra`); default 256.
   */
  constructor(readonly path: string, plan: Rf8PlanEntry[], opts: { metadata?: Record<string, string>; reservePerTensor?: number } = {}) {
    const floats: SafetensorsPlanEntry[] = [];
    const qplan: SafetensorsPlanEntry[] = [];
    const meta: Record<string, string> = { format: 'pt', 'rf8.layout': RF8_LAYOUT_VERSION, 'rf8.spec': RF8_SPEC_VERSION, ...(opts.metadata ?? {}) };
    const names = new Set<string>();
    for (const p of plan) {
      if (this.plan.has(p.name)) throw new InputError(`tensor ${q(p.name)} is planned twice`, path);
      this.plan.set(p.name, p);
      names.add(p.name);
      numelOf(p.shape, path, `tensor ${q(p.name)}`);
      if (p.kind === 'float') floats.push({ name: p.name, dtype: 'F32', shape: p.shape });
      else {
        if (p.granularity !== 'tensor' && p.granularity !== 'row') throw new InputError(`tensor ${q(p.name)}: granularity must be 'tensor' or 'row'`, path);
        if (p.granularity === 'row' && p.shape.length === 0) throw new InputError(`tensor ${q(p.name)}: per-row scales need at least one dimension`, path);
        const sname = p.name + RF8_SCALE_SUFFIX;
        qplan.push({ name: p.name, dtype: 'U8', shape: p.shape }, { name: sname, dtype: 'I8', shape: [scaleCount(p.shape, p.granularity)] });
        // placeholder with the longest format name, so the reserved header fits the real one
        meta[RF8_META_PREFIX + p.name] = JSON.stringify(metaOf(p.name, 'rf8-e3m4', p.granularity, p.sourceDtype));
      }
    }
    for (const p of plan) {
      if (p.kind === 'rf8' && names.has(p.name + RF8_SCALE_SUFFIX)) {
        throw new InputError(`tensor ${q(p.name + RF8_SCALE_SUFFIX)} collides with the scale tensor of ${q(p.name)}`, path);
      }
    }
    const reserve = Math.max(0, opts.reservePerTensor ?? 256) * (qplan.length / 2);
    // Floats first (aligned F32 data), then codes + scales (byte data).
    this.w = new SafetensorsWriter(path, [...floats, ...qplan], meta, reserve);
  }

  writeRf8(name: string, t: Rf8Codes): void {
    const p = this.plan.get(name);
    if (!p || p.kind !== 'rf8') throw new InputError(`tensor ${q(name)} is not planned as an RF8 tensor`, this.path);
    let fmt: FormatName;
    try {
      fmt = getFormat(String(t.format)).name;
    } catch (e) {
      throw new InputError(`tensor ${q(name)}: ${(e as Error).message}`, this.path);
    }
    const n = numelOf(p.shape, this.path, name);
    if (!(t.codes instanceof Uint8Array) || t.codes.length !== n) throw new InputError(`tensor ${q(name)}: ${t.codes?.length} codes for ${n} elements`, this.path);
    const ns = scaleCount(p.shape, p.granularity);
    if (!(t.scales instanceof Int8Array) || t.scales.length !== ns) {
      throw new InputError(`tensor ${q(name)}: ${t.scales?.length} scales, granularity ${q(p.granularity)} needs ${ns}`, this.path);
    }
    const m = JSON.stringify(metaOf(name, fmt, p.granularity, p.sourceDtype, t.extra));
    if (m.length > MAX_RF8_META_BYTES) throw new InputError(`tensor ${q(name)}: metadata longer than MAX_RF8_META_BYTES`, this.path);
    this.w.writeTensor(name, t.codes);
    this.w.writeTensor(name + RF8_SCALE_SUFFIX, t.scales);
    this.w.setMetadata(RF8_META_PREFIX + name, m);
  }

  writeFloat(name: string, data: Float32Array): void {
    const p = this.plan.get(name);
    if (!p || p.kind !== 'float') throw new InputError(`tensor ${q(name)} is not planned as a float tensor`, this.path);
    this.w.writeTensor(name, data);
  }

  commit(): void {
    this.w.commit();
  }

  abort(): void {
    this.w.abort();
  }
}

function metaOf(name: string, format: FormatName, g: ScaleGranularity, src?: string, extra?: Record<string, string | number | boolean>): Rf8TensorMeta {
  const m: Rf8TensorMeta = { format, scale: name + RF8_SCALE_SUFFIX, granularity: g };
  if (src) m.source_dtype = src;
  if (extra) {
    for (const [k, v] of Object.entries(extra)) {
      if (k in m) continue;
      if (typeof v === 'number' && !Number.isFinite(v)) m[k] = String(v);
      else m[k] = v;
    }
  }
  return m;
}

export interface Rf8TensorOut extends Rf8Codes {
  name: string;
  shape: number[];
  granularity: ScaleGranularity;
  sourceDtype?: string;
}

/** Write a whole RF8 safetensors file atomically from in-memory tensors (small models, tests). */
export function writeRf8Safetensors(
  path: string,
  tensors: Rf8TensorOut[],
  floats: { name: string; shape: number[]; data: Float32Array }[] = [],
  metadata: Record<string, string> = {},
): void {
  const plan: Rf8PlanEntry[] = [
    ...floats.map((f) => ({ name: f.name, shape: f.shape, kind: 'float' as const })),
    ...tensors.map((t) => ({ name: t.name, shape: t.shape, kind: 'rf8' as const, granularity: t.granularity, ...(t.sourceDtype ? { sourceDtype: t.sourceDtype } : {}) })),
  ];
  const w = new Rf8SafetensorsWriter(path, plan, { metadata });
  try {
    for (const f of floats) w.writeFloat(f.name, f.data);
    for (const t of tensors) w.writeRf8(t.name, t);
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface Rf8Tensor {
  name: string;
  format: FormatName;
  shape: number[];
  granularity: ScaleGranularity;
  codes: Uint8Array;
  scales: Int8Array;
  meta: Rf8TensorMeta;
}

export interface Rf8TensorInfo {
  name: string;
  format: FormatName;
  shape: number[];
  granularity: ScaleGranularity;
  meta: Rf8TensorMeta;
}

export interface Rf8File {
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** The quantized tensors. */
  readonly rf8: Rf8TensorInfo[];
  /** Tensors stored as plain floats. */
  readonly floats: { name: string; dtype: string; shape: number[] }[];
  read(name: string): Rf8Tensor;
  /** Dequantize one tensor (float32: RNE of the exact value, as decodeArray). */
  decode(name: string): Float32Array;
  readFloat(name: string): Float32Array;
  close(): void;
}

/** Dequantize codes with per-tensor or per-row scales (rows along the first axis). */
export function decodeRf8(t: { format: FormatName | string; codes: Uint8Array; scales: Int8Array; shape: number[]; granularity: ScaleGranularity }, out?: Float32Array): Float32Array {
  const n = t.codes.length;
  const dst = out ?? new Float32Array(n);
  if (t.granularity === 'tensor') return decodeArray(t.format as FormatName, t.codes, t.scales[0]!, dst);
  const rows = t.shape[0]!;
  const per = rows === 0 ? 0 : n / rows;
  for (let r = 0; r < rows; r++) {
    decodeArray(t.format as FormatName, t.codes.subarray(r * per, (r + 1) * per), t.scales[r]!, dst.subarray(r * per, (r + 1) * per));
  }
  return dst;
}

export function openRf8(path: string, fs: FileSystemLike = nodeFs): Rf8File {
  const f: RandomAccessFile = fs.open(path);
  try {
    const h = parseSafetensorsHeader(f);
    const byName = new Map<string, SafetensorsTensorHeader>(h.tensors.map((t) => [t.name, t]));
    if (h.metadata['rf8.layout'] !== RF8_LAYOUT_VERSION) {
      throw new InputError(`not an RF8 safetensors file (metadata rf8.layout is ${JSON.stringify(h.metadata['rf8.layout'])}, expected "${RF8_LAYOUT_VERSION}")`, path);
    }
    const rf8: Rf8TensorInfo[] = [];
    const used = new Set<string>();
    for (const [k, v] of Object.entries(h.metadata)) {
      if (!k.startsWith(RF8_META_PREFIX)) continue;
      const name = k.slice(RF8_META_PREFIX.length);
      const what = `tensor ${q(name)}`;
      if (v.length > MAX_RF8_META_BYTES) throw new InputError(`${what}: rf8 metadata longer than MAX_RF8_META_BYTES`, path);
      let m: unknown;
      try {
        m = JSON.parse(v);
      } catch {
        throw new InputError(`${what}: rf8 metadata is not valid JSON`, path);
      }
      if (!isPlainObject(m)) throw new InputError(`${what}: rf8 metadata is not an object`, path);
      let format: FormatName;
      try {
        format = getFormat(String(m.format)).name;
      } catch (e) {
        throw new InputError(`${what}: ${(e as Error).message}`, path);
      }
      const g = m.granularity;
      if (g !== 'tensor' && g !== 'row') throw new InputError(`${what}: granularity must be 'tensor' or 'row'`, path);
      const codes = byName.get(name);
      if (!codes) throw new InputError(`${what}: listed in the metadata but not in the file`, path);
      if (codes.dtype !== 'U8') throw new InputError(`${what}: codes must be U8, not ${codes.dtype}`, path);
      if (g === 'row' && codes.shape.length === 0) throw new InputError(`${what}: per-row scales on a 0-d tensor`, path);
      if (typeof m.scale !== 'string') throw new InputError(`${what}: rf8 metadata has no scale tensor name`, path);
      const sc = byName.get(m.scale);
      if (!sc) throw new InputError(`${what}: scale tensor ${q(m.scale)} is missing`, path);
      if (sc.dtype !== 'I8') throw new InputError(`${what}: scale tensor must be I8, not ${sc.dtype}`, path);
      const want = g === 'row' ? codes.shape[0]! : 1;
      if (sc.shape.length !== 1 || sc.shape[0] !== want) throw new InputError(`${what}: scale tensor shape [${sc.shape.join(', ')}] should be [${want}]`, path);
      used.add(name).add(m.scale);
      rf8.push({ name, format, shape: [...codes.shape], granularity: g, meta: m as Rf8TensorMeta });
    }
    const floats = h.tensors.filter((t) => !used.has(t.name)).map((t) => ({ name: t.name, dtype: t.dtype, shape: [...t.shape] }));
    const infoOf = new Map(rf8.map((r) => [r.name, r]));
    const bytes = (t: SafetensorsTensorHeader): Uint8Array => {
      if (t.numel > MAX_TENSOR_ELEMENTS) throw new InputError(`tensor ${q(t.name)} is too large to read at once`, path);
      return readBytes(f, t.begin, t.end - t.begin, `tensor ${q(t.name)}`);
    };
    const file: Rf8File = {
      path,
      metadata: h.metadata,
      rf8,
      floats,
      read(name) {
        const r = infoOf.get(name);
        if (!r) throw new InputError(`no RF8 tensor named ${q(name)}`, path);
        const c = bytes(byName.get(name)!);
        const s = bytes(byName.get(r.meta.scale)!);
        return { name, format: r.format, shape: [...r.shape], granularity: r.granularity, codes: c, scales: new Int8Array(s.buffer, s.byteOffset, s.byteLength), meta: r.meta };
      },
      decode(name) {
        return decodeRf8(file.read(name));
      },
      readFloat(name) {
        const t = byName.get(name);
        if (!t || used.has(name)) throw new InputError(`no float tensor named ${q(name)}`, path);
        if (!['F32', 'F64', 'F16', 'BF16'].includes(t.dtype)) throw new InputError(`tensor ${q(name)}: dtype ${t.dtype} is not a float`, path);
        if (t.numel > MAX_TENSOR_ELEMENTS) throw new InputError(`tensor ${q(name)} is too large to read at once`, path);
        const out = new Float32Array(t.numel);
        readElements(f, t.begin, t.dtype as 'F32', t.numel, out, true);
        return out;
      },
      close: () => f.close(),
    };
    return file;
  } catch (e) {
    f.close();
    throw e;
  }
}
