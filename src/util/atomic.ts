import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Temp path in the same directory as `path`, so that rename() is atomic. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Write a file atomically: the data goes to a temp file in the same directory, is fsync'ed,
 * then renamed over `path`. A reader (or a crash) sees the old file or the new one, never a
 * partial one.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly (string | Uint8Array)[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w');
  try {
    const parts = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
    for (const p of parts) {
      const buf = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * A large output written atomically without holding it in memory: bytes go to a temp file in
 * the same directory (sequentially with `write`, or at explicit offsets with `writeAt`), and
 * `commit()` fsyncs it, renames it over `path` and fsyncs the directory. Until `commit()` the
 * destination is untouched; `abort()` (or a crash, or SIGKILL) leaves the previous file in place
 * (a SIGKILL can leave the hidden temp file `.<name>.<pid>.<hex>.tmp` behind, never a partial
 * `path`).
 */
export class AtomicFileWriter {
  readonly tempPath: string;
  private fd: number | undefined;
  private pos = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tempPath = tempPathFor(path);
    this.fd = openSync(this.tempPath, 'wx', 0o644);
  }

  /** Bytes written so far by sequential `write` calls (the next sequential offset). */
  get position(): number {
    return this.pos;
  }

  /** Append `data` at the current sequential position. */
  write(data: Uint8Array): void {
    this.writeAt(data, this.pos);
    this.pos += data.byteLength;
  }

  /** Write `data` at byte offset `offset` (does not move the sequential position). */
  writeAt(data: Uint8Array, offset: number): void {
    const fd = this.openFd();
    let off = 0;
    while (off < data.byteLength) off += writeSync(fd, data, off, data.byteLength - off, offset + off);
  }

  /** fsync, rename over the destination, fsync the directory. The writer is closed after. */
  commit(): void {
    const fd = this.openFd();
    try {
      fsyncSync(fd);
    } catch (e) {
      this.abort();
      throw e;
    }
    closeSync(fd);
    this.fd = undefined;
    try {
      renameSync(this.tempPath, this.path);
    } catch (e) {
      rmSync(this.tempPath, { force: true });
      throw e;
    }
    try {
      const dfd = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // fsync of a directory is not supported everywhere; the rename itself is still atomic.
    }
  }

  /** Drop the temp file; the destination keeps its previous content (or stays absent). */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
    rmSync(this.tempPath, { force: true });
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`AtomicFileWriter(${this.path}): already committed or aborted`);
    return this.fd;
  }
}
