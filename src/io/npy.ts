/**
 * NumPy .npy (format versions 1.0, 2.0, 3.0): magic "\x93NUMPY", version, header length (u16 for
 * 1.x, u32 for 2.x/3.x), a Python dict literal {'descr', 'fortran_order', 'shape'}, then the
 * raw array. Hand-written: the npm readers (npyjs) load whole buffers through fetch and do not
 * validate; the header literal is parsed by a small strict parser (no eval).
 */
import { InputError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { type FileSystemLike, type RandomAccessFile, nodeFs, readBytes, q } from './file.js';
import { type ElemType, ELEM_BYTES, numelOf, readElements } from './dtype.js';
import { MAX_NPY_HEADER_BYTES, MAX_NPY_LITERAL_DEPTH, MAX_RANK } from './limits.js';
import { EntrySource, type Entry, type TensorInfo, type WeightSource } from './source.js';

export const NPY_MAGIC = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<PyValue, PyValue>;

/** Strict parser for the Python literal subset numpy writes (dict, tuple, list, str, int, bool, None). */
export function parsePyLiteral(text: string, file: string): PyValue {
  let i = 0;
  const fail = (msg: string): never => {
    throw new InputError(`.npy header: ${msg} at character ${i}`, file);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r')) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_NPY_LITERAL_DEPTH) fail('literal nested too deeply');
    ws();
    const c = text[i];
    if (c === undefined) return fail('unexpected end');
    if (c === '{') {
      i++;
      const m = new Map<PyValue, PyValue>();
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return m;
        }
        const k = value(depth + 1);
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        const v = value(depth + 1);
        if (typeof k !== 'string') fail('dict key is not a string');
        if (m.has(k)) fail(`duplicate key ${q(String(k))}`);
        m.set(k, v);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      let sawComma = false;
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          if (c === '(' && items.length === 1 && !sawComma) return items[0]!; // (x) is just x
          return c === '(' ? { tuple: items } : items;
        }
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          sawComma = true;
        } else if (text[i] !== close) fail(`expected ',' or ${q(close)}`);
      }
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      for (;;) {
        const d = text[i];
        if (d === undefined || d === '\n') return fail('unterminated string');
        i++;
        if (d === c) return s;
        if (d === '\\') {
          const e = text[i++];
          if (e === undefined) return fail('unterminated string');
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else s += d;
      }
    }
    const m = /^(-?[0-9]{1,30})L?/.exec(text.slice(i, i + 32));
    if (m) {
      i += m[0].length;
      const v = Number(m[1]);
      if (!Number.isSafeInteger(v)) fail(`integer ${m[1]} out of range`);
      return v;
    }
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`unexpected character ${JSON.stringify(c)}`);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters after the literal');
  return v;
}

/** descr (e.g. '<f4') -> element type, or undefined with the item size when known. */
export function npyDescr(descr: string): { elem?: ElemType; le: boolean; itemBytes?: number } {
  const m = /^([<>|=]?)([a-zA-Z])(\d{1,4})$/.exec(descr);
  if (!m) return { le: true };
  const order = m[1] ?? '';
  const kind = m[2]!;
  const size = Number(m[3]);
  const le = order !== '>';
  const itemBytes = kind === 'U' ? size * 4 : kind === 'm' || kind === 'M' ? 8 : size;
  const table: Record<string, ElemType> = { f2: 'F16', f4: 'F32', f8: 'F64', u1: 'U8', i1: 'I8', u2: 'U16', i2: 'I16', i4: 'I32', b1: 'U8' };
  const elem = table[kind + size];
  if (elem && size > 1 && order === '|') return { le, itemBytes }; // '|' is only valid for 1-byte types
  return { elem, le, itemBytes };
}

export interface NpyHeader {
  descr: string;
  elem?: ElemType;
  le: boolean;
  fortran: boolean;
  shape: number[];
  numel: number;
  /** Offset of the array data in the file. */
  dataStart: number;
  /** Bytes of array data (numel * item size), when the item size is known. */
  dataBytes?: number;
  reason?: string;
}

/** Parse and validate a .npy header from `f`; `what` names the array in messages. */
export function parseNpyHeader(f: RandomAccessFile, what: string, strictLength = true): NpyHeader {
  const file = f.path;
  if (f.size < 10) throw new InputError(`${what}: not a .npy file (${f.size} bytes, shorter than the 10-byte preamble)`, file);
  const pre = readBytes(f, 0, 10, `${what}: .npy preamble`);
  for (let k = 0; k < 6; k++) if (pre[k] !== NPY_MAGIC[k]) throw new InputError(`${what}: not a .npy file (bad magic)`, file);
  const major = pre[6]!;
  const minor = pre[7]!;
  if (!(major >= 1 && major <= 3) || minor !== 0) throw new InputError(`${what}: unsupported .npy format version ${major}.${minor}`, file);
  let hlen: number;
  let hstart: number;
  if (major === 1) {
    hlen = pre[8]! | (pre[9]! << 8);
    hstart = 10;
  } else {
    if (f.size < 12) throw new InputError(`${what}: .npy preamble truncated`, file);
    const p2 = readBytes(f, 10, 2, `${what}: .npy header length`); // read forward only (members may be inflated streams)
    hlen = (pre[8]! | (pre[9]! << 8) | (p2[0]! << 16) | (p2[1]! << 24)) >>> 0;
    hstart = 12;
  }
  if (hlen > MAX_NPY_HEADER_BYTES) throw new InputError(`${what}: .npy header length ${hlen} exceeds MAX_NPY_HEADER_BYTES (${MAX_NPY_HEADER_BYTES})`, file);
  if (hlen > f.size - hstart) throw new InputError(`${what}: .npy header (${hlen} bytes) runs past the end of the file: truncated`, file);
  const hb = readBytes(f, hstart, hlen, `${what}: .npy header`);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(hb);
    } catch {
      throw new InputError(`${what}: .npy header is not valid UTF-8`, file);
    }
  } else text = Buffer.from(hb).toString('latin1');
  const lit = parsePyLiteral(text, file);
  if (!(lit instanceof Map)) throw new InputError(`${what}: .npy header is not a dict`, file);
  const keys = [...lit.keys()].map(String).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') throw new InputError(`${what}: .npy header keys are {${keys}}, expected descr, fortran_order, shape`, file);
  const descr = lit.get('descr');
  const fortran = lit.get('fortran_order');
  const shapeV = lit.get('shape');
  if (typeof fortran !== 'boolean') throw new InputError(`${what}: .npy fortran_order is not True/False`, file);
  let shape: PyValue[];
  if (typeof shapeV === 'number') shape = [shapeV]; // '(3)' parses as 3; numpy writes (3,)
  else if (shapeV && typeof shapeV === 'object' && 'tuple' in shapeV) shape = shapeV.tuple;
  else throw new InputError(`${what}: .npy shape is not a tuple`, file);
  if (shape.length > MAX_RANK) throw new InputError(`${what}: rank ${shape.length} exceeds MAX_RANK (${MAX_RANK})`, file);
  const numel = numelOf(shape, file, what);
  const dataStart = hstart + hlen;
  let h: NpyHeader;
  if (typeof descr !== 'string') {
    h = { descr: JSON.stringify(descr)?.slice(0, 80) ?? '?', le: true, fortran, shape: shape as number[], numel, dataStart, reason: 'structured dtype is not supported' };
  } else {
    const d = npyDescr(descr);
    h = { descr, elem: d.elem, le: d.le, fortran, shape: shape as number[], numel, dataStart };
    if (d.itemBytes !== undefined) h.dataBytes = numel * d.itemBytes;
    if (!d.elem) h.reason = `dtype ${q(descr)} is not supported (readable: float16/32/64, (u)int8, (u)int16, int32)`;
  }
  if (h.dataBytes !== undefined) {
    if (!Number.isSafeInteger(h.dataBytes)) throw new InputError(`${what}: shape [${h.shape.join(', ')}] overflows`, file);
    const avail = f.size - dataStart;
    if (h.dataBytes > avail) throw new InputError(`${what}: data needs ${h.dataBytes} bytes (${descr} [${h.shape.join(', ')}]) but only ${avail} follow the header: truncated`, file);
    if (strictLength && h.dataBytes < avail) throw new InputError(`${what}: ${avail - h.dataBytes} unexpected bytes after the array data`, file);
  }
  return h;
}

/** Reorder a Fortran-order (column-major) array into C order (row-major), in place semantics: returns a new array. */
function fortranToC<T extends Float32Array | Float64Array>(src: T, shape: number[], out: T): void {
  const r = shape.length;
  if (r <= 1 || src.length === 0) {
    out.set(src);
    return;
  }
  // F-order strides: stride[0] = 1, stride[k] = stride[k-1] * shape[k-1].
  const fs = new Array<number>(r);
  fs[0] = 1;
  for (let k = 1; k < r; k++) fs[k] = fs[k - 1]! * shape[k - 1]!;
  const idx = new Array<number>(r).fill(0);
  let fi = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = src[fi]!;
    // increment the C-order multi-index (last axis fastest)
    for (let k = r - 1; k >= 0; k--) {
      idx[k]!++;
      fi += fs[k]!;
      if (idx[k]! < shape[k]!) break;
      fi -= fs[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
}

/** An entry reading the array described by `h` from `f`. */
export function npyEntry(f: RandomAccessFile, name: string, h: NpyHeader, byteSize?: number): Entry {
  const info: TensorInfo = {
    name,
    dtype: h.descr,
    shape: [...h.shape],
    numel: h.numel,
    byteSize: byteSize ?? h.dataBytes ?? f.size - h.dataStart,
    supported: h.elem !== undefined,
    ...(h.reason ? { reason: h.reason } : {}),
    file: f.path,
  };
  return {
    info,
    read: (out) => {
      const elem = h.elem!;
      if (!h.fortran || h.shape.length <= 1) {
        readElements(f, h.dataStart, elem, h.numel, out, h.le);
        return;
      }
      const tmp = out instanceof Float32Array ? new Float32Array(h.numel) : new Float64Array(h.numel);
      readElements(f, h.dataStart, elem, h.numel, tmp, h.le);
      fortranToC(tmp, h.shape, out);
    },
  };
}

export function openNpy(path: string, fs: FileSystemLike = nodeFs): WeightSource {
  const f = fs.open(path);
  try {
    const name = baseNameNoExt(path);
    const h = parseNpyHeader(f, `array ${q(name)}`);
    return new EntrySource(path, 'npy', [npyEntry(f, name, h)], {}, () => f.close());
  } catch (e) {
    f.close();
    throw e;
  }
}

export function baseNameNoExt(path: string): string {
  const b = path.split(/[\\/]/).pop() ?? path;
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(0, dot) : b;
}

// ---------------------------------------------------------------------------------------------
// Writing

export type NpyArray = Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Int32Array;

function descrOf(a: NpyArray): string {
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof Uint8Array) return '|u1';
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Int16Array) return '<i2';
  return '<i4';
}

/**
 * Encode an array as .npy bytes (format 1.0, or 2.0 if the header needs it): returns the
 * header and the data as two parts (the data part is a view of `data`, not a copy).
 * `descr` overrides the dtype string (e.g. '<f2' for a Uint16Array of binary16 patterns).
 */
export function encodeNpy(data: NpyArray, shape: number[], descr?: string): [Uint8Array, Uint8Array] {
  const n = numelOf(shape, '<npy>', 'array');
  if (n !== data.length) throw new InputError(`shape [${shape.join(', ')}] has ${n} elements, the data ${data.length}`);
  const d = descr ?? descrOf(data);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${d}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  let major = 1;
  let pre = 10;
  if (dict.length + 1 + pre > 65535) {
    major = 2;
    pre = 12;
  }
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const head = new Uint8Array(total);
  head.set(NPY_MAGIC, 0);
  head[6] = major;
  head[7] = 0;
  const dv = new DataView(head.buffer);
  if (major === 1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  head.set(Buffer.from(dict, 'latin1'), pre);
  return [head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
}

/** Write an .npy file atomically (little-endian, C order). */
export function writeNpy(path: string, data: NpyArray, shape: number[] = [data.length], descr?: string): void {
  writeFileAtomic(path, encodeNpy(data, shape, descr));
}
