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
 * The mapping is monotone, so the order of the weights (and every sign, for symmetric data) is
 * kept. Biases and LayerNorm parameters are left alone. An optional short recovery fine-tune
 * (train() with the GG rate term at beta fixed to beta_t) follows in the CLI / experiments.
 */
import { fitGG, ggAlphaForVariance, ggCdf, ggQuantile } from '../gg/index.js';
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
  before: { alpha: number; beta: number };
  target: { alpha: number; beta: number };
  after: { alpha: number; beta: number };
  rmsBefore: number;
  rmsAfter: number;
}

function rms(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s / v.length);
}

/** Reshape one tensor. */
export function deepshapeTensor(w: Float32Array, cfg: DeepShapeConfig): { out: Float32Array; before: { alpha: number; beta: number }; target: { alpha: number; beta: number } } {
  const { betaTarget: bt, gamma } = cfg;
  if (!(bt > 0 && bt <= 20)) throw new InputError(`beta target must be in (0, 20], got ${bt}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new InputError(`gamma must be in [0, 1], got ${gamma}`);
  const n = w.length;
  const fit = fitGG(w, { method: 'mle' });
  const ms = rms(w) ** 2;
  const at = ms > 0 ? ggAlphaForVariance(ms, bt) : 0;
  const out = new Float32Array(w);
  if (at > 0 && gamma > 0) {
    const u = new Float64Array(n);
    if ((cfg.cdf ?? 'empirical') === 'empirical') {
      const idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      idx.sort((a, b) => w[a]! - w[b]! || a - b);
      for (let r = 0; r < n; r++) u[idx[r]!] = (r + 0.5) / n;
    } else {
      if (!(fit.alpha > 0 && fit.beta > 0)) throw new InputError('DeepShape: the GG fit is degenerate; use the empirical CDF');
      for (let i = 0; i < n; i++) u[i] = Math.min(1 - 1e-12, Math.max(1e-12, ggCdf(w[i]!, fit.alpha, fit.beta)));
    }
    for (let i = 0; i < n; i++) out[i] = (1 - gamma) * w[i]! + gamma * ggQuantile(u[i]!, at, bt);
  }
  return { out, before: { alpha: fit.alpha, beta: fit.beta }, target: { alpha: at, beta: bt } };
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
    const after = fitGG(r.out, { method: 'mle' });
    report.push({ name: s.name, n: w.length, before: r.before, target: r.target, after: { alpha: after.alpha, beta: after.beta }, rmsBefore: rms(w), rmsAfter: rms(r.out) });
  }
  return { values: out, report };
}
