/**
 * The experiments behind docs/training.md and the issue-5 closing note, reproducible:
 *
 *   npx vite-node scripts/experiments.ts <section> [--out runs/experiments] [options]
 *
 * sections (each writes <out>/<section>.json and SVGs; later sections reuse <out>/mlp-base):
 *   mlp        baseline MNIST MLP (Gaussian init, no rate term, seed 1): float and RF8 accuracy,
 *              GG fits of the trained weights (the source of DEFAULT_BETA0)
 *   backslash  --lambdas 0.01,0.03,0.1,0.3,1 [--reuse] : same model and seed with the GG rate
 *              term; uniform step + Exp-Golomb rate-accuracy curves, bits/param at <= 0.5 point
 *              drop (--reuse: take the bs-<lambda> checkpoints of an earlier run)
 *   gginit     --seeds 5 --betas <DEFAULT_BETA0>,1.0 : GG vs Gaussian init at equal variance;
 *              steps to a target training loss and final accuracy, mean and spread
 *   deepshape  --points 1:1,0.7:1,0.5:1,0.7:0.5,0.7:0 --finetune 300 : DeepShape from mlp-base
 *              (gamma 0 = no reshaping: the control, the same rate-term fine-tune alone)
 *   lm         --ckpt runs/lm-base --windows 128 : char-LM float vs RF8 bits per character
 *   all        mlp, backslash, gginit, deepshape (lm needs a trained LM checkpoint:
 *              node bin/rf8.js train --model lm --steps 3000 --seed 1 --out runs/lm-base)
 *
 * Everything is seeded; numbers repeat exactly on the same machine and software (timings do not).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/util/atomic.js';
import { fitGG } from '../src/gg/index.js';
import {
  DEFAULT_BETA0,
  DEFAULT_RATE,
  defaultTrainConfig,
  deepshape,
  loadCheckpoint,
  saveCheckpoint,
  stepsToLoss,
  train,
  type TrainConfig,
  type TrainResult,
  type Values,
} from '../src/nn/index.js';
import { buildPack, compressAtTarget, floatEval, modelDescOf, rf8Eval, taskFor, type AnyTask } from '../src/nn/evaluate.js';
import { plotLoss, plotRateMetric } from '../src/nn/plots.js';
import { mlpTask } from '../src/nn/mlp.js';
import type { StepChoice } from '../src/nn/compress.js';

const argv = process.argv.slice(2);
const section = argv[0] ?? 'all';
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const OUT = opt('out', 'runs/experiments');
mkdirSync(OUT, { recursive: true });
const say = (s: string) => process.stderr.write(s + '\n');
const round = (v: number, d = 5) => Number(v.toFixed(d));
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

function save(name: string, data: unknown): void {
  writeFileAtomic(join(OUT, `${name}.json`), JSON.stringify(data, null, 1) + '\n');
  say(`wrote ${join(OUT, `${name}.json`)}`);
}

let mnist: AnyTask | undefined;
const mlp = (): AnyTask => (mnist ??= mlpTask());

async function runTrain(cfg: TrainConfig, label: string): Promise<TrainResult> {
  const t0 = Date.now();
  let last = 0;
  const r = await train(cfg, {
    task: mlp(),
    onStep: (s, x) => {
      if (Date.now() - last > 15000) {
        last = Date.now();
        say(`  ${label}: step ${s + 1}/${cfg.steps} loss ${x.loss.toFixed(4)}${cfg.lambda ? ` rate term ${x.rate.toFixed(3)}` : ''}`);
      }
    },
  });
  say(`  ${label}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s, val ${pct(r.final.val.acc!)} test ${pct(r.final.test.acc!)}`);
  return r;
}

function sidecarOf(r: TrainResult, extra: Record<string, unknown> = {}) {
  const task = r.task as AnyTask;
  return {
    kind: 'rf8kit-run' as const,
    version: 1 as const,
    model: modelDescOf(task),
    train: r.config,
    seed: r.config.seed,
    data: task.kind === 'mlp' ? task.data.split : task.corpus.split,
    params: r.params,
    metrics: { final: r.final, evals: r.evals, steps: r.log, loss: Array.from(r.losses, (v) => Number(v.toPrecision(6))), ...extra },
  };
}

const BASE = join(OUT, 'mlp-base');

async function baseline(): Promise<{ values: Values; val: number; test: number }> {
  if (!existsSync(join(BASE, 'run.json'))) await sectionMlp();
  const ck = loadCheckpoint(BASE);
  const m = (ck.sidecar.metrics as { final: { val: { acc: number }; test: { acc: number } } }).final;
  return { values: ck.values, val: m.val.acc, test: m.test.acc };
}

function brief(c: StepChoice) {
  return c.chosen
    ? { step: round(c.chosen.step, 6), bitsPerParam: round(c.chosen.bitsPerParam, 4), zeroFrac: round(c.chosen.zeroFrac, 4), entropyBitsPerParam: round(c.chosen.entropyBitsPerParam, 4), val: c.chosen.val, test: c.chosen.test }
    : null;
}

// ---------------------------------------------------------------------------------------------

async function sectionMlp(): Promise<void> {
  say('== mlp: baseline MNIST MLP');
  const cfg = defaultTrainConfig('mlp');
  const r = await runTrain(cfg, 'baseline');
  const task = r.task as AnyTask;
  const t0 = Date.now();
  const pack = buildPack(task, r.values);
  const rf = rf8Eval(task, r.values, pack, 'test');
  const rfVal = rf8Eval(task, r.values, pack, 'val');
  const fits = task.specs
    .filter((s) => s.role === 'weight')
    .map((s) => {
      const f = fitGG(r.values.get(s.name)!);
      return { name: s.name, n: f.n, alpha: round(f.alpha, 6), beta: round(f.beta, 4) };
    });
  const nW = fits.reduce((a, f) => a + f.n, 0);
  const betaWeighted = fits.reduce((a, f) => a + f.beta * f.n, 0) / nW;
  const res = {
    command: 'npx vite-node scripts/experiments.ts mlp',
    config: cfg,
    seconds: round(r.ms / 1000, 1),
    float: { val: r.final.val, test: r.final.test },
    rf8: {
      test: { acc: rf.acc, loss: rf.loss, counters: rf.counters, seconds: round(rf.ms / 1000, 1) },
      val: { acc: rfVal.acc },
      deltaPoints: { test: round((rf.acc! - r.final.test.acc!) * 100, 3), val: round((rfVal.acc! - r.final.val.acc!) * 100, 3) },
      formats: Object.fromEntries(Object.entries(pack.weights).map(([k, w]) => [k, { format: w.format, sqnrDb: round(w.sqnrDb, 2) }])),
      acts: pack.acts,
      buildSeconds: round((Date.now() - t0) / 1000, 1),
    },
    fits,
    betaParamWeighted: round(betaWeighted, 3),
  };
  saveCheckpoint(BASE, { sidecar: { ...sidecarOf(r), rf8: { acts: pack.acts, weights: {}, eval: res.rf8 } }, values: r.values, pack });
  await plotLoss(join(OUT, 'mlp-base-loss.svg'), [{ name: 'baseline', losses: r.losses, val: r.evals.filter((e) => e.split === 'val') }]);
  save('mlp', res);
  say(`float test ${pct(r.final.test.acc!)}  RF8 test ${pct(rf.acc!)}  (${res.rf8.deltaPoints.test} points); fitted beta ${fits.map((f) => f.beta).join(', ')} (weighted ${res.betaParamWeighted})`);
}

async function sectionBackslash(): Promise<void> {
  const lambdas = opt('lambdas', '0.01,0.03,0.1,0.3,1').split(',').map(Number);
  const maxDrop = Number(opt('max-drop', '0.5'));
  say(`== backslash: lambdas ${lambdas.join(', ')} vs no rate term; target val >= baseline - ${maxDrop} points`);
  const base = await baseline();
  const task = mlp();
  const rows: Record<string, unknown>[] = [];
  const curves: { name: string; points: import('../src/nn/compress.js').SweepPoint[] }[] = [];
  const losses: { name: string; losses: ArrayLike<number> }[] = [];
  for (const lambda of [0, ...lambdas]) {
    let values: Values;
    let final: { val: number; test: number };
    let lossArr: ArrayLike<number>;
    let seconds = 0;
    if (lambda === 0) {
      values = base.values;
      final = { val: base.val, test: base.test };
      lossArr = (loadCheckpoint(BASE).sidecar.metrics as { loss: number[] }).loss;
    } else if (argv.includes('--reuse') && existsSync(join(OUT, `bs-${lambda}`, 'run.json'))) {
      const ck = loadCheckpoint(join(OUT, `bs-${lambda}`));
      const m = ck.sidecar.metrics as { final: { val: { acc: number }; test: { acc: number } }; loss: number[] };
      values = ck.values;
      final = { val: m.final.val.acc, test: m.final.test.acc };
      lossArr = m.loss;
      say(`  lambda ${lambda}: reusing ${join(OUT, `bs-${lambda}`)}`);
    } else {
      const cfg = { ...defaultTrainConfig('mlp'), lambda };
      const r = await runTrain(cfg, `lambda ${lambda}`);
      values = r.values;
      final = { val: r.final.val.acc!, test: r.final.test.acc! };
      lossArr = r.losses;
      seconds = r.ms / 1000;
      saveCheckpoint(join(OUT, `bs-${lambda}`), { sidecar: sidecarOf(r), values });
    }
    losses.push({ name: `lambda ${lambda}`, losses: lossArr });
    const g = await compressAtTarget(task, values, { refVal: base.val, maxDrop, mode: 'global', testAll: true });
    const rmsMode = await compressAtTarget(task, values, { refVal: base.val, maxDrop, mode: 'rms' });
    const fits = task.specs.filter((s) => s.role === 'weight').map((s) => ({ name: s.name, beta: round(fitGG(values.get(s.name)!).beta, 3) }));
    curves.push({ name: `lambda ${lambda}`, points: g.sweep });
    rows.push({ lambda, seconds: round(seconds, 1), float: final, fits, global: brief(g), rms: brief(rmsMode), sweep: g.sweep });
    const b = brief(g);
    say(`  lambda ${lambda}: float test ${pct(final.test)}; @target ${b ? `${b.bitsPerParam.toFixed(3)} b/p, ${(b.zeroFrac * 100).toFixed(1)}% zeros, test ${pct(b.test!)}` : 'n/a'}`);
  }
  const baseBits = (rows[0]!.global as { bitsPerParam: number } | null)?.bitsPerParam;
  // Post hoc (selection on the test split itself, so optimistic): the coarsest sweep step such
  // that it and every finer one keep test accuracy >= baseline test - maxDrop.
  const testTarget = base.test - maxDrop / 100;
  for (const r of rows) {
    const pts = [...(r.sweep as import('../src/nn/compress.js').SweepPoint[])].reverse(); // fine to coarse
    let pick: (typeof pts)[number] | undefined;
    for (const p of pts) {
      if (p.test! >= testTarget) pick = p;
      else break;
    }
    r.posthocTest = pick ? { step: round(pick.step, 6), bitsPerParam: round(pick.bitsPerParam, 4), zeroFrac: round(pick.zeroFrac, 4), entropyBitsPerParam: round(pick.entropyBitsPerParam, 4), val: pick.val, test: pick.test } : null;
  }
  const basePost = (rows[0]!.posthocTest as { bitsPerParam: number } | null)?.bitsPerParam;
  for (const r of rows) {
    const b = r.global as { bitsPerParam: number } | null;
    if (b) r.reduction = { vsFp32: round(1 - b.bitsPerParam / 32, 4), vsBaseline: baseBits ? round(1 - b.bitsPerParam / baseBits, 4) : null };
    const p = r.posthocTest as { bitsPerParam: number } | null;
    if (p) r.posthocReduction = { vsFp32: round(1 - p.bitsPerParam / 32, 4), vsBaseline: basePost ? round(1 - p.bitsPerParam / basePost, 4) : null };
  }
  await plotRateMetric(join(OUT, 'rate-accuracy.svg'), curves, 'acc', 'test');
  await plotLoss(join(OUT, 'backslash-loss.svg'), losses, 'training loss (task term only)');
  save('backslash', { command: `npx vite-node scripts/experiments.ts backslash --lambdas ${lambdas.join(',')}`, target: { baseVal: base.val, maxDrop, valAtLeast: base.val - maxDrop / 100, posthocTestAtLeast: testTarget }, rows });
}

function stats(a: number[]) {
  const n = a.length;
  const mean = a.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean: round(mean, 5), sd: round(sd, 5), min: Math.min(...a), max: Math.max(...a) };
}

async function sectionGgInit(): Promise<void> {
  const seeds = Number(opt('seeds', '5'));
  const betas = opt('betas', `${DEFAULT_BETA0},1.0`).split(',').map(Number);
  const target = Number(opt('target-loss', '0.25'));
  const steps = Number(opt('steps', '3000'));
  say(`== gginit: ${seeds} seeds; gaussian vs gg(beta0 = ${betas.join(', ')}) at He variance; target train loss (avg 50) <= ${target}`);
  const arms: { name: string; init: 'gaussian' | 'gg'; beta0: number }[] = [{ name: 'gaussian', init: 'gaussian', beta0: 2 }, ...betas.map((b) => ({ name: `gg beta0=${b}`, init: 'gg' as const, beta0: b }))];
  const out: Record<string, unknown>[] = [];
  for (const arm of arms) {
    const runs: { seed: number; stepsToTarget: number; val: number; test: number; loss100: number }[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const cfg = { ...defaultTrainConfig('mlp'), init: arm.init, beta0: arm.beta0, seed, steps, evalEvery: 0 };
      const r = await runTrain(cfg, `${arm.name} seed ${seed}`);
      let l100 = 0;
      for (let i = 0; i < 100; i++) l100 += r.losses[i]!;
      runs.push({ seed, stepsToTarget: stepsToLoss(r.losses, target), val: r.final.val.acc!, test: r.final.test.acc!, loss100: round(l100 / 100, 4) });
    }
    const reached = runs.filter((r) => r.stepsToTarget > 0).map((r) => r.stepsToTarget);
    out.push({
      arm,
      runs,
      stepsToTarget: { ...stats(reached.length ? reached : [NaN]), reached: reached.length },
      test: stats(runs.map((r) => r.test)),
      val: stats(runs.map((r) => r.val)),
      meanLossFirst100: stats(runs.map((r) => r.loss100)),
    });
    const o = out[out.length - 1] as { stepsToTarget: { mean: number; sd: number }; test: { mean: number; sd: number } };
    say(`  ${arm.name}: steps to ${target} = ${o.stepsToTarget.mean} +- ${o.stepsToTarget.sd}; test ${pct(o.test.mean)} +- ${(o.test.sd * 100).toFixed(2)}`);
  }
  save('gginit', { command: `npx vite-node scripts/experiments.ts gginit --seeds ${seeds} --betas ${betas.join(',')}`, targetLoss: target, steps, arms: out });
}

async function sectionDeepshape(): Promise<void> {
  const points = opt('points', '1:1,0.7:1,0.5:1,0.7:0.5,0.7:0').split(',').map((p) => p.split(':').map(Number) as [number, number]);
  const ftSteps = Number(opt('finetune', '300'));
  const lambda = Number(opt('lambda', '0.01'));
  const maxDrop = Number(opt('max-drop', '0.5'));
  say(`== deepshape from ${BASE}: points ${points.map((p) => p.join(':')).join(' ')}, fine-tune ${ftSteps} steps (lambda ${lambda}, beta fixed)`);
  const base = await baseline();
  const task = mlp();
  const before = await compressAtTarget(task, base.values, { refVal: base.val, maxDrop });
  const rows: Record<string, unknown>[] = [];
  for (const [bt, gamma] of points) {
    const ds = deepshape(task.specs, base.values, { betaTarget: bt, gamma });
    const shaped = await floatEval(task, ds.values, 'test');
    const cShaped = await compressAtTarget(task, ds.values, { refVal: base.val, maxDrop });
    let ft: Record<string, unknown> | null = null;
    if (ftSteps > 0) {
      const cfg: TrainConfig = { ...defaultTrainConfig('mlp'), steps: ftSteps, lambda, lr: 1e-4, warmup: 1, lrFinal: 0.1, evalEvery: 0, rate: { ...DEFAULT_RATE, fixedBeta: bt } };
      const r = await train(cfg, { initial: ds.values, task });
      const c = await compressAtTarget(task, r.values, { refVal: base.val, maxDrop });
      ft = { float: { val: r.final.val.acc, test: r.final.test.acc }, compress: brief(c), betaAfter: task.specs.filter((s) => s.role === 'weight').map((s) => round(fitGG(r.values.get(s.name)!).beta, 3)) };
    }
    rows.push({
      betaTarget: bt,
      gamma,
      report: ds.report.map((r) => ({ name: r.name, betaBefore: round(r.before.beta, 3), betaAfter: round(r.after.beta, 3), rmsBefore: round(r.rmsBefore, 6), rmsAfter: round(r.rmsAfter, 6) })),
      reshaped: { test: shaped.acc, compress: brief(cShaped) },
      finetuned: ft,
    });
    const bs = brief(cShaped);
    const bf = ft?.compress as ReturnType<typeof brief> | undefined;
    say(`  beta_t ${bt} gamma ${gamma}: reshaped test ${pct(shaped.acc!)}, ${bs ? bs.bitsPerParam.toFixed(3) : 'n/a'} b/p; fine-tuned test ${ft ? pct((ft.float as { test: number }).test) : '-'}, ${bf ? bf.bitsPerParam.toFixed(3) : 'n/a'} b/p`);
  }
  save('deepshape', {
    command: `npx vite-node scripts/experiments.ts deepshape --points ${points.map((p) => p.join(':')).join(',')} --finetune ${ftSteps} --lambda ${lambda}`,
    target: { baseVal: base.val, maxDrop },
    before: { test: base.test, compress: brief(before) },
    rows,
  });
}

async function sectionLm(): Promise<void> {
  const ckPath = opt('ckpt', 'runs/lm-base');
  const windows = Number(opt('windows', '128'));
  say(`== lm: ${ckPath}, ${windows} test windows`);
  const ck = loadCheckpoint(ckPath);
  const task = taskFor(ck.sidecar.model);
  if (task.kind !== 'lm') throw new Error(`${ckPath} is not an LM checkpoint`);
  const pack = ck.pack ?? buildPack(task, ck.values);
  const fl = await floatEval(task, ck.values, 'test', windows);
  let last = 0;
  const rf = rf8Eval(task, ck.values, pack, 'test', windows, (i, n) => {
    if (Date.now() - last > 15000) {
      last = Date.now();
      say(`  rf8 window ${i + 1}/${n}`);
    }
  });
  const fits = task.specs
    .filter((s) => s.role === 'weight' || s.role === 'embedding')
    .map((s) => {
      const f = fitGG(ck.values.get(s.name)!);
      return { name: s.name, n: f.n, beta: round(f.beta, 3) };
    });
  const res = {
    command: `npx vite-node scripts/experiments.ts lm --ckpt ${ckPath} --windows ${windows}`,
    model: ck.sidecar.model,
    train: ck.sidecar.train,
    float: fl,
    rf8: { bpc: rf.bpc, loss: rf.loss, n: rf.n, counters: rf.counters, seconds: round(rf.ms / 1000, 1) },
    relativeBpcDiff: round((rf.bpc! - fl.bpc!) / fl.bpc!, 5),
    formats: Object.fromEntries(Object.entries(pack.weights).map(([k, w]) => [k, { format: w.format, sqnrDb: round(w.sqnrDb, 2) }])),
    acts: pack.acts,
    fits,
  };
  save('lm', res);
  say(`float ${fl.bpc!.toFixed(4)} bpc, RF8 ${rf.bpc!.toFixed(4)} bpc (${(res.relativeBpcDiff * 100).toFixed(2)}%) on ${rf.n} characters`);
}

const sections: Record<string, () => Promise<void>> = {
  mlp: sectionMlp,
  backslash: sectionBackslash,
  gginit: sectionGgInit,
  deepshape: sectionDeepshape,
  lm: sectionLm,
  all: async () => {
    await sectionMlp();
    await sectionBackslash();
    await sectionGgInit();
    await sectionDeepshape();
  },
};

const f = sections[section];
if (!f) {
  say(`unknown section '${section}' (one of: ${Object.keys(sections).join(', ')})`);
  process.exitCode = 2;
} else {
  try {
    await f();
  } catch (e) {
    say(`experiments: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 1;
  }
}
