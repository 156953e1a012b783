/**
 * Fitting GG(alpha, beta) (location 0) to a tensor.
 *
 * - `moments`: one pass. The ratio E|x| / sqrt(E x^2) = Gamma(2/b) / sqrt(Gamma(1/b) Gamma(3/b))
 *   is increasing in b; it is inverted by bisection on a scalar function, then alpha matches
 *   the first absolute moment E|x| (finite whenever the data are).
 * - `mle`: maximum likelihood. For a given beta the likelihood is maximized by the closed form
 *   alpha^beta = (beta/n) sum |x|^beta, which leaves the profile likelihood in beta alone.
 *   Its stationarity condition, multiplied by beta^2, is
 *
 *     g(b) = b + psi(1/b) + log(b A(b)) - b A'(b) / A(b) = 0,   A(b) = (1/n) sum |y|^b,
 *
 *   with derivative  g'(b) = 1 + 1/b - psi'(1/b)/b^2 - b Var_w(log|y|)  (weights |y|^b).
 *   One data pass evaluates A, A', A'' at a given b (sum of e, e*l, e*l^2 with e = exp(b*l)
 *   and l = log|x| - max log|x| <= 0, so nothing can overflow). A safeguarded Newton iteration
 *   (bracketed, geometric bisection when a step leaves the bracket) started from the moment
 *   estimate converges in a handful of passes.
 *
 * Non-finite values are counted and excluded. Zeros are kept (they add to n, not to the sums).
 */
import { InputError } from '../util/errors.js';
import { digamma, trigamma, lnGamma } from './special.js';

export const BETA_MIN = 0.02;
export const BETA_MAX = 100;

export interface GGFit {
  /** Scale (scipy gennorm `scale`). 0 when every finite value is zero. */
  alpha: number;
  /** Shape (scipy gennorm `beta`). NaN when every finite value is zero. */
  beta: number;
  /** Number of finite values used. */
  n: number;
  /** Number of non-finite values excluded (nan + posInf + negInf). */
  excluded: number;
  method: 'mle' | 'moments';
  nan: number;
  posInf: number;
  negInf: number;
  /** Finite values that are exactly zero. */
  zeros: number;
  /** Largest finite |x| (0 if none). */
  maxAbs: number;
  /**
   * The largest nonzero finite magnitudes, descending (up to `topK`, default 16), collected in
   * the same pass. gg scale selection treats them exactly and the law for the rest.
   */
  top: Float64Array;
  /** Mean of the finite values (the fit assumes location 0; a large mean earns a warning). */
  mean: number;
  /** E|x| and E x^2 over the finite values. */
  meanAbs: number;
  meanSquare: number;
  /** Log-likelihood of the finite data under the fitted law (NaN when degenerate). */
  loglik: number;
  /** Newton iterations (mle) and full data passes made. */
  iterations: number;
  passes: number;
  converged: boolean;
  /** True when the fit hit a limit (all zero, constant magnitude, beta clamped). */
  degenerate: boolean;
  warnings: string[];
}

export interface FitOptions {
  method?: 'mle' | 'moments';
  /** Relative tolerance on beta for the Newton iteration (default 1e-10). */
  tol?: number;
  /** Maximum Newton iterations (default 60). */
  maxIter?: number;
  /** How many of the largest magnitudes to keep in `top` (default 16). */
  topK?: number;
  /**
   * Working memory for the MLE's cached logs, at least `data.length` doubles (default: a new
   * array per call). Callers fitting several big tensors, or one tensor twice, pass one buffer
   * to keep the peak memory at one copy; its contents are overwritten, the result never keeps it.
   */
  scratch?: Float64Array;
  /**
   * Fit only the finite values with |x| > above (default: every finite value): the others are
   * left out as if absent (not counted in n, zeros or excluded). A slab without a copy.
   */
  above?: number;
}

type Data = Float32Array | Float64Array | ArrayLike<number>;

/** Mean-ratio function r(b) = log( Gamma(2/b) / sqrt(Gamma(1/b) Gamma(3/b)) ), increasing in b. */
function logRatio(b: number): number {
  return lnGamma(2 / b) - 0.5 * (lnGamma(1 / b) + lnGamma(3 / b));
}

/** Moment estimate of beta from rho = E|x| / sqrt(E x^2) (bisection in log beta). */
export function betaFromMomentRatio(rho: number): number {
  const target = Math.log(rho);
  if (!(target > logRatio(BETA_MIN))) return BETA_MIN;
  if (!(target < logRatio(BETA_MAX))) return BETA_MAX;
  let lo = Math.log(BETA_MIN);
  let hi = Math.log(BETA_MAX);
  for (let i = 0; i < 200 && hi - lo > 1e-13; i++) {
    const mid = 0.5 * (lo + hi);
    if (logRatio(Math.exp(mid)) < target) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

interface Pass1 {
  n: number;
  nan: number;
  posInf: number;
  negInf: number;
  zeros: number;
  maxAbs: number;
  sum: number;
  sumAbs: number;
  sumSq: number;
  /** E|x| / sqrt(E x^2), computed on scaled sums when the plain ones overflow. */
  rho: number;
  top: Float64Array;
}

/** Keeps the K largest values seen, ascending in `v[0..count)` (v[0] the smallest kept). */
class TopK {
  readonly v: Float64Array;
  count = 0;
  constructor(readonly K: number) {
    this.v = new Float64Array(K);
  }
  /** Smallest kept value once full (values not above it cannot enter), else -Infinity. */
  get floor(): number {
    return this.count < this.K ? -Infinity : this.v[0]!;
  }
  push(a: number): void {
    const v = this.v;
    let i: number;
    if (this.count < this.K) i = this.count++;
    else i = 0; // drop the smallest
    // sift: place a keeping v ascending
    if (i === 0 && this.count === this.K && this.K > 0) {
      let j = 0;
      while (j + 1 < this.K && v[j + 1]! < a) {
        v[j] = v[j + 1]!;
        j++;
      }
      v[j] = a;
    } else {
      let j = i;
      while (j > 0 && v[j - 1]! > a) {
        v[j] = v[j - 1]!;
        j--;
      }
      v[j] = a;
    }
  }
  descending(): Float64Array {
    const out = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.v[this.count - 1 - i]!;
    return out;
  }
}

function firstPass(data: Data, logs: Float64Array | null, topK: number, above: number): Pass1 {
  let n = 0;
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let zeros = 0;
  let maxAbs = 0;
  let sum = 0;
  let sumAbs = 0;
  let sumSq = 0;
  let nz = 0;
  const len = data.length;
  const top = new TopK(topK);
  let floor = topK > 0 ? -Infinity : Infinity;
  for (let i = 0; i < len; i++) {
    const x = data[i]!;
    if (x - x !== 0) {
      // NaN or +-Inf
      if (x !== x) nan++;
      else if (x > 0) posInf++;
      else negInf++;
      continue;
    }
    if ((x < 0 ? -x : x) <= above) continue;
    n++;
    if (x === 0) {
      zeros++;
      continue;
    }
    const a = x < 0 ? -x : x;
    sum += x;
    sumAbs += a;
    sumSq += a * a;
    if (a > maxAbs) maxAbs = a;
    if (a > floor) {
      top.push(a);
      floor = top.floor;
    }
    if (logs !== null) logs[nz++] = Math.log(a);
  }
  let rho = sumAbs / Math.sqrt(sumSq * n);
  if (!Number.isFinite(sumSq) || !Number.isFinite(sumAbs)) {
    // Only float64 data near the double range gets here: redo the sums scaled by maxAbs.
    sum = 0;
    sumAbs = 0;
    sumSq = 0;
    for (let i = 0; i < len; i++) {
      const x = data[i]!;
      if (x - x !== 0 || Math.abs(x) <= above) continue;
      const y = x / maxAbs;
      sum += y;
      sumAbs += Math.abs(y);
      sumSq += y * y;
    }
    rho = sumAbs / Math.sqrt(sumSq * n);
    sum *= maxAbs;
    sumAbs *= maxAbs;
    sumSq = sumSq * maxAbs * maxAbs; // may be Infinity: then only the ratio below is meaningful
  }
  return { n, nan, posInf, negInf, zeros, maxAbs, sum, sumAbs, sumSq, rho, top: top.descending() };
}

/** sum over nonzero finite |x| of (|x| / alpha)^beta, one pass. */
function sumPowScaled(data: Data, alpha: number, beta: number, above = 0): number {
  let s = 0;
  const la = Math.log(alpha);
  for (let i = 0, len = data.length; i < len; i++) {
    const x = data[i]!;
    if (x - x !== 0 || x === 0 || Math.abs(x) <= above) continue;
    s += Math.exp(beta * (Math.log(x < 0 ? -x : x) - la));
  }
  return s;
}

/** Log-likelihood of the finite values of `data` under GG(alpha, beta). */
export function ggLoglik(data: Data, alpha: number, beta: number): number {
  let n = 0;
  for (let i = 0, len = data.length; i < len; i++) {
    const x = data[i]!;
    if (x - x === 0) n++;
  }
  const c = Math.log(beta) - Math.LN2 - Math.log(alpha) - lnGamma(1 / beta);
  return n * c - sumPowScaled(data, alpha, beta);
}

/** Fit GG(alpha, beta) with location 0. Throws InputError when there is no finite value. */
export function fitGG(data: Data, opts: FitOptions = {}): GGFit {
  const method = opts.method ?? 'mle';
  if (method !== 'mle' && method !== 'moments') throw new InputError(`fitGG: unknown method '${String(method)}'`);
  if (opts.scratch !== undefined && !(opts.scratch instanceof Float64Array && opts.scratch.length >= data.length)) throw new RangeError(`fitGG: scratch must be a Float64Array of at least ${data.length} values`);
  const logs = method === 'mle' ? (opts.scratch ?? new Float64Array(data.length)) : null;
  const topK = opts.topK ?? 16;
  if (!Number.isInteger(topK) || topK < 0) throw new RangeError(`fitGG: topK must be a non-negative integer, got ${topK}`);
  const above = opts.above ?? -1;
  if (!(above === -1 || above >= 0)) throw new RangeError(`fitGG: above must be >= 0, got ${String(opts.above)}`);
  const p = firstPass(data, logs, topK, above);
  const excluded = p.nan + p.posInf + p.negInf;
  const warnings: string[] = [];
  if (excluded > 0) warnings.push(`${excluded} non-finite value(s) excluded (${p.nan} NaN, ${p.posInf} +Inf, ${p.negInf} -Inf)`);
  if (p.n === 0) {
    throw new InputError(data.length === 0 ? 'empty tensor: nothing to fit' : `no finite values (${excluded} non-finite): nothing to fit`);
  }
  const base = {
    n: p.n,
    excluded,
    method,
    nan: p.nan,
    posInf: p.posInf,
    negInf: p.negInf,
    zeros: p.zeros,
    maxAbs: p.maxAbs,
    top: p.top,
    mean: p.sum / p.n,
    meanAbs: p.sumAbs / p.n,
    meanSquare: p.sumSq / p.n,
  } as const;
  const nz = p.n - p.zeros;
  if (nz === 0) {
    warnings.push('every finite value is zero: alpha = 0, beta undefined');
    return { ...base, alpha: 0, beta: NaN, loglik: NaN, iterations: 0, passes: 1, converged: false, degenerate: true, warnings };
  }
  if (p.n < 16) warnings.push(`only ${p.n} finite value(s): the fit is unreliable`);
  if (p.zeros > 0.5 * p.n) warnings.push(`${p.zeros} of ${p.n} values are exactly zero: the law is not continuous`);
  const sd = Math.sqrt(base.meanSquare);
  if (Number.isFinite(sd) && Math.abs(base.mean) > 0.1 * sd && p.n >= 16) {
    warnings.push(`mean ${base.mean.toPrecision(3)} is ${(Math.abs(base.mean) / sd).toFixed(2)} of the RMS: the zero-location fit may not suit`);
  }

  // Moment estimate (also the Newton start).
  const betaM = betaFromMomentRatio(p.rho);

  if (method === 'moments') {
    const beta = betaM;
    // alpha from E|x| (finite whenever the data are): E|x| = alpha Gamma(2/b) / Gamma(1/b)
    const alpha = base.meanAbs * Math.exp(lnGamma(1 / beta) - lnGamma(2 / beta));
    let degenerate = false;
    if (beta >= BETA_MAX || beta <= BETA_MIN) {
      degenerate = true;
      warnings.push(`moment estimate of beta clamped to ${beta}`);
    }
    const ll = Number.isFinite(alpha) && alpha > 0 ? p.n * (Math.log(beta) - Math.LN2 - Math.log(alpha) - lnGamma(1 / beta)) - sumPowScaled(data, alpha, beta, Math.max(0, above)) : NaN;
    return { ...base, alpha, beta, loglik: ll, iterations: 0, passes: 2, converged: true, degenerate, warnings };
  }

  // MLE on the logs, shifted so that l <= 0.
  const L = logs!;
  let lmax = -Infinity;
  for (let i = 0; i < nz; i++) if (L[i]! > lmax) lmax = L[i]!;
  const n = p.n;
  const tol = opts.tol ?? 1e-10;
  const maxIter = opts.maxIter ?? 60;
  let passes = 1;

  // One pass: A, A'/A, Var_w(l) at b.
  let A = 0;
  let logA = 0;
  let d1 = 0; // A'/A
  let varw = 0; // A''/A - (A'/A)^2
  const evalAt = (b: number): void => {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    for (let i = 0; i < nz; i++) {
      const l = L[i]! - lmax;
      const e = Math.exp(b * l);
      const el = e * l;
      t0 += e;
      t1 += el;
      t2 += el * l;
    }
    passes++;
    A = t0 / n;
    logA = Math.log(A);
    d1 = t1 / t0;
    varw = Math.max(0, t2 / t0 - d1 * d1);
  };
  const gOf = (b: number): number => b + digamma(1 / b) + Math.log(b) + logA - b * d1;
  const gPrime = (b: number): number => 1 + 1 / b - trigamma(1 / b) / (b * b) - b * varw;

  let lo = BETA_MIN;
  let hi = BETA_MAX;
  let evaluatedAt = NaN;
  let b = Math.min(Math.max(betaM, 0.05), 20);
  let converged = false;
  let iterations = 0;
  let degenerate = false;
  for (; iterations < maxIter; iterations++) {
    evalAt(b);
    evaluatedAt = b;
    const g = gOf(b);
    if (g > 0) lo = b;
    else hi = b;
    const gp = gPrime(b);
    let next: number;
    if (gp < 0 && Number.isFinite(gp)) next = b - g / gp;
    else next = g > 0 ? b * 4 : b / 4;
    // Keep steps within a factor 4 and inside the bracket; else bisect geometrically.
    next = Math.min(Math.max(next, b / 4), b * 4);
    if (!(next > lo && next < hi)) {
      next = Math.sqrt(lo * hi);
    }
    if (Math.abs(next - b) <= tol * b) {
      converged = true;
      iterations++;
      break;
    }
    if (gp < 0 && Math.abs(next - b) <= 1e-6 * b && next > lo && next < hi) {
      // Newton converges quadratically: after a step this small the error left is ~1e-12
      // relative, so take the step without another pass; log A moves to first order,
      // d log A / db = A'/A, with an O(step^2) error that is below 1e-12 too.
      logA += (next - b) * d1;
      b = next;
      evaluatedAt = b;
      converged = true;
      iterations++;
      break;
    }
    if (hi / lo - 1 <= tol) {
      // bracket collapsed onto a limit
      b = g > 0 ? hi : lo;
      iterations++;
      break;
    }
    b = next;
  }
  if (b >= BETA_MAX * (1 - 1e-6)) {
    degenerate = true;
    warnings.push(`magnitudes are (nearly) constant: beta -> infinity, clamped to ${BETA_MAX}`);
    b = BETA_MAX;
  } else if (b <= BETA_MIN * (1 + 1e-6)) {
    degenerate = true;
    warnings.push(`likelihood grows as beta -> 0 (mass at zero): beta clamped to ${BETA_MIN}`);
    b = BETA_MIN;
  } else if (!converged) {
    warnings.push(`MLE did not converge in ${maxIter} iterations`);
  }
  if (b !== evaluatedAt) evalAt(b);
  // alpha closed form at the final beta (A was evaluated at b).
  const alpha = Math.exp(lmax + (Math.log(b) + logA) / b);
  const loglik = n * (Math.log(b) - Math.LN2 - Math.log(alpha) - lnGamma(1 / b) - 1 / b);
  return { ...base, alpha, beta: b, loglik, iterations, passes, converged, degenerate, warnings };
}
