/**
 * The authors' algorithms ("paper" variants), as their published code runs them
 * (docs/training.md, "The authors' variants"; rf8kit's own variants are params.ts, backslash.ts and
 * deepshape.ts). Each function reads top to bottom like the algorithm it is.
 *
 *   ggInitPaper         GG initialization: every 2-D weight ~ GG(shape, alpha) with
 *                       Var = xi / n_dim, n_dim the first dimension of the PyTorch weight.
 *   backslashShrink     one BackSlash step, run after EVERY optimizer step: pooled moment-ratio
 *                       nu over all parameters, then w <- w - (rdo nu / n) sign(w) (|w| + clip)^(nu-1).
 *   deepshapePaper      histogram equalization of the pooled parameters on the 2^-13 grid.
 */
import { ggAlphaForVariance, momentRatioEstimate, momentRatioFromSums, sampleGG } from '../gg/index.js';
import { InputError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import { numel, type ParamSpec, type Values } from './params.js';

// ---------------------------------------------------------------------------------------------
// GG initialization

export interface PaperInitConfig {
  /** GG shape of the draw (the authors' default 2: Gaussian). */
  shape: number;
  /** 2 for ReLU, 1 for sigmoid / no activation, 2 / (1 + k^2) for leaky ReLU of slope k. */
  xi: number;
}

export const DEFAULT_PAPER_INIT: PaperInitConfig = { shape: 2, xi: 2 };

/**
 * n_dim as the authors take it: the first dimension of the PyTorch weight. A Linear weight is
 * [out, in] in PyTorch and [in, out] here (tfjs kernel layout), so n_dim = shape[1] = the number
 * of outputs; an embedding table is [rows, d] in both, so n_dim = shape[0].
 */
export function paperNDim(s: ParamSpec): number {
  if (s.shape.length !== 2) throw new Error(`paperNDim: ${s.name} is not 2-D`);
  return s.role === 'weight' ? s.shape[1]! : s.shape[0]!;
}

/** Fresh values: 2-D tensors GG(shape, alpha) with alpha^2 = xi / n_dim * Gamma(1/shape) / Gamma(3/shape); gains 1, biases and shifts 0. */
export function ggInitPaper(specs: ParamSpec[], cfg: PaperInitConfig, rng: Rng): Values {
  if (!(cfg.shape > 0 && cfg.shape <= 20)) throw new InputError(`GG init shape must be in (0, 20], got ${cfg.shape}`);
  if (!(cfg.xi > 0 && Number.isFinite(cfg.xi))) throw new InputError(`GG init xi must be finite and > 0, got ${cfg.xi}`);
  const out: Values = new Map();
  for (const s of specs) {
    const n = numel(s.shape);
    const v = new Float32Array(n);
    if (s.shape.length === 2) {
      const alpha = ggAlphaForVariance(cfg.xi / paperNDim(s), cfg.shape);
      v.set(sampleGG(rng, alpha, cfg.shape, n));
    } else if (s.role === 'gain') v.fill(1); // 1-D "weight" (norm gain)
    out.set(s.name, v); // biases and norm shifts: 0
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// BackSlash

export interface PaperBackslashConfig {
  /** Rate-distortion weight (the authors' default 2000). */
  rdo: number;
  /** Added to |w| inside the power (default 1). */
  clip: number;
}

export const DEFAULT_PAPER_BACKSLASH: PaperBackslashConfig = { rdo: 2000, clip: 1 };

export interface ShrinkReport {
  /** Pooled moment-ratio shape used for this step. */
  nu: number;
  /** Pooled standard deviation sqrt(sum w^2 / n) before the step. */
  std: number;
  /** Total parameter count n. */
  n: number;
  /** rdo * nu / n: the shrink at |w| = 0 (times clip^(nu-1)). */
  coef: number;
}

/**
 * One BackSlash step on every parameter, in place (run after each optimizer step):
 *   1. nu = moment-ratio table shape of ALL parameters pooled (every tensor, biases and norms);
 *   2. w <- w - (rdo * nu / n) * sign(w) * (|w| + clip)^(nu - 1),  n = total parameter count.
 * sign(0) = 0: an exact zero stays zero. A weight may cross zero (the step is not clipped at 0).
 */
export function backslashShrink(params: Float32Array[], cfg: PaperBackslashConfig): ShrinkReport {
  // 1. pooled moment-ratio shape
  const est = momentRatioEstimate(...params);
  const nu = est.nu;
  const n = est.n;
  if (!Number.isFinite(nu)) return { nu, std: est.std, n, coef: 0 }; // every parameter is zero: nothing to shrink
  // 2. the shrink
  const coef = (cfg.rdo * nu) / n;
  for (const w of params) {
    for (let i = 0; i < w.length; i++) {
      const x = w[i]!;
      if (x === 0) continue;
      const a = x < 0 ? -x : x;
      const d = coef * Math.pow(a + cfg.clip, nu - 1);
      w[i] = x < 0 ? x + d : x - d;
    }
  }
  return { nu, std: est.std, n, coef };
}

// ---------------------------------------------------------------------------------------------
// DeepShape

export interface PaperDeepShapeConfig {
  /** nu' = shapeScale * nu (default 0.8). */
  shapeScale: number;
  /** alpha' = stdScale * alpha (default 0.6). */
  stdScale: number;
  /** The core ends at the smallest positive grid value seen at most this often (default 1000). */
  adjMinnum: number;
}

export const DEFAULT_PAPER_DEEPSHAPE: PaperDeepShapeConfig = { shapeScale: 0.8, stdScale: 0.6, adjMinnum: 1000 };
export const DEEPSHAPE_GRID_BITS = 13;

export interface PaperDeepShapeReport {
  n: number;
  /** Core half-width in grid units and the core's centre mu (grid units). */
  qMax: number;
  mu: number;
  /** Values whose grid value lies in [mu - qMax, mu + qMax] (the ones remapped). */
  coreN: number;
  /** Core values assigned a target grid point; the rest keep their quantized value. */
  assigned: number;
  /** Moment-ratio estimate of the core (original values, |w| <= qMax 2^-13). */
  before: { nu: number; alpha: number; std: number; n: number };
  /** Target law (nu' = shapeScale nu, alpha' = stdScale alpha). */
  target: { nu: number; alpha: number };
}

/** q = round(w * 2^13), ties to even (torch.round). */
function toGrid(w: number): number {
  const y = w * 2 ** DEEPSHAPE_GRID_BITS;
  const r = Math.round(y);
  return r - y === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Histogram equalization of all parameters pooled (spec order), on the 2^-13 grid:
 *   1. q = round(w 2^13) for every parameter;
 *   2. q_max = the smallest positive grid value whose count is at most adj_minnum;
 *   3. (nu, alpha) by the moment ratio over the original values with |w| <= q_max 2^-13,
 *      mu = their mean in grid units, truncated toward 0 (the authors' int());
 *   4. the core = parameters with q in [mu - q_max, mu + q_max], sorted ascending (by q, ties by
 *      the original value, then position); target count at grid point x:
 *      floor(N_core p(x)), p(x) ∝ exp(-(|x - mu| / alpha')^nu') over the core's grid points,
 *      alpha' = stdScale alpha 2^13, nu' = shapeScale nu; the sorted values take the grid points
 *      in order, that many each; the ones left over after the floors keep their quantized value;
 *   5. every parameter is written back as q / 2^13 (outside the core: its quantized value).
 */
export function deepshapePaper(specs: ParamSpec[], values: Values, cfg: PaperDeepShapeConfig = DEFAULT_PAPER_DEEPSHAPE): { values: Values; report: PaperDeepShapeReport } {
  if (!(cfg.shapeScale > 0) || !(cfg.stdScale > 0)) throw new InputError(`DeepShape: shape_scale and std_scale must be > 0 (got ${cfg.shapeScale}, ${cfg.stdScale})`);
  if (!(Number.isInteger(cfg.adjMinnum) && cfg.adjMinnum >= 1)) throw new InputError(`DeepShape: adj_minnum must be an integer >= 1, got ${cfg.adjMinnum}`);
  const G = 2 ** DEEPSHAPE_GRID_BITS;

  // pool every parameter (spec order)
  let n = 0;
  for (const s of specs) n += values.get(s.name)!.length;
  const w = new Float64Array(n);
  {
    let k = 0;
    for (const s of specs) for (const x of values.get(s.name)!) w[k++] = x;
  }

  // 1. quantize to the grid
  const q = new Int32Array(n);
  for (let i = 0; i < n; i++) q[i] = toGrid(w[i]!);

  // 2. q_max: the smallest positive grid value seen at most adj_minnum times
  const count = new Map<number, number>();
  for (let i = 0; i < n; i++) count.set(q[i]!, (count.get(q[i]!) ?? 0) + 1);
  let qMax = Infinity;
  for (const [v, c] of count) if (v > 0 && c <= cfg.adjMinnum && v < qMax) qMax = v;
  if (qMax === Infinity) throw new InputError(`DeepShape: no positive grid value occurs at most adj_minnum = ${cfg.adjMinnum} times (raise adj_minnum)`);

  // 3. moment-ratio estimate over the original values with |w| <= q_max / 2^13
  let cn = 0;
  let s2 = 0;
  let s1 = 0;
  let s = 0;
  const lim = qMax / G;
  for (let i = 0; i < n; i++) {
    const x = w[i]!;
    if (Math.abs(x) <= lim) {
      cn++;
      s2 += x * x;
      s1 += Math.abs(x);
      s += x;
    }
  }
  const est = momentRatioFromSums(cn, s2, s1, s);
  if (!Number.isFinite(est.nu)) throw new InputError('DeepShape: every core value is zero');
  const mu = Math.trunc(est.mean * G);
  const nuT = cfg.shapeScale * est.nu;
  const alphaT = cfg.stdScale * est.alpha * G; // grid units

  // 4. histogram equalization of the core
  const core: number[] = [];
  for (let i = 0; i < n; i++) if (q[i]! >= mu - qMax && q[i]! <= mu + qMax) core.push(i);
  core.sort((a, b) => q[a]! - q[b]! || w[a]! - w[b]! || a - b);
  const points = 2 * qMax + 1;
  const p = new Float64Array(points);
  let z = 0;
  for (let j = 0; j < points; j++) {
    p[j] = Math.exp(-Math.pow(Math.abs(j - qMax) / alphaT, nuT)); // x = mu - qMax + j
    z += p[j]!;
  }
  let next = 0;
  for (let j = 0; j < points; j++) {
    const c = Math.floor((core.length * p[j]!) / z);
    for (let t = 0; t < c && next < core.length; t++) q[core[next++]!] = mu - qMax + j;
  }

  // 5. write back q / 2^13
  const out: Values = new Map();
  let k = 0;
  for (const sp of specs) {
    const v = new Float32Array(values.get(sp.name)!.length);
    for (let i = 0; i < v.length; i++) v[i] = q[k++]! / G;
    out.set(sp.name, v);
  }
  return {
    values: out,
    report: { n, qMax, mu, coreN: core.length, assigned: next, before: { nu: est.nu, alpha: est.alpha, std: est.std, n: cn }, target: { nu: nuT, alpha: alphaT / G } },
  };
}
