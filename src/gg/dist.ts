/**
 * The zero-mean generalized Gaussian law GG(alpha, beta):
 *
 *   f(x) = beta / (2 alpha Gamma(1/beta)) * exp(-(|x| / alpha)^beta)
 *
 * (scipy.stats.gennorm with shape beta, loc 0 and scale alpha). beta = 2 is the Gaussian with
 * sigma = alpha / sqrt(2), beta = 1 the Laplace law with b = alpha. With u = (|x|/alpha)^beta,
 * |X| has u ~ Gamma(1/beta, 1), so the CDF and every partial moment is a regularized incomplete
 * gamma function:  P(|X| <= x) = P(1/beta, u),  E[|X|^r; |X| <= x] = alpha^r
 * Gamma((r+1)/beta) / Gamma(1/beta) * P((r+1)/beta, u).
 */
import { gammaP, gammaQ, gammaPInv, gammaPDiff, lnGamma } from './special.js';

function checkParams(alpha: number, beta: number): void {
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new RangeError(`GG: alpha must be finite and > 0, got ${alpha}`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new RangeError(`GG: beta must be finite and > 0, got ${beta}`);
}

/** log of the normalizing constant beta / (2 alpha Gamma(1/beta)). */
export function ggLogNorm(alpha: number, beta: number): number {
  return Math.log(beta) - Math.LN2 - Math.log(alpha) - lnGamma(1 / beta);
}

/** Log-density. */
export function ggLogPdf(x: number, alpha: number, beta: number): number {
  checkParams(alpha, beta);
  if (Number.isNaN(x)) return NaN;
  return ggLogNorm(alpha, beta) - Math.pow(Math.abs(x) / alpha, beta);
}

/** Density. */
export function ggPdf(x: number, alpha: number, beta: number): number {
  return Math.exp(ggLogPdf(x, alpha, beta));
}

/** CDF, accurate in both tails (the lower tail is computed from the upper incomplete gamma). */
export function ggCdf(x: number, alpha: number, beta: number): number {
  checkParams(alpha, beta);
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return 0.5;
  const u = Math.pow(Math.abs(x) / alpha, beta);
  const q = 0.5 * gammaQ(1 / beta, u); // P(X > |x|)
  return x < 0 ? q : 1 - q;
}

/** Survival function P(X > x), accurate in the upper tail. */
export function ggSf(x: number, alpha: number, beta: number): number {
  return ggCdf(-x, alpha, beta);
}

/** Quantile: the x with ggCdf(x) = p. */
export function ggQuantile(p: number, alpha: number, beta: number): number {
  checkParams(alpha, beta);
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  const tail = p < 0.5 ? 2 * p : 2 * (1 - p); // = Q(1/beta, u)
  const u = gammaPInv(tail, 1 / beta, true);
  const x = alpha * Math.pow(u, 1 / beta);
  return p < 0.5 ? -x : x;
}

/** E|X|^r = alpha^r Gamma((r+1)/beta) / Gamma(1/beta) (r > -1). */
export function ggAbsMoment(r: number, alpha: number, beta: number): number {
  checkParams(alpha, beta);
  return Math.exp(r * Math.log(alpha) + lnGamma((r + 1) / beta) - lnGamma(1 / beta));
}

/** Variance alpha^2 Gamma(3/beta) / Gamma(1/beta). */
export function ggVariance(alpha: number, beta: number): number {
  return ggAbsMoment(2, alpha, beta);
}

/** The alpha that gives variance `variance` at shape beta. */
export function ggAlphaForVariance(variance: number, beta: number): number {
  return Math.sqrt(variance * Math.exp(lnGamma(1 / beta) - lnGamma(3 / beta)));
}

/** Excess kurtosis Gamma(5/b) Gamma(1/b) / Gamma(3/b)^2 - 3. */
export function ggExcessKurtosis(beta: number): number {
  return Math.exp(lnGamma(5 / beta) + lnGamma(1 / beta) - 2 * lnGamma(3 / beta)) - 3;
}

/** Differential entropy in nats: 1/beta - log(beta / (2 alpha Gamma(1/beta))). */
export function ggEntropy(alpha: number, beta: number): number {
  checkParams(alpha, beta);
  return 1 / beta - ggLogNorm(alpha, beta);
}

/**
 * Partial absolute moment E[|X|^r ; a <= |X| < b] for 0 <= a <= b <= Infinity (both signs of X
 * counted), from the incomplete gamma function of the tail that avoids cancellation.
 */
export function ggPartialMoment(r: number, a: number, b: number, alpha: number, beta: number): number {
  if (!(b > a)) return 0;
  const s = (r + 1) / beta;
  const ua = a <= 0 ? 0 : Math.pow(a / alpha, beta);
  const ub = b === Infinity ? Infinity : Math.pow(b / alpha, beta);
  const d = gammaPDiff(s, ua, ub);
  if (d === 0) return 0;
  return Math.exp(r * Math.log(alpha) + lnGamma(s) - lnGamma(1 / beta)) * d;
}

/** P(|X| <= x). */
export function ggAbsCdf(x: number, alpha: number, beta: number): number {
  if (x <= 0) return 0;
  return gammaP(1 / beta, Math.pow(x / alpha, beta));
}
