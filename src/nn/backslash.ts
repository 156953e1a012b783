/**
 * BackSlash: rate-constrained training. The rate of a weight tensor is its generalized-Gaussian
 * code length in bits with the constants dropped,
 *
 *     R(w) = sum_i |w_i / alpha|^beta / ln 2,
 *
 * (-log2 of the GG density, less the terms that do not depend on w). alpha and beta are
 * re-estimated per tensor (maximum likelihood, src/gg fitGG) every K steps and held fixed in
 * between, so the gradient flows only through |w|^beta.
 *
 * The beta < 1 singularity. d|w|^beta/dw = beta |w|^(beta-1) sign(w) is unbounded at w = 0
 * when beta < 1 (and not differentiable at 0 for beta = 1). We replace |w| by the smoothed
 * magnitude sqrt(w^2 + eps^2) with eps = epsRel * alpha (default epsRel = 0.01):
 *   - for |w| >> eps the term is unchanged;
 *   - for |w| << eps it is quadratic, eps^beta (1 + beta w^2 / (2 eps^2)), i.e. a weight decay
 *     of strength beta eps^(beta-2) / alpha^beta that pulls w smoothly into [-eps, eps] instead
 *     of making it oscillate across 0 with an infinite gradient;
 *   - the largest gradient is bounded by about beta / alpha * (eps / alpha)^(beta - 1) / ln 2.
 * The quantizer used after training has a step far above eps, so the weights held in
 * [-eps, eps] all become exact zeros there.
 * beta is clamped to [betaMin, betaMax] = [0.3, 2.5] before use (a fit below 0.3 only makes
 * the pull toward 0 stiffer without changing which weights go to 0).
 *
 * The training loss is  task loss (nats) + lambda * R_total / N_rate, i.e. lambda multiplies
 * the GG rate in bits per rate-carrying parameter (dense weights and embeddings; biases and
 * LayerNorm parameters carry no rate term).
 */
import { fitGG } from '../gg/index.js';
import { isRateParam, numel, type Getter, type ParamSpec, type Values } from './params.js';
import { tf } from './tf.js';

export interface RateConfig {
  /** Smoothing of |w| near 0: eps = epsRel * alpha. */
  epsRel: number;
  betaMin: number;
  betaMax: number;
  /** Hold beta at this value (DeepShape's recovery fine-tune); alpha is then the MLE at that beta. */
  fixedBeta?: number;
}

export const DEFAULT_RATE: RateConfig = { epsRel: 0.01, betaMin: 0.3, betaMax: 2.5 };

/** The GG law used for one tensor's rate term until the next re-estimation. */
export interface TensorLaw {
  name: string;
  alpha: number;
  beta: number;
  /** Unclamped MLE beta of the fit (NaN when beta is fixed). */
  betaFit: number;
  n: number;
}

/** MLE alpha at a fixed beta: alpha^beta = (beta / n) sum |x|^beta. */
export function alphaAtBeta(x: Float32Array, beta: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.pow(Math.abs(x[i]!), beta);
  return Math.pow((beta / x.length) * s, 1 / beta);
}

/** Re-estimate (alpha, beta) of every rate-carrying tensor. */
export function fitLaws(specs: ParamSpec[], values: Values, cfg: RateConfig = DEFAULT_RATE): TensorLaw[] {
  const out: TensorLaw[] = [];
  for (const s of specs) {
    if (!isRateParam(s)) continue;
    const v = values.get(s.name)!;
    if (cfg.fixedBeta !== undefined) {
      out.push({ name: s.name, alpha: alphaAtBeta(v, cfg.fixedBeta), beta: cfg.fixedBeta, betaFit: NaN, n: v.length });
      continue;
    }
    const f = fitGG(v, { method: 'mle' });
    const beta = Math.min(cfg.betaMax, Math.max(cfg.betaMin, Number.isFinite(f.beta) ? f.beta : 2));
    const alpha = beta === f.beta ? f.alpha : alphaAtBeta(v, beta);
    out.push({ name: s.name, alpha: alpha > 0 ? alpha : 1e-8, beta, betaFit: f.beta, n: v.length });
  }
  return out;
}

/** Total GG rate in bits (smoothed magnitude), as a differentiable tfjs scalar. */
export function rateTerm(get: Getter, laws: TensorLaw[], epsRel: number): tf.Scalar {
  let total: tf.Tensor = tf.scalar(0);
  for (const L of laws) {
    const w = get(L.name);
    const eps2 = (epsRel * L.alpha) ** 2;
    const mag = tf.sqrt(tf.add(tf.square(w), eps2));
    total = tf.add(total, tf.sum(tf.pow(tf.div(mag, L.alpha), L.beta)));
  }
  return tf.div(total, Math.LN2) as tf.Scalar;
}

/** The same rate in bits, computed in doubles from values (for logs and tests). */
export function rateBits(values: Values, laws: TensorLaw[], epsRel: number): number {
  let total = 0;
  for (const L of laws) {
    const v = values.get(L.name)!;
    const e2 = (epsRel * L.alpha) ** 2;
    let s = 0;
    for (let i = 0; i < v.length; i++) s += Math.pow(Math.sqrt(v[i]! * v[i]! + e2) / L.alpha, L.beta);
    total += s;
  }
  return total / Math.LN2;
}

/** Number of parameters that carry the rate term. */
export function rateParamCount(specs: ParamSpec[]): number {
  return specs.filter(isRateParam).reduce((a, s) => a + numel(s.shape), 0);
}
