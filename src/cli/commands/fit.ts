import type { CommandModule } from 'yargs';
import cliProgress from 'cli-progress';
import { openWeights } from '../../io/open.js';
import type { TensorInfo } from '../../io/source.js';
import { fitGG, ggGoodness, ggEntropy, ggPdf, lloydMax, panterDiteSqnrDb, type GGFit } from '../../gg/index.js';
import { InputError } from '../../util/errors.js';
import { histogram, writeSvg } from '../../util/plot.js';
import { emit, log, table, type CommonArgs } from '../common.js';

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
    for (const t of usable) {
      if (t.numel === 0) throw new InputError(`tensor '${t.name}' is empty (shape [${t.shape.join(', ')}])`, path);
      const wide = opts.f64 !== false && /^([<>=|]?f8|F64|float64)$/i.test(t.dtype);
      const data = wide ? src.readTensorF64(t.name) : src.readTensor(t.name);
      let finite = 0;
      for (let i = 0; i < data.length && finite === 0; i++) if (data[i]! - data[i]! === 0) finite++;
      if (finite === 0) throw new InputError(`tensor '${t.name}' has no finite values (${data.length} NaN/Inf)`, path);
      yield { name: t.name, shape: t.shape, dtype: t.dtype, data };
    }
  } finally {
    src.close();
  }
}

interface Args extends CommonArgs {
  file: string;
  tensor?: string;
  plot?: string;
  bound: boolean;
}

export interface TensorFitReport {
  name: string;
  shape: number[];
  dtype: string;
  n: number;
  excluded: number;
  zeros: number;
  maxAbs: number;
  mle: { alpha: number; beta: number; loglik: number; iterations: number; passes: number; converged: boolean; ms: number };
  moments: { alpha: number; beta: number };
  ks: number;
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

export function fitReport(t: LoadedTensor, bound: boolean): { report: TensorFitReport; fit: GGFit } {
  const t0 = performance.now();
  const fit = fitGG(t.data, { method: 'mle' });
  const ms = performance.now() - t0;
  const mom = fitGG(t.data, { method: 'moments' });
  const good = ggGoodness(t.data, fit);
  const ok = fit.alpha > 0 && fit.beta > 0;
  const report: TensorFitReport = {
    name: t.name,
    shape: t.shape,
    dtype: t.dtype,
    n: fit.n,
    excluded: fit.excluded,
    zeros: fit.zeros,
    maxAbs: fit.maxAbs,
    mle: { alpha: fit.alpha, beta: fit.beta, loglik: fit.loglik, iterations: fit.iterations, passes: fit.passes, converged: fit.converged, ms: Math.round(ms * 10) / 10 },
    moments: { alpha: mom.alpha, beta: mom.beta },
    ks: good.ks,
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
  return { report, fit };
}

const g4 = (v: number): string => (Number.isFinite(v) ? v.toPrecision(4) : String(v));

export async function fitPlot(path: string, t: LoadedTensor, fit: GGFit): Promise<void> {
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
  const overlays = [
    ...(fit.alpha > 0 && fit.beta > 0 ? [{ name: `GG fit (alpha ${g4(fit.alpha)}, beta ${g4(fit.beta)})`, x: xs, y: xs.map((x) => ggPdf(x, fit.alpha, fit.beta)) }] : []),
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
      .option('plot', { type: 'string', describe: 'write an SVG (histogram, fitted GG, Gaussian, Laplace; log scale) of the first tensor' }) as never,
  handler: async (args) => {
    const reports: TensorFitReport[] = [];
    let plotted = false;
    const bar = process.stderr.isTTY && !args.json ? new cliProgress.SingleBar({ format: 'fit [{bar}] {value} tensors', clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
    bar?.start(0, 0);
    try {
      for (const t of floatTensors(args.file, { tensor: args.tensor })) {
        const { report, fit } = fitReport(t, args.bound);
        reports.push(report);
        bar?.setTotal(reports.length);
        bar?.update(reports.length);
        if (args.plot && !plotted) {
          await fitPlot(args.plot, t, fit);
          plotted = true;
        }
      }
    } finally {
      bar?.stop();
    }
    if (args.plot) log(`wrote ${args.plot}`);
    emit(args, { file: args.file, tensors: reports }, () => {
      const rows = reports.map((r) => [
        r.name,
        r.n,
        g4(r.mle.beta),
        g4(r.mle.alpha),
        g4(r.moments.beta),
        g4(r.moments.alpha),
        r.ks.toFixed(4),
        (r.aic.gaussian - r.aic.gg).toFixed(1),
        (r.aic.laplace - r.aic.gg).toFixed(1),
        r.best,
        r.lloydMaxDb !== undefined ? r.lloydMaxDb.toFixed(2) : '-',
        r.excluded,
      ]);
      const lines = [
        table(['tensor', 'n', 'beta', 'alpha', 'beta(mom)', 'alpha(mom)', 'KS', 'dAIC gauss', 'dAIC laplace', 'best', 'LM dB', 'excluded'], rows),
      ];
      for (const r of reports) for (const w of r.warnings) lines.push(`warning: ${r.name}: ${w}`);
      lines.push('(dAIC = AIC of the law - AIC of the GG fit; > 0 means the GG fit is better. All laws have location 0.)');
      return lines.join('\n');
    });
  },
};
