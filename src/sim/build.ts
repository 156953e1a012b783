import { withLock } from '../util/lock.js';
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedRtl } from '../rtl/index.js';
import { cacheRoot, harnessSource } from './paths.js';
import { requireTool } from './tools.js';
import { dutIoHeader } from './dutio.js';

const execFileP = promisify(execFile);

type Opt = '-O0' | '-O1' | '-O2' | '-O3';

export interface BuildOptions {
  /** Build with FST tracing (for the waveform of a failing window). */
  trace?: boolean;
  /** C++ optimisation of the model: -O1 builds faster, -O2 runs faster (default). */
  opt?: Opt;
  /** Progress lines to stderr. */
  log?: (msg: string) => void;
}

export interface BuiltModel {
  exe: string;
  dir: string;
  hash: string;
  traced: boolean;
  /** True when this call compiled it (false: taken from the cache). */
  fresh: boolean;
  seconds: number;
}

/** What a harness is built from: generated RTL sources, their top module, and an id naming the cache folder. */
export interface HarnessRtl {
  sources: { name: string; text: string }[];
  top: string;
  id: string;
}

/** A C++ harness driving a Verilated `Vdut` through a per-configuration adapter header. */
export interface HarnessSpec {
  /** Path of the harness .cpp. */
  cpp: string;
  /** The adapter it includes, written next to it (e.g. dut_io.h). */
  header: { name: string; text: string };
  /** File name of the linked binary inside the model's folder. */
  exe: string;
  /** First element of the cache hash (default 'rf8-model-v1'). */
  tag?: string;
  /** -O of the model (BuildOptions.opt overrides), of Verilator's __Slow / __Syms files, of the harness (default -O2, -O1, -O2). */
  opt?: { model: Opt; slow: Opt; harness: Opt };
  /** Characters of the id kept in the folder name (default 80). */
  idChars?: number;
  /** After a fresh build, delete older builds of the same id (other RTL / harness versions). */
  prune?: boolean;
}

const DEFAULT_OPT = { model: '-O2', slow: '-O1', harness: '-O2' } as const;

function sha(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(typeof p === 'string' ? Buffer.from(p) : p);
    h.update('\0');
  }
  return h.digest('hex');
}


function verilatorRoot(): string {
  return execFileSync('verilator', ['--getenv', 'VERILATOR_ROOT'], { encoding: 'utf8' }).trim();
}

/** g++ flags of every Verilated object (the runtime objects' cache key depends on them). */
export function cxxFlags(root: string, trace: boolean): string[] {
  return [
    `-I${root}/include`,
    `-I${root}/include/vltstd`,
    '-DVM_COVERAGE=0',
    '-DVM_SC=0',
    `-DVM_TRACE=${trace ? 1 : 0}`,
    `-DVM_TRACE_FST=${trace ? 1 : 0}`,
    '-DVM_TRACE_VCD=0',
    '-faligned-new',
    '-fcf-protection=none',
    '-Wno-bool-operation',
    '-Wno-sign-compare',
    '-Wno-uninitialized',
    '-Wno-unused-but-set-variable',
    '-Wno-unused-parameter',
    '-Wno-unused-variable',
    '-Wno-shadow',
    '-std=gnu++17',
  ];
}

async function compileAllAsync(cmds: string[][], jobs: number): Promise<void> {
  let next = 0;
  let err: Error | null = null;
  const worker = async (): Promise<void> => {
    while (next < cmds.length && !err) {
      const c = cmds[next++]!;
      try {
        await execFileP(c[0]!, c.slice(1), { maxBuffer: 64 << 20 });
      } catch (e) {
        const x = e as { stderr?: string; message: string };
        err = new Error(`compile failed: ${c.join(' ')}\n${(x.stderr ?? x.message).slice(0, 4000)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cmds.length) }, worker));
  if (err) throw err;
}

export { withLock } from '../util/lock.js';

/** Verilator's runtime objects, compiled once per Verilator version / flags into <cache>/sim/verilated-rt-<key> (shared by every harness). */
export async function runtimeObjects(root: string, trace: boolean, opt: string, log?: (m: string) => void): Promise<string[]> {
  const ver = requireTool('verilator');
  const srcs = ['verilated.cpp', 'verilated_threads.cpp', ...(trace ? ['verilated_fst_c.cpp'] : [])];
  const key = sha([ver, root, String(trace), opt, ...cxxFlags(root, trace)]).slice(0, 16);
  const base = join(cacheRoot(), 'sim');
  const dir = join(base, `verilated-rt-${key}`);
  const objs = srcs.map((s) => join(dir, s.replace(/\.cpp$/, '.o')));
  if (objs.every((o) => existsSync(o))) return objs;
  mkdirSync(base, { recursive: true });
  return withLock(join(base, '.lock-runtime'), async () => {
    if (objs.every((o) => existsSync(o))) return objs;
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    log?.(`compiling the Verilator runtime (${srcs.length} files, once per cache)`);
    await compileAllAsync(
      srcs.map((s) => ['g++', ...cxxFlags(root, trace), opt, '-c', '-o', join(tmp, s.replace(/\.cpp$/, '.o')), join(root, 'include', s)]),
      2,
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return objs;
  });
}

/** The content hash that keys a harness model in the cache (RTL + harness + adapter + tools + flags). */
export function harnessHash(g: HarnessRtl, h: HarnessSpec, o: BuildOptions = {}): string {
  return sha([
    h.tag ?? 'rf8-model-v1',
    requireTool('verilator'),
    requireTool('g++'),
    readFileSync(h.cpp),
    h.header.text,
    String(!!o.trace),
    o.opt ?? (h.opt ?? DEFAULT_OPT).model,
    ...g.sources.flatMap((s) => [s.name, s.text]),
  ]);
}

/**
 * Build (or take from the cache) a Verilated harness: verilate the RTL, compile it with the
 * harness and its adapter, link with the shared runtime objects.
 * Cache: <cache>/sim/<id>[-trace]-<hash12>/<exe>; concurrent builders of the same model wait on a lock.
 */
export async function buildHarness(g: HarnessRtl, h: HarnessSpec, o: BuildOptions = {}): Promise<BuiltModel> {
  const t0 = Date.now();
  requireTool('verilator');
  requireTool('g++');
  const hash = harnessHash(g, h, o);
  const base = join(cacheRoot(), 'sim');
  mkdirSync(base, { recursive: true });
  const trace = !!o.trace;
  const stem = `${g.id.slice(0, h.idChars ?? 80)}${trace ? '-trace' : ''}-`;
  const dir = join(base, `${stem}${hash.slice(0, 12)}`);
  const exe = join(dir, h.exe);
  const res = (fresh: boolean): BuiltModel => ({ exe, dir, hash, traced: trace, fresh, seconds: (Date.now() - t0) / 1000 });
  if (existsSync(exe)) return res(false);
  return withLock(join(base, `.lock-${hash.slice(0, 16)}`), async () => {
    if (existsSync(exe)) return res(false);
    const opts = h.opt ?? DEFAULT_OPT;
    const opt = o.opt ?? opts.model;
    const root = verilatorRoot();
    const rt = await runtimeObjects(root, trace, '-O2', o.log);
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'rtl'), { recursive: true });
    for (const s of g.sources) writeFileSync(join(tmp, 'rtl', s.name), s.text);
    writeFileSync(join(tmp, h.header.name), h.header.text);
    o.log?.(`verilating ${g.id}${trace ? ' (traced)' : ''}`);
    const vargs = ['--cc', '--prefix', 'Vdut', '-O3', '--x-assign', 'fast', '--x-initial', 'fast', '--noassert', '-Wno-fatal', '-Mdir', join(tmp, 'obj'), '--top-module', g.top];
    if (trace) vargs.push('--trace-fst');
    vargs.push(...g.sources.map((s) => join(tmp, 'rtl', s.name)));
    try {
      await execFileP('verilator', vargs, { maxBuffer: 64 << 20 });
    } catch (e) {
      const x = e as { stderr?: string; message: string };
      throw new Error(`verilator failed on ${g.id}:\n${(x.stderr ?? x.message).slice(0, 4000)}`);
    }
    const objDir = join(tmp, 'obj');
    const cpps = readdirSync(objDir).filter((f) => f.endsWith('.cpp'));
    const flags = [...cxxFlags(root, trace), `-I${objDir}`, `-I${tmp}`];
    const cmds = cpps.map((f) => ['g++', ...flags, f.includes('__Slow') || f.includes('__Syms') ? opts.slow : opt, '-c', '-o', join(objDir, f.replace(/\.cpp$/, '.o')), join(objDir, f)]);
    cmds.push(['g++', ...flags, opts.harness, '-c', '-o', join(tmp, 'harness.o'), h.cpp]);
    o.log?.(`compiling ${cmds.length} C++ files (${opt})`);
    await compileAllAsync(cmds, 2);
    const objs = [...cpps.map((f) => join(objDir, f.replace(/\.cpp$/, '.o'))), join(tmp, 'harness.o'), ...rt];
    await execFileP('g++', ['-o', join(tmp, h.exe), ...objs, '-pthread', '-lpthread', '-latomic', ...(trace ? ['-lz'] : [])], { maxBuffer: 64 << 20 });
    // keep the binary and the sources it came from; drop the objects
    for (const f of readdirSync(objDir)) if (f.endsWith('.o') || f.endsWith('.d')) rmSync(join(objDir, f));
    rmSync(join(tmp, 'harness.o'), { force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    if (h.prune) {
      // drop older builds of the same configuration (other RTL / harness versions)
      for (const e of readdirSync(base)) {
        const p = join(base, e);
        if (e.startsWith(stem) && /^[0-9a-f]{12}$/.test(e.slice(stem.length)) && p !== dir) rmSync(p, { recursive: true, force: true });
      }
    }
    return res(true);
  });
}

/** sim/harness.cpp with rf8_dot's adapter (dut_io.h) for a generated configuration. */
function dotHarness(g: GeneratedRtl): HarnessSpec {
  return { cpp: harnessSource(), header: { name: 'dut_io.h', text: dutIoHeader(g.cfg) }, exe: 'harness', prune: true };
}

const dotRtl = (g: GeneratedRtl): HarnessRtl => ({ sources: g.sources, top: g.top, id: g.cfg.id });

/** The content hash that keys a model in the cache (RTL + harness + adapter + tools + flags). */
export function modelHash(g: GeneratedRtl, o: BuildOptions = {}): string {
  return harnessHash(dotRtl(g), dotHarness(g), o);
}

/**
 * Build (or take from the cache) the Verilated harness of a generated configuration.
 * Cache: <cache>/sim/<id>-<hash12>/harness; concurrent builders of the same model wait on a lock.
 */
export async function buildModel(g: GeneratedRtl, o: BuildOptions = {}): Promise<BuiltModel> {
  return buildHarness(dotRtl(g), dotHarness(g), o);
}
