/**
 * Quantizer bounds and expected distortion for a GG law.
 *
 * A symmetric scalar quantizer is described by its non-negative reconstruction points
 * 0 <= p_0 < p_1 < ... < p_K (a 0 point is shared by both signs) with nearest-point decisions
 * and saturation above p_K, i.e. exactly what round-to-nearest encoding into a saturating
 * format does. Its mean squared error under GG(alpha, beta) is, cell by cell,
 *   E[(|X| - p)^2 ; cell] = M2 - 2 p M1 + p^2 M0,
 * where M_r are the partial moments of |X| over the cell: incomplete gamma functions at
 * s = (r+1)/beta (see dist.ts), evaluated from the tail that avoids cancellation. No
 * sampling, no quadrature.
 *
 * The Lloyd-Max quantizer alternates centroid and midpoint conditions with the same partial
 * moments, started from the Panter-Dite companding points (the point density f^(1/3), which
 * for GG(alpha, beta) is the GG(3^(1/beta) alpha, beta) law).
 */
import { gammaP, gammaQ, gammaPInv, lnGamma } from './special.js';

/** Tail-aware boundary values of P(s, u): P itself when u < s, else Q (flag set). */
class Boundary {
  readonly v: Float64Array;
  readonly upper: Uint8Array;
  constructor(n: number) {
    this.v = new Float64Array(n);
    this.upper = new Uint8Array(n);
  }
  set(i: number, s: number, u: number): void {
    if (u === Infinity) {
      this.v[i] = 0;
      this.upper[i] = 1;
    } else if (u < s) {
      this.v[i] = gammaP(s, u);
      this.upper[i] = 0;
    } else {
      this.v[i] = gammaQ(s, u);
      this.upper[i] = 1;
    }
  }
  /** P(s, u_j) - P(s, u_i) for i < j. */
  diff(i: number, j: number): number {
    const ui = this.upper[i]!;
    const uj = this.upper[j]!;
    const vi = this.v[i]!;
    const vj = this.v[j]!;
    if (ui && uj) return vi - vj;
    if (!ui && !uj) return vj - vi;
    if (!ui && uj) return 1 - vj - vi;
    return vi - vj; // cannot happen for u_i <= u_j; kept total
  }
}

/**
 * Incomplete-gamma values at standardized thresholds, reusable across calls with the same
 * beta (a float grid at scale X - 1 shares most midpoints with the grid at X, halved).
 */
export class GridMseCache {
  readonly map = new Map<number, Float64Array>();
  constructor(readonly beta: number) {}
}

/** Work space for the three partial moments at a set of thresholds (standardized alpha = 1). */
class Moments {
  readonly b0: Boundary;
  readonly b1: Boundary;
  readonly b2: Boundary;
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
  readonly c1: number; // Gamma(2/b)/Gamma(1/b)
  readonly c2: number; // Gamma(3/b)/Gamma(1/b)
  constructor(readonly beta: number, nThresholds: number) {
    this.b0 = new Boundary(nThresholds);
    this.b1 = new Boundary(nThresholds);
    this.b2 = new Boundary(nThresholds);
    this.s0 = 1 / beta;
    this.s1 = 2 / beta;
    this.s2 = 3 / beta;
    const lg = lnGamma(this.s0);
    this.c1 = Math.exp(lnGamma(this.s1) - lg);
    this.c2 = Math.exp(lnGamma(this.s2) - lg);
  }
  setThreshold(i: number, t: number, cache?: GridMseCache): void {
    if (cache) {
      const hit = cache.map.get(t);
      if (hit) {
        this.b0.v[i] = hit[0]!;
        this.b1.v[i] = hit[1]!;
        this.b2.v[i] = hit[2]!;
        this.b0.upper[i] = hit[3]!;
        this.b1.upper[i] = hit[4]!;
        this.b2.upper[i] = hit[5]!;
        return;
      }
    }
    const u = t <= 0 ? 0 : t === Infinity ? Infinity : Math.pow(t, this.beta);
    this.b0.set(i, this.s0, u);
    this.b1.set(i, this.s1, u);
    this.b2.set(i, this.s2, u);
    if (cache) {
      cache.map.set(
        t,
        Float64Array.of(this.b0.v[i]!, this.b1.v[i]!, this.b2.v[i]!, this.b0.upper[i]!, this.b1.upper[i]!, this.b2.upper[i]!),
      );
    }
  }
  /** Two-sided partial moments E[|X|^r ; t_i <= |X| < t_j], r = 0, 1, 2. */
  m0(i: number, j: number): number {
    return this.b0.diff(i, j);
  }
  m1(i: number, j: number): number {
    return this.c1 * this.b1.diff(i, j);
  }
  m2(i: number, j: number): number {
    return this.c2 * this.b2.diff(i, j);
  }
}

/**
 * Expected squared error of the symmetric nearest-point quantizer with non-negative points
 * `points` (sorted ascending, saturating above the last) under GG(alpha, beta).
 *
 * `cuts` (optional): the decision thresholds of a monotone quantizer that is not nearest-point
 * (cuts[i] between points[i] and points[i + 1], ascending; e.g. the authors' greedy RF8
 * rounding, whose thresholds are irrational); the midpoints when absent.
 *
 * `truncate` (optional): the law conditioned on |X| <= truncate. Scale selection passes the
 * tensor's largest magnitude: the data holds nothing beyond it, and without the truncation a
 * heavy-tailed law charges every scale for clipping events the tensor does not contain.
 */
export function ggGridMse(alpha: number, beta: number, points: ArrayLike<number>, truncate = Infinity, cache?: GridMseCache, cuts?: ArrayLike<number>): number {
  const K = points.length;
  if (K === 0) throw new RangeError('ggGridMse: no points');
  if (cuts && cuts.length !== K - 1) throw new RangeError(`ggGridMse: ${cuts.length} cuts for ${K} points (need ${K - 1})`);
  if (!(truncate > 0)) return 0;
  if (cache && cache.beta !== beta) throw new RangeError(`ggGridMse: cache is for beta ${cache.beta}, not ${beta}`);
  const T = truncate / alpha;
  const mo = new Moments(beta, K + 1);
  // thresholds in standardized units: 0, midpoints, Infinity; all capped at T
  mo.setThreshold(0, 0);
  let top = K; // cells at and above `top` are empty (their thresholds are all capped at T)
  for (let i = 1; i < K; i++) {
    const t = (cuts ? cuts[i - 1]! : (points[i - 1]! + points[i]!) / 2) / alpha;
    if (t >= T) {
      top = i;
      break;
    }
    mo.setThreshold(i, t, cache);
  }
  mo.setThreshold(top, T, cache);
  let d = 0;
  for (let i = 0; i < top; i++) {
    const p = points[i]! / alpha;
    const m0 = mo.m0(i, i + 1);
    if (m0 === 0) continue;
    const cell = mo.m2(i, i + 1) - 2 * p * mo.m1(i, i + 1) + p * p * m0;
    d += Math.max(0, cell);
  }
  const mass = T === Infinity ? 1 : mo.m0(0, top);
  return (d / mass) * alpha * alpha;
}

/** SQNR in dB of a symmetric grid under GG(alpha, beta): 10 log10(E X^2 / MSE). */
export function ggGridSqnrDb(alpha: number, beta: number, points: ArrayLike<number>): number {
  const v = alpha * alpha * Math.exp(lnGamma(3 / beta) - lnGamma(1 / beta));
  return 10 * Math.log10(v / ggGridMse(alpha, beta, points));
}

export interface LloydMaxResult {
  levels: number;
  /** Non-negative reconstruction points (levels / 2 of them; the quantizer is symmetric). */
  points: Float64Array;
  /** Decision thresholds between consecutive points (levels / 2 - 1 of them). */
  thresholds: Float64Array;
  mse: number;
  sqnrDb: number;
  /** Newton steps plus any plain Lloyd sweeps. */
  iterations: number;
  converged: boolean;
  /** Largest relative violation of the midpoint condition, |(y_{i-1} + y_i)/2 - t_i| / t_i. */
  residual: number;
}

/**
 * Lloyd-Max quantizer with `levels` (even) reconstruction levels for GG(alpha, beta).
 *
 * The two Lloyd-Max conditions (points at the centroids of their cells, thresholds midway
 * between points) are solved as F(t) = (y_{i-1}(t) + y_i(t))/2 - t_i = 0 for the K - 1 inner
 * thresholds of the positive half. Each centroid depends only on its two thresholds, so the
 * Jacobian of F is tridiagonal, with exact entries dy/db = g(b)(b - y)/M0 and
 * dy/da = g(a)(y - a)/M0 (g the density of |X|); Newton steps (Thomas algorithm, step halving
 * to keep the thresholds ordered and |F| falling) from the Panter-Dite start converge
 * quadratically where plain Lloyd iteration needs tens of thousands of sweeps. If Newton stalls,
 * plain Lloyd iterations take over.
 */
export function lloydMax(alpha: number, beta: number, levels = 256, opts: { tol?: number; maxIter?: number } = {}): LloydMaxResult {
  if (!Number.isInteger(levels) || levels < 2 || levels % 2 !== 0) throw new RangeError(`lloydMax: levels must be an even integer >= 2, got ${levels}`);
  if (!(alpha > 0) || !(beta > 0) || !Number.isFinite(alpha) || !Number.isFinite(beta)) throw new RangeError(`lloydMax: bad GG parameters (${alpha}, ${beta})`);
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 200;
  const K = levels / 2;
  const mo = new Moments(beta, K + 1);
  const t = new Float64Array(K + 1); // standardized thresholds, t[0] = 0, t[K] = Inf
  const y = new Float64Array(K);
  const m0 = new Float64Array(K);
  const lgN = Math.log(beta) - lnGamma(1 / beta); // log density of |X| at 0 (alpha = 1)
  const g = (x: number): number => (x === Infinity ? 0 : Math.exp(lgN - Math.pow(x, beta)));
  // Panter-Dite start: |X| quantiles of GG(3^(1/beta), beta) at i/K.
  const sc = Math.pow(3, 1 / beta);
  t[K] = Infinity;
  for (let i = 1; i < K; i++) {
    const p = i / K;
    const u = p < 0.5 ? gammaPInv(p, 1 / beta) : gammaPInv(1 - p, 1 / beta, true);
    t[i] = sc * Math.pow(u, 1 / beta);
  }
  for (let i = 0; i <= K; i++) mo.setThreshold(i, t[i]!);

  const centroids = (): void => {
    for (let i = 0; i < K; i++) {
      const a = mo.m0(i, i + 1);
      m0[i] = a;
      y[i] = a > 0 ? mo.m1(i, i + 1) / a : t[i + 1] === Infinity ? t[i]! : 0.5 * (t[i]! + t[i + 1]!);
    }
  };
  const residual = (F: Float64Array): number => {
    let worst = 0;
    for (let i = 1; i < K; i++) {
      const f = 0.5 * (y[i - 1]! + y[i]!) - t[i]!;
      F[i] = f;
      const r = Math.abs(f) / t[i]!;
      if (r > worst) worst = r;
    }
    return worst;
  };
  const F = new Float64Array(K);
  const lower = new Float64Array(K);
  const diag = new Float64Array(K);
  const upper = new Float64Array(K);
  const delta = new Float64Array(K);
  const tOld = new Float64Array(K + 1);
  centroids();
  let res = residual(F);
  let iterations = 0;
  let converged = res <= tol;
  let lloydSweeps = 0;
  while (!converged && iterations < maxIter) {
    iterations++;
    // Jacobian (tridiagonal) of F with respect to t_1..t_{K-1}.
    for (let i = 1; i < K; i++) {
      // dy_{i-1}/dt_{i-1}, dy_{i-1}/dt_i, dy_i/dt_i, dy_i/dt_{i+1}
      const a0 = m0[i - 1]! > 0 ? (g(t[i - 1]!) * (y[i - 1]! - t[i - 1]!)) / m0[i - 1]! : 0;
      const a1 = m0[i - 1]! > 0 ? (g(t[i]!) * (t[i]! - y[i - 1]!)) / m0[i - 1]! : 0;
      const b0 = m0[i]! > 0 ? (g(t[i]!) * (y[i]! - t[i]!)) / m0[i]! : 0;
      const b1 = m0[i]! > 0 && t[i + 1] !== Infinity ? (g(t[i + 1]!) * (t[i + 1]! - y[i]!)) / m0[i]! : 0;
      lower[i] = i > 1 ? 0.5 * a0 : 0;
      diag[i] = 0.5 * (a1 + b0) - 1;
      upper[i] = i < K - 1 ? 0.5 * b1 : 0;
    }
    // Thomas algorithm: J delta = -F
    for (let i = 1; i < K; i++) delta[i] = -F[i]!;
    for (let i = 2; i < K; i++) {
      const w = lower[i]! / diag[i - 1]!;
      diag[i] = diag[i]! - w * upper[i - 1]!;
      delta[i] = delta[i]! - w * delta[i - 1]!;
    }
    delta[K - 1] = delta[K - 1]! / diag[K - 1]!;
    for (let i = K - 2; i >= 1; i--) delta[i] = (delta[i]! - upper[i]! * delta[i + 1]!) / diag[i]!;
    // Step halving: thresholds stay increasing and the residual falls.
    tOld.set(t);
    let step = 1;
    let accepted = false;
    for (let h = 0; h < 40; h++, step *= 0.5) {
      let ok = true;
      for (let i = 1; i < K; i++) {
        const v = tOld[i]! + step * delta[i]!;
        if (!(v > t[i - 1]!) || !Number.isFinite(v)) {
          ok = false;
          break;
        }
        t[i] = v;
      }
      if (!ok) {
        t.set(tOld);
        continue;
      }
      for (let i = 1; i < K; i++) mo.setThreshold(i, t[i]!);
      centroids();
      const r = residual(F);
      if (r < res) {
        res = r;
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      // Newton stalled (at rounding level, or far from the solution): plain Lloyd sweeps.
      t.set(tOld);
      for (let s = 0; s < 50; s++) {
        lloydSweeps++;
        for (let i = 0; i <= K; i++) mo.setThreshold(i, t[i]!);
        centroids();
        for (let i = 1; i < K; i++) t[i] = 0.5 * (y[i - 1]! + y[i]!);
      }
      for (let i = 0; i <= K; i++) mo.setThreshold(i, t[i]!);
      centroids();
      const r = residual(F);
      if (!(r < res)) break; // nothing improves any more
      res = r;
    }
    converged = res <= tol;
  }
  // Distortion at the final thresholds with the centroid points: sum M2 - y M1.
  let d = 0;
  for (let i = 0; i < K; i++) if (m0[i]! > 0) d += Math.max(0, mo.m2(i, i + 1) - y[i]! * mo.m1(i, i + 1));
  const variance = Math.exp(lnGamma(3 / beta) - lnGamma(1 / beta));
  const points = new Float64Array(K);
  const thresholds = new Float64Array(K - 1);
  for (let i = 0; i < K; i++) points[i] = alpha * y[i]!;
  for (let i = 1; i < K; i++) thresholds[i - 1] = alpha * t[i]!;
  return {
    levels,
    points,
    thresholds,
    mse: d * alpha * alpha,
    sqnrDb: 10 * Math.log10(variance / d),
    iterations: iterations + lloydSweeps,
    converged: converged || res <= 1e-9,
    residual: res,
  };
}

/**
 * Panter-Dite high-resolution approximation of the optimal `levels`-level quantizer:
 * D = (integral f^(1/3))^3 / (12 N^2), which for GG gives
 * SQNR = 12 N^2 Gamma(3/b) Gamma(1/b)^2 b^2 / (4 * 3^(3/b) * Gamma(1/b)^3)  (alpha-free).
 */
export function panterDiteSqnrDb(beta: number, levels = 256): number {
  // (int f^(1/3))^3 = 4 alpha^2 beta 3^(3/beta) Gamma(1 + 1/beta)^3 / Gamma(1/beta)
  // variance = alpha^2 Gamma(3/beta) / Gamma(1/beta)
  const lg1 = lnGamma(1 / beta);
  const lgP1 = lg1 - Math.log(beta); // ln Gamma(1 + 1/beta)
  const logRatio = Math.log(12 * levels * levels) + lnGamma(3 / beta) - (Math.log(4 * beta) + (3 / beta) * Math.log(3) + 3 * lgP1);
  return (10 * logRatio) / Math.LN10;
}
