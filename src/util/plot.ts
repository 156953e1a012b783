/**
 * Charts as SVG, rendered by vega-lite + vega in Node (no browser, no canvas, no network).
 *
 * `renderSvg` takes any vega-lite spec; `lineChart` and `histogram` build the two common ones.
 * Data is always inline: the loader refuses URLs and files, so a spec cannot make the renderer
 * fetch anything. Specs are plain JSON (they can be saved next to the SVG for re-styling).
 * vega and vega-lite are optional peer dependencies, loaded on the first render (a missing one is
 * an InputError naming the install command); building a spec loads nothing.
 */
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from './atomic.js';
import { loadPeer } from './peer.js';

export type { TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Render a vega-lite spec to an SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vega = await loadPeer<typeof import('vega')>('vega', 'vega', 'rendering a chart');
  const { compile } = await loadPeer<typeof import('vega-lite')>('vega', 'vega-lite', 'rendering a chart');
  // vega-lite and vega log warnings to the console; a chart is a side output, keep stderr clean
  const quiet = { level: () => quiet, error: (...m: unknown[]) => { throw new Error(m.map(String).join(' ')); }, warn: () => quiet, info: () => quiet, debug: () => quiet };
  const vg = compile(spec, { logger: quiet as never }).spec;
  const loader = vega.loader();
  loader.sanitize = () => Promise.reject(new Error('plot: specs must use inline data (no URLs or files)'));
  const view = new vega.View(vega.parse(vg), { renderer: 'none', loader, logLevel: vega.None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Render and write atomically. */
export async function writeSvg(path: string, spec: TopLevelSpec): Promise<void> {
  writeFileAtomic(path, await renderSvg(spec));
}

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Dashed stroke (e.g. for a bound). */
  dashed?: boolean;
}

export interface AxisOptions {
  title?: string;
  log?: boolean;
  /** Axis domain [min, max]. */
  domain?: [number, number];
}

export interface LineChartOptions {
  title?: string;
  x?: AxisOptions;
  y?: AxisOptions;
  series: Series[];
  /** Draw a point at every datum (default true when a series has fewer than 50 points). */
  points?: boolean;
  width?: number;
  height?: number;
}

interface Row {
  series: string;
  x: number;
  y: number;
  dashed: boolean;
}

function rowsOf(series: Series[], dropNonPositiveY: boolean): Row[] {
  const rows: Row[] = [];
  for (const s of series) {
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const x = s.x[i]!;
      const y = s.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (dropNonPositiveY && !(y > 0)) continue;
      rows.push({ series: s.name, x, y, dashed: !!s.dashed });
    }
  }
  return rows;
}

function scaleOf(a: AxisOptions | undefined): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  if (a?.log) s.type = 'log';
  else s.zero = false;
  if (a?.domain) s.domain = a.domain;
  return s;
}

/** Several named (x, y) series as lines, one colour each; `dashed` series get a dashed stroke. */
export function lineChart(o: LineChartOptions): TopLevelSpec {
  const rows = rowsOf(o.series, !!o.y?.log);
  const maxLen = Math.max(0, ...o.series.map((s) => s.x.length));
  const points = o.points ?? maxLen < 50;
  const order = o.series.map((s) => s.name);
  return {
    $schema: SCHEMA,
    ...(o.title ? { title: o.title } : {}),
    width: o.width ?? 520,
    height: o.height ?? 320,
    data: { values: rows },
    mark: { type: 'line', point: points, clip: true, strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: o.x?.title ?? 'x', scale: scaleOf(o.x) },
      y: { field: 'y', type: 'quantitative', title: o.y?.title ?? 'y', scale: scaleOf(o.y) },
      color: { field: 'series', type: 'nominal', title: null, sort: order, legend: { labelLimit: 480 } },
      strokeDash: { field: 'dashed', type: 'nominal', legend: null, scale: { domain: [false, true], range: [[1, 0], [6, 4]] } },
    },
  } as TopLevelSpec;
}

export interface HistogramOptions {
  title?: string;
  values: ArrayLike<number>;
  /** Number of equal-width bins over [min, max] of the finite values (default 100). */
  bins?: number;
  /** Bin range (default: min..max of the finite values). */
  range?: [number, number];
  /** Plot a density (count / (n * width)) instead of counts (default true). */
  density?: boolean;
  x?: AxisOptions;
  y?: AxisOptions;
  /** Curves drawn over the histogram (e.g. fitted densities). */
  overlays?: Series[];
  width?: number;
  height?: number;
}

/** Histogram of the finite values, binned here (the spec holds bins, not raw data). */
export function histogram(o: HistogramOptions): TopLevelSpec {
  const nb = Math.max(1, Math.floor(o.bins ?? 100));
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (let i = 0; i < o.values.length; i++) {
    const v = o.values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (o.range) [lo, hi] = o.range;
  if (!(hi > lo)) {
    lo = Number.isFinite(lo) ? lo - 0.5 : 0;
    hi = lo + 1;
  }
  const w = (hi - lo) / nb;
  const counts = new Float64Array(nb);
  for (let i = 0; i < o.values.length; i++) {
    const v = o.values[i]!;
    if (!(v >= lo && v <= hi)) continue;
    counts[Math.min(nb - 1, Math.floor((v - lo) / w))]!++;
  }
  const density = o.density ?? true;
  const logY = !!o.y?.log;
  const bars: { x0: number; x1: number; y: number }[] = [];
  for (let b = 0; b < nb; b++) {
    const y = density ? counts[b]! / (n * w) : counts[b]!;
    if (logY && !(y > 0)) continue;
    bars.push({ x0: lo + b * w, x1: lo + (b + 1) * w, y });
  }
  const yTitle = o.y?.title ?? (density ? 'density' : 'count');
  // log scale: bars rise from half the smallest bar, and curves are clipped a decade below it
  let floor = 0;
  let yDomain = o.y?.domain;
  if (logY && bars.length) {
    let mn = Infinity;
    let mx = 0;
    for (const b of bars) {
      mn = Math.min(mn, b.y);
      mx = Math.max(mx, b.y);
    }
    floor = mn / 2;
    yDomain ??= [mn / 10, mx * 3];
  }
  const layers: unknown[] = [
    {
      data: { values: bars },
      mark: { type: 'rect', opacity: 0.45, color: '#888' },
      encoding: {
        x: { field: 'x0', type: 'quantitative', title: o.x?.title ?? 'value', scale: { ...scaleOf(o.x), domain: o.x?.domain ?? [lo, hi] } },
        x2: { field: 'x1' },
        y: { field: 'y', type: 'quantitative', title: yTitle, scale: { ...scaleOf(o.y), ...(yDomain ? { domain: yDomain } : {}) } },
        y2: { datum: floor },
      },
    },
  ];
  if (o.overlays?.length) {
    const rows = rowsOf(o.overlays, logY).filter((r) => r.x >= lo && r.x <= hi);
    layers.push({
      data: { values: rows },
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
        color: { field: 'series', type: 'nominal', title: null, sort: o.overlays.map((s) => s.name), legend: { labelLimit: 480 } },
        strokeDash: { field: 'dashed', type: 'nominal', legend: null, scale: { domain: [false, true], range: [[1, 0], [6, 4]] } },
      },
    });
  }
  return {
    $schema: SCHEMA,
    ...(o.title ? { title: o.title } : {}),
    width: o.width ?? 520,
    height: o.height ?? 320,
    layer: layers,
    resolve: { scale: { y: 'shared' } },
  } as TopLevelSpec;
}
