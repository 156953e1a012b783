/**
 * The open FPGA flow: yosys synthesis of a design for a device, then (iCE40) nextpnr-ice40
 * place and route of the design inside the 4-pin harness for several seeds; the median Fmax.
 *
 * Resources are those of the design synthesized alone (yosys `stat -json`); Fmax and the
 * device utilization come from placing and routing the harness around the same synthesized
 * netlist (the engine netlist is read back, so it is not synthesized twice).
 *
 * Results are cached under `cacheDir` (default `.cache/estimate`), keyed by a SHA-256 of the
 * RTL text, the top, the flow options, the flow version and the tool versions: synthesis per
 * design and device, place and route per seed. The same RTL and options give the same numbers
 * (yosys and single-threaded nextpnr with a fixed seed are deterministic; tested).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'fflate';
import { writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { getDevice, type Device, type DeviceName } from './devices.js';
import {
  classifyCells,
  nextpnrFitFailure,
  parseNextpnrLog,
  parseNextpnrReport,
  parseYosysStatJson,
  parseYosysStatText,
  type CellCounts,
  type PnrReport,
  type Resources,
} from './parse.js';
import { Limiter, requireEdaTool, runTool, ToolError, edaToolVersion } from './tools.js';
import { netlistPorts, wrapperVerilog, WRAPPER_TOP } from './wrapper.js';

/**
 * Bump when the flow changes what a cached result means in a way the keys do not see (the
 * harness generator, the parsers, the nextpnr arguments other than device / seed / target).
 */
export const FLOW_VERSION = 1;

export interface SourceFile {
  name: string;
  text: string;
}

export interface DesignInput {
  /** A label for logs and reports. */
  name: string;
  top: string;
  /** Verilog / SystemVerilog sources in compile order. */
  sources: readonly SourceFile[];
  /** Clock port of the top (default 'clk'). */
  clock?: string;
  /**
   * Cell types (module names) whose instances are deleted before synthesis (yosys `delete t:NAME`):
   * e.g. the output converters, to time the MAC datapath alone. Their outputs become undriven.
   */
  removeCells?: readonly string[];
}

export interface FlowOptions {
  device: DeviceName;
  /** nextpnr seeds (default [1, 2, 3]); the median Fmax is reported. Ignored where there is no place and route. */
  seeds?: readonly number[];
  /** nextpnr target frequency in MHz (default 100; the achieved Fmax is what is reported). */
  freqMHz?: number;
  /** Cache folder; null disables the cache. Default: `.cache/estimate` under the working directory. */
  cacheDir?: string | null;
  /** Shared limit on concurrent tool runs (default: 1). */
  limiter?: Limiter;
  /** Skip place and route (synthesis numbers only). */
  synthOnly?: boolean;
  /** Keep the work folders (for inspection); their paths are in the result. */
  keepWork?: boolean;
  /** Progress messages. */
  onEvent?: (msg: string) => void;
  /** Per tool run timeout (default 20 minutes). */
  timeoutMs?: number;
}

export interface SynthResult {
  key: string;
  device: DeviceName;
  cells: CellCounts;
  resources: Resources;
  /** Whether the synthesized cells are within the device capacity (a necessary condition). */
  withinCapacity: boolean;
  capacityNote?: string;
  seconds: number;
  tool: string;
}

export interface SeedResult {
  seed: number;
  fmaxMHz: number;
  utilization: PnrReport['utilization'];
  critical?: PnrReport['critical'];
  seconds: number;
}

export interface PnrResult {
  /** False when nextpnr could not fit the design; `reason` quotes it. */
  fits: boolean;
  reason?: string;
  seeds: SeedResult[];
  /** Median over the seeds (mean of the two middle ones for an even count). */
  fmaxMHz?: number;
  fmaxMinMHz?: number;
  fmaxMaxMHz?: number;
  /** Utilization of the placed harness + design (from the first seed; it does not depend on the seed). */
  utilization?: PnrReport['utilization'];
  freqMHz: number;
  tool: string;
}

export interface FlowResult {
  design: string;
  device: DeviceName;
  synth: SynthResult;
  pnr?: PnrResult;
  /** Tool runs this call actually made (0 when everything came from the cache). */
  toolRuns: number;
  seconds: number;
  work?: string[];
}

export function sha256(s: string | Uint8Array): string {
  return createHash('sha256').update(s).digest('hex');
}

export function defaultCacheDir(): string {
  return resolve(process.env.RF8_ESTIMATE_CACHE ?? join(process.cwd(), '.cache', 'estimate'));
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Cache key of a design's synthesis for a device: the yosys script itself, the sources, the versions. */
export function synthKey(d: DesignInput, dev: Device, yosysVersion: string): string {
  return sha256(
    JSON.stringify({
      flow: FLOW_VERSION,
      yosys: yosysVersion,
      script: yosysSynthScript(d, dev),
      sources: d.sources.map((s) => [s.name, sha256(s.text)]),
    }),
  );
}

function pnrKey(sKey: string, dev: Device, nextpnrVersion: string, freqMHz: number, seed: number, clock: string): string {
  return sha256(JSON.stringify({ flow: FLOW_VERSION, synth: sKey, nextpnr: nextpnrVersion, pnr: dev.pnr, freqMHz, seed, clock, wrapper: WRAPPER_TOP }));
}

class Cache {
  constructor(readonly dir: string | null) {
    if (dir) mkdirSync(dir, { recursive: true });
  }
  get<T>(name: string): T | undefined {
    if (!this.dir) return undefined;
    const p = join(this.dir, name);
    if (!existsSync(p)) return undefined;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as T;
    } catch {
      return undefined; // a damaged entry is a miss
    }
  }
  put(name: string, v: unknown): void {
    if (this.dir) writeFileAtomic(join(this.dir, name), JSON.stringify(v) + '\n');
  }
  getBytes(name: string): Uint8Array | undefined {
    if (!this.dir) return undefined;
    const p = join(this.dir, name);
    return existsSync(p) ? readFileSync(p) : undefined;
  }
  putBytes(name: string, b: Uint8Array): void {
    if (this.dir) writeFileAtomic(join(this.dir, name), b);
  }
}

const safeName = (s: string): string => {
  if (!/^[A-Za-z0-9_.-]+$/.test(s) || s.startsWith('.')) throw new InputError(`source file name '${s}' is not a plain file name`);
  return s;
};

function yosysSynthScript(d: DesignInput, dev: Device): string {
  const lines: string[] = [];
  const files = d.sources.map((s) => safeName(s.name));
  lines.push(`read_verilog -sv ${files.join(' ')}`);
  lines.push(`hierarchy -check -top ${d.top}`);
  for (const c of d.removeCells ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c)) throw new InputError(`removeCells: bad module name '${c}'`);
    lines.push(`delete t:${c}`);
  }
  lines.push(`${dev.synth.join(' ')} -top ${d.top}`);
  lines.push(`write_json design.json`);
  lines.push(`tee -q -o stat.json stat -json`);
  lines.push(`tee -q -o stat.txt stat`);
  return lines.join('\n') + '\n';
}

/** Synthesize, then place and route (iCE40) over the seeds; cached. */
export async function runFlow(d: DesignInput, opts: FlowOptions): Promise<FlowResult> {
  const t0 = process.hrtime.bigint();
  const dev = getDevice(opts.device);
  const seeds = [...(opts.seeds ?? [1, 2, 3])];
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0 || s > 2 ** 31)) throw new InputError(`seeds must be non-negative integers: ${seeds.join(',')}`);
  const freqMHz = opts.freqMHz ?? 100;
  if (!(freqMHz > 0 && freqMHz < 2000)) throw new InputError(`target frequency out of range: ${freqMHz}`);
  const clock = d.clock ?? 'clk';
  const cache = new Cache(opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir);
  const limiter = opts.limiter ?? new Limiter(1);
  const timeoutMs = opts.timeoutMs ?? 20 * 60_000;
  const say = opts.onEvent ?? (() => {});
  const yosys = requireEdaTool('yosys');
  const yv = edaToolVersion('yosys');
  const sKey = synthKey(d, dev, yv);
  let toolRuns = 0;
  const work: string[] = [];
  const mkWork = (tag: string): string => {
    const w = mkdtempSync(join(tmpdir(), `rf8est-${tag}-`));
    work.push(w);
    return w;
  };
  const cleanup = (): void => {
    if (!opts.keepWork) for (const w of work) rmSync(w, { recursive: true, force: true });
  };

  try {
    // ---- synthesis (engine alone)
    let synth = cache.get<SynthResult>(`synth-${sKey}.json`);
    let netlist: Uint8Array | undefined = cache.getBytes(`net-${sKey}.json.gz`);
    const wantPnr = !opts.synthOnly && !!dev.pnr;
    if (!synth || (wantPnr && !netlist && !pnrAllCached(cache, sKey, dev, seeds, freqMHz, clock, opts))) {
      const w = mkWork('synth');
      for (const s of d.sources) writeFileSync(join(w, safeName(s.name)), s.text);
      writeFileSync(join(w, 'synth.ys'), yosysSynthScript(d, dev));
      say(`yosys ${dev.synth[0]} ${d.name}`);
      const r = await limiter.run(() => runTool(yosys, ['-q', '-l', 'yosys.log', '-s', 'synth.ys'], w, { timeoutMs }));
      toolRuns++;
      if (r.code !== 0) throw new ToolError(`yosys (${d.name}, ${dev.name})`, r.code, readIf(join(w, 'yosys.log')) + r.stdout + r.stderr);
      let cells: CellCounts;
      try {
        cells = parseYosysStatJson(readFileSync(join(w, 'stat.json'), 'utf8'), d.top);
      } catch {
        cells = parseYosysStatText(readFileSync(join(w, 'stat.txt'), 'utf8'));
      }
      const resources = classifyCells(cells, dev.family);
      const cap = dev.capacity;
      const over: string[] = [];
      if (resources.luts > cap.luts) over.push(`${resources.luts} LUTs > ${cap.luts}`);
      if (resources.dsps > cap.dsps) over.push(`${resources.dsps} DSPs > ${cap.dsps}`);
      if (resources.brams > cap.brams) over.push(`${resources.brams} BRAMs > ${cap.brams}`);
      if (resources.ffs > cap.ffs) over.push(`${resources.ffs} FFs > ${cap.ffs}`);
      synth = {
        key: sKey,
        device: dev.name,
        cells,
        resources,
        withinCapacity: over.length === 0,
        ...(over.length ? { capacityNote: `exceeds ${dev.part}: ${over.join(', ')}` } : {}),
        seconds: r.seconds,
        tool: yv,
      };
      netlist = gzipSync(readFileSync(join(w, 'design.json')), { level: 6, mtime: 0 });
      cache.put(`synth-${sKey}.json`, synth);
      cache.putBytes(`net-${sKey}.json.gz`, netlist);
    }
    let pnr: PnrResult | undefined;
    if (wantPnr) pnr = await placeAndRoute(d, dev, synth, netlist, { seeds, freqMHz, clock, cache, limiter, timeoutMs, say, mkWork, count: () => toolRuns++ });
    return {
      design: d.name,
      device: dev.name,
      synth,
      ...(pnr ? { pnr } : {}),
      toolRuns,
      seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      ...(opts.keepWork ? { work } : {}),
    };
  } finally {
    cleanup();
  }
}

function readIf(p: string): string {
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

function pnrAllCached(cache: Cache, sKey: string, dev: Device, seeds: number[], freqMHz: number, clock: string, opts: FlowOptions): boolean {
  if (opts.synthOnly || !dev.pnr) return true;
  if (!cache.dir) return false;
  const nv = edaToolVersion('nextpnr-ice40');
  if (cache.get(`fit-${sha256(sKey + nv + JSON.stringify(dev.pnr))}.json`)) return true;
  return seeds.every((s) => cache.get(`pnr-${pnrKey(sKey, dev, nv, freqMHz, s, clock)}.json`) !== undefined);
}

interface PnrCtx {
  seeds: number[];
  freqMHz: number;
  clock: string;
  cache: Cache;
  limiter: Limiter;
  timeoutMs: number;
  say: (m: string) => void;
  mkWork: (tag: string) => string;
  count: () => void;
}

async function placeAndRoute(d: DesignInput, dev: Device, synth: SynthResult, netlist: Uint8Array | undefined, c: PnrCtx): Promise<PnrResult> {
  const nextpnr = requireEdaTool('nextpnr-ice40');
  const nv = edaToolVersion('nextpnr-ice40');
  const yosys = requireEdaTool('yosys');
  const base = { freqMHz: c.freqMHz, tool: nv };
  if (!synth.withinCapacity) return { ...base, fits: false, reason: synth.capacityNote ?? 'exceeds the device', seeds: [] };
  const fitKey = `fit-${sha256(synth.key + nv + JSON.stringify(dev.pnr))}.json`;
  const knownMiss = c.cache.get<{ reason: string }>(fitKey);
  if (knownMiss) return { ...base, fits: false, reason: knownMiss.reason, seeds: [] };

  const keys = c.seeds.map((s) => pnrKey(synth.key, dev, nv, c.freqMHz, s, c.clock));
  const results: (SeedResult | undefined)[] = keys.map((k) => c.cache.get<SeedResult>(`pnr-${k}.json`));
  if (results.some((r) => !r)) {
    if (!netlist) throw new Error('internal: synthesis netlist missing for place and route');
    // harness around the synthesized engine
    const w = c.mkWork('pnr');
    const netText = new TextDecoder().decode(gunzipSync(netlist));
    const ports = netlistPorts(netText, d.top);
    // iCE40: every harness bit is a flip-flop with its own logic cell (a buffer or mux LUT in
    // front of it), and an engine needs at least max(LUTs, FFs) cells: a lower bound of the
    // cells needed; above the device, do not try to place.
    if (dev.family === 'ice40') {
      const harness = ports.filter((p) => p.name !== c.clock).reduce((s, p) => s + p.width, 0);
      const need = Math.max(synth.resources.luts, synth.resources.ffs) + harness;
      if (need > dev.capacity.luts) {
        const reason = `needs at least ${need} logic cells (max(${synth.resources.luts} LUTs, ${synth.resources.ffs} FFs) + ${harness} harness bits) > ${dev.capacity.luts}`;
        c.cache.put(fitKey, { reason });
        return { ...base, fits: false, reason, seeds: [] };
      }
    }
    writeFileSync(join(w, 'design.json'), netText);
    writeFileSync(join(w, 'wrap.v'), wrapperVerilog(d.top, ports, c.clock));
    writeFileSync(join(w, 'wrap.ys'), [`read_json design.json`, `read_verilog wrap.v`, `${dev.synth.join(' ')} -top ${WRAPPER_TOP}`, `write_json wrapped.json`].join('\n') + '\n');
    c.say(`yosys harness ${d.name}`);
    const r = await c.limiter.run(() => runTool(yosys, ['-q', '-l', 'yosys.log', '-s', 'wrap.ys'], w, { timeoutMs: c.timeoutMs }));
    c.count();
    if (r.code !== 0) throw new ToolError(`yosys harness (${d.name}, ${dev.name})`, r.code, readIf(join(w, 'yosys.log')) + r.stderr);
    let fitReason: string | undefined;
    await Promise.all(
      c.seeds.map(async (seed, i) => {
        if (results[i]) return;
        const tag = `s${seed}`;
        const args = [...dev.pnr!, '--json', 'wrapped.json', '--pcf-allow-unconstrained', '--freq', String(c.freqMHz), '--timing-allow-fail', '--seed', String(seed), '--report', `report-${tag}.json`, '-l', `nextpnr-${tag}.log`, '-q'];
        c.say(`nextpnr ${d.name} seed ${seed}`);
        const pr = await c.limiter.run(() => runTool(nextpnr, args, w, { timeoutMs: c.timeoutMs }));
        c.count();
        const log = readIf(join(w, `nextpnr-${tag}.log`)) + pr.stderr;
        if (pr.code !== 0) {
          const fit = nextpnrFitFailure(log);
          if (fit) {
            fitReason = fit;
            return;
          }
          throw new ToolError(`nextpnr-ice40 (${d.name}, seed ${seed})`, pr.code, log);
        }
        let rep: PnrReport;
        try {
          rep = parseNextpnrReport(readFileSync(join(w, `report-${tag}.json`), 'utf8'));
        } catch {
          rep = parseNextpnrLog(log);
        }
        const clk = Object.keys(rep.fmax).find((k) => k.startsWith(c.clock)) ?? Object.keys(rep.fmax)[0];
        if (!clk) throw new ToolError(`nextpnr-ice40 (${d.name}, seed ${seed})`, 0, 'no clock in the timing report');
        const res: SeedResult = { seed, fmaxMHz: rep.fmax[clk]!.achievedMHz, utilization: rep.utilization, ...(rep.critical ? { critical: rep.critical } : {}), seconds: pr.seconds };
        results[i] = res;
        c.cache.put(`pnr-${keys[i]}.json`, res);
      }),
    );
    if (fitReason) {
      c.cache.put(fitKey, { reason: fitReason });
      return { ...base, fits: false, reason: fitReason, seeds: [] };
    }
  }
  const seeds = results as SeedResult[];
  const f = seeds.map((s) => s.fmaxMHz);
  return {
    ...base,
    fits: true,
    seeds,
    fmaxMHz: median(f),
    fmaxMinMHz: Math.min(...f),
    fmaxMaxMHz: Math.max(...f),
    utilization: seeds[0]!.utilization,
  };
}
