/**
 * Random-access byte sources for the weight readers. Readers never load a whole file: they ask
 * for exact byte ranges, and every range is checked against the file size before a buffer is
 * allocated for it. The node implementation uses fs.readSync at offsets; an in-memory one lets
 * the fuzz tests run many thousands of cases without touching the disk.
 */
import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../util/errors.js';

export interface RandomAccessFile {
  /** The path, as used in error messages. */
  readonly path: string;
  /** Size in bytes at open time. */
  readonly size: number;
  /** Fill `dst` with the bytes at [pos, pos + dst.length); InputError if they are not all there. */
  readAt(dst: Uint8Array, pos: number): void;
  close(): void;
}

/** The few file-system operations the readers need (node's, or an in-memory map for tests). */
export interface FileSystemLike {
  open(path: string): RandomAccessFile;
  /** 'file', 'dir' or undefined when absent. */
  kind(path: string): 'file' | 'dir' | undefined;
  readdir(path: string): string[];
  /** Size of a file without opening it (undefined when absent). */
  size(path: string): number | undefined;
}

class NodeFile implements RandomAccessFile {
  private fd: number | undefined;
  readonly size: number;
  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (e) {
      throw new InputError(`cannot open: ${(e as Error).message}`, path);
    }
    const st = fstatSync(this.fd);
    if (!st.isFile()) {
      closeSync(this.fd);
      this.fd = undefined;
      throw new InputError('not a regular file', path);
    }
    this.size = st.size;
  }
  readAt(dst: Uint8Array, pos: number): void {
    if (this.fd === undefined) throw new InputError('read after close', this.path);
    checkRange(this.path, this.size, pos, dst.byteLength);
    let off = 0;
    while (off < dst.byteLength) {
      const n = readSync(this.fd, dst, off, dst.byteLength - off, pos + off);
      if (n <= 0) throw new InputError(`file shrank while reading (wanted ${dst.byteLength} bytes at ${pos})`, this.path);
      off += n;
    }
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export const nodeFs: FileSystemLike = {
  open: (p) => new NodeFile(p),
  kind: (p) => {
    try {
      const st = statSync(p);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  },
  readdir: (p) => {
    try {
      return readdirSync(p).sort();
    } catch (e) {
      throw new InputError(`cannot list folder: ${(e as Error).message}`, p);
    }
  },
  size: (p) => {
    try {
      const st = statSync(p);
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  },
};

class MemoryFile implements RandomAccessFile {
  constructor(readonly path: string, private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  readAt(dst: Uint8Array, pos: number): void {
    checkRange(this.path, this.size, pos, dst.byteLength);
    dst.set(this.bytes.subarray(pos, pos + dst.byteLength));
  }
  close(): void {}
}

/**
 * An in-memory file system: keys are absolute-looking paths ('/m/model.json'); folders are
 * implied by the keys.
 */
export function memoryFs(files: Record<string, Uint8Array> | Map<string, Uint8Array>): FileSystemLike {
  const map = files instanceof Map ? files : new Map(Object.entries(files));
  const norm = (p: string): string => resolve('/', p);
  const m = new Map<string, Uint8Array>();
  for (const [k, v] of map) m.set(norm(k), v);
  const isDir = (p: string): boolean => {
    const d = norm(p) + '/';
    for (const k of m.keys()) if (k.startsWith(d)) return true;
    return false;
  };
  return {
    open: (p) => {
      const b = m.get(norm(p));
      if (!b) throw new InputError('cannot open: no such file', p);
      return new MemoryFile(p, b);
    },
    kind: (p) => (m.has(norm(p)) ? 'file' : isDir(p) ? 'dir' : undefined),
    readdir: (p) => {
      const d = norm(p) + '/';
      const names = new Set<string>();
      for (const k of m.keys()) if (k.startsWith(d)) names.add(k.slice(d.length).split('/')[0]!);
      return [...names].sort();
    },
    size: (p) => m.get(norm(p))?.byteLength,
  };
}

export function checkRange(path: string, size: number, pos: number, len: number): void {
  if (!Number.isSafeInteger(pos) || !Number.isSafeInteger(len) || pos < 0 || len < 0 || pos > size || len > size - pos) {
    throw new InputError(`truncated or out of range: needs bytes [${pos}, ${pos + len}) but the file has ${size}`, path);
  }
}

/** Read `len` bytes at `pos` into a new buffer, after checking the range against the file size. */
export function readBytes(f: RandomAccessFile, pos: number, len: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(pos) || !Number.isSafeInteger(len) || pos < 0 || len < 0 || pos > f.size || len > f.size - pos) {
    throw new InputError(`${what}: needs bytes [${pos}, ${pos + len}) but the file has only ${f.size} (truncated or bad length)`, f.path);
  }
  const b = new Uint8Array(len);
  f.readAt(b, pos);
  return b;
}

export function joinPath(dir: string, name: string): string {
  return join(dir, name);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Strict UTF-8 decode; InputError naming `what` on invalid bytes. */
export function utf8(bytes: Uint8Array, file: string, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new InputError(`${what} is not valid UTF-8`, file);
  }
}

/** JSON.parse with an InputError (naming the file and `what`) on failure. */
export function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${what} is not valid JSON (${(e as Error).message.slice(0, 120)})`, file);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** obj[key] = value as an own data property, even for keys like '__proto__'. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A name (tensor, key, path) quoted for an error message: control characters escaped so the
 * message stays on one line, and cut at 200 characters.
 */
export function q(name: unknown): string {
  let t = String(name);
  if (t.length > 200) t = t.slice(0, 200) + '...';
  return `'${t.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}
