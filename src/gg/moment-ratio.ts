/**
 * The authors' moment-ratio shape estimate (the "paper" estimator of BackSlash and DeepShape,
 * docs/training.md), beside rf8kit's MLE (fit.ts).
 *
 * It is a table lookup, not a root solve: over nu = 0.10, 0.11, ..., 3.00 (291 entries) the
 * table holds the GG moment ratio
 *
 *     R(nu) = Gamma(1/nu) Gamma(3/nu) / Gamma(2/nu)^2      ( = E[x^2] / E[|x|]^2 )
 *
 * and the estimate of a pool of n values is the table's nu whose R is nearest (absolute
 * difference; the first such entry on a tie) to
 *
 *     rho = n * sum(w^2) / (sum |w|)^2.
 *
 * std = sqrt(sum(w^2) / n) (the raw second moment: the law has location 0) and the GG scale
 * alpha = std * sqrt(Gamma(1/nu) / Gamma(3/nu)). One pass, no iteration; the result moves in
 * steps of 0.01 and is clamped to [0.1, 3] by construction. (rf8kit's `fitGG(.., { method:
 * 'moments' })` inverts the same ratio by bisection on a continuous range; this is the table.)
 */
import { lnGamma } from './special.js';

export const MR_NU_MIN = 0.1;
export const MR_NU_MAX = 3.0;
export const MR_NU_STEP = 0.01;
/** Number of table entries: nu_i = (10 + i) / 100, i = 0..290. */
export const MR_TABLE_SIZE = 291;

/** The GG moment ratio Gamma(1/nu) Gamma(3/nu) / Gamma(2/nu)^2 (1 / (E|x|)^2 per unit E x^2). */
export function ggMomentRatio(nu: number): number {
  if (!(nu > 0) || !Number.isFinite(nu)) throw new RangeError(`moment ratio: nu must be finite and > 0, got ${nu}`);
  return Math.exp(lnGamma(1 / nu) + lnGamma(3 / nu) - 2 * lnGamma(2 / nu));
}

let table: { nu: Float64Array; ratio: Float64Array } | undefined;

/** The authors' table: nu_i = (10 + i) / 100 and R(nu_i), i = 0..290 (R decreasing in nu). */
export function momentRatioTable(): { nu: Float64Array; ratio: Float64Array } {
  if (!table) {
    const nu = new Float64Array(MR_TABLE_SIZE);
    const ratio = new Float64Array(MR_TABLE_SIZE);
    for (let i = 0; i < MR_TABLE_SIZE; i++) {
      nu[i] = (10 + i) / 100;
      ratio[i] = ggMomentRatio(nu[i]!);
    }
    table = { nu, ratio };
  }
  return table;
}

/** Index of the table entry whose ratio is nearest to rho (first on a tie); -1 for NaN rho. */
export function momentRatioIndex(rho: number): number {
  if (Number.isNaN(rho)) return -1;
  const { ratio } = momentRatioTable();
  let best = 0;
  let bestD = Math.abs(rho - ratio[0]!);
  for (let i = 1; i < ratio.length; i++) {
    const d = Math.abs(rho - ratio[i]!);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

export interface MomentRatioEstimate {
  /** Values pooled (finite ones; non-finite values are skipped and counted). */
  n: number;
  nonFinite: number;
  sumSq: number;
  sumAbs: number;
  /** n sum(w^2) / (sum|w|)^2 (NaN when every value is zero). */
  rho: number;
  /** Table shape (NaN when every value is zero). */
  nu: number;
  /** sqrt(sum(w^2) / n). */
  std: number;
  /** std * sqrt(Gamma(1/nu) / Gamma(3/nu)) (0 when every value is zero). */
  alpha: number;
  /** Mean of the values (DeepShape centres its core on it). */
  mean: number;
}

/** The estimate from pooled sums (n values with these sums of squares / magnitudes / values). */
export function momentRatioFromSums(n: number, sumSq: number, sumAbs: number, sum = 0, nonFinite = 0): MomentRatioEstimate {
  const std = n > 0 ? Math.sqrt(sumSq / n) : NaN;
  if (!(sumAbs > 0)) return { n, nonFinite, sumSq, sumAbs, rho: NaN, nu: NaN, std, alpha: 0, mean: n > 0 ? sum / n : NaN };
  const rho = (n * sumSq) / (sumAbs * sumAbs);
  const nu = momentRatioTable().nu[momentRatioIndex(rho)]!;
  const alpha = std * Math.exp(0.5 * (lnGamma(1 / nu) - lnGamma(3 / nu)));
  return { n, nonFinite, sumSq, sumAbs, rho, nu, std, alpha, mean: sum / n };
}

/** The authors' estimate over one or more arrays pooled (every value of every array). */
export function momentRatioEstimate(...pools: ArrayLike<number>[]): MomentRatioEstimate {
  let n = 0;
  let bad = 0;
  let s2 = 0;
  let s1 = 0;
  let s = 0;
  for (const a of pools) {
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (x - x !== 0) {
        bad++;
        continue;
      }
      n++;
      s2 += x * x;
      s1 += x < 0 ? -x : x;
      s += x;
    }
  }
  return momentRatioFromSums(n, s2, s1, s, bad);
}
