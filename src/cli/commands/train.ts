import type { CommandModule } from 'yargs';
import { join } from 'node:path';
import { InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';
import { progress } from '../../nn/progress.js';

interface Args extends CommonArgs {
  model: string;
  method: string;
  init?: string;
  backslash?: string;
  rdo: number;
  clip: number;
  'bs-finetune-steps'?: number;
  'bs-finetune-epochs'?: number;
  xi: number;
  'init-shape': number;
  beta0?: number;
  lambda: number;
  steps?: number;
  seed: number;
  out: string;
  batch?: number;
  lr?: number;
  'refit-every'?: number;
  'eps-rel'?: number;
  'eval-every'?: number;
  calib?: number;
  plot?: boolean;
}

function num(v: unknown, what: string, min: number, max: number): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < min || x > max) throw new InputError(`--${what}: ${String(v)} is not a number in [${min}, ${max}]`);
  return x;
}

export const trainCommand: CommandModule<object, Args> = {
  command: 'train',
  describe: 'train the MNIST MLP or the Brown char-LM (GG or Gaussian init, optional BackSlash rate term); writes a checkpoint folder with RF8 codes',
  builder: (y) =>
    y
      .option('model', { type: 'string', choices: ['mlp', 'lm'], demandOption: true, describe: 'mlp: 784-256-128-10 on MNIST; lm: char transformer on Brown' })
      .option('method', { type: 'string', choices: ['rf8kit', 'paper'], default: 'rf8kit', describe: "rf8kit: --init (default gaussian) and the GG rate term when --lambda > 0; paper: the authors' GG init and BackSlash shrink step (per stage: --init, --backslash)" })
      .option('init', { type: 'string', choices: ['gaussian', 'gg', 'gg-paper'], describe: "init: gaussian / gg at He (mlp) / Xavier (lm) variance, or gg-paper (the authors': Var = xi / n_dim, n_dim = outputs)" })
      .option('backslash', { type: 'string', choices: ['none', 'rf8kit', 'paper'], describe: "rate method: rf8kit (GG rate term, --lambda), paper (the authors' shrink after every optimizer step, --rdo --clip), none" })
      .option('rdo', { type: 'number', default: 2000, describe: "BackSlash (paper): rdo (the authors' default 2000; the shrink per step is rdo nu / n, see docs/training.md)" })
      .option('clip', { type: 'number', default: 1, describe: 'BackSlash (paper): clip in (|w| + clip)^(nu - 1)' })
      .option('bs-finetune-steps', { type: 'number', describe: 'BackSlash (paper): plain training steps at the end (default 20% of --steps)' })
      .option('bs-finetune-epochs', { type: 'number', describe: 'BackSlash (paper): the same in epochs of the training split' })
      .option('xi', { type: 'number', default: 2, describe: 'GG init (paper): xi (2 ReLU, 1 sigmoid / none, 2 / (1 + k^2) leaky ReLU)' })
      .option('init-shape', { type: 'number', default: 2, describe: 'GG init (paper): shape of the draw (the authors\' default 2)' })
      .option('beta0', { type: 'number', describe: 'GG shape for --init gg (default DEFAULT_BETA0, see docs/training.md)' })
      .option('lambda', { type: 'number', default: 0, describe: 'BackSlash: weight of the GG rate term (loss units per bit/param); 0 = off' })
      .option('steps', { type: 'number', describe: 'training steps (default mlp 3000, lm 2000)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of init, batches and augmentation' })
      .option('out', { type: 'string', demandOption: true, describe: 'checkpoint folder to write (model.safetensors + run.json)' })
      .option('batch', { type: 'number', describe: 'batch size (default mlp 128, lm 16 windows)' })
      .option('lr', { type: 'number', describe: 'peak Adam learning rate (default mlp 1e-3, lm 3e-3)' })
      .option('refit-every', { type: 'number', describe: 'BackSlash: re-estimate alpha, beta every K steps (default 50)' })
      .option('eps-rel', { type: 'number', describe: 'BackSlash: smoothing eps = eps-rel * alpha of |w| near 0 (default 0.01)' })
      .option('eval-every', { type: 'number', describe: 'validation every N steps (default 500; 0 = only at the end)' })
      .option('calib', { type: 'number', describe: 'RF8 calibration items (default 500 images / 16 windows)' })
      .option('plot', { type: 'boolean', default: false, describe: 'write loss.svg and hist-<tensor>.svg (with GG fit) into --out' }) as never,
  handler: async (args) => {
    const { defaultTrainConfig, train, DEFAULT_BETA0 } = await import('../../nn/index.js');
    const { buildPack, modelDescOf } = await import('../../nn/evaluate.js');
    const { fitGG, fitSparseGG, momentRatioEstimate } = await import('../../gg/index.js');
    const { saveCheckpoint } = await import('../../nn/checkpoint.js');
    const model = args.model as 'mlp' | 'lm';
    const cfg = defaultTrainConfig(model);
    const paperMethod = args.method === 'paper';
    cfg.init = (args.init ?? (paperMethod ? 'gg-paper' : 'gaussian')) as 'gaussian' | 'gg' | 'gg-paper';
    if (cfg.init === 'gg-paper') cfg.paperInit = { shape: num(args['init-shape'], 'init-shape', 0.05, 20), xi: num(args.xi, 'xi', 1e-6, 100) };
    cfg.beta0 = args.beta0 !== undefined ? num(args.beta0, 'beta0', 0.05, 20) : DEFAULT_BETA0;
    cfg.lambda = num(args.lambda, 'lambda', 0, 1e6);
    cfg.seed = parseIntStrict(args.seed, '--seed', 0, 2 ** 32 - 1);
    if (args.steps !== undefined) cfg.steps = parseIntStrict(args.steps, '--steps', 1, 10_000_000);
    if (args.batch !== undefined) cfg.batch = parseIntStrict(args.batch, '--batch', 1, 65536);
    if (args.lr !== undefined) cfg.lr = num(args.lr, 'lr', 1e-8, 10);
    if (args['refit-every'] !== undefined) cfg.refitEvery = parseIntStrict(args['refit-every'], '--refit-every', 1, 1e9);
    if (args['eps-rel'] !== undefined) cfg.rate.epsRel = num(args['eps-rel'], 'eps-rel', 1e-9, 10);
    if (args['eval-every'] !== undefined) cfg.evalEvery = parseIntStrict(args['eval-every'], '--eval-every', 0, 1e9);
    cfg.warmup = Math.min(cfg.warmup, Math.max(1, Math.floor(cfg.steps / 10)));
    const backslash = args.backslash ?? (paperMethod ? 'paper' : cfg.lambda > 0 ? 'rf8kit' : 'none');
    if (backslash === 'rf8kit' && !(cfg.lambda > 0)) throw new InputError('--backslash rf8kit needs --lambda > 0');
    if (backslash !== 'rf8kit' && cfg.lambda > 0) throw new InputError(`--lambda ${cfg.lambda} is rf8kit's rate term: it cannot go with --backslash ${backslash}`);
    const { makeTask } = await import('../../nn/index.js');
    const task0 = makeTask(cfg);
    if (backslash === 'paper') {
      const trainN = task0.kind === 'mlp' ? (task0 as import('../../nn/evaluate.js').AnyTask & { kind: 'mlp' }).data.train.n : (task0 as import('../../nn/evaluate.js').AnyTask & { kind: 'lm' }).corpus.train.length / (task0 as import('../../nn/evaluate.js').AnyTask & { kind: 'lm' }).cfg.ctx;
      let ft = Math.floor(cfg.steps / 5);
      if (args['bs-finetune-epochs'] !== undefined) ft = Math.round((num(args['bs-finetune-epochs'], 'bs-finetune-epochs', 0, 1e6) * trainN) / cfg.batch);
      if (args['bs-finetune-steps'] !== undefined) ft = parseIntStrict(args['bs-finetune-steps'], '--bs-finetune-steps', 0, cfg.steps);
      if (ft > cfg.steps) throw new InputError(`BackSlash fine-tune (${ft} steps) is longer than --steps ${cfg.steps}`);
      cfg.paperBackslash = { rdo: num(args.rdo, 'rdo', 0, 1e12), clip: num(args.clip, 'clip', 0, 1e6), finetuneSteps: ft };
    }
    const calib = args.calib !== undefined ? parseIntStrict(args.calib, '--calib', 1, 100000) : undefined;

    const bar = progress(`train ${model}`, cfg.steps);
    let ema = NaN;
    const r = await train(cfg, {
      task: task0,
      onStep: (s, x) => {
        ema = Number.isNaN(ema) ? x.loss : 0.98 * ema + 0.02 * x.loss;
        bar.update(s + 1, `loss ${ema.toFixed(4)}${cfg.lambda > 0 ? ` rate term ${x.rate.toFixed(3)}` : ''}`);
      },
    });
    bar.stop();
    const task = r.task as import('../../nn/evaluate.js').AnyTask;
    log(`trained ${task.describe()} in ${(r.ms / 1000).toFixed(1)} s; calibrating RF8 ...`);
    const pack = buildPack(task, r.values, calib);
    const fits = task.specs
      .filter((s) => s.role === 'weight' || s.role === 'embedding')
      .map((s) => {
        const v = r.values.get(s.name)!;
        const f = fitGG(v, { method: 'mle' });
        const sp = fitSparseGG(v, { grid: 'off' });
        const mr = momentRatioEstimate(v);
        return { name: s.name, n: f.n, alpha: f.alpha, beta: f.beta, nuPaper: Number.isFinite(mr.nu) ? mr.nu : null, zeroFrac: sp.spike.fraction, slabBeta: sp.slab && !sp.degenerate ? sp.slab.beta : null };
      });
    const metric = task.metric;
    const final = { val: r.final.val, test: r.final.test };
    saveCheckpoint(args.out, {
      sidecar: {
        kind: 'rf8kit-run',
        version: 1,
        model: modelDescOf(task),
        train: cfg,
        seed: cfg.seed,
        data: task.kind === 'mlp' ? task.data.split : task.corpus.split,
        params: r.params,
        metrics: {
          final,
          evals: r.evals,
          steps: r.log,
          loss: Array.from(r.losses, (v) => Number(v.toPrecision(6))),
          laws: r.laws.length ? r.laws[r.laws.length - 1] : undefined,
          shrink: r.shrink.length ? r.shrink : undefined,
          fits,
        },
      },
      values: r.values,
      pack,
    });
    const plots: string[] = [];
    if (args.plot) {
      const { plotLoss, plotWeightHistograms } = await import('../../nn/plots.js');
      const p = join(args.out, 'loss.svg');
      await plotLoss(p, [{ name: model, losses: r.losses, val: r.evals.filter((e) => e.split === 'val') }]);
      plots.push(p, ...(await plotWeightHistograms(args.out, task.specs, r.values)));
      log(`wrote ${plots.length} SVG files into ${args.out}`);
    }
    const m = (e: { acc?: number; bpc?: number }) => (metric === 'acc' ? `${(e.acc! * 100).toFixed(2)}%` : `${e.bpc!.toFixed(4)} bpc`);
    emit(
      args,
      { checkpoint: args.out, model: modelDescOf(task), config: cfg, params: r.params, final, seconds: Math.round(r.ms / 100) / 10, fits, rf8: { acts: pack.acts, weights: Object.fromEntries(Object.entries(pack.weights).map(([k, w]) => [k, { format: w.format, sqnrDb: w.sqnrDb }])) }, plots },
      () =>
        [
          `${task.describe()}: ${r.params.total} parameters, ${cfg.steps} steps, seed ${cfg.seed}, init ${cfg.init}${cfg.init === 'gg' ? ` (beta0 ${cfg.beta0})` : cfg.init === 'gg-paper' ? ` (shape ${cfg.paperInit!.shape}, xi ${cfg.paperInit!.xi})` : ''}, BackSlash ${backslash}${backslash === 'rf8kit' ? ` (lambda ${cfg.lambda})` : backslash === 'paper' ? ` (rdo ${cfg.paperBackslash!.rdo}, clip ${cfg.paperBackslash!.clip}, last ${cfg.paperBackslash!.finetuneSteps} steps plain; final pooled nu ${r.shrink.length ? r.shrink[r.shrink.length - 1]!.nu : '-'})` : ''}`,
          `validation ${m(final.val)}   test ${m(final.test)}   (loss ${final.test.loss.toFixed(4)} nats, ${(r.ms / 1000).toFixed(1)} s)`,
          table(
            ['tensor', 'n', 'GG beta', 'GG alpha', 'nu(paper)', 'zeros', 'slab beta', 'RF8 mode', 'SQNR dB'],
            fits.map((f) => [f.name, f.n, Number.isFinite(f.beta) ? f.beta.toFixed(3) : '-', f.alpha.toPrecision(4), f.nuPaper === null ? '-' : f.nuPaper.toFixed(2), `${(f.zeroFrac * 100).toFixed(1)}%`, f.slabBeta === null ? '-' : f.slabBeta.toFixed(3), pack.weights[f.name]!.format, pack.weights[f.name]!.sqnrDb.toFixed(2)]),
          ),
          `checkpoint: ${args.out}`,
        ].join('\n'),
    );
  },
};
