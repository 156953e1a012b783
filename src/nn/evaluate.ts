/**
 * Evaluation helpers shared by the CLI and scripts/experiments.ts: float metrics of a set of
 * values, RF8 packs (weights + calibrated activations) and RF8 metrics, and the compression
 * point for an accuracy / bits-per-char target.
 */
import { InputError } from '../util/errors.js';
import { loadCheckpoint, type ModelDesc } from './checkpoint.js';
import { chooseStep, type StepChoice, type StepMode } from './compress.js';
import { evalWindowStarts, lmTask, type LmTask } from './lm.js';
import { mlpTask, type MlpTask } from './mlp.js';
import { withConstants, type Values } from './params.js';
import { buildRf8Lm, buildRf8Mlp, evalLmWindows, evalRf8Mlp, exportRf8Mlp, lmLayerSpecs, lmWindowRf8, mlpLayerSpecs, newCounters, type Rf8Eval, type Rf8MlpExport, type Rf8Options, type Rf8Pack } from './rf8.js';
import type { EvalResult, Task } from './task.js';
import { initTf } from './tf.js';

export type AnyTask = MlpTask | LmTask;

/** The task (data + specs) a checkpoint's model description asks for. */
export function taskFor(model: ModelDesc): AnyTask {
  if (model.kind === 'mlp') return mlpTask(model.config);
  if (model.kind === 'lm') {
    const { vocab, ...rest } = model.config;
    const t = lmTask(rest);
    if (t.cfg.vocab !== vocab) throw new InputError(`the checkpoint's vocabulary has ${vocab} characters, the corpus has ${t.cfg.vocab}`);
    return t;
  }
  throw new InputError(`unknown model kind '${String((model as { kind: unknown }).kind)}'`);
}

export function modelDescOf(task: AnyTask): ModelDesc {
  return task.kind === 'mlp' ? { kind: 'mlp', config: task.cfg } : { kind: 'lm', config: task.cfg };
}

/** Float metrics of values (tfjs, wasm backend). */
export async function floatEval(task: Task, values: Values, split: 'val' | 'test' | 'train', limit?: number): Promise<EvalResult> {
  await initTf();
  return withConstants(task.specs, values, (get) => task.evaluate(get, split, limit !== undefined ? { limit } : {}));
}

/** Default calibration sizes: 500 training images, 16 training windows. */
export const DEFAULT_CALIB = { mlp: 500, lm: 16 };

/**
 * Quantize weights to 8-bit codes and calibrate activation quantizers on training data. `opts`
 * picks the weight and activation formats (default: auto among rf8kit's GG float modes; e.g.
 * `{ wFormat: 'rf8', aFormat: 'rf8-e3m4' }` for the authors' RF8 weights x e3m4 activations).
 */
export function buildPack(task: AnyTask, values: Values, calibN?: number, opts: Rf8Options = {}): Rf8Pack {
  if (task.kind === 'mlp') {
    const n = Math.min(calibN ?? DEFAULT_CALIB.mlp, task.data.train.n);
    return buildRf8Mlp(task.cfg.sizes, task.specs, values, { x: task.data.train.x, n }, opts);
  }
  const src = task.corpus.train;
  const starts = evalWindowStarts(src.length, task.cfg.ctx, calibN ?? DEFAULT_CALIB.lm);
  return buildRf8Lm(task.cfg, task.specs, values, starts.map((s) => src.subarray(s, s + task.cfg.ctx)), opts);
}

/** RF8 metrics (every product through layerForward). `limit` = images or windows. */
export function rf8Eval(task: AnyTask, values: Values, pack: Rf8Pack, split: 'val' | 'test', limit?: number, onItem?: (i: number, total: number) => void): Rf8Eval {
  if (task.kind === 'mlp') {
    const m = mlpLayerSpecs(task.cfg.sizes, values, pack);
    const set = task.data[split];
    const n = Math.min(set.n, limit ?? set.n);
    return evalRf8Mlp(m, set, { limit: n, onItem: (i) => onItem?.(i, n) });
  }
  const t0 = performance.now();
  const m = lmLayerSpecs(task.cfg, values, pack);
  const src = task.corpus[split];
  const starts = evalWindowStarts(src.length, task.cfg.ctx, Math.min(task.cfg.evalWindows, limit ?? Infinity));
  const counters = newCounters();
  const r = evalLmWindows(task.cfg, src, starts, (tok) => lmWindowRf8(m, values, tok, counters), (i) => onItem?.(i, starts.length));
  return { ...r, counters, ms: performance.now() - t0 };
}

/** Number of items rf8Eval / floatEval score for a split (images or windows). */
export function evalItems(task: AnyTask, split: 'val' | 'test', limit?: number): number {
  if (task.kind === 'mlp') return Math.min(task.data[split].n, limit ?? Infinity);
  return evalWindowStarts(task.corpus[split].length, task.cfg.ctx, Math.min(task.cfg.evalWindows, limit ?? Infinity)).length;
}

/**
 * Target of the compression search: accuracy >= ref - maxDrop points (MLP, maxDrop in
 * percentage points), or bpc <= ref * (1 + maxDrop / 100) (LM, maxDrop in percent).
 */
export function targetFor(task: Task, refVal: number, maxDrop: number): number {
  return task.metric === 'acc' ? refVal - maxDrop / 100 : refVal * (1 + maxDrop / 100);
}

/** Compression (uniform step + Exp-Golomb) at the coarsest step meeting the target on validation. */
export async function compressAtTarget(
  task: Task,
  values: Values,
  opts: { refVal: number; maxDrop: number; mode?: StepMode; testAll?: boolean; evalLimit?: number },
): Promise<StepChoice> {
  await initTf();
  const metric = (r: EvalResult) => (task.metric === 'acc' ? r.acc! : r.bpc!);
  return chooseStep(task.specs, values, {
    mode: opts.mode ?? 'global',
    metric: task.metric,
    target: targetFor(task, opts.refVal, opts.maxDrop),
    evalVal: (v) => metric(withConstants(task.specs, v, (get) => task.evaluate(get, 'val', opts.evalLimit !== undefined ? { limit: opts.evalLimit } : {}))),
    evalTest: (v) => metric(withConstants(task.specs, v, (get) => task.evaluate(get, 'test', opts.evalLimit !== undefined ? { limit: opts.evalLimit } : {}))),
    testAll: opts.testAll ?? false,
  });
}

/**
 * The hardware path's input from a trained MLP checkpoint: its RF8 layer specs, the input
 * (format, scale) of every layer and the RF8 input codes + labels of the first `n` test images
 * (the checkpoint's stored RF8 codes and activation quantizers; calibrated now if it has none).
 */
export function rf8MlpExportFromCheckpoint(path: string, n: number): Rf8MlpExport & { checkpoint: string } {
  const ck = loadCheckpoint(path);
  const task = taskFor(ck.sidecar.model);
  if (task.kind !== 'mlp') throw new InputError('not an MLP checkpoint', ck.dir);
  const pack = ck.pack ?? buildPack(task, ck.values);
  const m = mlpLayerSpecs(task.cfg.sizes, ck.values, pack);
  return { ...exportRf8Mlp(m, task.data.test, n), checkpoint: ck.dir };
}
