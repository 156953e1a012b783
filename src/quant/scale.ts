/**
 * Scale selection (docs/rf8-spec.md section 2). The scale of a tensor (or of one row) is an
 * integer X in the int8 range; an element stands for value * 2^X.
 *
 * - amax: smallest X with amax * 2^-X <= maxfinite; for the residual kind (the authors' rf8,
 *         spec section 8) the smallest X with E = round_log2(amax * 2^-X) + bias <= Emax
 *         (decided exactly, an integer comparison with floor(sqrt(2) 2^b)).
 * - mse:  X in [X_amax - 8, X_amax + 2] minimizing the empirical squared error (one encode pass
 *         per candidate, through the bulk encodeArray path and a decode table).
 * - gg:   fit GG to the data and minimize the expected squared error under the fitted law,
 *         computed from incomplete gamma functions (no second pass over the data). The fit
 *         pass also keeps the 16 largest magnitudes; they are counted exactly and the law,
 *         conditioned below them, covers the rest (ggTensorMse).
 */
import {
  encode,
  decodeValue,
  encodeArray,
  formatTables,
  getFormat,
  bitLength,
  SQRT2_FLOOR,
  type DecoderKind,
  type Format,
  type FormatName,
  type Rounding,
} from '../format/index.js';
import { split, splitDouble } from '../format/round.js';
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

/**
 * Does the magnitude M * 2^s (M a positive integer below 2^53) fit the format's range for the
 * amax rule? One rule per decoder kind (a table, not a branch on a name):
 * - float / twos: M * 2^s <= maxFinite;
 * - residual (spec section 8): E = round_log2(M * 2^s) + bias <= Emax, round_log2 decided by
 *   the integer comparison M > floor(sqrt(2) * 2^b), b = bitLength(M) - 1 (exact, no log2);
 * - table (the GG codebooks, spec section 9): M * 2^s <= maxFinite, the largest magnitude.
 */
const AMAX_FITS: Readonly<Record<DecoderKind, (f: Format, M: number, s: number) => boolean>> = Object.freeze({
  float: (f: Format, M: number, s: number) => M * 2 ** s <= f.maxFinite,
  twos: (f: Format, M: number, s: number) => M * 2 ** s <= f.maxFinite,
  table: (f: Format, M: number, s: number) => M * 2 ** s <= f.maxFinite,
  residual: (f: Format, M: number, s: number) => {
    const b = bitLength(M) - 1;
    const e1 = s + b + (M > SQRT2_FLOOR[b]! ? 1 : 0);
    return e1 + f.bias <= f.maxPayload >> f.m;
  },
});

/**
 * Smallest X with maxAbs * 2^-X within the format's range (clamped to the int8 range; 0 for an
 * all-zero tensor): maxAbs * 2^-X <= maxFinite for the float and int layouts, E <= Emax of
 * maxAbs's first term for the residual rf8 (spec section 8). Decided exactly on maxAbs = M 2^e.
 */
export function amaxScale(maxAbs: number, fmt: Fmt): number {
  const f = getFormat(fmt);
  if (!(maxAbs > 0)) return 0;
  if (!Number.isFinite(maxAbs)) return SCALE_MAX;
  splitDouble(maxAbs);
  const M = split.M;
  const e = split.e;
  const fits = AMAX_FITS[f.policy.decoder];
  // start from the float estimate, then fix it up with the exact rule (monotone in X)
  let X = clampScale(Math.ceil(Math.log2(maxAbs / f.maxFinite)));
  while (X > SCALE_MIN && fits(f, M, e - (X - 1))) X--;
  while (X < SCALE_MAX && !fits(f, M, e - X)) X++;
  return X + 0; // never -0
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
 * scale X with saturation and `rounding` (the format's default when absent: RNE for the
 * layouts, greedy for rf8), plus the count of finite elements.
 */
export function empiricalSse(data: Data, fmt: Fmt, X: number, work = new SseWork(), rounding?: Rounding): { sse: number; n: number } {
  const f = getFormat(fmt);
  const tab = formatTables(f).value;
  const lut = work.lut;
  const mul = 2 ** X;
  for (let c = 0; c < 256; c++) lut[c] = tab[c]! * mul;
  const codes = work.codes;
  let sse = 0;
  let n = 0;
  const opts = rounding === undefined ? { scale: X } : { scale: X, rounding };
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

/** A format's quantizer under one rounding, at scale 0: its non-negative points and decision thresholds. */
export interface FormatCells {
  /** formatGrid(fmt): the distinct non-negative finite values, ascending. */
  points: Float64Array;
  /** cuts[i]: the threshold between points[i] and points[i + 1] (x < cut -> points[i]); null when every cut is the midpoint (nearest-point rounding). */
  cuts: Float64Array | null;
}

const cellsCache = new Map<string, FormatCells>();

/**
 * The decision thresholds of `fmt` under `rounding` (default: the format's own), found from the
 * exact encoder itself: between neighbouring points p_i < p_{i+1} a bisection on doubles finds
 * the least double that encodes to p_{i+1} or above (every point encodes to itself, and the
 * encoder is monotone; both are checked). The result is exact to one double; a cut whose final
 * bracket holds the midpoint is the midpoint (RNE, rtz-free nearest), so nearest-point roundings
 * give `cuts: null`, the exact midpoints of ggGridMse. The greedy rf8 cuts are the irrational
 * points 2^(e - 1/2) and 2^e (1 +- sqrt(2) 2^-j) of spec section 8, to one double.
 * Stochastic rounding has no fixed cells (InputError).
 */
export function formatCells(fmt: Fmt, rounding?: Rounding): FormatCells {
  const f = getFormat(fmt);
  const rd = rounding ?? f.policy.defaultRounding;
  if (rd === 'sr') throw new InputError(`scale selection: rounding 'sr' is stochastic and has no fixed quantizer cells (format ${f.name})`);
  const key = `${f.name}|${rd}`;
  let c = cellsCache.get(key);
  if (c) return c;
  const points = formatGrid(f);
  const opts = { scale: 0, rounding: rd };
  const q = (x: number): number => Math.abs(decodeValue(f, encode(f, x, opts)));
  const cuts = new Float64Array(points.length - 1);
  let allMid = true;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (q(a) !== a || q(b) !== b) throw new Error(`formatCells: ${f.name} (${rd}) does not encode its own value ${q(a) !== a ? a : b} to itself`);
    let lo = a; // q(lo) <= a
    let hi = b; // q(hi) >= b
    for (;;) {
      const mid = lo + (hi - lo) / 2;
      if (mid <= lo || mid >= hi) break;
      const v = q(mid);
      if (v <= a) lo = mid;
      else if (v >= b) hi = mid;
      else throw new Error(`formatCells: ${f.name} (${rd}) encodes ${mid} between neighbouring points ${a} and ${b}`);
    }
    const m = (a + b) / 2;
    const isMid = lo <= m && m <= hi;
    if (!isMid) allMid = false;
    cuts[i] = isMid ? m : hi;
  }
  for (let i = 1; i < cuts.length; i++) if (!(cuts[i]! > cuts[i - 1]!)) throw new Error(`formatCells: ${f.name} (${rd}) is not monotone at ${points[i]}`);
  c = { points, cuts: allMid ? null : cuts };
  cellsCache.set(key, c);
  return c;
}

/**
 * Expected squared error per element of quantizing GG(alpha, beta) into fmt at scale X with
 * `rounding` (default: the format's); with `truncate`, under the law conditioned on
 * |x| <= truncate (see ggGridMse).
 */
export function ggExpectedMse(alpha: number, beta: number, fmt: Fmt, X: number, truncate = Infinity, cache?: GridMseCache, rounding?: Rounding): number {
  const { points, cuts } = formatCells(fmt, rounding);
  // quantizing x at scale X = quantizing x * 2^-X at scale 0, error scaled by 4^X
  return ggGridMse(alpha * 2 ** -X, beta, points, truncate * 2 ** -X, cache, cuts ?? undefined) * 4 ** X;
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
  /** Rounding of the format (default: the format's own; greedy or nearest for rf8). */
  rounding?: Rounding;
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
  const rd = opts.rounding;
  switch (method) {
    case 'amax': {
      const X = amaxScale(maxAbsFinite(d), f);
      let mse = NaN;
      if (opts.measure !== false) {
        const e = empiricalSse(d, f, X, work, rd);
        mse = e.n > 0 ? e.sse / e.n : NaN;
      }
      return { X, mse, method, candidates: [{ X, mse }] };
    }
    case 'mse': {
      const xa = amaxScale(maxAbsFinite(d), f);
      const candidates: { X: number; mse: number }[] = [];
      let best = { X: xa, mse: Infinity };
      for (const X of scaleCandidates(xa)) {
        const e = empiricalSse(d, f, X, work, rd);
        const mse = e.n > 0 ? e.sse / e.n : 0;
        candidates.push({ X, mse });
        if (mse < best.mse) best = { X, mse };
      }
      return { X: best.X, mse: best.mse, method, candidates };
    }
    case 'gg': {
      const fit = opts.fit ?? slabFitForScale(d, opts.fitMethod ?? 'mle');
      return { ...ggChooseScale(fit, f, rd), fit };
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
  rounding?: Rounding,
): number {
  const f = getFormat(fmt);
  const top = fit.top ?? new Float64Array(0);
  const k = Math.min(top.length, fit.n);
  let exact = 0;
  const opts = rounding === undefined ? { scale: X } : { scale: X, rounding };
  for (let i = 0; i < k; i++) {
    const v = top[i]!;
    const d = v - decodeValue(f, encode(f, v, opts), X);
    exact += d * d;
  }
  const rest = fit.n - k;
  const cut = k > 0 ? top[k - 1]! : fit.maxAbs > 0 ? fit.maxAbs : Infinity;
  const law = rest > 0 && fit.alpha > 0 && fit.beta > 0 ? ggExpectedMse(fit.alpha, fit.beta, f, X, cut, cache, rounding) : 0;
  return fit.n > 0 ? (exact + rest * law) / fit.n : 0;
}

/** gg scale selection from a fit alone (the fit carries amax and the top magnitudes). */
export function ggChooseScale(fit: Pick<GGFit, 'alpha' | 'beta' | 'maxAbs' | 'n'> & { top?: Float64Array }, fmt: Fmt, rounding?: Rounding): Omit<ScaleChoice, 'fit'> {
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
    const mse = ggTensorMse(fit, f, X, cache, rounding);
    candidates.push({ X, mse });
    if (mse < best.mse) best = { X, mse };
    rises = mse > prev ? rises + 1 : 0;
    prev = mse;
    if (rises >= 2 && X < best.X) break;
  }
  return { X: best.X, mse: best.mse, method: 'gg', candidates };
}

/** The scale exponent X chosen for `data` in `fmt` by `method` (with `rounding`, default the format's own). */
export function chooseScale(data: ArrayLike<number>, fmt: FormatName | Format, method: ScaleMethod, rounding?: Rounding): number {
  return chooseScaleDetailed(data, fmt, method, { measure: false, ...(rounding !== undefined ? { rounding } : {}) }).X;
}
