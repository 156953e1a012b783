/**
 * GG fits that survive sparsity and grids: a point mass at zero (the "spike") plus a GG body
 * (the "slab"),
 *
 *     p(x) = pi0 * delta(x) + (1 - pi0) * GG(x; alpha, beta).
 *
 * - Spike. Exact zeros, and values whose magnitude is at most `zeroTol` times the RMS of the
 *   nonzero values (default 2^-16: BackSlash leaves pruned weights at 1e-7..1e-12 instead of 0;
 *   a GG body with beta >= 0.3 puts well under 1e-4 of its mass there). For a continuous body
 *   the mixture's maximum likelihood is exactly pi0 = (spike count) / n and the GG MLE of the
 *   rest, so the slab is fitted by `fitGG` on the values above the threshold.
 * - Near-zero cluster. Rate terms that smooth |w| near 0 (rf8kit's BackSlash: sqrt(w^2 + eps^2))
 *   hold pruned weights in a narrow cluster (|w| <~ eps) instead of at 0, far above the spike
 *   threshold. A GG body's log-magnitude density (per octave) is unimodal: it rises with
 *   |x| (as |x| p(0)) up to about alpha and falls after. A second mode below the main one, holding
 *   at least 1% of the values and separated from it by a valley at most 0.6 of the smaller
 *   peak around it (histogram of log2 |x| in quarter octaves, three-bin smoothed, every bin involved
 *   holding >= 50 values), is a cluster: the spike threshold moves to the valley's upper edge,
 *   and the slab is fitted by the likelihood of the GG conditioned on |X| > threshold
 *   (the truncated MLE: for each beta one pass gives S = sum |x|^beta, alpha is then a 1-D
 *   maximization with no data pass; beta by golden section on log beta). pi0 is the excess mass
 *   below the threshold over what the fitted body puts there: max(0, 1 - slab n / (n Q(t))).
 *   `cluster: 'off'` keeps the fixed threshold.
 * - Grid. When the slab's magnitudes are integer multiples of its smallest one, `step`, and
 *   the grid is coarse (step >= 1% of the slab RMS; a finer grid changes the MLE by less than
 *   1e-4 relative), the continuous likelihood is wrong (rounding piles mass on grid points).
 *   The slab is then fitted by the discretized likelihood: magnitude cell j (|x| = j step)
 *   has probability P((j - 1/2) step <= |X| < (j + 1/2) step), conditioned on |X| >= step/2
 *   (the zero cell is shared by the spike and the body's rounding), maximized over
 *   (log alpha, log beta) by Nelder-Mead from the continuous MLE. The spike is then the excess
 *   of zeros over what the rounded body puts in the zero cell:
 *   pi0 = max(0, 1 - (n - zeros) / (n (1 - P(|X| < step/2)))) (the profile MLE).
 * - Goodness of fit, for both components: the spike's fraction with its binomial standard
 *   error; the slab's KS distance to the fitted law conditioned on the slab's support
 *   (continuous), or over the grid's magnitude cells (grid).
 * - Degenerate cases are explicit, never NaN numbers: every value in the spike (`slab: null`),
 *   fewer than 3 distinct slab magnitudes (the shape is not identifiable: a 2-level grid, one
 *   nonzero value), each with a `reason`.
 */
import { gammaPDiff, gammaQ, lnGamma as lnGammaOf } from './special.js';
import { ggAbsCdf } from './dist.js';
import { fitGG, type GGFit } from './fit.js';
import { kolmogorovPValue, ksDistanceSorted } from './gof.js';
import { ggKsEdges, ksBinnedAt } from './ks-binned.js';
import { InputError } from '../util/errors.js';

type Data = Float32Array | Float64Array | ArrayLike<number>;

export const DEFAULT_ZERO_TOL = 2 ** -16;

export interface SparseFitOptions {
  /** Spike threshold relative to the RMS of the nonzero values (0: exact zeros only). */
  zeroTol?: number;
  /** 'auto' (default): detect a coarse grid; 'off': always the continuous fit. */
  grid?: 'auto' | 'off';
  /** 'auto' (default): detect a near-zero cluster (module comment); 'off': the fixed threshold only. */
  cluster?: 'auto' | 'off';
  /**
   * `fitGG(data, { method: 'mle' })` if the caller has it: reused as the slab's continuous fit
   * when the slab is all of `data` (no spike, no non-finite value), instead of fitting it again.
   */
  mle?: GGFit;
  /** Slabs of more values than this get the binned KS (src/gg/ks-binned.ts; default 65536). */
  ksExactBelow?: number;
  /** Working memory for the slab's MLE (FitOptions.scratch). */
  scratch?: Float64Array;
}

export interface SlabFit {
  n: number;
  alpha: number;
  beta: number;
  /** Log-likelihood of the slab values (continuous density, or cell probabilities on a grid). */
  loglik: number;
  /**
   * KS distance to the fitted law on the slab's support (grid: over magnitude cells). Slabs of
   * more than `ksExactBelow` values (continuous): the binned estimate, |ks - D| <= ksError.
   */
  ks: number;
  /** Bound on |ks - D|: 0 when exact. */
  ksError: number;
  ksPValue: number;
  converged: boolean;
}

export interface SparseGGFit {
  /** Finite values. */
  n: number;
  excluded: number;
  /** Values exactly zero. */
  exactZeros: number;
  spike: {
    /** Values in the spike (exact zeros + |x| <= threshold). */
    count: number;
    /** count / n: the zero fraction as observed (grid: zeros of the grid). */
    fraction: number;
    /** Fitted point mass pi0 (= fraction, except on a grid: the excess over the body's zero cell). */
    pi0: number;
    /** Binomial standard error of `fraction`. */
    stderr: number;
    /** Magnitude threshold used (absolute). */
    threshold: number;
    /** A near-zero cluster was detected: the threshold is its edge and the slab fit is truncated there. */
    cluster: boolean;
  };
  slab: SlabFit | null;
  grid: { step: number; levels: number } | null;
  method: 'continuous' | 'grid';
  degenerate: boolean;
  /** Why the slab has no shape (degenerate only). */
  reason?: string;
  warnings: string[];
}

/** Minimize f over R^2 from x0 (Nelder-Mead, standard coefficients). */
function nelderMead2(f: (a: number, b: number) => number, x0: [number, number], step: number, tol = 1e-10, maxIter = 400): { x: [number, number]; f: number; converged: boolean } {
  let pts: [number, number][] = [x0, [x0[0] + step, x0[1]], [x0[0], x0[1] + step]];
  let vals = pts.map((p) => f(p[0], p[1]));
  for (let it = 0; it < maxIter; it++) {
    const order = [0, 1, 2].sort((i, j) => vals[i]! - vals[j]!);
    pts = order.map((i) => pts[i]!);
    vals = order.map((i) => vals[i]!);
    if (Math.abs(vals[2]! - vals[0]!) <= tol * (1 + Math.abs(vals[0]!)) && Math.hypot(pts[2]![0] - pts[0]![0], pts[2]![1] - pts[0]![1]) < 1e-7) {
      return { x: pts[0]!, f: vals[0]!, converged: true };
    }
    const c: [number, number] = [(pts[0]![0] + pts[1]![0]) / 2, (pts[0]![1] + pts[1]![1]) / 2];
    const at = (t: number): [number, number] => [c[0] + t * (pts[2]![0] - c[0]), c[1] + t * (pts[2]![1] - c[1])];
    const r = at(-1);
    const fr = f(r[0], r[1]);
    if (fr < vals[0]!) {
      const e = at(-2);
      const fe = f(e[0], e[1]);
      if (fe < fr) [pts[2], vals[2]] = [e, fe];
      else [pts[2], vals[2]] = [r, fr];
    } else if (fr < vals[1]!) {
      [pts[2], vals[2]] = [r, fr];
    } else {
      const k = fr < vals[2]! ? at(-0.5) : at(0.5);
      const fk = f(k[0], k[1]);
      if (fk < Math.min(fr, vals[2]!)) [pts[2], vals[2]] = [k, fk];
      else {
        for (const i of [1, 2]) {
          pts[i] = [(pts[i]![0] + pts[0]![0]) / 2, (pts[i]![1] + pts[0]![1]) / 2];
          vals[i] = f(pts[i]![0], pts[i]![1]);
        }
      }
    }
  }
  const i = vals.indexOf(Math.min(...vals));
  return { x: pts[i]!, f: vals[i]!, converged: false };
}

/** Cell counts of the slab's magnitudes (finite |x| > above) on a grid: counts[j] = #{|x| = j step}, or null if not a grid. */
function gridCells(data: Data, above: number, step: number, maxLevels: number): Float64Array | null {
  let top = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!(x - x === 0 && Math.abs(x) > above)) continue;
    const r = Math.abs(x) / step;
    const j = Math.round(r);
    if (Math.abs(r - j) > 1e-6 * j || j > maxLevels) return null;
    if (j > top) top = j;
  }
  const counts = new Float64Array(top + 1);
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x - x === 0 && Math.abs(x) > above) counts[Math.round(Math.abs(x) / step)]!++;
  }
  return counts;
}

/** Quarter-octave bins of log2(|x| / rms) from 2^-64 to 2^16 relative. */
const CL_LO = -256;
const CL_BINS = 256 + 64;
/** A valley at most this fraction of the smaller peak around it separates a cluster. */
const CL_DEPTH = 0.6;

/**
 * The upper edge of the valley below a near-zero cluster (module comment), or null when the
 * log-magnitude histogram of the finite |x| > floor has no second mode below the main one.
 */
function clusterEdge(data: Data, floor: number, rms: number, n: number): number | null {
  const h = new Float64Array(CL_BINS);
  const inv = 1 / rms;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (!(x - x === 0)) continue;
    const a = Math.abs(x);
    if (!(a > floor)) continue;
    const b = Math.floor(4 * Math.log2(a * inv)) - CL_LO;
    h[b < 0 ? 0 : b >= CL_BINS ? CL_BINS - 1 : b]!++;
  }
  const sm = new Float64Array(CL_BINS);
  for (let b = 0; b < CL_BINS; b++) sm[b] = ((b > 0 ? h[b - 1]! : 0) + h[b]! + (b + 1 < CL_BINS ? h[b + 1]! : 0)) / 3;
  // every valley v between a lower peak and an upper one (prefix / suffix maxima of the smoothed
  // histogram) at most CL_DEPTH of the smaller peak, both peaks >= 50 values and >= 2 bins away,
  // >= 1% of the values below it; the deepest (ties: the highest) wins
  const lowMax = new Float64Array(CL_BINS);
  const lowAt = new Int32Array(CL_BINS);
  for (let b = 0; b < CL_BINS; b++) {
    const prev = b > 0 ? lowMax[b - 1]! : -1;
    [lowMax[b], lowAt[b]] = sm[b]! > prev ? [sm[b]!, b] : [prev, lowAt[b - 1]!];
  }
  let upMax = -1;
  let upAt = CL_BINS;
  let below = 0;
  for (let k = 0; k < CL_BINS; k++) below += h[k]!;
  let best: { valley: number; depth: number } | null = null;
  for (let v = CL_BINS - 1; v > 0; v--) {
    below -= v + 1 < CL_BINS ? h[v + 1]! : 0;
    if (v + 1 < CL_BINS && sm[v + 1]! > upMax) [upMax, upAt] = [sm[v + 1]!, v + 1];
    const lo = lowMax[v - 1]!;
    const peak = Math.min(lo, upMax);
    if (peak < 50 || upAt - v < 2 || v - lowAt[v - 1]! < 2 || below < 0.01 * n) continue;
    const depth = sm[v]! / peak;
    if (depth <= CL_DEPTH && (!best || depth < best.depth)) best = { valley: v, depth };
  }
  if (!best) return null;
  return rms * 2 ** ((best.valley + 1 + CL_LO) / 4);
}

/**
 * The GG MLE of the finite |x| > t conditioned on |X| > t (the truncated likelihood): profile
 * over beta (golden section on log beta around the plain fit's), alpha by golden section on
 * log alpha for each beta with S = sum |x|^beta from one pass.
 */
function truncatedFit(data: Data, t: number, m: number, start: GGFit): { alpha: number; beta: number; loglik: number; converged: boolean } {
  // the slab's log-magnitudes, once (one pass per beta is then sum exp(beta l))
  const logs = new Float64Array(m);
  for (let i = 0, k = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x - x === 0 && Math.abs(x) > t) logs[k++] = Math.log(Math.abs(x));
  }
  const sumPow = (beta: number): number => {
    let s = 0;
    for (let k = 0; k < m; k++) s += Math.exp(beta * logs[k]!);
    return s;
  };
  // log-likelihood of the magnitudes (density beta / (alpha Gamma(1/beta)) exp(-(m/alpha)^beta)) given |X| > t
  const llAt = (alpha: number, beta: number, S: number): number => {
    const q = gammaQ(1 / beta, Math.pow(t / alpha, beta));
    if (!(q > 0)) return -Infinity;
    return m * (Math.log(beta) - Math.log(alpha) - lnGammaOf(1 / beta) - Math.log(q)) - S * Math.pow(alpha, -beta);
  };
  const golden = (f: (u: number) => number, lo: number, hi: number, tol: number): { u: number; f: number } => {
    const g = (Math.sqrt(5) - 1) / 2;
    let a = lo;
    let b = hi;
    let c = b - g * (b - a);
    let d = a + g * (b - a);
    let fc = f(c);
    let fd = f(d);
    while (b - a > tol) {
      if (fc > fd) {
        // the maximum is in [a, d]
        b = d;
        d = c;
        fd = fc;
        c = b - g * (b - a);
        fc = f(c);
      } else {
        a = c;
        c = d;
        fc = fd;
        d = a + g * (b - a);
        fd = f(d);
      }
    }
    const u = (a + b) / 2;
    return { u, f: f(u) };
  };
  const alphaFor = (beta: number, S: number) => {
    const a0 = Math.log(Math.pow((beta * S) / m, 1 / beta)); // the untruncated MLE for this beta
    return golden((la) => llAt(Math.exp(la), beta, S), a0 - 6, a0 + 1, 1e-9);
  };
  const lb0 = Math.log(start.beta);
  const r = golden((lb) => alphaFor(Math.exp(lb), sumPow(Math.exp(lb))).f, Math.max(Math.log(0.05), lb0 - 2), Math.min(Math.log(50), lb0 + 2), 1e-5);
  const beta = Math.exp(r.u);
  const S = sumPow(beta);
  const a = alphaFor(beta, S);
  // the loglik of the slab values under the unconditioned density (the caller subtracts slab n log(1 - F(t)))
  const alpha = Math.exp(a.u);
  const q = gammaQ(1 / beta, Math.pow(t / alpha, beta));
  return { alpha, beta, loglik: a.f + m * (Math.log(q) - Math.LN2), converged: Number.isFinite(a.f) };
}

/** Fit the spike-and-slab model (see the module comment). Throws InputError when no value is finite. */
export function fitSparseGG(data: Data, opts: SparseFitOptions = {}): SparseGGFit {
  const zeroTol = opts.zeroTol ?? DEFAULT_ZERO_TOL;
  if (!(zeroTol >= 0 && zeroTol < 1)) throw new InputError(`zero tolerance must be in [0, 1), got ${zeroTol}`);
  let n = 0;
  let bad = 0;
  let exactZeros = 0;
  let s2 = 0;
  let nz = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x - x !== 0) {
      bad++;
      continue;
    }
    n++;
    if (x === 0) exactZeros++;
    else {
      nz++;
      s2 += x * x;
    }
  }
  if (n === 0) throw new InputError(data.length === 0 ? 'empty tensor: nothing to fit' : `no finite values (${bad} non-finite): nothing to fit`);
  const warnings: string[] = [];
  if (bad > 0) warnings.push(`${bad} non-finite value(s) excluded`);
  const rmsNz = nz > 0 ? Math.sqrt(s2 / nz) : 0;
  // a coarse grid first (its empty cells between levels look like valleys), then a near-zero cluster
  const fixed = zeroTol * rmsNz;
  let cells: Float64Array | null = null;
  let step = Infinity; // the smallest magnitude above the fixed threshold: the grid's step
  if (opts.grid !== 'off') {
    let m = 0;
    let sq = 0;
    for (let i = 0; i < data.length; i++) {
      const a = Math.abs(data[i]!);
      if (!(a > fixed) || a === Infinity) continue;
      m++;
      sq += a * a;
      if (a < step) step = a;
    }
    if (m > 0 && step >= 0.01 * Math.sqrt(sq / m)) cells = gridCells(data, fixed, step, 1 << 14);
  }
  const edge = cells || opts.cluster === 'off' || nz < 1000 ? null : clusterEdge(data, fixed, rmsNz, n);
  const threshold = edge ?? fixed;
  let slabN = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x - x === 0 && Math.abs(x) > threshold) slabN++;
  }
  // the slab is not copied: its loops take the finite values of `data` with |x| > threshold
  const inSlab = (x: number): boolean => x - x === 0 && Math.abs(x) > threshold;
  const count = n - slabN;
  const fraction = count / n;
  const stderr = Math.sqrt((fraction * (1 - fraction)) / n);
  const spike = { count, fraction, pi0: fraction, stderr, threshold, cluster: edge !== null };
  const base = { n, excluded: bad, exactZeros, spike, grid: null, method: 'continuous' as const, warnings };
  if (slabN === 0) return { ...base, slab: null, degenerate: true, reason: 'every value is zero: the spike is the whole tensor, there is no slab to fit' };

  // distinct magnitudes: fewer than 3 leave the shape unidentifiable (one pass, no sort)
  let levels = 0;
  {
    let m0 = NaN;
    let m1 = NaN;
    for (let i = 0; i < data.length && levels < 3; i++) {
      const x = data[i]!;
      if (!inSlab(x)) continue;
      const m = Math.abs(x);
      if (levels === 0) [m0, levels] = [m, 1];
      else if (m !== m0 && (levels === 1 || m !== m1)) {
        if (levels === 1) m1 = m;
        levels++;
      }
    }
  }
  if (levels < 3) {
    const what = slabN === 1 ? 'one nonzero value' : `${levels} distinct nonzero magnitude(s) (a ${2 * levels}-level grid${count ? ' plus zeros' : ''})`;
    return { ...base, slab: null, degenerate: true, reason: `${what}: the GG shape is not identifiable (at least 3 distinct magnitudes are needed)` };
  }

  const plain = slabN === data.length && opts.mle ? opts.mle : fitGG(data, { method: 'mle', above: threshold, ...(opts.scratch ? { scratch: opts.scratch } : {}) });
  const cont = edge === null || plain.degenerate ? plain : { ...plain, ...truncatedFit(data, threshold, slabN, plain) };
  if (cells === null) {
    // continuous slab: KS against the law conditioned on |X| > threshold
    const pt = threshold > 0 ? ggAbsCdf(threshold, cont.alpha, cont.beta) : 0;
    const cdf = (x: number) => {
      const c = (ggAbsCdf(Math.abs(x), cont.alpha, cont.beta) - pt) / (1 - pt);
      return x < 0 ? 0.5 - 0.5 * c : 0.5 + 0.5 * c;
    };
    let ks: number;
    let ksError = 0;
    if (slabN <= (opts.ksExactBelow ?? 65536)) {
      const sorted = new Float64Array(slabN);
      for (let i = 0, k = 0; i < data.length; i++) if (inSlab(data[i]!)) sorted[k++] = data[i]!;
      ks = ksDistanceSorted(sorted.sort(), cdf);
    }
    else {
      // binned: the GG's quantile edges, the conditioned law's cdf at them (inside the
      // spike's (-threshold, threshold) it is flat at 1/2, which the certified bound allows)
      const { edges, Fe } = ggKsEdges(cont.alpha, cont.beta);
      for (let k = 1; k < Fe.length - 1; k++) Fe[k] = Math.abs(edges[k - 1]!) <= threshold ? 0.5 : cdf(edges[k - 1]!);
      const e = ksBinnedAt(data, edges, Fe, slabN, threshold);
      ks = e.ks;
      ksError = e.error;
    }
    const ll = cont.loglik - (pt > 0 ? slabN * Math.log1p(-pt) : 0);
    if (cont.degenerate) warnings.push(...cont.warnings);
    const pi0 = edge === null ? fraction : Math.max(0, 1 - slabN / (n * (1 - pt)));
    if (edge !== null) warnings.push(`a near-zero cluster of ${count} values (${(100 * fraction).toPrecision(3)}%) below ${edge.toPrecision(3)} is the spike; the slab is fitted above it (truncated likelihood)`);
    return {
      ...base,
      spike: { ...spike, pi0 },
      slab: { n: slabN, alpha: cont.alpha, beta: cont.beta, loglik: ll, ks, ksError, ksPValue: kolmogorovPValue(slabN, ks), converged: cont.converged },
      degenerate: cont.degenerate,
      ...(cont.degenerate ? { reason: cont.warnings.join('; ') } : {}),
    };
  }

  // grid slab: discretized likelihood over magnitude cells, conditioned on |X| >= step / 2
  const J = cells.length - 1;
  const negLL = (la: number, lb: number): number => {
    const alpha = Math.exp(la);
    const beta = Math.exp(lb);
    if (!(beta > 0.02 && beta < 100)) return Infinity;
    const s = 1 / beta;
    const u = (x: number) => Math.pow(x / alpha, beta);
    const tail = gammaQ(s, u(step / 2));
    if (!(tail > 0)) return Infinity;
    let ll = 0;
    let uPrev = u(step / 2);
    for (let j = 1; j <= J; j++) {
      const uNext = u((j + 0.5) * step);
      const c = cells[j]!;
      if (c > 0) {
        const p = gammaPDiff(s, uPrev, uNext);
        if (!(p > 0)) return Infinity;
        ll += c * Math.log(p / tail);
      }
      uPrev = uNext;
    }
    return -ll;
  };
  const nm = nelderMead2(negLL, [Math.log(cont.alpha), Math.log(cont.beta)], 0.1);
  const alpha = Math.exp(nm.x[0]);
  const beta = Math.exp(nm.x[1]);
  // KS over the magnitude cells (both signs pooled: the law is symmetric)
  const s = 1 / beta;
  const u = (x: number) => Math.pow(x / alpha, beta);
  const tail = gammaQ(s, u(step / 2));
  let cum = 0;
  let model = 0;
  let ks = 0;
  let uPrev = u(step / 2);
  for (let j = 1; j <= J; j++) {
    const uNext = u((j + 0.5) * step);
    cum += cells[j]! / slabN;
    model += gammaPDiff(s, uPrev, uNext) / tail;
    ks = Math.max(ks, Math.abs(cum - model));
    uPrev = uNext;
  }
  const c0 = 1 - tail;
  const pi0 = Math.max(0, 1 - slabN / (n * (1 - c0)));
  return {
    ...base,
    spike: { ...spike, pi0 },
    grid: { step, levels: J },
    method: 'grid',
    slab: { n: slabN, alpha, beta, loglik: -nm.f, ks, ksError: 0, ksPValue: kolmogorovPValue(slabN, ks), converged: nm.converged },
    degenerate: false,
  };
}

/** The MLE of a tensor's slab if it has one, else null (for consumers that need a shape). */
export function slabOf(f: SparseGGFit): { alpha: number; beta: number } | null {
  return f.slab && !f.degenerate ? { alpha: f.slab.alpha, beta: f.slab.beta } : null;
}

export type { GGFit };

/**
 * Curves that draw a spike-and-slab fit over a density histogram of ALL the values (bin width
 * `binWidth`): the slab's density (1 - pi0) GG(x; alpha, beta) at `xs`, and the spike as a
 * vertical segment at 0 up to the density a bin holding mass pi0 would have (pi0 / binWidth).
 */
export function spikeSlabCurves(f: SparseGGFit, xs: number[], binWidth: number): { slab: { x: number[]; y: number[] } | null; spike: { x: number[]; y: number[] } | null } {
  const s = slabOf(f);
  const w = 1 - f.spike.pi0;
  const slab = s ? { x: xs, y: xs.map((x) => (x === 0 ? NaN : w * Math.exp(Math.log(s.beta) - Math.LN2 - Math.log(s.alpha) - lnGammaOf(1 / s.beta) - Math.pow(Math.abs(x) / s.alpha, s.beta)))) } : null;
  const spike = f.spike.pi0 > 0 ? { x: [0, 0], y: [(f.spike.pi0 / binWidth) * 1e-12, f.spike.pi0 / binWidth] } : null;
  return { slab, spike };
}
