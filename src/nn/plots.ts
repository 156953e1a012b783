/**
 * Charts of training runs (vega-lite -> SVG through src/util/plot.ts): loss curves,
 * rate-accuracy curves, weight histograms with the fitted GG density.
 */
import { join } from 'node:path';
import { fitGG, fitSparseGG, ggPdf, spikeSlabCurves } from '../gg/index.js';
import { histogram, lineChart, writeSvg, type Series } from '../util/plot.js';
import type { SweepPoint } from './compress.js';
import { isRateParam, type ParamSpec, type Values } from './params.js';

function movingAverage(a: ArrayLike<number>, w: number): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]!;
    if (i >= w) s -= a[i - w]!;
    const k = Math.min(i + 1, w);
    if (i % Math.max(1, Math.floor(w / 5)) === 0 || i === a.length - 1) {
      x.push(i + 1);
      y.push(s / k);
    }
  }
  return { x, y };
}

/** Training-loss curves (moving average over 50 steps) of one or more runs, plus validation points. */
export async function plotLoss(path: string, runs: { name: string; losses: ArrayLike<number>; val?: { step: number; loss: number }[] }[], title = 'training loss'): Promise<void> {
  const series: Series[] = [];
  for (const r of runs) {
    const m = movingAverage(r.losses, 50);
    series.push({ name: `${r.name} train (avg 50)`, x: m.x, y: m.y });
    if (r.val?.length) series.push({ name: `${r.name} validation`, x: r.val.map((v) => v.step), y: r.val.map((v) => v.loss), dashed: true });
  }
  await writeSvg(path, lineChart({ title, x: { title: 'step' }, y: { title: 'cross-entropy (nats)', log: true }, series }));
}

/** Rate-accuracy curves: metric against exact bits/param, one series per model. */
export async function plotRateMetric(path: string, curves: { name: string; points: SweepPoint[] }[], metric: 'acc' | 'bpc', which: 'val' | 'test' = 'test'): Promise<void> {
  const series: Series[] = curves.map((c) => {
    const pts = c.points.filter((p) => (which === 'test' ? p.test !== undefined : true));
    return { name: c.name, x: pts.map((p) => p.bitsPerParam), y: pts.map((p) => (which === 'test' ? p.test! : p.val) * (metric === 'acc' ? 100 : 1)) };
  });
  await writeSvg(
    path,
    lineChart({
      title: `rate vs ${metric === 'acc' ? 'accuracy' : 'bits per character'} (uniform step + Exp-Golomb)`,
      x: { title: 'bits / parameter (exact, side info included)', log: true },
      y: { title: metric === 'acc' ? `${which} accuracy (%)` : `${which} bits per character` },
      series,
    }),
  );
}

/**
 * Histogram of one tensor with its spike-and-slab fit (src/gg fitSparseGG): the slab's GG density
 * weighted by 1 - pi0, the spike at 0 as a vertical segment (mass pi0 over one bin), the GG fitted
 * to all values (dashed, when a spike exists: what the plain fit sees) and a Gaussian of the same
 * variance.
 */
export async function plotTensorHistogram(path: string, name: string, v: Float32Array): Promise<void> {
  const fit = fitGG(v, { method: 'mle' });
  const sp = fitSparseGG(v, { grid: 'off' });
  let span = 0;
  for (let i = 0; i < v.length; i++) span = Math.max(span, Math.abs(v[i]!));
  span = span || 1;
  const bins = 120;
  const xs: number[] = [];
  for (let i = 0; i <= 400; i++) xs.push(-span + (2 * span * i) / 400);
  const sigma = Math.sqrt(fit.meanSquare);
  const cs = spikeSlabCurves(sp, xs, (2 * span) / bins);
  const overlays: Series[] = [];
  if (cs.slab) overlays.push({ name: `slab: ${(100 * (1 - sp.spike.pi0)).toFixed(1)}% GG (beta ${sp.slab!.beta.toFixed(3)})`, ...cs.slab });
  if (cs.spike) overlays.push({ name: `spike at 0: ${(100 * sp.spike.pi0).toFixed(1)}%`, ...cs.spike });
  if (fit.alpha > 0 && fit.beta > 0 && !fit.degenerate) overlays.push({ name: `GG fit to all values (beta ${fit.beta.toFixed(3)})`, x: xs, y: xs.map((x) => ggPdf(x, fit.alpha, fit.beta)), dashed: true });
  overlays.push({ name: 'Gaussian, same variance', x: xs, y: xs.map((x) => Math.exp(-0.5 * (x / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI))), dashed: true });
  await writeSvg(path, histogram({ title: `${name} (${v.length} values)`, values: v, bins, range: [-span, span], x: { title: 'weight' }, y: { title: 'density (log)', log: true }, overlays }));
}

/** One histogram per weight / embedding tensor: <dir>/<prefix><name>.svg. Returns the paths. */
export async function plotWeightHistograms(dir: string, specs: ParamSpec[], values: Values, prefix = 'hist-'): Promise<string[]> {
  const out: string[] = [];
  for (const s of specs) {
    if (!isRateParam(s)) continue;
    const p = join(dir, `${prefix}${s.name}.svg`);
    await plotTensorHistogram(p, s.name, values.get(s.name)!);
    out.push(p);
  }
  return out;
}
