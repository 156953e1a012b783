/**
 * The uniform tensor-source API every reader implements.
 */
import { InputError } from '../util/errors.js';
import { q } from './file.js';
import { MAX_TENSOR_ELEMENTS } from './limits.js';

export type WeightFormat = 'safetensors' | 'npy' | 'npz' | 'tfjs' | 'gguf' | 'f32';

export interface TensorInfo {
  /** Tensor name (for .npy / .f32: the file name without extension). */
  name: string;
  /** Stored element type as the file names it (safetensors style: F32, F16, BF16, U8...; tfjs: float32, uint8->float32...). */
  dtype: string;
  /** Row-major shape (outermost first; GGUF's ne[] is reversed into this order). */
  shape: number[];
  /** Number of elements. */
  numel: number;
  /** Bytes the tensor occupies in the file (compressed size for deflated .npz members). */
  byteSize: number;
  /** Whether readTensor can decode it; if not, `reason` says why (e.g. a quantized GGUF type). */
  supported: boolean;
  reason?: string;
  /** The file that holds the tensor (a shard, a zip member's archive...). */
  file: string;
}

export interface WeightSource {
  readonly path: string;
  readonly format: WeightFormat;
  /** Free-form string metadata of the file (safetensors __metadata__, GGUF scalar keys, ...). */
  readonly metadata: Readonly<Record<string, string>>;
  /** All tensors, in file order. */
  listTensors(): TensorInfo[];
  /** One tensor's info; InputError if there is none of that name. */
  tensorInfo(name: string): TensorInfo;
  /** Read one tensor as float32 (exact for F32/F16/BF16/U8/I8; F64 rounds to nearest even). */
  readTensor(name: string): Float32Array;
  /** Read one tensor as float64 (exact for every supported type). */
  readTensorF64(name: string): Float64Array;
  /** Read into a caller-owned array of exactly `numel` elements (lets a loop reuse one buffer). */
  readTensorInto(name: string, out: Float32Array | Float64Array): void;
  close(): void;
}

/** One tensor of a source: its info and how to read it. */
export interface Entry {
  info: TensorInfo;
  /** Checks that must pass before the result is allocated (e.g. a deflated member's real size). */
  prepare?(): void;
  read(out: Float32Array | Float64Array): void;
}

/** Shared implementation over a list of entries. */
export class EntrySource implements WeightSource {
  private readonly byName = new Map<string, Entry>();
  private closed = false;

  constructor(
    readonly path: string,
    readonly format: WeightFormat,
    private readonly entries: Entry[],
    readonly metadata: Readonly<Record<string, string>>,
    private readonly onClose: () => void,
  ) {
    for (const e of entries) {
      if (this.byName.has(e.info.name)) throw new InputError(`tensor ${q(e.info.name)} appears twice`, path);
      this.byName.set(e.info.name, e);
    }
  }

  listTensors(): TensorInfo[] {
    return this.entries.map((e) => ({ ...e.info, shape: [...e.info.shape] }));
  }

  tensorInfo(name: string): TensorInfo {
    const e = this.entry(name);
    return { ...e.info, shape: [...e.info.shape] };
  }

  readTensor(name: string): Float32Array {
    const e = this.readable(name);
    const out = new Float32Array(e.info.numel);
    e.read(out);
    return out;
  }

  readTensorF64(name: string): Float64Array {
    const e = this.readable(name);
    const out = new Float64Array(e.info.numel);
    e.read(out);
    return out;
  }

  readTensorInto(name: string, out: Float32Array | Float64Array): void {
    const e = this.readable(name);
    if (out.length !== e.info.numel) {
      throw new InputError(`tensor ${q(name)}: output array has ${out.length} elements, the tensor ${e.info.numel}`, e.info.file);
    }
    e.read(out);
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.onClose();
    }
  }

  private entry(name: string): Entry {
    if (this.closed) throw new InputError('source is closed', this.path);
    const e = this.byName.get(name);
    if (!e) throw new InputError(`no tensor named ${q(name)}`, this.path);
    return e;
  }

  private readable(name: string): Entry {
    const e = this.entry(name);
    if (!e.info.supported) throw new InputError(`tensor ${q(name)}: ${e.info.reason ?? 'unsupported'}`, e.info.file);
    if (e.info.numel > MAX_TENSOR_ELEMENTS) {
      throw new InputError(`tensor ${q(name)} has ${e.info.numel} elements, more than MAX_TENSOR_ELEMENTS (${MAX_TENSOR_ELEMENTS}) to read at once`, e.info.file);
    }
    e.prepare?.();
    return e;
  }
}
