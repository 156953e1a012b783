import type { CommandModule } from 'yargs';
import cliProgress from 'cli-progress';
import { openWeights } from '../../io/open.js';
import type { TensorInfo } from '../../io/source.js';
import { fitGG, fitSparseGG, ggGoodness, ggEntropy, ggPdf, lloydMax, momentRatioEstimate, panterDiteSqnrDb, spikeSlabCurves, type GGFit, type SparseGGFit } from '../../gg/index.js';
import { ggKsBinned, type KsEstimate } from '../../gg/ks-binned.js';
import type { WeightSource } from '../../io/source.js';
import { TensorPool, jobsOption } from '../pool.js';
import { closeTaskSources, runTensorTask } from '../tensor-tasks.js';
import { InputError } from '../../util/errors.js';
import { histogram, writeSvg } from '../../util/plot.js';
import { emit, log, table, type CommonArgs } from '../common.js';
import { requirePeers } from '../../util/peer.js';

/** Float dtypes the GG tools read (as the weight readers name them). */
export const FLOAT_DTYPE = /^([<>=|]?f[248]|F16|BF16|F32|F64|float16|float32|float64|bfloat16)$/i;

export interface LoadedTensor {
  name: string;
  shape: number[];
  dtype: string;
  data: Float32Array | Float64Array;
}

/**
 * The float tensors of a weight file (.npy float32/float64, raw .f32, and whatever else
 * openWeights reads), one at a time. Non-float tensors are skipped with a note (the only
 * tensor of the file being non-float is an InputError); empty and all-non-finite tensors are
 * InputErrors naming the file and tensor.
 */
export function* floatTensors(path: string, opts: { tensor?: string; f64?: boolean } = {}): Generator<LoadedTensor> {
  const src = openWeights(path);
  try {
    for (const t of listFloatTensors(src, path, opts)) yield { name: t.name, shape: t.shape, dtype: t.dtype, data: readFloatTensor(src, t, path, opts.f64) };
  } finally {
    src.close();
  }
}

/** The float tensors of an open source, in file order (the skipped ones logged; none is an InputError). */
export function listFloatTensors(src: WeightSource, path: string, opts: { tensor?: string } = {}): TensorInfo[] {
  const all = src.listTensors().filter((t) => opts.tensor === undefined || t.name === opts.tensor);
  if (opts.tensor !== undefined && all.length === 0) throw new InputError(`no tensor named '${opts.tensor}'`, path);
  if (all.length === 0) throw new InputError('the file holds no tensors', path);
  const usable: TensorInfo[] = [];
  const skipped: string[] = [];
  for (const t of all) {
    if (!t.supported) skipped.push(`tensor '${t.name}': ${t.reason ?? 'unsupported'}`);
    else if (!FLOAT_DTYPE.test(t.dtype)) skipped.push(`tensor '${t.name}': dtype '${t.dtype}' is not float32/float64`);
    else usable.push(t);
  }
  if (usable.length === 0) throw new InputError(skipped[0] ?? 'no float tensors', path);
  for (const s of skipped) log(`rf8: ${path}: skipped ${s}`);
  return usable;
}

/** Read one float tensor (float64 sources as Float64Array unless f64 is false); empty or all-non-finite is an InputError. */
/**
 * Read a float tensor (float64 sources as Float64Array unless f64 === false). With `reuse`, a
 * float32 tensor is read into a view of that buffer when it is big enough (the caller must be
 * done with the previous tensor: the view is overwritten by the next read).
 */
/** Float64 dtypes (read as Float64Array unless asked otherwise). */
export const isWideDtype = (dtype: string): boolean => /^([<>=|]?f8|F64|float64)$/i.test(dtype);

export function readFloatTensor(src: WeightSource, t: TensorInfo, path: string, f64?: boolean, reuse?: Float32Array): Float32Array | Float64Array {
  if (t.numel === 0) throw new InputError(`tensor '${t.name}' is empty (shape [${t.shape.join(', ')}])`, path);
  const wide = f64 !== false && isWideDtype(t.dtype);
  let data: Float32Array | Float64Array;
  if (wide) data = src.readTensorF64(t.name);
  else if (reuse && reuse.length >= t.numel) {
    data = reuse.subarray(0, t.numel);
    src.readTensorInto(t.name, data);
  } else data = src.readTensor(t.name);
  let finite = 0;
  for (let i = 0; i < data.length && finite === 0; i++) if (data[i]! - data[i]! === 0) finite++;
  if (finite === 0) throw new InputError(`tensor '${t.name}' has no finite values (${data.length} NaN/Inf)`, path);
  return data;
}

interface Args extends CommonArgs {
  file: string;
  tensor?: string;
  plot?: string;
  bound: boolean;
  jobs?: number;
}

export interface TensorFitReport {
  name: string;
  shape: number[];
  dtype: string;
  n: number;
  excluded: number;
  zeros: number;
  maxAbs: number;
  mle: { alpha: number; beta: number; loglik: number; iterations: number; passes: number; converged: boolean; degenerate: boolean; ms: number };
  moments: { alpha: number; beta: number };
  /** The authors' moment-ratio table estimate (nu in 0.10..3.00 step 0.01, nearest ratio); null when every value is zero. */
  momentRatio: { nu: number | null; alpha: number | null; rho: number | null };
  /**
   * Spike-and-slab fit: the zero fraction as its own component (exact zeros and |x| <= zeroTol * RMS,
   * or a near-zero cluster up to its valley),
   * the GG fitted to the rest (discretized likelihood on a coarse grid), goodness of fit of both.
   */
  sparse: {
    zeroFrac: number;
    zeroFracStderr: number;
    pi0: number;
    threshold: number;
    /** The spike is a near-zero cluster (the threshold is its edge; the slab fit is truncated there). */
    cluster: boolean;
    method: 'continuous' | 'grid';
    grid: { step: number; levels: number } | null;
    slab: { n: number; alpha: number; beta: number; ks: number; ksPValue: number } | null;
    /** Why the slab has no shape (all zero, one value, a 2-level grid ...). */
    reason: string | null;
  };
  /** KS distance to the MLE fit: exact (sorted) for n <= 65536, else binned with |ks - D| <= ksError (src/gg/ks-binned.ts). */
  ks: number;
  ksError: number;
  ksPValue: number;
  loglik: { gg: number; gaussian: number; laplace: number };
  aic: { gg: number; gaussian: number; laplace: number };
  best: 'gg' | 'gaussian' | 'laplace' | 'none';
  /** Differential entropy of the fitted law, nats. */
  entropyNats: number;
  /** Lloyd-Max / Panter-Dite 256-level SQNR bounds for the fitted law (dB). */
  lloydMaxDb?: number;
  panterDiteDb?: number;
  warnings: string[];
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * One buffer for the MLE's logs, reused by every fit of this thread (all values, then the slab,
 * then the next tensor): one copy at the peak, and no 8-bytes-per-value garbage left per tensor
 * for the collector to catch up with while the next one is read.
 */
let scratchBuf = new Float64Array(0);
function scratchFor(n: number): Float64Array {
  if (scratchBuf.length < n) {
    scratchBuf = new Float64Array(0); // drop the old one before allocating the bigger one
    scratchBuf = new Float64Array(n);
  }
  return scratchBuf;
}

export function fitReport(t: LoadedTensor, bound: boolean): { report: TensorFitReport; fit: GGFit; sparse: SparseGGFit } {
  const t0 = performance.now();
  const scratch = scratchFor(t.data.length);
  const fit = fitGG(t.data, { method: 'mle', scratch });
  const ms = performance.now() - t0;
  const mom = fitGG(t.data, { method: 'moments' });
  let ksEst: KsEstimate | undefined;
  const good = ggGoodness(t.data, fit, { ks: (d, a, b) => (ksEst = ggKsBinned(d, a, b)).ks });
  const mr = momentRatioEstimate(t.data);
  const sp = fitSparseGG(t.data, { mle: fit, scratch });
  const ok = fit.alpha > 0 && fit.beta > 0;
  const report: TensorFitReport = {
    name: t.name,
    shape: t.shape,
    dtype: t.dtype,
    n: fit.n,
    excluded: fit.excluded,
    zeros: fit.zeros,
    maxAbs: fit.maxAbs,
    mle: { alpha: fit.alpha, beta: fit.beta, loglik: fit.loglik, iterations: fit.iterations, passes: fit.passes, converged: fit.converged, degenerate: fit.degenerate, ms: Math.round(ms * 10) / 10 },
    moments: { alpha: mom.alpha, beta: mom.beta },
    momentRatio: { nu: fin(mr.nu), alpha: Number.isFinite(mr.nu) ? mr.alpha : null, rho: fin(mr.rho) },
    sparse: {
      zeroFrac: sp.spike.fraction,
      zeroFracStderr: sp.spike.stderr,
      pi0: sp.spike.pi0,
      threshold: sp.spike.threshold,
      cluster: sp.spike.cluster,
      method: sp.method,
      grid: sp.grid,
      slab: sp.slab && !sp.degenerate ? { n: sp.slab.n, alpha: sp.slab.alpha, beta: sp.slab.beta, ks: sp.slab.ks, ksPValue: sp.slab.ksPValue } : null,
      reason: sp.reason ?? null,
    },
    ks: good.ks,
    ksError: ksEst?.error ?? NaN,
    ksPValue: good.ksPValue,
    loglik: { gg: good.gg.loglik, gaussian: good.gaussian.loglik, laplace: good.laplace.loglik },
    aic: { gg: good.gg.aic, gaussian: good.gaussian.aic, laplace: good.laplace.aic },
    best: good.best,
    entropyNats: ok ? ggEntropy(fit.alpha, fit.beta) : NaN,
    warnings: fit.warnings,
  };
  if (bound && ok) {
    report.lloydMaxDb = lloydMax(fit.alpha, fit.beta).sqnrDb;
    report.panterDiteDb = panterDiteSqnrDb(fit.beta);
  }
  return { report, fit, sparse: sp };
}

const g4 = (v: number): string => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

export async function fitPlot(path: string, t: LoadedTensor, fit: GGFit, sparse?: SparseGGFit): Promise<void> {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (v - v !== 0) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const xs: number[] = [];
  for (let i = 0; i <= 600; i++) xs.push(-span + (2 * span * i) / 600);
  const sigma = Math.sqrt(fit.meanSquare);
  const b = fit.meanAbs;
  const ss = sparse ? spikeSlabCurves(sparse, xs, (2 * span) / 120) : { slab: null, spike: null };
  const overlays = [
    ...(ss.slab ? [{ name: `slab: ${(100 * (1 - sparse!.spike.pi0)).toFixed(1)}% GG (alpha ${g4(sparse!.slab!.alpha)}, beta ${g4(sparse!.slab!.beta)})`, ...ss.slab }] : []),
    ...(ss.spike ? [{ name: `spike at 0: ${(100 * sparse!.spike.pi0).toFixed(1)}% of the values`, ...ss.spike }] : []),
    ...(fit.alpha > 0 && fit.beta > 0 ? [{ name: `GG fit to all values (alpha ${g4(fit.alpha)}, beta ${g4(fit.beta)})`, x: xs, y: xs.map((x) => ggPdf(x, fit.alpha, fit.beta)), dashed: !!ss.spike }] : []),
    { name: `Gaussian (sigma ${g4(sigma)})`, x: xs, y: xs.map((x) => Math.exp(-0.5 * (x / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI))), dashed: true },
    { name: `Laplace (b ${g4(b)})`, x: xs, y: xs.map((x) => Math.exp(-Math.abs(x) / b) / (2 * b)), dashed: true },
  ];
  const spec = histogram({
    title: `${t.name}: ${fit.n} values`,
    values: t.data,
    bins: 120,
    range: [-span, span],
    x: { title: 'value' },
    y: { title: 'density (log scale)', log: true },
    overlays,
  });
  await writeSvg(path, spec);
}

export const fitCommand: CommandModule<object, Args> = {
  command: 'fit <file>',
  describe: 'fit GG(alpha, beta) to each float tensor of a file (.npy, .f32, ...): MLE and moments, KS, AIC vs Gaussian/Laplace',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'weight file (.npy float32/float64, raw .f32, or any format rf8 reads)' })
      .option('tensor', { type: 'string', describe: 'fit only this tensor' })
      .option('bound', { type: 'boolean', default: true, describe: 'also report the Lloyd-Max 256-level SQNR bound of the fitted law' })
      .option('plot', { type: 'string', describe: 'write an SVG (histogram, fitted GG, Gaussian, Laplace; log scale) of the first tensor' })
      .option('jobs', { type: 'number', describe: 'worker threads, one tensor each (default: the cores for files of >= 4M values, else 1 = the main thread); the output does not depend on it' }) as never,
  handler: async (args) => {
    if (args.plot !== undefined) requirePeers('vega', 'rf8 fit --plot');
    const reports: TensorFitReport[] = [];
    const bar = process.stderr.isTTY && !args.json ? new cliProgress.SingleBar({ format: 'fit [{bar}] {value}/{total} tensors', clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
    const src = openWeights(args.file);
    let infos: TensorInfo[];
    try {
      infos = listFloatTensors(src, args.file, { tensor: args.tensor });
    } catch (e) {
      src.close();
      throw e;
    }
    const jobs = jobsOption(args.jobs, infos.length, infos.reduce((a, t) => a + t.numel, 0));
    const pool = jobs > 1 ? new TensorPool(jobs) : null;
    let firstFit: GGFit | undefined;
    bar?.start(infos.length, 0);
    try {
      // every tensor queued at once: the pool runs `jobs` at a time (each worker holds one tensor)
      // and a fit's result is a small report, so nothing big waits; results are taken in file
      // order (the same report as --jobs 1)
      const pending = pool
        ? infos.map((info) => {
            const p = pool.run({ kind: 'fit', path: args.file, info, bound: args.bound }).then((r) => r as { kind: 'fit'; report: TensorFitReport; fit: GGFit });
            p.catch(() => undefined); // rethrown in file order below
            return p;
          })
        : null;
      for (let k = 0; k < infos.length; k++) {
        // --jobs 1: the workers' own function, in this thread
        const r = pending ? await pending[k]! : (runTensorTask({ kind: 'fit', path: args.file, info: infos[k]!, bound: args.bound }) as { kind: 'fit'; report: TensorFitReport; fit: GGFit });
        reports.push(r.report);
        if (k === 0) firstFit = r.fit;
        bar?.update(reports.length);
      }
      if (args.plot) {
        const t0 = { name: infos[0]!.name, shape: infos[0]!.shape, dtype: infos[0]!.dtype, data: readFloatTensor(src, infos[0]!, args.file) };
        await fitPlot(args.plot, t0, firstFit!, fitSparseGG(t0.data));
      }
    } finally {
      bar?.stop();
      src.close();
      closeTaskSources();
      await pool?.close();
    }
    if (args.plot) log(`wrote ${args.plot}`);
    emit(args, { file: args.file, tensors: reports }, () => {
      // degenerate fits print '-' (the reason follows the table), never NaN as a number
      const ok = (r: TensorFitReport) => !r.mle.degenerate && Number.isFinite(r.mle.beta);
      const d = (v: number, f: (x: number) => string, good = true) => (good && Number.isFinite(v) ? f(v) : '-');
      const rows = reports.map((r) => [
        r.name,
        r.n,
        d(r.mle.beta, g4, ok(r)),
        d(r.mle.alpha, g4, ok(r)),
        d(r.moments.beta, g4, ok(r)),
        r.momentRatio.nu === null ? '-' : r.momentRatio.nu.toFixed(2),
        `${(100 * r.sparse.zeroFrac).toFixed(1)}%`,
        r.sparse.slab ? g4(r.sparse.slab.beta) + (r.sparse.method === 'grid' ? ' (grid)' : r.sparse.cluster ? ' (cluster)' : '') : '-',
        r.sparse.slab ? r.sparse.slab.ks.toFixed(4) : '-',
        d(r.ks, (x) => x.toFixed(4), ok(r)),
        d(r.aic.gaussian - r.aic.gg, (x) => x.toFixed(1), ok(r)),
        d(r.aic.laplace - r.aic.gg, (x) => x.toFixed(1), ok(r)),
        ok(r) ? r.best : '-',
        r.lloydMaxDb !== undefined && ok(r) ? r.lloydMaxDb.toFixed(2) : '-',
        r.excluded,
      ]);
      const lines = [
        table(['tensor', 'n', 'beta', 'alpha', 'beta(mom)', 'nu(paper)', 'zeros', 'slab beta', 'slab KS', 'KS', 'dAIC gauss', 'dAIC laplace', 'best', 'LM dB', 'excluded'], rows),
      ];
      for (const r of reports) if (r.sparse.reason) lines.push(`note: ${r.name}: no GG shape: ${r.sparse.reason}`);
      for (const r of reports) for (const w of r.warnings) lines.push(`warning: ${r.name}: ${w}`);
      lines.push('(dAIC = AIC of the law - AIC of the GG fit; > 0 means the GG fit is better. All laws have location 0.)');
      lines.push("(beta / alpha: MLE over all values; beta(mom): moment root solve; nu(paper): the authors' moment-ratio table (0.10..3.00, step 0.01); zeros: exact zeros and |x| <= 2^-16 RMS, or a near-zero cluster below its valley (cluster), fitted as a point mass; slab beta / KS: the GG MLE of the rest (grid: discretized likelihood; cluster: conditioned on |x| above the valley) and its KS distance.)");
      return lines.join('\n');
    });
  },
};
