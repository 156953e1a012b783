import type { CommandModule } from 'yargs';
import { join, resolve } from 'node:path';
import { InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';
import { progress } from '../../nn/progress.js';

interface Args extends CommonArgs {
  ckpt: string;
  method: string;
  'shape-scale': number;
  'std-scale': number;
  'adj-minnum': number;
  'beta-target'?: number;
  gamma: number;
  'finetune-steps': number;
  lambda: number;
  lr?: number;
  seed: number;
  cdf: string;
  out: string;
  'max-drop'?: number;
  calib?: number;
  plot?: boolean;
}

export const deepshapeCommand: CommandModule<object, Args> = {
  command: 'deepshape <ckpt>',
  describe: 'DeepShape: reshape every weight tensor toward GG(beta_t) at equal variance by quantile mapping (strength gamma), optionally fine-tune with the rate term at fixed beta_t',
  builder: (y) =>
    y
      .positional('ckpt', { type: 'string', demandOption: true, describe: 'checkpoint folder (from rf8 train)' })
      .option('method', { type: 'string', choices: ['rf8kit', 'paper'], default: 'rf8kit', describe: "rf8kit: quantile map of each tensor's slab to GG(beta_t); paper: the authors' histogram equalization of all parameters pooled on the 2^-13 grid, then a plain fine-tune" })
      .option('shape-scale', { type: 'number', default: 0.8, describe: 'paper: target shape = shape_scale * the pooled moment-ratio shape' })
      .option('std-scale', { type: 'number', default: 0.6, describe: 'paper: target alpha = std_scale * alpha' })
      .option('adj-minnum', { type: 'number', default: 1000, describe: 'paper: the core ends at the smallest positive grid value seen at most this often' })
      .option('beta-target', { type: 'number', describe: 'rf8kit: target GG shape beta_t (required)' })
      .option('gamma', { type: 'number', default: 1, describe: 'strength in [0, 1]: w <- (1 - gamma) w + gamma Q_t(F(w))' })
      .option('finetune-steps', { type: 'number', default: 0, describe: 'recovery fine-tune steps with the GG rate term at beta fixed to beta_t' })
      .option('lambda', { type: 'number', default: 0.01, describe: 'rate-term weight during the fine-tune' })
      .option('lr', { type: 'number', describe: 'fine-tune peak learning rate (default: a tenth of the training default)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the fine-tune batches' })
      .option('cdf', { type: 'string', choices: ['empirical', 'fitted'], default: 'empirical', describe: 'F: empirical mid-rank CDF or the fitted GG CDF' })
      .option('out', { type: 'string', demandOption: true, describe: 'checkpoint folder to write' })
      .option('max-drop', { type: 'number', describe: 'also report bits/param (uniform step + Exp-Golomb) before and after at this allowed drop (mlp: points, lm: % bpc)' })
      .option('calib', { type: 'number', describe: 'RF8 calibration items' })
      .option('plot', { type: 'boolean', default: false, describe: 'write before/after weight histograms with GG fits into --out' }) as never,
  handler: async (args) => {
    const { loadCheckpoint, saveCheckpoint } = await import('../../nn/checkpoint.js');
    const { taskFor, floatEval, buildPack, modelDescOf, compressAtTarget } = await import('../../nn/evaluate.js');
    const { deepshape, train, defaultTrainConfig, DEFAULT_RATE } = await import('../../nn/index.js');
    const paperMethod = args.method === 'paper';
    if (!paperMethod && args['beta-target'] === undefined) throw new InputError('--beta-target is required with --method rf8kit');
    const bt = paperMethod ? NaN : Number(args['beta-target']);
    const gamma = Number(args.gamma);
    if (!paperMethod && !(bt > 0 && bt <= 20)) throw new InputError(`--beta-target must be in (0, 20], got ${String(args['beta-target'])}`);
    const paperCfg = { shapeScale: Number(args['shape-scale']), stdScale: Number(args['std-scale']), adjMinnum: Number(args['adj-minnum']) };
    if (!(gamma >= 0 && gamma <= 1)) throw new InputError(`--gamma must be in [0, 1], got ${String(args.gamma)}`);
    const ftSteps = parseIntStrict(args['finetune-steps'], '--finetune-steps', 0, 1e9);
    const lambda = Number(args.lambda);
    if (!(lambda >= 0)) throw new InputError(`--lambda must be >= 0, got ${String(args.lambda)}`);
    const seed = parseIntStrict(args.seed, '--seed', 0, 2 ** 32 - 1);
    const maxDrop = args['max-drop'] !== undefined ? Number(args['max-drop']) : undefined;
    if (maxDrop !== undefined && !(maxDrop >= 0)) throw new InputError(`--max-drop must be >= 0, got ${String(args['max-drop'])}`);

    const ck = loadCheckpoint(args.ckpt);
    const task = taskFor(ck.sidecar.model);
    const metricOf = (e: { acc?: number; bpc?: number }) => (task.metric === 'acc' ? e.acc! : e.bpc!);
    const fmt = (v: number) => (task.metric === 'acc' ? `${(v * 100).toFixed(2)}%` : `${v.toFixed(4)} bpc`);
    const before = { val: await floatEval(task, ck.values, 'val'), test: await floatEval(task, ck.values, 'test') };

    // reshape (rf8kit: per tensor slab; paper: pooled, histogram equalization)
    const { deepshapePaper } = await import('../../nn/paper.js');
    const { fitSparseGG } = await import('../../gg/index.js');
    const slabFit = (v: Float32Array) => {
      const f = fitSparseGG(v, { grid: 'off' });
      return { beta: f.slab && !f.degenerate ? f.slab.beta : NaN, zeroFrac: f.spike.fraction };
    };
    const paperRun = paperMethod ? deepshapePaper(task.specs, ck.values, paperCfg) : undefined;
    const ds = paperRun
      ? {
          values: paperRun.values,
          report: task.specs
            .filter((x) => x.role === 'weight' || x.role === 'embedding')
            .map((x) => ({ name: x.name, n: ck.values.get(x.name)!.length, before: slabFit(ck.values.get(x.name)!), target: { beta: paperRun.report.target.nu, alpha: paperRun.report.target.alpha }, after: slabFit(paperRun.values.get(x.name)!), rmsBefore: NaN, rmsAfter: NaN })),
          paper: paperRun.report,
        }
      : deepshape(task.specs, ck.values, { betaTarget: bt, gamma, cdf: args.cdf as 'empirical' | 'fitted' });
    const shaped = { val: await floatEval(task, ds.values, 'val'), test: await floatEval(task, ds.values, 'test') };

    // optional recovery fine-tune with the rate term at fixed beta_t
    let values = ds.values;
    let ft: { steps: number; lambda: number; lr: number; losses: number[]; final: unknown } | undefined;
    let after = shaped;
    if (ftSteps > 0) {
      const cfg = defaultTrainConfig(task.kind);
      if (task.kind === 'mlp') cfg.mlp = task.cfg;
      else cfg.lm = task.cfg;
      Object.assign(cfg, { steps: ftSteps, seed, lambda: paperMethod ? 0 : lambda, lr: args.lr !== undefined ? Number(args.lr) : cfg.lr / 10, warmup: 1, lrFinal: 0.1, evalEvery: 0, rate: paperMethod ? { ...DEFAULT_RATE } : { ...DEFAULT_RATE, fixedBeta: bt } });
      const bar = progress('fine-tune', ftSteps);
      const r = await train(cfg, { initial: ds.values, task, onStep: (s, x) => bar.update(s + 1, `loss ${x.loss.toFixed(4)} rate term ${x.rate.toFixed(3)}`) });
      bar.stop();
      values = r.values;
      after = r.final;
      ft = { steps: ftSteps, lambda, lr: cfg.lr, losses: Array.from(r.losses, (v) => Number(v.toPrecision(6))), final: r.final };
    }

    // bits/param before / after at the same allowed drop (relative to the source's validation metric)
    let compress: unknown;
    const lines: string[] = [];
    if (maxDrop !== undefined) {
      log('sweeping quantization steps (before / after) ...');
      const refVal = metricOf(before.val);
      const cb = await compressAtTarget(task, ck.values, { refVal, maxDrop });
      const ca = await compressAtTarget(task, values, { refVal, maxDrop });
      const brief = (c: typeof cb) => (c.chosen ? { step: c.chosen.step, bitsPerParam: c.chosen.bitsPerParam, zeroFrac: c.chosen.zeroFrac, val: c.chosen.val, test: c.chosen.test } : null);
      compress = { maxDrop, refVal, target: cb.target, before: brief(cb), after: brief(ca) };
      const row = (n: string, c: typeof cb) => (c.chosen ? [n, c.chosen.bitsPerParam.toFixed(3), (c.chosen.zeroFrac * 100).toFixed(1), fmt(c.chosen.val), fmt(c.chosen.test!)] : [n, '-', '-', '-', '-']);
      lines.push(`bits/param at the coarsest step with validation ${task.metric === 'acc' ? '>=' : '<='} ${fmt(cb.target)}:`, table(['', 'bits/param', 'zeros %', 'val', 'test'], [row('before', cb), row('after', ca)]));
    }

    log('calibrating RF8 ...');
    const pack = buildPack(task, values, args.calib !== undefined ? parseIntStrict(args.calib, '--calib', 1, 1e6) : undefined);
    const settings = paperMethod ? { method: 'paper', ...paperCfg, finetuneSteps: ftSteps, lambda: 0, seed } : { method: 'rf8kit', betaTarget: bt, gamma, cdf: args.cdf, finetuneSteps: ftSteps, lambda, seed };
    const finalFits = Object.fromEntries(ds.report.map((r) => [r.name, slabFit(values.get(r.name)!)]));
    saveCheckpoint(args.out, {
      sidecar: {
        ...ck.sidecar,
        model: modelDescOf(task),
        parent: resolve(ck.dir),
        deepshape: { ...settings, report: ds.report, finetune: ft ? { steps: ft.steps, lambda: ft.lambda, lr: ft.lr } : undefined },
        seed,
        metrics: { before, shaped, final: after, finetuneLoss: ft?.losses, compress },
      },
      values,
      pack,
    });
    let plots: string[] = [];
    if (args.plot) {
      const { plotWeightHistograms } = await import('../../nn/plots.js');
      plots = [...(await plotWeightHistograms(args.out, task.specs, ck.values, 'before-')), ...(await plotWeightHistograms(args.out, task.specs, values, 'after-'))];
      lines.push(`wrote ${plots.length} SVG files into ${args.out}`);
    }
    emit(args, { checkpoint: args.out, parent: ck.dir, settings, report: ds.report, paper: paperRun?.report, finalFits, metrics: { before, shaped, final: after }, compress, plots, finetuneSteps: ftSteps }, () =>
      [
        paperRun
          ? `DeepShape (paper): all ${paperRun.report.n} parameters pooled on the 2^-13 grid; core |q - ${paperRun.report.mu}| <= ${paperRun.report.qMax} (${paperRun.report.coreN} values, ${paperRun.report.assigned} re-assigned); pooled nu ${paperRun.report.before.nu.toFixed(2)} -> ${paperRun.report.target.nu.toFixed(3)}, alpha ${paperRun.report.before.alpha.toPrecision(4)} -> ${paperRun.report.target.alpha.toPrecision(4)}${ftSteps ? `; plain fine-tune ${ftSteps} steps` : ''}`
          : `DeepShape (rf8kit) beta_t ${bt}, gamma ${gamma} (${args.cdf} CDF)${ftSteps ? `, fine-tune ${ftSteps} steps (lambda ${lambda}, beta fixed)` : ''}`,
        table(
          ['tensor', 'zeros before', 'slab beta before', 'target', 'slab beta reshaped', 'zeros reshaped', ...(ftSteps ? ['slab beta after fine-tune'] : [])],
          ds.report.map((r) => {
            const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
            return [r.name, `${(r.before.zeroFrac * 100).toFixed(1)}%`, f3(r.before.beta), f3(r.target.beta), f3(r.after.beta), `${(r.after.zeroFrac * 100).toFixed(1)}%`, ...(ftSteps ? [f3(finalFits[r.name]!.beta)] : [])];
          }),
        ),
        `test ${task.metric}: before ${fmt(metricOf(before.test))}, reshaped ${fmt(metricOf(shaped.test))}${ftSteps ? `, after fine-tune ${fmt(metricOf(after.test))}` : ''}`,
        ...lines,
        `checkpoint: ${join(args.out)}`,
      ].join('\n'),
    );
  },
};
