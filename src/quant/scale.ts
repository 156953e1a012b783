/**
 * Scale selection (docs/rf8-spec.md section 2). The scale of a tensor (or of one row) is an
 * integer X in the int8 range; an element stands for value * 2^X.
 *
 * - amax: smallest X with amax * 2^-X <= maxfinite.
 * - mse:  X in [X_amax - 8, X_amax + 2] minimizing the empirical squared error (one encode pass
 *         per candidate, through the bulk encodeArray path and a decode table).
 * - gg:   fit GG to the data and minimize the expected squared error under the fitted law,
 *         computed from incomplete gamma functions (no second pass over the data). The fit
 *         pass also keeps the 16 largest magnitudes; they are counted exactly and the law,
 *         conditioned below them, covers the rest (ggTensorMse).
 */
import { encode, decodeValue, encodeArray, formatTables, getFormat, type Format, type FormatName } from '../format/index.js';
import { fitGG, type GGFit } from '../gg/fit.js';
import { DEFAULT_ZERO_TOL } from '../gg/sparse.js';
import { ggGridMse, GridMseCache } from '../gg/bounds.js';
import { InputError } from '../util/errors.js';

export type ScaleMethod = 'amax' | 'mse' | 'gg';
export const SCALE_METHODS: readonly ScaleMethod[] = ['amax', 'mse', 'gg'];
export const SCALE_MIN = -128;
export const SCALE_MAX = 127;

type Fmt = Format | FormatName;
type Data = Float32Array | Float64Array;

const gridCache = new Map<string, Float64Array>();

/** The non-negative finite values of a format at scale 0, ascending, without duplicates. */
export function formatGrid(fmt: Fmt): Float64Array {
  const f = getFormat(fmt);
  let g = gridCache.get(f.name);
  if (!g) {
    const v = formatTables(f).value;
    const set = new Set<number>();
    for (let c = 0; c < 256; c++) {
      const x = v[c]!;
      if (Number.isFinite(x) && x >= 0) set.add(x);
    }
    g = Float64Array.from([...set].sort((a, b) => a - b));
    gridCache.set(f.name, g);
  }
  return g;
}

function clampScale(x: number): number {
  return Math.min(SCALE_MAX, Math.max(SCALE_MIN, x));
}

/** Smallest X with maxAbs * 2^-X <= maxFinite (clamped to the int8 range; 0 for an all-zero tensor). */
export function amaxScale(maxAbs: number, fmt: Fmt): number {
  const f = getFormat(fmt);
  if (!(maxAbs > 0)) return 0;
  if (!Number.isFinite(maxAbs)) return SCALE_MAX;
  let X = Math.ceil(Math.log2(maxAbs / f.maxFinite));
  // fix up floating log2 error with exact power-of-two products
  while (X > SCALE_MIN && maxAbs * 2 ** -(X - 1) <= f.maxFinite) X--;
  while (X < SCALE_MAX && maxAbs * 2 ** -X > f.maxFinite) X++;
  return clampScale(X);
}

/** The mse / gg search range [X_amax - 8, X_amax + 2] within the int8 range. */
export function scaleCandidates(xAmax: number): number[] {
  const out: number[] = [];
  for (let X = clampScale(xAmax - 8); X <= clampScale(xAmax + 2); X++) out.push(X);
  return out;
}

/** Largest finite |x| of the data (0 if none). */
export function maxAbsFinite(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    const a = x < 0 ? -x : x;
    if (a > m && a !== Infinity) m = a;
  }
  return m;
}

const CHUNK = 1 << 15;

/** Reusable scratch for the empirical error passes. */
export class SseWork {
  codes = new Uint8Array(CHUNK);
  lut = new Float64Array(256);
}

/**
 * Empirical sum of squared errors (finite elements only) of quantizing `data` to `fmt` at
 * scale X with RNE and saturation, plus the count of finite elements.
 */
export function empiricalSse(data: Data, fmt: Fmt, X: number, work = new SseWork()): { sse: number; n: number } {
  const f = getFormat(fmt);
  const tab = formatTables(f).value;
  const lut = work.lut;
  const mul = 2 ** X;
  for (let c = 0; c < 256; c++) lut[c] = tab[c]! * mul;
  const codes = work.codes;
  let sse = 0;
  let n = 0;
  const opts = { scale: X };
  for (let i0 = 0; i0 < data.length; i0 += CHUNK) {
    const i1 = Math.min(data.length, i0 + CHUNK);
    const src = data.subarray(i0, i1);
    encodeArray(f, src, opts, codes);
    for (let i = 0, m = i1 - i0; i < m; i++) {
      const x = src[i]!;
      if (x - x !== 0) continue;
      const d = x - lut[codes[i]!]!;
      sse += d * d;
      n++;
    }
  }
  return { sse, n };
}

/**
 * Expected squared error per element of quantizing GG(alpha, beta) into fmt at scale X; with
 * `truncate`, under the law conditioned on |x| <= truncate (see ggGridMse).
 */
export function ggExpectedMse(alpha: number, beta: number, fmt: Fmt, X: number, truncate = Infinity, cache?: GridMseCache): number {
  const g = formatGrid(fmt);
  // quantizing x at scale X = quantizing x * 2^-X at scale 0, error scaled by 4^X
  return ggGridMse(alpha * 2 ** -X, beta, g, truncate * 2 ** -X, cache) * 4 ** X;
}

export interface ScaleChoice {
  X: number;
  /** The criterion at X: mean squared error per finite element (empirical for amax/mse, expected for gg). */
  mse: number;
  method: ScaleMethod;
  /** Every candidate tried, with its criterion (amax: just the one). */
  candidates: { X: number; mse: number }[];
  fit?: GGFit;
}

export interface ChooseScaleOptions {
  /** For 'gg': a fit of the same data (saves the fit). */
  fit?: GGFit;
  /** For 'gg': fit method when no fit is given (default 'mle'). */
  fitMethod?: 'mle' | 'moments';
  /** For 'amax': also compute the empirical error at the chosen X (default true). */
  measure?: boolean;
  work?: SseWork;
}

function asTyped(data: ArrayLike<number>): Data {
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  return Float64Array.from(data as ArrayLike<number>);
}

/**
 * The GG fit gg scale selection uses. A point mass at zero (pruned / BackSlash weights: exact
 * zeros and values below 2^-16 of the RMS, as src/gg fitSparseGG) breaks the fit of the whole
 * tensor (beta collapses toward 0), yet costs no error at any scale (zero encodes exactly; the
 * tiny values' error is below 2^-32 of the mean square). When that spike holds more than 1% of
 * the values the scale is chosen from the fit of the rest (the slab): the expected error per
 * element is the slab's times a constant, so the argmin over X is the same.
 */
function slabFitForScale(d: Data, method: 'mle' | 'moments'): GGFit {
  const all = fitGG(d, { method });
  const nz = all.n - all.zeros;
  if (nz === 0) return all;
  const thr = DEFAULT_ZERO_TOL * Math.sqrt((all.meanSquare * all.n) / nz);
  let spike = 0;
  for (let i = 0; i < d.length; i++) if (Math.abs(d[i]!) <= thr) spike++;
  if (spike <= 0.01 * all.n || spike === all.n) return all;
  const slab = new Float64Array(d.length - spike);
  for (let i = 0, k = 0; i < d.length; i++) {
    const x = d[i]!;
    if (!(Math.abs(x) <= thr)) slab[k++] = x;
  }
  return fitGG(slab, { method });
}

/** Choose the scale X of `data` for `fmt` by `method`, with the criterion values. */
export function chooseScaleDetailed(data: ArrayLike<number>, fmt: Fmt, method: ScaleMethod, opts: ChooseScaleOptions = {}): ScaleChoice {
  const f = getFormat(fmt);
  const d = asTyped(data);
  const work = opts.work ?? new SseWork();
  switch (method) {
    case 'amax': {
      const X = amaxScale(maxAbsFinite(d), f);
      let mse = NaN;
      if (opts.measure !== false) {
        const e = empiricalSse(d, f, X, work);
        mse = e.n > 0 ? e.sse / e.n : NaN;
      }
      return { X, mse, method, candidates: [{ X, mse }] };
    }
    case 'mse': {
      const xa = amaxScale(maxAbsFinite(d), f);
      const candidates: { X: number; mse: number }[] = [];
      let best = { X: xa, mse: Infinity };
      for (const X of scaleCandidates(xa)) {
        const e = empiricalSse(d, f, X, work);
        const mse = e.n > 0 ? e.sse / e.n : 0;
        candidates.push({ X, mse });
        if (mse < best.mse) best = { X, mse };
      }
      return { X: best.X, mse: best.mse, method, candidates };
    }
    case 'gg': {
      const fit = opts.fit ?? slabFitForScale(d, opts.fitMethod ?? 'mle');
      return { ...ggChooseScale(fit, f), fit };
    }
    default:
      throw new InputError(`unknown scale method '${String(method)}' (one of: ${SCALE_METHODS.join(', ')})`);
  }
}

/**
 * Expected squared error per element at scale X for a tensor summarized by its GG fit: the
 * `top` largest magnitudes (collected by the fit pass) enter exactly, the other n - k values
 * follow the fitted law conditioned on |x| <= the smallest of `top`. For heavy tails the few
 * largest values decide the clipping cost, and a law says little about them; with them exact,
 * the choice matches the best empirical scale (see test/quant/scale.test.ts).
 */
export function ggTensorMse(
  fit: Pick<GGFit, 'alpha' | 'beta' | 'n'> & { top?: Float64Array; maxAbs: number },
  fmt: Fmt,
  X: number,
  cache?: GridMseCache,
): number {
  const f = getFormat(fmt);
  const top = fit.top ?? new Float64Array(0);
  const k = Math.min(top.length, fit.n);
  let exact = 0;
  const opts = { scale: X };
  for (let i = 0; i < k; i++) {
    const v = top[i]!;
    const d = v - decodeValue(f, encode(f, v, opts), X);
    exact += d * d;
  }
  const rest = fit.n - k;
  const cut = k > 0 ? top[k - 1]! : fit.maxAbs > 0 ? fit.maxAbs : Infinity;
  const law = rest > 0 && fit.alpha > 0 && fit.beta > 0 ? ggExpectedMse(fit.alpha, fit.beta, f, X, cut, cache) : 0;
  return fit.n > 0 ? (exact + rest * law) / fit.n : 0;
}

/** gg scale selection from a fit alone (the fit carries amax and the top magnitudes). */
export function ggChooseScale(fit: Pick<GGFit, 'alpha' | 'beta' | 'maxAbs' | 'n'> & { top?: Float64Array }, fmt: Fmt): Omit<ScaleChoice, 'fit'> {
  const f = getFormat(fmt);
  const xa = amaxScale(fit.maxAbs, f);
  if (!(fit.maxAbs > 0) || fit.n === 0) return { X: xa, mse: 0, method: 'gg', candidates: [{ X: xa, mse: 0 }] };
  const candidates: { X: number; mse: number }[] = [];
  let best = { X: xa, mse: Infinity };
  // From the coarsest candidate down: the expected error falls while granular noise dominates
  // and rises once clipping does; stop after two rises in a row past the best.
  let rises = 0;
  let prev = Infinity;
  const cache = fit.beta > 0 ? new GridMseCache(fit.beta) : undefined;
  for (const X of scaleCandidates(xa).reverse()) {
    const mse = ggTensorMse(fit, f, X, cache);
    candidates.push({ X, mse });
    if (mse < best.mse) best = { X, mse };
    rises = mse > prev ? rises + 1 : 0;
    prev = mse;
    if (rises >= 2 && X < best.X) break;
  }
  return { X: best.X, mse: best.mse, method: 'gg', candidates };
}

/** The scale exponent X chosen for `data` in `fmt` by `method`. */
export function chooseScale(data: ArrayLike<number>, fmt: FormatName | Format, method: ScaleMethod): number {
  return chooseScaleDetailed(data, fmt, method, { measure: false }).X;
}
