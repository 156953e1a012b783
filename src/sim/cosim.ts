import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeValue, fromF32Bits, getFormat } from '../format/index.js';
import { generateRtl, type GeneratedRtl, type RtlConfig, type RtlOptions } from '../rtl/index.js';
import { ensureSuite, getSuite, type SuiteDef } from '../golden/index.js';
import { fromTwos } from '../golden/line.js';
import { InputError } from '../util/errors.js';
import { buildModel, type BuildOptions, type BuiltModel } from './build.js';
import { cacheRoot } from './paths.js';

const execFileP = promisify(execFile);

/** What the harness prints for a file-mode run. */
export interface HarnessReport {
  file: string;
  format: string;
  vectors: number;
  fed: number;
  outputs: number;
  cycles: number;
  parse_s: number;
  sim_s: number;
  vectors_per_s: number;
  end_to_end_per_s: number;
  raw_cycles: number;
  raw_cycles_per_s: number;
  dut: { N: number; W: number; K: number; f32: number; latency: number };
  /** Cycles from the first accepted beat with `last` to its output beat (no-stall runs; -1 otherwise). */
  latency_measured: number;
  pass: boolean;
  mismatch?: {
    cycle: number;
    fields: number;
    index?: number;
    line?: number;
    in?: { ctl: number; xa: number; xb: number; xo: number; init: string; mask: number; a: string; b: string };
    expected?: { acc: string; flags: number; f32: string; codes: string };
    actual?: { acc: string; flags: number; f32: string; codes: string };
  };
}

/** A mismatch with the fields decoded to values. */
export interface DecodedMismatch {
  line: number;
  cycle: number;
  fields: string[];
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
  actual: Record<string, unknown>;
  wave?: string;
}

export interface CosimResult {
  suite: string;
  config: string;
  pass: boolean;
  vectors: number;
  outputs: number;
  vectorsPerSec: number;
  endToEndPerSec: number;
  rawCyclesPerSec: number;
  /** Measured latency in cycles (first output beat; -1 with stalls) and the generator's figure. */
  latency: number;
  designLatency: number;
  /** vectorsPerSec / rawCyclesPerSec (when the raw rate was measured). */
  ratio: number | null;
  parseSec: number;
  /** 'binary' (the converted vector file) or 'text'. */
  format: string;
  /** Text parse rate of the one-time conversion (when it happened in this call). */
  textParsePerSec: number | null;
  simSec: number;
  buildSec: number;
  mismatch?: DecodedMismatch;
}

/** Harness arguments that map a suite's columns onto a DUT configuration. */
export function suiteArgs(d: SuiteDef, cfg: RtlConfig): string[] {
  const s = d.dot;
  if (!s) throw new InputError(`suite ${d.name} has no DUT vectors (kind ${d.kind})`);
  if (s.a !== cfg.fa.name || s.b !== cfg.fb.name) throw new InputError(`suite ${d.name} is for ${s.a} x ${s.b}, the DUT is ${cfg.fa.name} x ${cfg.fb.name}`);
  if (s.W !== cfg.W) throw new InputError(`suite ${d.name} has W = ${s.W}, the DUT has W = ${cfg.W}`);
  if (s.lanes !== cfg.lanes && s.lanes !== 1) throw new InputError(`suite ${d.name} has ${s.lanes} lanes; the DUT has ${cfg.lanes} (only 1-lane suites are spread over lanes)`);
  const outmap = cfg.outLabels.map((l) => s.outs.indexOf(l));
  if (outmap.every((j) => j < 0) && !(s.f32 && cfg.f32)) throw new InputError(`suite ${d.name} checks no output of this DUT`);
  const args = ['--lanes-in', String(s.lanes), '--k-in', String(s.outs.length)];
  if (cfg.outs.length) args.push('--outmap', outmap.join(','));
  if (!(s.f32 && cfg.f32)) args.push('--no-f32');
  return args;
}

/** Decode a harness mismatch into values (accumulator value, binary32 value, codes' values). */
export function decodeMismatch(d: SuiteDef, cfg: RtlConfig, m: NonNullable<HarnessReport['mismatch']>): DecodedMismatch {
  const what = ['acc', 'flags', 'f32', 'codes'].filter((_, i) => m.fields & (1 << i));
  if (m.fields & 16) what.push('unexpected output beat');
  if (m.fields & 32) what.push('timeout (no output)');
  const res: DecodedMismatch = { line: m.line ?? 0, cycle: m.cycle, fields: what, inputs: {}, expected: {}, actual: {} };
  if (!m.in || !m.expected || !m.actual) return res;
  const sx = (v: number): number => (v >= 128 ? v - 256 : v);
  const xa = sx(m.in.xa);
  const xb = sx(m.in.xb);
  const xo = sx(m.in.xo);
  const T = cfg.fa.tmin + cfg.fb.tmin + xa + xb;
  const lanes = (h: string): number[] => {
    const v: number[] = [];
    for (let i = 0; i < cfg.lanes; i++) v.push(parseInt(h.slice(h.length - 2 * (i + 1), h.length - 2 * i), 16));
    return v;
  };
  const a = lanes(m.in.a);
  const b = lanes(m.in.b);
  res.inputs = {
    first: !!(m.in.ctl & 1),
    last: !!(m.in.ctl & 2),
    relu: !!(m.in.ctl & 4),
    xa,
    xb,
    xo,
    init: fromTwos(BigInt('0x' + m.in.init), cfg.W).toString(),
    mask: m.in.mask.toString(2).padStart(cfg.lanes, '0'),
    a: a.map((c) => `0x${c.toString(16).padStart(2, '0')} (${decodeValue(cfg.fa, c, xa)})`),
    b: b.map((c) => `0x${c.toString(16).padStart(2, '0')} (${decodeValue(cfg.fb, c, xb)})`),
  };
  const side = (o: NonNullable<HarnessReport['mismatch']>['expected']): Record<string, unknown> => {
    const acc = fromTwos(BigInt('0x' + o!.acc), cfg.W);
    const codes: Record<string, string> = {};
    cfg.outs.forEach((fo, k) => {
      const c = parseInt(o!.codes.slice(o!.codes.length - 2 * (k + 1), o!.codes.length - 2 * k), 16);
      codes[cfg.outLabels[k]!] = `0x${c.toString(16).padStart(2, '0')} (${decodeValue(getFormat(fo.name), c, xo)})`;
    });
    const f32 = parseInt(o!.f32, 16) >>> 0;
    return {
      acc: `${acc} (value ${Number(acc) * 2 ** T}, = acc * 2^${T})`,
      nan: !!(o!.flags & 1),
      ovf: !!(o!.flags & 2),
      ...(cfg.f32 ? { f32: `0x${o!.f32} (${fromF32Bits(f32)})` } : {}),
      ...codes,
    };
  };
  res.expected = side(m.expected);
  res.actual = side(m.actual);
  return res;
}

export interface CosimOptions {
  /** DUT configuration; default: the suite's own (its formats, W, lanes and outputs, pipe 2). */
  rtl?: RtlOptions;
  /** Also clock the model this many cycles with no I/O (raw cycle rate). */
  rawCycles?: number;
  /** Random input bubbles / output backpressure: [seed, pIn, pOut]. */
  stall?: [number, number, number];
  /** Write an FST waveform of the failing window here (default under the cache). False: none. */
  wave?: string | false;
  build?: BuildOptions;
  /** Mutant schemata: the fault_sel value (bit i = FAULT_NAMES[i]). */
  faultSel?: number;
  /** Stream a binary vector file converted once from the text suite (default true; false: parse the text each run). */
  binary?: boolean;
  log?: (m: string) => void;
}

/** The DUT configuration a suite runs on by default. */
export function defaultRtlFor(d: SuiteDef): RtlOptions {
  const s = d.dot!;
  return { a: s.a, b: s.b, lanes: s.lanes, outs: s.outs, f32: s.f32, W: s.W };
}

export async function runHarness(exe: string, args: string[]): Promise<{ code: number; report: HarnessReport | null; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(exe, args, { maxBuffer: 64 << 20 });
    return { code: 0, report: JSON.parse(stdout) as HarnessReport, stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string; message: string };
    let report: HarnessReport | null = null;
    try {
      report = x.stdout ? (JSON.parse(x.stdout) as HarnessReport) : null;
    } catch {
      report = null;
    }
    if (typeof x.code !== 'number') throw e;
    return { code: x.code, report, stderr: x.stderr ?? '' };
  }
}

/** Run one suite through a (cached) Verilated DUT. */
export async function cosimSuite(name: string, o: CosimOptions = {}): Promise<CosimResult> {
  const d = getSuite(name);
  const g = generateRtl(o.rtl ?? defaultRtlFor(d));
  return cosimSuiteOn(d, g, o);
}

export async function cosimSuiteOn(d: SuiteDef, g: GeneratedRtl, o: CosimOptions = {}, model?: BuiltModel): Promise<CosimResult> {
  const cfg = g.cfg;
  const args = suiteArgs(d, cfg);
  const m = model ?? (await buildModel(g, { ...o.build, log: o.log }));
  const path = ensureSuite(d, o.log);
  let run = [path, ...args];
  let textParsePerSec: number | null = null;
  if (o.binary !== false) {
    const key = createHash('sha256').update(readFileSync(path)).update(args.join(' ')).update(m.hash).digest('hex').slice(0, 16);
    const bin = join(cacheRoot(), 'vectors', `${d.name}--${cfg.id.slice(0, 60)}--${key}.bin`);
    if (!existsSync(bin)) {
      mkdirSync(join(cacheRoot(), 'vectors'), { recursive: true });
      // one binary file per (suite, configuration): drop those of older models / suite versions
      const prefix = `${d.name}--${cfg.id.slice(0, 60)}--`;
      for (const f of readdirSync(join(cacheRoot(), 'vectors'))) if (f.startsWith(prefix) && f.endsWith('.bin')) rmSync(join(cacheRoot(), 'vectors', f), { force: true });
      const c = await runHarness(m.exe, [path, ...args, '--write-bin', bin, '--convert-only']);
      if (c.code !== 0) throw new Error(`harness could not convert ${path}: ${c.stderr.trim().split('\n')[0] ?? ''}`);
      textParsePerSec = (c.report as unknown as { parse_per_s: number }).parse_per_s;
    }
    run = [bin, '--bin', ...args];
  }
  if (o.rawCycles) run.push('--raw-cycles', String(o.rawCycles));
  if (o.faultSel) run.push('--fault-sel', String(o.faultSel));
  if (o.stall) run.push('--stall', o.stall.join(','));
  o.log?.(`co-simulating ${d.name} on ${cfg.id}`);
  const r = await runHarness(m.exe, run);
  if (!r.report) throw new Error(`harness failed (exit ${r.code}) on ${d.name}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  const rep = r.report;
  const res: CosimResult = {
    suite: d.name,
    config: cfg.id,
    pass: rep.pass,
    vectors: rep.vectors,
    outputs: rep.outputs,
    vectorsPerSec: rep.vectors_per_s,
    endToEndPerSec: rep.end_to_end_per_s,
    rawCyclesPerSec: rep.raw_cycles_per_s,
    latency: rep.latency_measured,
    designLatency: cfg.latency,
    ratio: rep.raw_cycles_per_s > 0 ? rep.vectors_per_s / rep.raw_cycles_per_s : null,
    parseSec: rep.parse_s,
    format: rep.format,
    textParsePerSec,
    simSec: rep.sim_s,
    buildSec: m.seconds,
  };
  if (!rep.pass && rep.mismatch) {
    res.mismatch = decodeMismatch(d, cfg, rep.mismatch);
    if (o.wave !== false) {
      try {
        res.mismatch.wave = await waveform(g, d, args, rep.mismatch.cycle, o);
      } catch (e) {
        o.log?.(`waveform not written: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
  return res;
}

/** Re-run with the traced model and dump the cycles around `cycle` into an FST file. */
export async function waveform(g: GeneratedRtl, d: SuiteDef, args: string[], cycle: number, o: CosimOptions): Promise<string> {
  const tm = await buildModel(g, { ...o.build, trace: true, log: o.log });
  const out = typeof o.wave === 'string' ? o.wave : join(cacheRoot(), 'waves', `${d.name}--${g.cfg.id}.fst`);
  mkdirSync(join(out, '..'), { recursive: true });
  const from = Math.max(0, cycle - 16 - g.cfg.latency);
  const run = [ensureSuite(d), ...args, '--trace', out, '--trace-from', String(from), '--trace-to', String(cycle + 2)];
  // the traced model parses the text suite (same beats, same cycles as the binary run)
  if (o.stall) run.push('--stall', o.stall.join(','));
  if (o.faultSel) run.push('--fault-sel', String(o.faultSel));
  await runHarness(tm.exe, run);
  return out;
}

