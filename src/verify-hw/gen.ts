import { spawn } from 'node:child_process';
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFileWriter } from '../util/atomic.js';
import { generateSuite, lineShape, parseLine, suiteHeader, type Shard, type SuiteDef } from '../golden/index.js';
import { fullCheck, memHeader, memLayout, packWord } from './mem.js';

export type GenFormat = 'text' | 'mem';

export interface GenWriteOptions {
  format?: GenFormat;
  shard?: Shard;
  /** Write the header (default true). */
  header?: boolean;
}

/** The header of a suite in either format (text: '#' lines; mem: '//' lines with the layout). */
export function genHeader(d: SuiteDef, format: GenFormat): string {
  if (format === 'text') return suiteHeader(d);
  const about = suiteHeader(d)
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(/^# ?/, ''));
  return memHeader(memLayout(lineShape(d)), about);
}

/** Stream a suite (or one shard of it) as text lines or `$readmemh` words into `out`. Returns the beats written. */
export function genStream(d: SuiteDef, out: (chunk: string) => void, o: GenWriteOptions = {}): number {
  const format = o.format ?? 'text';
  if (o.header !== false) out(genHeader(d, format));
  if (format === 'text') return generateSuite(d, out, { shard: o.shard, header: false });
  const shape = lineShape(d);
  const L = memLayout(shape);
  const chk = fullCheck(shape);
  return generateSuite(
    d,
    (chunk) => {
      let s = '';
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        const { beat, out: res } = parseLine(shape, line);
        s += packWord(L, shape, beat, res, chk) + '\n';
      }
      out(s);
    },
    { shard: o.shard, header: false },
  );
}

/** Write to a file atomically (nothing half-written) or to stdout. */
export function genTo(path: string | undefined, d: SuiteDef, o: GenWriteOptions = {}): number {
  if (!path || path === '-') {
    quietEpipe();
    return genStream(d, (c) => process.stdout.write(c), o);
  }
  const w = new AtomicFileWriter(path);
  try {
    const n = genStream(d, (c) => w.write(Buffer.from(c, 'utf8')), o);
    w.commit();
    return n;
  } catch (e) {
    w.abort();
    throw e;
  }
}

/**
 * `--jobs J`: J child processes each write shard j/J (of the caller's shard, when given) of the
 * body to a temp file; the parent writes the header and the parts in order. The result is byte
 * for byte the single-process output (the shard bodies partition the run, see generateSuite).
 */
export async function genParallel(argvBase: string[], d: SuiteDef, jobs: number, path: string | undefined, o: GenWriteOptions): Promise<number> {
  const parts = Array.from({ length: jobs }, (_, j) => join(tmpdir(), `rf8-gen-${process.pid}-${j}.part`));
  const outer = o.shard ?? { index: 0, count: 1 };
  try {
    await Promise.all(
      parts.map(
        (p, j) =>
          new Promise<void>((res, rej) => {
            // shard j of J inside the outer shard I of N = shard I*J + j of N*J
            const args = [...argvBase, '--shard', `${outer.index * jobs + j + 1}/${outer.count * jobs}`, '--no-header', '--out', p, '--jobs', '1'];
            const c = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
            c.on('error', rej);
            c.on('exit', (code) => (code === 0 ? res() : rej(new Error(`gen worker ${j + 1}/${jobs} exited ${code}`))));
          }),
      ),
    );
    const write = async (put: (b: Buffer | string) => void): Promise<void> => {
      put(genHeader(d, o.format ?? 'text'));
      for (const p of parts)
        await new Promise<void>((res, rej) => {
          createReadStream(p)
            .on('data', (c) => put(c as Buffer))
            .on('end', () => res())
            .on('error', rej);
        });
    };
    if (!path || path === '-') await write((b) => process.stdout.write(b));
    else {
      const w = new AtomicFileWriter(path);
      try {
        await write((b) => w.write(typeof b === 'string' ? Buffer.from(b) : b));
        w.commit();
      } catch (e) {
        w.abort();
        throw e;
      }
    }
    let n = 0;
    for (const p of parts) {
      const t = readFileSync(p);
      for (let i = 0; i < t.length; i++) if (t[i] === 10) n++;
    }
    return n;
  } finally {
    for (const p of parts) rmSync(p, { force: true });
  }
}

/** A reader that stops early (`| head`) ends the pipe: exit quietly instead of an EPIPE stack. */
export function quietEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
