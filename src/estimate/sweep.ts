/**
 * The estimate sweep: every (format, lanes) configuration through the flow on one device, the
 * GG quality and rate of each format, and the throughput of each fitting engine on the models.
 */
import { DEFAULT_LANES, DEFAULT_FORMATS, engineDesign, type EngineInfo, type EstimateFormat, type Variant } from './configs.js';
import { getDevice, type DeviceName } from './devices.js';
import { runFlow, type FlowResult } from './flow.js';
import type { Resources } from './parse.js';
import { ggQuality, rateQuality, type GGQualityRow, type RateQuality } from './quality.js';
import { charLmWorkload, mnistMlpWorkload, readWeightMatrices, workloadFromWeights, macsOf, weightsOf, type Workload } from './models.js';
import { workloadRate, type WorkloadRate } from './throughput.js';
import { Limiter, edaToolVersion, ToolError } from './tools.js';
import { sampleGG } from '../gg/index.js';
import { Rng } from '../util/rng.js';
import { readFileSync } from 'node:fs';

export interface SweepOptions {
  formats?: readonly EstimateFormat[];
  lanes?: readonly number[];
  device?: DeviceName;
  seeds?: readonly number[];
  freqMHz?: number;
  pipe?: number;
  /** Concurrent tool runs (default 2). */
  jobs?: number;
  cacheDir?: string | null;
  /** Also synthesize, place and route the MAC datapath without the output converters (default false: it adds about half the CPU time). */
  datapath?: boolean;
  /** Weight file for the model workload (default: the MNIST MLP and the char-LM from stated shapes). */
  model?: string;
  /** Weight bandwidths in bytes per cycle (default [1, 4, 16]). */
  bandwidths?: readonly number[];
  /** GG shape of the weights whose entropy-coded rate is used without a weight file (default 1.5 = src/nn DEFAULT_BETA0). */
  rateBeta?: number;
  seed?: number;
  /** A name for the run's markdown block beside the device (e.g. 'rf8-weights'). */
  tag?: string;
  onEvent?: (msg: string) => void;
  onConfigDone?: (done: number, total: number, label: string) => void;
}

export type ConfigStatus = 'ok' | 'synth-only' | 'does-not-fit' | 'skipped' | 'error';

export interface ConfigResult {
  format: EstimateFormat;
  lanes: number;
  status: ConfigStatus;
  reason?: string;
  info?: EngineInfo;
  resources?: Resources;
  /** Logic cells used on the device by engine + harness (nextpnr). */
  placedCells?: number;
  fmaxMHz?: number;
  fmaxMinMHz?: number;
  fmaxMaxMHz?: number;
  seedFmaxMHz?: number[];
  /** The worst path of the first seed: where it mostly runs, where it starts and ends (harness paths would show outside u_dut). */
  critical?: { through: string; from: string; to: string; delayNs: number; hops: number };
  /** Fmax with the output converters removed (the MAC datapath alone). */
  datapath?: { resources: Resources; fmaxMHz?: number; fmaxMinMHz?: number; fmaxMaxMHz?: number; seedFmaxMHz?: number[]; macPerSecond?: number; macPerSecondPer1kLuts?: number; critical?: { through: string; delayNs: number; hops: number } };
  macPerSecond?: number;
  macPerSecondPer1kLuts?: number;
  lutsPerMac?: number;
  toolRuns: number;
  seconds: number;
}

export interface ModelRate {
  workload: string;
  unit: Workload['unit'];
  source: string;
  macs: number;
  weights: number;
  rows: {
    format: EstimateFormat;
    lanes: number;
    fmaxMHz: number;
    /** Bits per weight used for the coded stream. */
    codedBits: number;
    perBandwidth: { bandwidth: number; raw: WorkloadRate; coded: WorkloadRate }[];
    computeBoundPerSecond: number;
    /** Inferences or tokens per second over a bandwidth grid (1/4 .. 64 bytes/cycle), for the roofline plot. */
    curve: { bandwidth: number; raw: number; coded: number }[];
  }[];
}

export interface EstimateReport {
  device: { name: DeviceName; part: string; pnr: boolean };
  /** The weight file of the throughput model (else the stated MNIST MLP and char-LM shapes). */
  model?: string;
  flow: { seeds: number[]; freqMHz: number; pipe: number; jobs: number; tools: string[]; tag?: string };
  configs: ConfigResult[];
  quality: GGQualityRow[];
  rates: { source: string; rows: RateQuality[] };
  models: ModelRate[];
  seconds: number;
  toolRuns: number;
  /** CPU seconds of this process and of the tool runs it waited for (Linux /proc; undefined elsewhere). */
  cpu?: { selfSeconds: number; toolSeconds: number };
}

const sortLanes = (l: readonly number[]): number[] => [...new Set(l)].sort((a, b) => a - b);

/** Run one format's lanes in increasing order; once one does not fit, larger ones are skipped. */
async function sweepFormat(
  format: EstimateFormat,
  lanes: number[],
  o: Required<Pick<SweepOptions, 'device' | 'seeds' | 'freqMHz' | 'pipe'>> & { limiter: Limiter; cacheDir: string | null | undefined; datapath: boolean; onEvent?: (m: string) => void; done: (label: string) => void },
): Promise<ConfigResult[]> {
  const out: ConfigResult[] = [];
  let blocked: string | undefined;
  for (const n of lanes) {
    const label = `${format} N=${n}`;
    const t0 = process.hrtime.bigint();
    const secs = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
    if (blocked) {
      out.push({ format, lanes: n, status: 'skipped', reason: blocked, toolRuns: 0, seconds: 0 });
      o.done(label);
      continue;
    }
    let eng: ReturnType<typeof engineDesign>;
    eng = engineDesign({ format, lanes: n, pipe: o.pipe });
    const flowOpts = { device: o.device, seeds: o.seeds, freqMHz: o.freqMHz, cacheDir: o.cacheDir, limiter: o.limiter, ...(o.onEvent ? { onEvent: o.onEvent } : {}) };
    let main: FlowResult;
    let dp: FlowResult | undefined;
    try {
      main = await runFlow(eng.design, flowOpts);
      if (o.datapath && main.pnr?.fits) dp = await runFlow(engineDesign({ format, lanes: n, pipe: o.pipe }, 'datapath' as Variant).design, flowOpts);
    } catch (e) {
      // a tool failure is reported in its row and the sweep goes on (the CLI then exits 1)
      if (!(e instanceof ToolError)) throw e;
      out.push({ format, lanes: n, status: 'error', reason: e.message, info: eng.info, toolRuns: 0, seconds: secs() });
      o.done(label);
      continue;
    }
    const r = main.synth.resources;
    const res: ConfigResult = {
      format,
      lanes: n,
      status: 'ok',
      info: eng.info,
      resources: r,
      lutsPerMac: r.luts / n,
      toolRuns: main.toolRuns + (dp?.toolRuns ?? 0),
      seconds: 0,
    };
    if (!main.pnr) {
      res.status = main.synth.withinCapacity ? 'synth-only' : 'does-not-fit';
      if (!main.synth.withinCapacity) res.reason = main.synth.capacityNote;
    } else if (!main.pnr.fits) {
      res.status = 'does-not-fit';
      res.reason = main.pnr.reason;
    } else {
      const p = main.pnr;
      res.placedCells = p.utilization?.ICESTORM_LC?.used;
      res.fmaxMHz = p.fmaxMHz!;
      res.fmaxMinMHz = p.fmaxMinMHz!;
      res.fmaxMaxMHz = p.fmaxMaxMHz!;
      res.seedFmaxMHz = p.seeds.map((s) => s.fmaxMHz);
      const crit = p.seeds[0]?.critical;
      if (crit) res.critical = { through: crit.through, from: crit.from, to: crit.to, delayNs: crit.delayNs, hops: crit.hops };
      res.macPerSecond = n * p.fmaxMHz! * 1e6;
      res.macPerSecondPer1kLuts = r.luts > 0 ? res.macPerSecond / (r.luts / 1000) : undefined;
      if (dp) {
        const dc = dp.pnr?.seeds[0]?.critical;
        res.datapath = {
          resources: dp.synth.resources,
          ...(dp.pnr?.fits
            ? {
                fmaxMHz: dp.pnr.fmaxMHz!,
                fmaxMinMHz: dp.pnr.fmaxMinMHz!,
                fmaxMaxMHz: dp.pnr.fmaxMaxMHz!,
                seedFmaxMHz: dp.pnr.seeds.map((s) => s.fmaxMHz),
                macPerSecond: n * dp.pnr.fmaxMHz! * 1e6,
                macPerSecondPer1kLuts: (n * dp.pnr.fmaxMHz! * 1e6) / (dp.synth.resources.luts / 1000),
              }
            : {}),
          ...(dc ? { critical: { through: dc.through, delayNs: dc.delayNs, hops: dc.hops } } : {}),
        };
      }
    }
    if (res.status === 'does-not-fit') blocked = `N=${n} does not fit`;
    res.seconds = secs();
    out.push(res);
    o.done(label);
  }
  return out;
}

/** Bits per weight of each format on a model's weights (weighted by tensor size), or on GG samples. */
export function modelRates(formats: readonly EstimateFormat[], model: string | undefined, beta: number, seed: number): { source: string; rows: RateQuality[] } {
  if (model) {
    const mats = readWeightMatrices(model);
    const rows = formats.map((f) => {
      let n = 0;
      const acc = { signal: 0, noise: 0, e: 0, h: 0, g: 0 };
      let chosen = '';
      for (const m of mats) {
        const q = rateQuality(m.data, [m.rows, m.cols], f, true);
        let sig = 0;
        for (let i = 0; i < m.data.length; i++) if (Number.isFinite(m.data[i]!)) sig += m.data[i]! * m.data[i]!;
        n += q.n;
        acc.e += q.entropyBits * q.n;
        acc.h += q.huffmanBits * q.n;
        acc.g += q.egBits * q.n;
        acc.signal += sig;
        acc.noise += sig / 10 ** (q.sqnrDb / 10);
        chosen = chosen && chosen !== q.chosen ? 'mixed' : q.chosen;
      }
      const sqnrDb = 10 * Math.log10(acc.signal / acc.noise);
      return { format: f, chosen, sqnrDb, entropyBits: acc.e / n, huffmanBits: acc.h / n, egBits: acc.g / n, n } as RateQuality;
    });
    return { source: `weight tensors of ${model} (per-row scales; SQNR over all of them)`, rows };
  }
  const n = 1 << 17;
  const x = Float32Array.from(sampleGG(new Rng(seed), 1, beta, n));
  return { source: `GG(beta = ${beta}) samples, n = ${n}, seed ${seed}`, rows: formats.map((f) => rateQuality(x, [n], f)) };
}

/** CPU seconds (user + sys) of this process and of its reaped children, from /proc/self/stat. */
export function cpuTimes(): { selfSeconds: number; childSeconds: number } | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after "(comm) ": state is index 0, so utime = field 14 -> index 11
    const tick = 100; // USER_HZ on Linux
    const [ut, st, cut, cst] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
    return { selfSeconds: (ut + st) / tick, childSeconds: (cut + cst) / tick };
  } catch {
    return undefined;
  }
}

export async function runSweep(opts: SweepOptions = {}): Promise<EstimateReport> {
  const t0 = process.hrtime.bigint();
  const cpu0 = cpuTimes();
  const formats = [...(opts.formats ?? DEFAULT_FORMATS)];
  const lanes = sortLanes(opts.lanes ?? DEFAULT_LANES);
  const device = opts.device ?? 'hx8k';
  const dev = getDevice(device);
  const seeds = [...(opts.seeds ?? [1, 2, 3])];
  const freqMHz = opts.freqMHz ?? 100;
  const pipe = opts.pipe ?? 2;
  const jobs = opts.jobs ?? 2;
  const limiter = new Limiter(jobs);
  const total = formats.length * lanes.length;
  let done = 0;
  const perFormat = await Promise.all(
    formats.map((f) =>
      sweepFormat(f, lanes, {
        device,
        seeds,
        freqMHz,
        pipe,
        limiter,
        cacheDir: opts.cacheDir,
        datapath: (opts.datapath ?? false) && !!dev.pnr,
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
        done: (label) => opts.onConfigDone?.(++done, total, label),
      }),
    ),
  );
  const configs = perFormat.flat();
  const seed = opts.seed ?? 7;
  const quality = ggQuality(formats, { seed });
  const rates = modelRates(formats, opts.model, opts.rateBeta ?? 1.5, seed);
  const workloads = opts.model ? [workloadFromWeights(opts.model)] : [mnistMlpWorkload(), charLmWorkload()];
  const bws = [...(opts.bandwidths ?? [1, 4, 16])];
  const models: ModelRate[] = workloads.map((w) => ({
    workload: w.name,
    unit: w.unit,
    source: w.source,
    macs: macsOf(w),
    weights: weightsOf(w),
    rows: configs
      .filter((c) => c.status === 'ok' && c.fmaxMHz)
      .map((c) => {
        const codedBits = rates.rows.find((r) => r.format === c.format)!.huffmanBits;
        const eng = { lanes: c.lanes, fmaxMHz: c.fmaxMHz!, latency: c.info!.latency };
        return {
          format: c.format,
          lanes: c.lanes,
          fmaxMHz: c.fmaxMHz!,
          codedBits,
          perBandwidth: bws.map((b) => ({ bandwidth: b, raw: workloadRate(w, eng, b, 8), coded: workloadRate(w, eng, b, codedBits) })),
          computeBoundPerSecond: workloadRate(w, eng, 1e12, 8).perSecond,
          curve: Array.from({ length: 17 }, (_, i) => 2 ** (i / 2 - 2)).map((b) => ({ bandwidth: b, raw: workloadRate(w, eng, b, 8).perSecond, coded: workloadRate(w, eng, b, codedBits).perSecond })),
        };
      }),
  }));
  const cpu1 = cpuTimes();
  const tools = [edaToolVersion('yosys'), ...(dev.pnr ? [edaToolVersion('nextpnr-ice40')] : [])];
  return {
    device: { name: device, part: dev.part, pnr: !!dev.pnr },
    ...(opts.model ? { model: opts.model } : {}),
    flow: { seeds, freqMHz, pipe, jobs, tools, ...(opts.tag ? { tag: opts.tag } : {}) },
    configs,
    quality,
    rates,
    models,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    toolRuns: configs.reduce((s, c) => s + c.toolRuns, 0),
    ...(cpu0 && cpu1 ? { cpu: { selfSeconds: cpu1.selfSeconds - cpu0.selfSeconds, toolSeconds: cpu1.childSeconds - cpu0.childSeconds } } : {}),
  };
}
