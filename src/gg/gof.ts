/**
 * Goodness of fit: Kolmogorov-Smirnov distance to a fitted GG, and log-likelihood / AIC of the
 * GG fit against the zero-mean Gaussian and Laplace laws fitted by maximum likelihood
 * (sigma^2 = mean x^2, b = mean |x|). All three laws have location 0; GG has 2 free
 * parameters, Gaussian and Laplace 1 each (AIC = 2k - 2 loglik; lower is better).
 */
import { ggCdf } from './dist.js';
import { fitGG, type GGFit } from './fit.js';

type Data = Float32Array | Float64Array | ArrayLike<number>;

/** Finite values of `data`, sorted ascending, as a new Float64Array. */
export function sortedFinite(data: Data): Float64Array {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! - data[i]! === 0) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    if (x - x === 0) out[j++] = x;
  }
  return out.sort();
}

/** sup |F_n(x) - F(x)| for sorted finite data and a CDF. */
export function ksDistanceSorted(sorted: Float64Array, cdf: (x: number) => number): number {
  const n = sorted.length;
  let d = 0;
  let i = 0;
  while (i < n) {
    const x = sorted[i]!;
    let j = i;
    while (j + 1 < n && sorted[j + 1] === x) j++; // ties: the ECDF jumps once
    const f = cdf(x);
    const below = i / n;
    const above = (j + 1) / n;
    const dd = Math.max(f - below, above - f);
    if (dd > d) d = dd;
    i = j + 1;
  }
  return d;
}

/** KS distance between the finite values of `data` and GG(alpha, beta). */
export function ggKsDistance(data: Data, alpha: number, beta: number): number {
  const s = sortedFinite(data);
  if (s.length === 0) return NaN;
  return ksDistanceSorted(s, (x) => ggCdf(x, alpha, beta));
}

/**
 * Asymptotic Kolmogorov p-value for sqrt(n) D (parameters treated as known, so it is
 * conservative for fitted parameters).
 */
export function kolmogorovPValue(n: number, d: number): number {
  const t = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * d; // Stephens' small-n correction
  if (t < 0.2) return 1;
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * t * t);
    s += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, s));
}

export interface LawScore {
  loglik: number;
  aic: number;
  params: Record<string, number>;
}

export interface GGGoodness {
  n: number;
  ks: number;
  ksPValue: number;
  gg: LawScore;
  gaussian: LawScore;
  laplace: LawScore;
  /** Law with the lowest AIC ('none' when every value is zero: no law has a density there). */
  best: 'gg' | 'gaussian' | 'laplace' | 'none';
}

/** Gaussian (mean 0, MLE sigma) and Laplace (loc 0, MLE b) log-likelihoods from E x^2 and E|x|. */
export function gaussianLaplaceScores(n: number, meanSquare: number, meanAbs: number): { gaussian: LawScore; laplace: LawScore } {
  const s2 = meanSquare;
  const b = meanAbs;
  const llG = -0.5 * n * (Math.log(2 * Math.PI * s2) + 1);
  const llL = -n * (Math.log(2 * b) + 1);
  return {
    gaussian: { loglik: llG, aic: 2 - 2 * llG, params: { sigma: Math.sqrt(s2) } },
    laplace: { loglik: llL, aic: 2 - 2 * llL, params: { b } },
  };
}

/**
 * KS distance and loglik/AIC of a GG fit (computed here if not given) against Gaussian and
 * Laplace. `opts.ks` replaces the exact (sorting) KS distance, e.g. by ggKsBinned.
 */
export function ggGoodness(data: Data, fit?: GGFit, opts: { ks?: (data: Data, alpha: number, beta: number) => number } = {}): GGGoodness {
  const f = fit ?? fitGG(data);
  if (!(f.alpha > 0)) {
    const none: LawScore = { loglik: NaN, aic: NaN, params: {} };
    return { n: f.n, ks: NaN, ksPValue: NaN, gg: none, gaussian: none, laplace: none, best: 'none' };
  }
  const { gaussian, laplace } = gaussianLaplaceScores(f.n, f.meanSquare, f.meanAbs);
  const ks = f.alpha > 0 && f.beta > 0 ? (opts.ks ?? ggKsDistance)(data, f.alpha, f.beta) : NaN;
  const gg: LawScore = { loglik: f.loglik, aic: 4 - 2 * f.loglik, params: { alpha: f.alpha, beta: f.beta } };
  const cands: ['gg' | 'gaussian' | 'laplace', number][] = [
    ['gg', gg.aic],
    ['gaussian', gaussian.aic],
    ['laplace', laplace.aic],
  ];
  let best: 'gg' | 'gaussian' | 'laplace' = 'gg';
  let bestAic = Infinity;
  for (const [k, a] of cands) if (a < bestAic) [best, bestAic] = [k, a];
  return { n: f.n, ks, ksPValue: Number.isFinite(ks) ? kolmogorovPValue(f.n, ks) : NaN, gg, gaussian, laplace, best };
}
