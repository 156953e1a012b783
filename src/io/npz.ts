/**
 * NumPy .npz: a zip archive of .npy members (np.savez stores them, np.savez_compressed deflates
 * them; both write ZIP64 records). The zip directory (end record, ZIP64 end record, central
 * directory, local headers) is read by hand with every offset and size checked against the
 * file; deflated members are inflated with fflate's synchronous streaming `Inflate`, a chunk at
 * a time, so reading one array holds only that array (not the archive) in memory. The CRC-32 of
 * every member is checked when it has been read through.
 */
import { Inflate } from 'fflate';
import { InputError } from '../util/errors.js';
import { AtomicFileWriter } from '../util/atomic.js';
import { type FileSystemLike, type RandomAccessFile, checkRange, nodeFs, readBytes, q } from './file.js';
import { MAX_NAME_BYTES, MAX_TENSORS, MAX_UNVERIFIED_INFLATE_BYTES, MAX_ZIP_DIRECTORY_BYTES } from './limits.js';
import { type NpyArray, encodeNpy, npyEntry, parseNpyHeader } from './npy.js';
import { EntrySource, type Entry, type WeightSource } from './source.js';

const SIG_LOCAL = 0x04034b50;
/** Deflate cannot expand more than about 1032:1. */
const MAX_DEFLATE_RATIO = 1032;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOC64 = 0x07064b50;

let crcTable: Int32Array | undefined;
/** CRC-32 (IEEE, as zip uses) of `b`, continuing from `crc`. */
export function crc32(b: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const t = crcTable;
  let c = ~crc;
  for (let i = 0; i < b.length; i++) c = t[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export interface ZipMember {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Absolute offset of the member's (compressed) data, from its local header. */
  dataStart: number;
}

function u64(dv: DataView, off: number, file: string, what: string): number {
  const v = dv.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`zip: ${what} ${v} is out of range`, file);
  return Number(v);
}

/** Read and validate the directory of a zip file. */
export function readZipDirectory(f: RandomAccessFile): ZipMember[] {
  const file = f.path;
  if (f.size < 22) throw new InputError(`not a zip archive (${f.size} bytes, shorter than an end-of-directory record)`, file);
  const tailLen = Math.min(f.size, 22 + 65535);
  const tail = readBytes(f, f.size - tailLen, tailLen, 'zip end of directory');
  const tdv = new DataView(tail.buffer);
  let eocd = -1;
  for (let p = tailLen - 22; p >= 0; p--) {
    if (tdv.getUint32(p, true) === SIG_EOCD && p + 22 + tdv.getUint16(p + 20, true) === tailLen) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new InputError('not a zip archive (no end-of-central-directory record; truncated?)', file);
  const eocdAbs = f.size - tailLen + eocd;
  let disk = tdv.getUint16(eocd + 4, true);
  let cdDisk = tdv.getUint16(eocd + 6, true);
  let count = tdv.getUint16(eocd + 10, true);
  let cdSize = tdv.getUint32(eocd + 12, true);
  let cdOffset = tdv.getUint32(eocd + 16, true);
  let cdEnd = eocdAbs;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff || disk === 0xffff || cdDisk === 0xffff) {
    if (eocdAbs < 20) throw new InputError('zip: ZIP64 end-of-directory locator missing', file);
    const loc = readBytes(f, eocdAbs - 20, 20, 'zip ZIP64 locator');
    const ldv = new DataView(loc.buffer);
    if (ldv.getUint32(0, true) !== SIG_LOC64) throw new InputError('zip: ZIP64 end-of-directory locator missing', file);
    const e64 = u64(ldv, 8, file, 'ZIP64 end record offset');
    if (e64 > eocdAbs - 20 - 56) throw new InputError(`zip: ZIP64 end record offset ${e64} is out of range`, file);
    const rec = readBytes(f, e64, 56, 'zip ZIP64 end record');
    const rdv = new DataView(rec.buffer);
    if (rdv.getUint32(0, true) !== SIG_EOCD64) throw new InputError('zip: bad ZIP64 end record signature', file);
    disk = rdv.getUint32(16, true);
    cdDisk = rdv.getUint32(20, true);
    count = u64(rdv, 32, file, 'entry count');
    cdSize = u64(rdv, 40, file, 'central directory size');
    cdOffset = u64(rdv, 48, file, 'central directory offset');
    cdEnd = e64;
  }
  if (disk !== 0 || cdDisk !== 0) throw new InputError('zip: multi-disk archives are not supported', file);
  if (count > MAX_TENSORS) throw new InputError(`zip: ${count} entries, more than MAX_TENSORS (${MAX_TENSORS})`, file);
  if (cdSize > MAX_ZIP_DIRECTORY_BYTES) throw new InputError(`zip: central directory of ${cdSize} bytes exceeds MAX_ZIP_DIRECTORY_BYTES`, file);
  if (cdOffset > cdEnd || cdSize > cdEnd - cdOffset) throw new InputError(`zip: central directory [${cdOffset}, ${cdOffset + cdSize}) runs past its end record at ${cdEnd}`, file);
  if (count * 46 > cdSize) throw new InputError(`zip: ${count} entries cannot fit in a ${cdSize}-byte central directory`, file);
  const cd = readBytes(f, cdOffset, cdSize, 'zip central directory');
  const dv = new DataView(cd.buffer);
  const members: ZipMember[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize) throw new InputError(`zip: central directory entry ${k} is truncated`, file);
    if (dv.getUint32(p, true) !== SIG_CENTRAL) throw new InputError(`zip: bad central directory signature at entry ${k}`, file);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let csize = dv.getUint32(p + 20, true);
    let usize = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true);
    const xlen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    let diskStart = dv.getUint16(p + 34, true);
    let loff = dv.getUint32(p + 42, true);
    const end = p + 46 + nlen + xlen + clen;
    if (end > cdSize) throw new InputError(`zip: central directory entry ${k} runs past the directory`, file);
    if (nlen > MAX_NAME_BYTES) throw new InputError(`zip: entry ${k} name longer than MAX_NAME_BYTES`, file);
    const nameBytes = cd.subarray(p + 46, p + 46 + nlen);
    let name: string;
    if (flags & 0x800) {
      try {
        name = new TextDecoder('utf-8', { fatal: true }).decode(nameBytes);
      } catch {
        throw new InputError(`zip: entry ${k} name is not valid UTF-8`, file);
      }
    } else name = Buffer.from(nameBytes).toString('latin1');
    // ZIP64 extended information: the 64-bit values replace the saturated 32-bit ones, in order.
    let x = p + 46 + nlen;
    const xend = x + xlen;
    while (x + 4 <= xend) {
      const id = dv.getUint16(x, true);
      const sz = dv.getUint16(x + 2, true);
      if (x + 4 + sz > xend) throw new InputError(`zip: entry ${q(name)} has a truncated extra field`, file);
      if (id === 0x0001) {
        let qp = x + 4;
        const need = (cond: boolean, n: number): boolean => {
          if (!cond) return false;
          if (qp + n > x + 4 + sz) throw new InputError(`zip: entry ${q(name)} has a short ZIP64 extra field`, file);
          return true;
        };
        if (need(usize === 0xffffffff, 8)) {
          usize = u64(dv, qp, file, 'size');
          qp += 8;
        }
        if (need(csize === 0xffffffff, 8)) {
          csize = u64(dv, qp, file, 'compressed size');
          qp += 8;
        }
        if (need(loff === 0xffffffff, 8)) {
          loff = u64(dv, qp, file, 'local header offset');
          qp += 8;
        }
        if (need(diskStart === 0xffff, 4)) diskStart = dv.getUint32(qp, true);
      }
      x += 4 + sz;
    }
    if (diskStart !== 0) throw new InputError(`zip: entry ${q(name)} is on another disk`, file);
    if (loff > cdOffset - 30) throw new InputError(`zip: entry ${q(name)} local header offset ${loff} is out of range`, file);
    const lh = readBytes(f, loff, 30, `zip local header of ${q(name)}`);
    const ldv = new DataView(lh.buffer);
    if (ldv.getUint32(0, true) !== SIG_LOCAL) throw new InputError(`zip: entry ${q(name)} has a bad local header signature`, file);
    if (ldv.getUint16(8, true) !== method) throw new InputError(`zip: entry ${q(name)} local and central compression methods differ`, file);
    const dataStart = loff + 30 + ldv.getUint16(26, true) + ldv.getUint16(28, true);
    if (dataStart > cdOffset || csize > cdOffset - dataStart) {
      throw new InputError(`zip: entry ${q(name)} data [${dataStart}, ${dataStart + csize}) runs into the central directory at ${cdOffset}`, file);
    }
    if (method === 0 && csize !== usize) throw new InputError(`zip: stored entry ${q(name)} has compressed size ${csize} != size ${usize}`, file);
    if (method === 8 && usize > csize * MAX_DEFLATE_RATIO + 1024) {
      throw new InputError(`zip: entry ${q(name)} claims ${usize} bytes from ${csize} compressed, beyond deflate's maximum ratio (${MAX_DEFLATE_RATIO}:1)`, file);
    }
    members.push({ name, method, flags, crc, compressedSize: csize, size: usize, localOffset: loff, dataStart });
    p = end;
  }
  // Member data must not overlap (overlapping members are a zip-bomb trick).
  const sorted = [...members].sort((a, b) => a.localOffset - b.localOffset);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!;
    if (sorted[k]!.localOffset < prev.dataStart + prev.compressedSize) {
      throw new InputError(`zip: entries ${q(prev.name)} and ${q(sorted[k]!.name)} overlap`, file);
    }
  }
  return members;
}

/**
 * A zip member as a RandomAccessFile of its uncompressed bytes. Stored members map to a byte
 * range of the archive; deflated ones inflate forward from the start (a read before the current
 * position restarts the stream). Reading the member through to its end checks its CRC-32 and,
 * for deflated members, that the stream ends exactly at the declared size.
 */
class MemberFile implements RandomAccessFile {
  readonly path: string;
  readonly size: number;
  private crcPos = 0;
  private crc = 0;
  // inflate state
  private inf: Inflate | undefined;
  private inPos = 0; // compressed bytes pushed
  private outPos = 0; // uncompressed bytes produced and consumed or queued
  private queue: Uint8Array[] = [];
  private queued = 0;
  private finished = false;

  constructor(private readonly zip: RandomAccessFile, private readonly m: ZipMember) {
    this.path = `${zip.path}:${m.name}`;
    this.size = m.size;
  }

  readAt(dst: Uint8Array, pos: number): void {
    checkRange(this.path, this.size, pos, dst.byteLength);
    if (this.m.method === 0) this.zip.readAt(dst, this.m.dataStart + pos);
    else this.inflateAt(dst, pos);
    if (pos === this.crcPos && dst.byteLength > 0) {
      this.crc = crc32(dst, this.crc);
      this.crcPos += dst.byteLength;
      if (this.crcPos === this.size && this.crc !== this.m.crc) {
        throw new InputError(`zip: member ${q(this.m.name)} fails its CRC-32 check (corrupt data)`, this.zip.path);
      }
    }
  }

  close(): void {
    this.reset();
  }

  private verified = false;
  /**
   * Inflate the whole member once without keeping it, checking that it ends exactly at its
   * declared size with the right CRC-32: done before allocating a large result, so a member
   * that lies about its size costs CPU time, never memory.
   */
  verify(): void {
    if (this.verified || this.m.method === 0) return;
    let n = 0;
    let crc = 0;
    let done = false;
    const inf = new Inflate((chunk: Uint8Array, final: boolean) => {
      n += chunk.length;
      if (n > this.m.size) throw new InputError(`zip: member ${q(this.m.name)} inflates to more than its declared ${this.m.size} bytes`, this.zip.path);
      crc = crc32(chunk, crc);
      if (final) done = true;
    });
    const buf = new Uint8Array(Math.min(16384, this.m.compressedSize));
    for (let at = 0; at < this.m.compressedSize && !done; at += buf.length) {
      const view = buf.subarray(0, Math.min(buf.length, this.m.compressedSize - at));
      this.zip.readAt(view, this.m.dataStart + at);
      try {
        inf.push(view, at + view.length === this.m.compressedSize);
      } catch (e) {
        if (e instanceof InputError) throw e;
        throw new InputError(`zip: member ${q(this.m.name)} has corrupt deflate data (${(e as Error).message})`, this.zip.path);
      }
    }
    if (!done || n !== this.m.size) throw new InputError(`zip: member ${q(this.m.name)} inflates to ${n} bytes, not its declared ${this.m.size}`, this.zip.path);
    if (crc !== this.m.crc) throw new InputError(`zip: member ${q(this.m.name)} fails its CRC-32 check (corrupt data)`, this.zip.path);
    this.verified = true;
  }

  private reset(): void {
    this.inf = undefined;
    this.inPos = 0;
    this.outPos = 0;
    this.queue = [];
    this.queued = 0;
    this.finished = false;
  }

  /** Consumed position = outPos - queued. */
  private inflateAt(dst: Uint8Array, pos: number): void {
    if (pos < this.outPos - this.queued || !this.inf) {
      this.reset();
      this.inf = new Inflate((chunk: Uint8Array, final: boolean) => {
        this.queue.push(chunk);
        this.queued += chunk.length;
        this.outPos += chunk.length;
        if (this.outPos > this.m.size) throw new InputError(`zip: member ${q(this.m.name)} inflates to more than its declared ${this.m.size} bytes`, this.zip.path);
        if (final) this.finished = true;
      });
    }
    let consumed = this.outPos - this.queued;
    // skip forward to pos
    while (consumed < pos) {
      if (this.queued === 0) this.pushMore();
      const head = this.queue[0];
      if (!head) continue;
      const take = Math.min(head.length, pos - consumed);
      this.dropFront(take);
      consumed += take;
    }
    let w = 0;
    while (w < dst.byteLength) {
      if (this.queued === 0) this.pushMore();
      const head = this.queue[0];
      if (!head) continue;
      const take = Math.min(head.length, dst.byteLength - w);
      dst.set(head.subarray(0, take), w);
      this.dropFront(take);
      w += take;
    }
    if (pos + dst.byteLength === this.size) {
      // Everything declared has been read; the stream must end here.
      while (!this.finished && this.inPos < this.m.compressedSize) this.pushMore();
      if (!this.finished || this.queued !== 0) throw new InputError(`zip: member ${q(this.m.name)} deflate stream does not end at its declared size`, this.zip.path);
      this.reset();
    }
  }

  private dropFront(n: number): void {
    const head = this.queue[0]!;
    if (n === head.length) this.queue.shift();
    else this.queue[0] = head.subarray(n);
    this.queued -= n;
  }

  /** Push the next compressed chunk (16 KiB, so one push inflates to at most ~17 MB). */
  private pushMore(): void {
    if (this.finished || this.inPos >= this.m.compressedSize) {
      throw new InputError(`zip: member ${q(this.m.name)} inflates to fewer than its declared ${this.m.size} bytes (truncated)`, this.zip.path);
    }
    const n = Math.min(16384, this.m.compressedSize - this.inPos);
    const buf = new Uint8Array(n);
    this.zip.readAt(buf, this.m.dataStart + this.inPos);
    this.inPos += n;
    try {
      this.inf!.push(buf, this.inPos === this.m.compressedSize);
    } catch (e) {
      this.reset();
      if (e instanceof InputError) throw e;
      throw new InputError(`zip: member ${q(this.m.name)} has corrupt deflate data (${(e as Error).message})`, this.zip.path);
    }
  }
}

export function openNpz(path: string, fs: FileSystemLike = nodeFs): WeightSource {
  const f = fs.open(path);
  const members: MemberFile[] = [];
  try {
    const dir = readZipDirectory(f);
    const entries: Entry[] = [];
    const seen = new Set<string>();
    for (const m of dir) {
      if (m.name.endsWith('/')) continue; // folder entry
      if (!m.name.endsWith('.npy')) continue; // not an array (np.load ignores it too, as a non-key)
      const name = m.name.slice(0, -4);
      if (seen.has(name)) throw new InputError(`zip: array ${q(name)} appears twice`, path);
      seen.add(name);
      if (m.flags & 1) {
        entries.push(unsupported(name, m, path, 'member is encrypted'));
        continue;
      }
      if (m.method !== 0 && m.method !== 8) {
        entries.push(unsupported(name, m, path, `zip compression method ${m.method} is not supported (stored and deflate are)`));
        continue;
      }
      const mf = new MemberFile(f, m);
      members.push(mf);
      const h = parseNpyHeader(mf, `array ${q(name)}`);
      mf.close(); // drop the inflate state: listing holds no member data
      const e = npyEntry(mf, name, h, m.compressedSize);
      e.info.file = path;
      if (m.method === 8 && m.size > MAX_UNVERIFIED_INFLATE_BYTES) e.prepare = () => mf.verify();
      entries.push(e);
    }
    return new EntrySource(path, 'npz', entries, {}, () => {
      for (const m of members) m.close();
      f.close();
    });
  } catch (e) {
    f.close();
    throw e;
  }
}

function unsupported(name: string, m: ZipMember, path: string, reason: string): Entry {
  return {
    info: { name, dtype: '?', shape: [], numel: 0, byteSize: m.compressedSize, supported: false, reason, file: path },
    read: () => {
      throw new InputError(`array ${q(name)}: ${reason}`, path);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Writing (stored members, ZIP64 records when needed) — numpy's np.load reads these.

export interface NpzArray {
  name: string;
  data: NpyArray;
  shape?: number[];
  /** dtype string override, e.g. '<f2' for binary16 bit patterns in a Uint16Array. */
  descr?: string;
}

/** Write an .npz (uncompressed, like np.savez) atomically, streaming one array at a time. */
export function writeNpz(path: string, arrays: NpzArray[]): void {
  const w = new AtomicFileWriter(path);
  try {
    const central: Uint8Array[] = [];
    const names = new Set<string>();
    for (const a of arrays) {
      if (names.has(a.name)) throw new InputError(`array ${q(a.name)} given twice`, path);
      names.add(a.name);
      const [head, body] = encodeNpy(a.data, a.shape ?? [a.data.length], a.descr);
      const size = head.byteLength + body.byteLength;
      const crc = crc32(body, crc32(head));
      const name = Buffer.from(`${a.name}.npy`, 'utf8');
      const off = w.position;
      const z64 = size >= 0xffffffff || off >= 0xffffffff;
      // local header: sizes given in a ZIP64 extra when large
      const lextra = z64 ? zip64Extra([size, size]) : new Uint8Array(0);
      const lh = new DataView(new ArrayBuffer(30));
      lh.setUint32(0, SIG_LOCAL, true);
      lh.setUint16(4, z64 ? 45 : 20, true);
      lh.setUint16(6, 0x800, true);
      lh.setUint16(8, 0, true);
      lh.setUint16(10, 0, true);
      lh.setUint16(12, 0x21, true);
      lh.setUint32(14, crc, true);
      lh.setUint32(18, z64 ? 0xffffffff : size, true);
      lh.setUint32(22, z64 ? 0xffffffff : size, true);
      lh.setUint16(26, name.byteLength, true);
      lh.setUint16(28, lextra.byteLength, true);
      w.write(new Uint8Array(lh.buffer));
      w.write(name);
      w.write(lextra);
      w.write(head);
      w.write(body);
      const cextra = z64 ? zip64Extra([size, size, off]) : new Uint8Array(0);
      const ch = new DataView(new ArrayBuffer(46));
      ch.setUint32(0, SIG_CENTRAL, true);
      ch.setUint16(4, 45, true);
      ch.setUint16(6, z64 ? 45 : 20, true);
      ch.setUint16(8, 0x800, true);
      ch.setUint16(10, 0, true);
      ch.setUint16(14, 0x21, true);
      ch.setUint32(16, crc, true);
      ch.setUint32(20, z64 ? 0xffffffff : size, true);
      ch.setUint32(24, z64 ? 0xffffffff : size, true);
      ch.setUint16(28, name.byteLength, true);
      ch.setUint16(30, cextra.byteLength, true);
      ch.setUint32(42, z64 ? 0xffffffff : off, true);
      central.push(new Uint8Array(ch.buffer), name, cextra);
    }
    const cdOffset = w.position;
    for (const c of central) w.write(c);
    const cdSize = w.position - cdOffset;
    const n = arrays.length;
    const big = n >= 0xffff || cdOffset >= 0xffffffff || cdSize >= 0xffffffff;
    if (big) {
      const e64pos = w.position;
      const r = new DataView(new ArrayBuffer(56));
      r.setUint32(0, SIG_EOCD64, true);
      r.setBigUint64(4, 44n, true);
      r.setUint16(12, 45, true);
      r.setUint16(14, 45, true);
      r.setBigUint64(24, BigInt(n), true);
      r.setBigUint64(32, BigInt(n), true);
      r.setBigUint64(40, BigInt(cdSize), true);
      r.setBigUint64(48, BigInt(cdOffset), true);
      w.write(new Uint8Array(r.buffer));
      const l = new DataView(new ArrayBuffer(20));
      l.setUint32(0, SIG_LOC64, true);
      l.setBigUint64(8, BigInt(e64pos), true);
      l.setUint32(16, 1, true);
      w.write(new Uint8Array(l.buffer));
    }
    const e = new DataView(new ArrayBuffer(22));
    e.setUint32(0, SIG_EOCD, true);
    e.setUint16(8, big ? 0xffff : n, true);
    e.setUint16(10, big ? 0xffff : n, true);
    e.setUint32(12, big ? 0xffffffff : cdSize, true);
    e.setUint32(16, big ? 0xffffffff : cdOffset, true);
    w.write(new Uint8Array(e.buffer));
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
}

function zip64Extra(values: number[]): Uint8Array {
  const dv = new DataView(new ArrayBuffer(4 + 8 * values.length));
  dv.setUint16(0, 0x0001, true);
  dv.setUint16(2, 8 * values.length, true);
  values.forEach((v, i) => dv.setBigUint64(4 + 8 * i, BigInt(v), true));
  return new Uint8Array(dv.buffer);
}
