/**
 * Named parameters, their initialization (Gaussian or generalized Gaussian at equal variance),
 * and the tfjs variables that hold them during training.
 *
 * Layout: a dense weight is stored [in, out] so that the forward pass is `x @ W` (the fast
 * tfjs-wasm path). Its RF8 / LayerSpec form is the transpose, [out, in] (one row per output,
 * one scale per row); `toRows` converts.
 */
import { ggAlphaForVariance, sampleGG } from '../gg/index.js';
import { InputError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { tf } from './tf.js';

/**
 * weight: a dense layer matrix [in, out]; embedding: a lookup table [rows, d] (rows are already
 * the RF8 rows); bias / gain / shift: vectors (gain initialized to 1, others to 0).
 */
export type ParamRole = 'weight' | 'embedding' | 'bias' | 'gain' | 'shift';

export interface ParamSpec {
  name: string;
  shape: number[];
  role: ParamRole;
  /** Variance rule for weights and embeddings. */
  rule?: 'he' | 'xavier' | { std: number };
  fanIn?: number;
  fanOut?: number;
}

/** True for the tensors that carry the GG rate term and are GG-initialized. */
export function isRateParam(s: ParamSpec): boolean {
  return s.role === 'weight' || s.role === 'embedding';
}

export type Values = Map<string, Float32Array>;

export interface InitConfig {
  dist: 'gaussian' | 'gg';
  /** Shape of the GG law for dist 'gg'. */
  beta0: number;
}

/**
 * Default GG shape for initialization: the maximum-likelihood shape of the trained weights of
 * the baseline MNIST MLP (Gaussian init, 3000 steps, no rate term, seed 1) is 1.786 / 1.919 /
 * 1.871 for fc1 / fc2 / fc3, 1.805 weighted by parameter count; rounded, 1.8
 * (scripts/experiments.ts mlp -> runs/experiments/mlp.json; docs/training.md).
 */
export const DEFAULT_BETA0 = 1.8;

export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Standard deviation a spec's rule asks for. */
export function initStd(s: ParamSpec): number {
  const rule = s.rule ?? 'he';
  if (typeof rule === 'object') return rule.std;
  const fi = s.fanIn ?? s.shape[0]!;
  const fo = s.fanOut ?? s.shape[s.shape.length - 1]!;
  return rule === 'he' ? Math.sqrt(2 / fi) : Math.sqrt(2 / (fi + fo));
}

/**
 * Fresh parameter values. Weights and embeddings: zero-mean with the variance of their rule,
 * Gaussian or GG(alpha, beta0) with alpha chosen so that Var = alpha^2 Gamma(3/b)/Gamma(1/b)
 * equals that variance. Biases and shifts 0, gains 1. Tensors draw from the generator in spec
 * order, so one seed gives one set of values.
 */
export function initValues(specs: ParamSpec[], init: InitConfig, rng: Rng): Values {
  if (init.dist !== 'gaussian' && init.dist !== 'gg') throw new InputError(`unknown init distribution '${String(init.dist)}' (gaussian or gg)`);
  if (init.dist === 'gg' && !(init.beta0 > 0 && init.beta0 <= 20)) throw new InputError(`beta0 must be in (0, 20], got ${init.beta0}`);
  const out: Values = new Map();
  for (const s of specs) {
    const n = numel(s.shape);
    const v = new Float32Array(n);
    if (isRateParam(s)) {
      const std = initStd(s);
      if (init.dist === 'gaussian') for (let i = 0; i < n; i++) v[i] = rng.normal() * std;
      else v.set(sampleGG(rng, ggAlphaForVariance(std * std, init.beta0), init.beta0, n));
    } else if (s.role === 'gain') v.fill(1);
    out.set(s.name, v);
  }
  return out;
}

/** The trainable variables of a model (created from values; dispose when done). */
export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  constructor(readonly specs: ParamSpec[], values: Values) {
    for (const s of specs) {
      const v = values.get(s.name);
      if (!v || v.length !== numel(s.shape)) throw new InputError(`parameter '${s.name}': missing or wrong size (want [${s.shape.join(', ')}])`);
      this.vars.set(s.name, tf.variable(tf.tensor(v, s.shape, 'float32'), true, `${s.name}_${uid++}`));
    }
  }
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter '${name}'`);
    return v;
  }
  /** Copy the current values out. */
  values(): Values {
    const out: Values = new Map();
    for (const [k, v] of this.vars) out.set(k, v.dataSync() as Float32Array);
    return out;
  }
  assign(values: Values): void {
    for (const s of this.specs) {
      const v = values.get(s.name);
      if (v) this.get(s.name).assign(tf.tensor(v, s.shape, 'float32'));
    }
  }
  list(): tf.Variable[] {
    return [...this.vars.values()];
  }
  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}
let uid = 0;

/** Parameter lookup used by the forward functions (variables, or constants for evaluation). */
export type Getter = (name: string) => tf.Tensor;

/** Run `f` with the given values as constant tensors (no variables), disposing them afterwards. */
export function withConstants<T>(specs: ParamSpec[], values: Values, f: (get: Getter) => T): T {
  const ts = new Map<string, tf.Tensor>();
  try {
    for (const s of specs) ts.set(s.name, tf.tensor(values.get(s.name)!, s.shape, 'float32'));
    return f((n) => {
      const t = ts.get(n);
      if (!t) throw new Error(`no parameter '${n}'`);
      return t;
    });
  } finally {
    for (const t of ts.values()) t.dispose();
  }
}

/** [in, out] row-major -> [out, in] row-major (the RF8 / LayerSpec orientation). */
export function toRows(w: Float32Array, inDim: number, outDim: number): Float32Array {
  const r = new Float32Array(w.length);
  for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) r[o * inDim + i] = w[i * outDim + o]!;
  return r;
}

/** Inverse of toRows. */
export function fromRows(r: Float32Array, inDim: number, outDim: number): Float32Array {
  const w = new Float32Array(r.length);
  for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) w[i * outDim + o] = r[o * inDim + i]!;
  return w;
}

/** The RF8 row view of a parameter: [out, in] for weights, the table itself for embeddings. */
export function rowsOf(s: ParamSpec, v: Float32Array): { rows: number; cols: number; data: Float32Array } {
  if (s.role === 'weight') {
    const [i, o] = s.shape as [number, number];
    return { rows: o, cols: i, data: toRows(v, i, o) };
  }
  if (s.role === 'embedding') return { rows: s.shape[0]!, cols: numel(s.shape) / s.shape[0]!, data: v };
  return { rows: 1, cols: v.length, data: v };
}

export function cloneValues(v: Values): Values {
  return new Map([...v].map(([k, a]) => [k, new Float32Array(a)]));
}

export function countParams(specs: ParamSpec[], filter: (s: ParamSpec) => boolean = () => true): number {
  return specs.filter(filter).reduce((a, s) => a + numel(s.shape), 0);
}
