/**
 * DeepShape: post-training reshaping of each weight tensor toward a target GG shape.
 *
 * For every dense weight and embedding w (n values):
 *   1. fit GG(alpha, beta) (maximum likelihood, src/gg fitGG) - reported, and used by the
 *      'fitted' CDF variant;
 *   2. target law GG(alpha_t, beta_t) with the same variance as w:
 *      alpha_t = ggAlphaForVariance(mean(w^2), beta_t);
 *   3. quantile mapping: u_i = F(w_i), t_i = Q_t(u_i) with Q_t the target quantile function and
 *      F either the empirical CDF (mid-ranks (rank + 1/2) / n, ties broken by position: the
 *      default, which makes t an exact GG(alpha_t, beta_t) quantile sample in the order of w) or
 *      the fitted GG CDF;
 *   4. partial move with strength gamma in [0, 1]: w'_i = (1 - gamma) w_i + gamma t_i.
 * Sparse tensors (BackSlash leaves 40-90% of a layer at or near exact zero): the point mass at
 * zero is its own component (src/gg fitSparseGG: exact zeros and |w| <= 2^-16 RMS). Those values
 * are left where they are; steps 1-4 apply to the rest (the slab): its GG fit, its mean square
 * for alpha_t, its empirical CDF. Without this, the spike would be spread over the target's
 * central quantiles (sparsity lost) and the "before" shape would be the broken fit of the whole
 * tensor (beta ~ 0.07 for a GG(1.5) body with 47% zeros).
 * The mapping is monotone on the slab, so the order of the weights (and every sign, for
 * symmetric data) is kept. Biases and LayerNorm parameters are left alone. An optional short recovery fine-tune
 * (train() with the GG rate term at beta fixed to beta_t) follows in the CLI / experiments.
 */
import { fitSparseGG, ggAlphaForVariance, ggCdf, ggQuantile, type SparseGGFit } from '../gg/index.js';
import { InputError } from '../util/errors.js';
import { cloneValues, isRateParam, type ParamSpec, type Values } from './params.js';

export interface DeepShapeConfig {
  betaTarget: number;
  gamma: number;
  cdf?: 'empirical' | 'fitted';
}

export interface DeepShapeTensorReport {
  name: string;
  n: number;
  /** Slab fits (NaN when the tensor has no slab shape) and the spike's fraction. */
  before: { alpha: number; beta: number; zeroFrac: number };
  target: { alpha: number; beta: number };
  after: { alpha: number; beta: number; zeroFrac: number };
  rmsBefore: number;
  rmsAfter: number;
}

function rms(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s / v.length);
}

const slabParams = (f: SparseGGFit) => (f.slab && !f.degenerate ? { alpha: f.slab.alpha, beta: f.slab.beta, zeroFrac: f.spike.fraction } : { alpha: NaN, beta: NaN, zeroFrac: f.spike.fraction });

/** Reshape one tensor (its slab; the spike at zero stays). */
export function deepshapeTensor(w: Float32Array, cfg: DeepShapeConfig): { out: Float32Array; before: { alpha: number; beta: number; zeroFrac: number }; target: { alpha: number; beta: number } } {
  const { betaTarget: bt, gamma } = cfg;
  if (!(bt > 0 && bt <= 20)) throw new InputError(`beta target must be in (0, 20], got ${bt}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new InputError(`gamma must be in [0, 1], got ${gamma}`);
  // 1. spike-and-slab fit: the slab = values above the spike threshold
  const fit = fitSparseGG(w, { grid: 'off' });
  const thr = fit.spike.threshold;
  const slabIdx: number[] = [];
  for (let i = 0; i < w.length; i++) if (Math.abs(w[i]!) > thr) slabIdx.push(i);
  const n = slabIdx.length;
  let ms = 0;
  for (const i of slabIdx) ms += w[i]! * w[i]!;
  ms = n > 0 ? ms / n : 0;
  // 2. target with the slab's variance
  const at = ms > 0 ? ggAlphaForVariance(ms, bt) : 0;
  const out = new Float32Array(w);
  if (at > 0 && gamma > 0 && n > 0) {
    // 3. quantile mapping of the slab
    const u = new Float64Array(n);
    if ((cfg.cdf ?? 'empirical') === 'empirical') {
      const order = Uint32Array.from({ length: n }, (_, k) => k);
      order.sort((a, b) => w[slabIdx[a]!]! - w[slabIdx[b]!]! || a - b);
      for (let r = 0; r < n; r++) u[order[r]!] = (r + 0.5) / n;
    } else {
      const p = slabParams(fit);
      if (!(p.alpha > 0 && p.beta > 0)) throw new InputError('DeepShape: the GG fit is degenerate; use the empirical CDF');
      for (let k = 0; k < n; k++) u[k] = Math.min(1 - 1e-12, Math.max(1e-12, ggCdf(w[slabIdx[k]!]!, p.alpha, p.beta)));
    }
    // 4. partial move
    for (let k = 0; k < n; k++) {
      const i = slabIdx[k]!;
      out[i] = (1 - gamma) * w[i]! + gamma * ggQuantile(u[k]!, at, bt);
    }
  }
  return { out, before: slabParams(fit), target: { alpha: at, beta: bt } };
}

/** Reshape every weight / embedding of a model. */
export function deepshape(specs: ParamSpec[], values: Values, cfg: DeepShapeConfig): { values: Values; report: DeepShapeTensorReport[] } {
  const out = cloneValues(values);
  const report: DeepShapeTensorReport[] = [];
  for (const s of specs) {
    if (!isRateParam(s)) continue;
    const w = values.get(s.name)!;
    const r = deepshapeTensor(w, cfg);
    out.set(s.name, r.out);
    const after = slabParams(fitSparseGG(r.out, { grid: 'off' }));
    report.push({ name: s.name, n: w.length, before: r.before, target: r.target, after, rmsBefore: rms(w), rmsAfter: rms(r.out) });
  }
  return { values: out, report };
}
