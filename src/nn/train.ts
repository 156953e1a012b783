/**
 * The training loop, meant to be read top to bottom (nanoGPT style):
 *   data -> model -> loss (+ lambda * GG rate) -> Adam step -> log / eval.
 * Used by `rf8 train`, by DeepShape's recovery fine-tune and by scripts/experiments.ts.
 */
import { InputError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { DEFAULT_RATE, fitLaws, rateParamCount, rateTerm, type RateConfig, type TensorLaw } from './backslash.js';
import { lmTask, type LmConfig } from './lm.js';
import { mlpTask, type MlpConfig } from './mlp.js';
import { countParams, DEFAULT_BETA0, initValues, ParamStore, type Values } from './params.js';
import { backslashShrink, DEFAULT_PAPER_INIT, ggInitPaper, type PaperBackslashConfig, type PaperInitConfig, type ShrinkReport } from './paper.js';
import type { EvalResult, Task } from './task.js';
import { initTf, tf } from './tf.js';

export interface TrainConfig {
  model: 'mlp' | 'lm';
  /** gaussian / gg: rf8kit's init at He / Xavier variance; gg-paper: the authors' (paper.ts ggInitPaper). */
  init: 'gaussian' | 'gg' | 'gg-paper';
  /** GG shape of the initialization (init 'gg'). */
  beta0: number;
  /** shape and xi of init 'gg-paper' (default shape 2, xi 2). */
  paperInit?: PaperInitConfig;
  /**
   * The authors' BackSlash (paper.ts backslashShrink) after every optimizer step of the first
   * `steps - finetuneSteps` steps, then plain training (the fine-tune). Independent of lambda
   * (rf8kit's rate term); normally one of the two is used.
   */
  paperBackslash?: PaperBackslashConfig & { finetuneSteps: number };
  /** Weight of the rate term (loss units per bit/param); 0 = plain training. */
  lambda: number;
  steps: number;
  seed: number;
  batch: number;
  /** Peak Adam learning rate; linear warmup, then cosine decay to lr * lrFinal. */
  lr: number;
  lrFinal: number;
  warmup: number;
  /** Re-estimate the GG laws of the rate term every K steps. */
  refitEvery: number;
  rate: RateConfig;
  /** Evaluate on the validation split every this many steps (0 = only at the end). */
  evalEvery: number;
  /** Limit of validation items for the periodic evaluations (images or windows). */
  evalLimit?: number;
  mlp?: Partial<MlpConfig>;
  lm?: Partial<Omit<LmConfig, 'vocab'>>;
}

export function defaultTrainConfig(model: 'mlp' | 'lm'): TrainConfig {
  const common = { init: 'gaussian' as const, beta0: DEFAULT_BETA0, lambda: 0, seed: 1, refitEvery: 50, rate: { ...DEFAULT_RATE } };
  return model === 'mlp'
    ? { ...common, model, steps: 3000, batch: 128, lr: 1e-3, lrFinal: 0.05, warmup: 50, evalEvery: 500 }
    : { ...common, model, steps: 2000, batch: 16, lr: 3e-3, lrFinal: 0.1, warmup: 100, evalEvery: 500, evalLimit: 32 };
}

export interface StepLog {
  step: number;
  /** Task loss (nats) of the step's batch. */
  loss: number;
  /** GG rate in bits per rate parameter, as penalized at this step (0 when lambda = 0 and not measured). */
  rate: number;
  lr: number;
}

export interface EvalLog extends EvalResult {
  step: number;
  split: 'val' | 'test';
}

export interface TrainResult {
  config: TrainConfig;
  task: Task;
  values: Values;
  /** Task loss of every step. */
  losses: Float32Array;
  log: StepLog[];
  evals: EvalLog[];
  /** GG laws of the rate term at each re-estimation. */
  laws: { step: number; laws: TensorLaw[] }[];
  /** The authors' BackSlash: the pooled shape and shrink of every logged step. */
  shrink: ({ step: number } & ShrinkReport)[];
  final: { val: EvalResult; test: EvalResult };
  params: { total: number; rate: number };
  ms: number;
}

export interface TrainHooks {
  /** Start from these values instead of a fresh initialization (fine-tuning). */
  initial?: Values;
  /** Called after every step (progress bars). */
  onStep?: (step: number, s: { loss: number; rate: number }) => void;
  /** Task to reuse (saves reloading the data). */
  task?: Task;
  logEvery?: number;
}

export function makeTask(cfg: TrainConfig): Task {
  if (cfg.model === 'mlp') return mlpTask(cfg.mlp);
  if (cfg.model === 'lm') return lmTask(cfg.lm);
  throw new InputError(`unknown model '${String(cfg.model)}' (mlp or lm)`);
}

export function lrAt(cfg: Pick<TrainConfig, 'lr' | 'lrFinal' | 'warmup' | 'steps'>, step: number): number {
  if (step < cfg.warmup) return (cfg.lr * (step + 1)) / cfg.warmup;
  const t = (step - cfg.warmup) / Math.max(1, cfg.steps - cfg.warmup);
  return cfg.lr * (cfg.lrFinal + (1 - cfg.lrFinal) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, t))));
}

export async function train(cfg: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  await initTf();
  const t0 = performance.now();
  if (!(cfg.steps >= 0 && Number.isInteger(cfg.steps))) throw new InputError(`steps must be a non-negative integer, got ${cfg.steps}`);
  if (!(cfg.lambda >= 0)) throw new InputError(`lambda must be >= 0, got ${cfg.lambda}`);

  // data
  const task = hooks.task ?? makeTask(cfg);
  const rng = new Rng(cfg.seed);

  // model: fresh GG / Gaussian initialization from the seed, or given values
  const initRng = new Rng((cfg.seed ^ 0x5eed1) >>> 0);
  const fresh = () => (cfg.init === 'gg-paper' ? ggInitPaper(task.specs, cfg.paperInit ?? DEFAULT_PAPER_INIT, initRng) : initValues(task.specs, { dist: cfg.init, beta0: cfg.beta0 }, initRng));
  const store = new ParamStore(task.specs, hooks.initial ?? fresh());
  const bs = cfg.paperBackslash;
  if (bs && !(bs.rdo >= 0 && bs.clip >= 0 && Number.isInteger(bs.finetuneSteps) && bs.finetuneSteps >= 0)) {
    throw new InputError(`BackSlash (paper): rdo and clip must be >= 0 and the fine-tune steps a non-negative integer (got ${bs.rdo}, ${bs.clip}, ${bs.finetuneSteps})`);
  }
  const shrinkLog: ({ step: number } & ShrinkReport)[] = [];
  const get = (n: string) => store.get(n);
  const nRate = rateParamCount(task.specs);
  const optimizer = tf.train.adam(cfg.lr, 0.9, 0.99, 1e-8);

  const losses = new Float32Array(cfg.steps);
  const log: StepLog[] = [];
  const evals: EvalLog[] = [];
  const lawLog: { step: number; laws: TensorLaw[] }[] = [];
  let laws: TensorLaw[] = [];
  const logEvery = hooks.logEvery ?? 10;

  for (let step = 0; step < cfg.steps; step++) {
    // re-estimate the GG laws of the rate term every K steps
    if (cfg.lambda > 0 && step % cfg.refitEvery === 0) {
      laws = fitLaws(task.specs, store.values(), cfg.rate);
      lawLog.push({ step, laws });
    }
    const lr = lrAt(cfg, step);
    (optimizer as unknown as { learningRate: number }).learningRate = lr;

    // batch, loss + lambda * rate, step
    const batch = task.batch(rng, cfg.batch);
    let rateVal = 0;
    const lossVal = tf.tidy(() => {
      let taskLoss: tf.Scalar | undefined;
      let rate: tf.Scalar | undefined;
      optimizer.minimize(() => {
        taskLoss = tf.keep(task.loss(get, batch));
        if (cfg.lambda === 0) return taskLoss.clone();
        rate = tf.keep(tf.div(rateTerm(get, laws, cfg.rate.epsRel), nRate) as tf.Scalar);
        return tf.add(taskLoss, tf.mul(rate, cfg.lambda)) as tf.Scalar;
      }, false, store.list());
      if (rate) rateVal = rate.dataSync()[0]!;
      const l = taskLoss!.dataSync()[0]!;
      taskLoss!.dispose();
      rate?.dispose();
      return l;
    });
    if (!Number.isFinite(lossVal)) throw new Error(`training diverged at step ${step} (loss ${lossVal})`);
    losses[step] = lossVal;

    // the authors' BackSlash: a shrink step after the optimizer step (until the fine-tune)
    if (bs && step < cfg.steps - bs.finetuneSteps) {
      const vars = store.list();
      const vals = vars.map((v) => v.dataSync() as Float32Array);
      const rep = backslashShrink(vals, bs);
      vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(vals[i]!, v.shape, 'float32'))));
      if (step % logEvery === 0) shrinkLog.push({ step, ...rep });
    }

    // log
    if (step % logEvery === 0 || step === cfg.steps - 1) log.push({ step, loss: lossVal, rate: rateVal, lr });
    hooks.onStep?.(step, { loss: lossVal, rate: rateVal });
    if (cfg.evalEvery > 0 && (step + 1) % cfg.evalEvery === 0 && step + 1 < cfg.steps) {
      evals.push({ step: step + 1, split: 'val', ...task.evaluate(get, 'val', { limit: cfg.evalLimit }) });
    }
  }

  // final evaluation on the full validation and test splits
  const val = task.evaluate(get, 'val');
  const test = task.evaluate(get, 'test');
  evals.push({ step: cfg.steps, split: 'val', ...val }, { step: cfg.steps, split: 'test', ...test });
  const values = store.values();
  optimizer.dispose();
  store.dispose();
  return {
    config: cfg,
    task,
    values,
    losses,
    log,
    evals,
    laws: lawLog,
    shrink: shrinkLog,
    final: { val, test },
    params: { total: countParams(task.specs), rate: nRate },
    ms: performance.now() - t0,
  };
}

/** First step at which the moving average (window w) of the step losses is <= target (or -1). */
export function stepsToLoss(losses: ArrayLike<number>, target: number, w = 50): number {
  let s = 0;
  for (let i = 0; i < losses.length; i++) {
    s += losses[i]!;
    if (i >= w) s -= losses[i - w]!;
    if (i >= w - 1 && s / w <= target) return i + 1;
  }
  return -1;
}
