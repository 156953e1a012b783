/**
 * The authors' methods beside rf8kit's, measured on the same runs (issue 14; docs/training.md,
 * section "Paper vs rf8kit"). One script, resumable (every trained model is a checkpoint, every
 * measured model a JSON file under --out; a second process with other --seeds can run beside):
 *
 *   npx vite-node scripts/paper-vs-rf8kit.ts rdo    [--rdos 0.3,1,3,10,2000]     MLP seed 1: BackSlash (paper) rdo sweep
 *   npx vite-node scripts/paper-vs-rf8kit.ts mlp    --seeds 1,2,3,4,5 [--rdo R] [--arms none,gg-paper]  the MLP grid, per seed
 *   npx vite-node scripts/paper-vs-rf8kit.ts lm     --seeds 1,2 [--rdo R]        the char-LM grid, per seed
 *   npx vite-node scripts/paper-vs-rf8kit.ts refit                               the spike-and-slab fits again, from the checkpoints
 *   npx vite-node scripts/paper-vs-rf8kit.ts report                              tables (markdown) + the rate-accuracy chart
 *
 * Per seed and model, trainings (same schedule, seed and data order):
 *   none       Gaussian init at He / Xavier variance (rf8kit's default), no rate term
 *   bs-paper   Gaussian init, the authors' shrink step after every optimizer step (rdo, clip 1),
 *              the last `--bs-finetune` steps plain (their fine-tune)
 *   bs-rf8kit  Gaussian init, rf8kit's GG rate term (lambda; MLE refit every 50 steps)
 *   gg-paper   (MLP) the authors' GG init (shape 2, xi 2, n_dim = outputs), no rate term
 * then, for none / bs-paper / bs-rf8kit, three post-training arms:
 *   -          as trained
 *   ds-paper   the authors' DeepShape (2^-13 grid, shape_scale 0.8, std_scale 0.6,
 *              adj_minnum 1000), then a plain fine-tune (lr / 10)
 *   ds-rf8kit  rf8kit's DeepShape (quantile map to beta_t 0.7, gamma 1), then its fine-tune
 *              (rate term at beta fixed to beta_t, lambda 0.01, lr / 10)
 * Every model: float validation / test metric; uniform step + Exp-Golomb bits/param at the
 * coarsest step keeping validation within the target of the seed's `none` model (MLP: -0.5
 * points, LM: +1% bpc), zeros at that step; the spike-and-slab fit of the largest weight
 * tensor; the authors' RF8 weight-only (float activations) and rf8kit's full RF8 inference
 * (bit-exact layer reference), each against float on the test split.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../src/util/atomic.js';
import { fitSparseGG } from '../src/gg/index.js';
import {
  DEFAULT_RATE, defaultTrainConfig, deepshape, loadCheckpoint, saveCheckpoint, stepsToLoss, train, type TrainConfig, type TrainResult, type Values,
} from '../src/nn/index.js';
import { buildPack, compressAtTarget, floatEval, modelDescOf, rf8Eval, targetFor, type AnyTask } from '../src/nn/evaluate.js';
import { DEFAULT_PAPER_DEEPSHAPE, DEFAULT_PAPER_INIT, deepshapePaper } from '../src/nn/paper.js';
import { haveAuthorsRf8, rf8WeightOnly } from '../src/nn/rf8-weight-only.js';
import { mlpTask } from '../src/nn/mlp.js';
import { lmTask } from '../src/nn/lm.js';
import { lineChart, writeSvg, type Series } from '../src/util/plot.js';

const argv = process.argv.slice(2);
const section = argv[0] ?? 'report';
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
};
const OUT = opt('out', 'runs/paper');
const say = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const r5 = (v: number, d = 5) => (Number.isFinite(v) ? Number(v.toFixed(d)) : null);

type Kind = 'mlp' | 'lm';
const STEPS = { mlp: Number(opt('steps', '2000')), lm: Number(opt('lm-steps', '2000')) };
/** LM rate arms continue the seed's `none` model for this many steps (lr / 10) instead of training from scratch (reduced grid). */
const LM_CONT = Number(opt('lm-continue', '300'));
const LAMBDA = { mlp: Number(opt('lambda', '0.3')), lm: Number(opt('lm-lambda', '0.1')) };
const MAXDROP = { mlp: 0.5, lm: 1 };
const BS_FT = { mlp: Number(opt('bs-finetune', '400')), lm: Number(opt('lm-bs-finetune', '100')) };
const DS_FT = { mlp: Number(opt('ds-finetune', '300')), lm: Number(opt('lm-ds-finetune', '100')) };
/**
 * rdo: the authors' default 2000 was set for models of 1e8..1e9 parameters, and the shrink per
 * step is rdo nu / n. The default here gives the shrink per step that rdo 2000 gives a model of
 * N_EQ = 2e8 parameters: rdo = 2000 n / N_EQ (MLP 2.35, LM 4.16); --rdo / --lm-rdo override.
 */
const N_EQ = 2e8;

let tasks: Partial<Record<Kind, AnyTask>> = {};
const taskOf = (k: Kind): AnyTask => (tasks[k] ??= k === 'mlp' ? mlpTask() : lmTask());

function readJson<T>(p: string): T | null {
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : null;
}
function saveJson(p: string, data: unknown): void {
  writeFileAtomic(p, JSON.stringify(data, null, 1) + '\n');
}

interface TrainArm {
  name: string;
  cfg: (c: TrainConfig, rdo: number) => void;
}
const TRAIN_ARMS: Record<string, TrainArm> = {
  none: { name: 'none', cfg: () => {} },
  'bs-paper': { name: 'bs-paper', cfg: (c, rdo) => void (c.paperBackslash = { rdo, clip: 1, finetuneSteps: BS_FT[c.model] }) },
  'bs-rf8kit': { name: 'bs-rf8kit', cfg: (c) => void (c.lambda = LAMBDA[c.model]) },
  'gg-paper': { name: 'gg-paper', cfg: (c) => void ((c.init = 'gg-paper'), (c.paperInit = { ...DEFAULT_PAPER_INIT })) },
};

/** Train (or load) one model; returns values, losses and final metrics. */
async function trained(kind: Kind, arm: string, seed: number, rdo: number, dir: string): Promise<{ values: Values; losses: number[]; val: number; test: number; ms: number; shrink?: unknown }> {
  const ck = join(dir, arm);
  if (existsSync(join(ck, 'run.json'))) {
    const c = loadCheckpoint(ck);
    const m = c.sidecar.metrics as { final: { val: Record<string, number>; test: Record<string, number> }; loss: number[]; ms: number; shrink?: unknown };
    const key = kind === 'mlp' ? 'acc' : 'bpc';
    return { values: c.values, losses: m.loss, val: m.final.val[key]!, test: m.final.test[key]!, ms: m.ms ?? NaN, shrink: m.shrink };
  }
  const task = taskOf(kind);
  const cfg = defaultTrainConfig(kind);
  Object.assign(cfg, { seed, steps: STEPS[kind], evalEvery: 0 });
  if (kind === 'lm') cfg.evalLimit = 32;
  let initial: Values | undefined;
  if (kind === 'lm' && arm !== 'none') {
    // reduced grid: continue the seed's trained `none` model
    initial = (await trained(kind, 'none', seed, rdo, dir.replace(/\/rdo-[^/]*$/, ''))).values;
    Object.assign(cfg, { steps: LM_CONT, lr: cfg.lr / 10, warmup: 1, lrFinal: 0.1, seed: seed + 2000 });
  }
  TRAIN_ARMS[arm]!.cfg(cfg, rdo);
  let last = 0;
  const r: TrainResult = await train(cfg, {
    task,
    ...(initial ? { initial } : {}),
    onStep: (s, x) => {
      if (Date.now() - last > 30000) {
        last = Date.now();
        say(`  ${kind} ${arm} s${seed}: step ${s + 1}/${cfg.steps} loss ${x.loss.toFixed(4)}`);
      }
    },
  });
  const key = kind === 'mlp' ? 'acc' : 'bpc';
  const loss = Array.from(r.losses, (v) => Number(v.toPrecision(6)));
  saveCheckpoint(ck, {
    sidecar: {
      kind: 'rf8kit-run', version: 1, model: modelDescOf(task), train: cfg, seed, data: task.kind === 'mlp' ? task.data.split : task.corpus.split, params: r.params,
      metrics: { final: r.final, loss, ms: Math.round(r.ms), shrink: r.shrink },
    },
    values: r.values,
  });
  say(`  ${kind} ${arm} s${seed}: trained in ${(r.ms / 1000).toFixed(0)} s, val ${r.final.val[key]!.toFixed(4)} test ${r.final.test[key]!.toFixed(4)}`);
  return { values: r.values, losses: loss, val: r.final.val[key]!, test: r.final.test[key]!, ms: r.ms, shrink: r.shrink };
}

/** DeepShape arm on trained values (paper / rf8kit), with its fine-tune; saved as a checkpoint in `ck` (reused when present). */
async function shaped(kind: Kind, ds: 'ds-paper' | 'ds-rf8kit', values: Values, seed: number, ck: string): Promise<{ values: Values; report: unknown }> {
  if (existsSync(join(ck, 'run.json'))) {
    const c = loadCheckpoint(ck);
    return { values: c.values, report: (c.sidecar.metrics as { deepshape?: unknown }).deepshape };
  }
  const task = taskOf(kind);
  const cfg = defaultTrainConfig(kind);
  if (task.kind === 'mlp') cfg.mlp = task.cfg;
  else cfg.lm = task.cfg;
  Object.assign(cfg, { steps: DS_FT[kind], seed: seed + 1000, lr: cfg.lr / 10, warmup: 1, lrFinal: 0.1, evalEvery: 0 });
  let start: Values;
  let report: unknown;
  if (ds === 'ds-paper') {
    const r = deepshapePaper(task.specs, values, DEFAULT_PAPER_DEEPSHAPE);
    start = r.values;
    report = r.report;
  } else {
    const r = deepshape(task.specs, values, { betaTarget: 0.7, gamma: 1 });
    start = r.values;
    report = r.report.map((t) => ({ name: t.name, before: t.before.beta, after: t.after.beta }));
    Object.assign(cfg, { lambda: 0.01, rate: { ...DEFAULT_RATE, fixedBeta: 0.7 } });
  }
  const ft = await train(cfg, { initial: start, task });
  saveCheckpoint(ck, {
    sidecar: {
      kind: 'rf8kit-run', version: 1, model: modelDescOf(task), train: cfg, seed: cfg.seed, data: task.kind === 'mlp' ? task.data.split : task.corpus.split, params: ft.params,
      metrics: { final: ft.final, ms: Math.round(ft.ms), deepshape: report },
    },
    values: ft.values,
  });
  return { values: ft.values, report };
}

const sparseFitOf = (tensor: string, sp: ReturnType<typeof fitSparseGG>) => ({
  tensor, zeroFrac: sp.spike.fraction, pi0: sp.spike.pi0, threshold: sp.spike.threshold, cluster: sp.spike.cluster,
  slabBeta: sp.slab?.beta ?? null, slabKs: sp.slab?.ks ?? null, method: sp.method, reason: sp.reason ?? null,
});

/** Every measurement of one model. */
async function measure(kind: Kind, values: Values, refVal: number, opts: { rf8Full: boolean; curve: boolean }) {
  const task = taskOf(kind);
  const key = kind === 'mlp' ? 'acc' : 'bpc';
  const val = (await floatEval(task, values, 'val'))[key]!;
  const test = (await floatEval(task, values, 'test'))[key]!;
  const c = await compressAtTarget(task, values, { refVal, maxDrop: MAXDROP[kind], testAll: opts.curve });
  const big = task.specs.filter((s) => s.role === 'weight' || s.role === 'embedding').reduce((a, s) => (values.get(s.name)!.length > values.get(a.name)!.length ? s : a));
  const sp = fitSparseGG(values.get(big.name)!);
  let exactZeros = 0;
  let nAll = 0;
  for (const s of task.specs) {
    const v = values.get(s.name)!;
    nAll += v.length;
    for (let i = 0; i < v.length; i++) if (v[i] === 0) exactZeros++;
  }
  const codec = haveAuthorsRf8() ? 'format' : 'values';
  const wo = rf8WeightOnly(task.specs, values, codec);
  const woTest = (await floatEval(task, wo.values, 'test'))[key]!;
  let full: { test: number; ovf: number } | null = null;
  if (opts.rf8Full) {
    const pack = buildPack(task, values);
    const r = rf8Eval(task, values, pack, 'test');
    full = { test: r[key]!, ovf: r.counters.ovf };
  }
  const delta = (x: number) => (kind === 'mlp' ? (x - test) * 100 : ((x - test) / test) * 100);
  return {
    val, test,
    target: targetFor(task, refVal, MAXDROP[kind]),
    compress: c.chosen ? { step: c.chosen.step, bitsPerParam: c.chosen.bitsPerParam, zeroFrac: c.chosen.zeroFrac, entropy: c.chosen.entropyBitsPerParam, val: c.chosen.val, test: c.chosen.test } : null,
    curve: opts.curve ? c.sweep.map((p) => ({ bitsPerParam: r5(p.bitsPerParam, 4), val: p.val, test: p.test })) : undefined,
    exactZeroFrac: exactZeros / nAll,
    sparseFit: sparseFitOf(big.name, sp),
    rf8WeightOnly: { codec, test: woTest, delta: delta(woTest), minSqnrDb: Math.min(...wo.tensors.map((t) => t.sqnrDb)) },
    rf8Full: full ? { test: full.test, delta: delta(full.test), ovf: full.ovf } : null,
  };
}

async function runSeed(kind: Kind, seed: number, rdo: number): Promise<void> {
  const dir = join(OUT, kind, `s${seed}`);
  mkdirSync(dir, { recursive: true });
  const all = kind === 'mlp' ? ['none', 'bs-paper', 'bs-rf8kit', 'gg-paper'] : ['none', 'bs-paper', 'bs-rf8kit'];
  const pick = opt('arms', '');
  const arms = pick ? all.filter((a) => pick.split(',').includes(a)) : all;
  const postsOf = (arm: string) => (arm === 'gg-paper' ? ['-'] : ['-', 'ds-paper', 'ds-rf8kit']);
  const base = await trained(kind, 'none', seed, rdo, dir);
  for (const arm of arms) {
    const t = arm === 'none' ? base : await trained(kind, arm, seed, rdo, dir);
    const posts = postsOf(arm);
    for (const post of posts) {
      const file = join(dir, `${arm}${post === '-' ? '' : '+' + post}.json`);
      if (existsSync(file)) continue;
      const t0 = Date.now();
      let values = t.values;
      let dsReport: unknown;
      if (post !== '-') {
        const s = await shaped(kind, post as 'ds-paper' | 'ds-rf8kit', t.values, seed, join(dir, `${arm}+${post}`));
        values = s.values;
        dsReport = s.report;
      }
      const m = await measure(kind, values, base.val, { rf8Full: kind === 'mlp' || (post === '-' && arm === 'none'), curve: kind === 'mlp' });
      const target = kind === 'mlp' ? 0.25 : 1.6;
      const res = {
        kind, seed, arm, post, rdo: arm === 'bs-paper' ? rdo : undefined, lambda: arm === 'bs-rf8kit' ? LAMBDA[kind] : undefined,
        train: { steps: STEPS[kind], val: t.val, test: t.test, ms: t.ms, stepsToLoss: post === '-' ? { target, steps: stepsToLoss(t.losses, target) } : undefined, lossLast: lossTail(t.losses) },
        deepshape: dsReport,
        ...m,
        seconds: Math.round((Date.now() - t0) / 1000),
      };
      saveJson(file, res);
      say(`${kind} s${seed} ${arm}${post === '-' ? '' : '+' + post}: val ${m.val.toFixed(4)} test ${m.test.toFixed(4)}; ${m.compress ? `${m.compress.bitsPerParam.toFixed(3)} b/p, ${(m.compress.zeroFrac * 100).toFixed(1)}% zeros` : 'no step met the target'}; fc slab beta ${m.sparseFit.slabBeta?.toFixed(3)} zeros ${(m.sparseFit.zeroFrac * 100).toFixed(1)}%; rf8 w-only ${m.rf8WeightOnly.delta.toFixed(2)}${m.rf8Full ? `, full ${m.rf8Full.delta.toFixed(2)}` : ''}`);
    }
  }
}

/** Mean training loss over the last 10% and the 10% before it (has the loss flattened?). */
function lossTail(l: number[]) {
  const k = Math.max(1, Math.floor(l.length / 10));
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  return { last: r5(mean(l.slice(-k)), 4), before: r5(mean(l.slice(-2 * k, -k)), 4), window: k };
}

async function sectionRdo(): Promise<void> {
  const rdos = opt('rdos', '0.5,8,2000').split(',').map(Number);
  const dir = join(OUT, 'mlp', 'rdo');
  mkdirSync(dir, { recursive: true });
  const base = await trained('mlp', 'none', 1, 0, join(OUT, 'mlp', 's1'));
  for (const rdo of rdos) {
    const file = join(dir, `rdo-${rdo}.json`);
    if (existsSync(file)) continue;
    const t = await trained('mlp', 'bs-paper', 1, rdo, join(dir, `rdo-${rdo}`));
    const m = await measure('mlp', t.values, base.val, { rf8Full: false, curve: true });
    saveJson(file, { rdo, train: { val: t.val, test: t.test }, shrink: t.shrink, ...m });
    say(`rdo ${rdo}: val ${(m.val * 100).toFixed(2)} test ${(m.test * 100).toFixed(2)}; ${m.compress ? `${m.compress.bitsPerParam.toFixed(3)} b/p` : 'no step met the target'}, exact zeros ${(m.exactZeroFrac * 100).toFixed(1)}%`);
  }
}

/**
 * Refit: the spike-and-slab fit of every measured model again, from its checkpoint (the trained
 * arm, or the saved DeepShape arm), written into its JSON; nothing else is recomputed.
 */
async function sectionRefit(): Promise<void> {
  for (const kind of ['mlp', 'lm'] as Kind[]) {
    const root = join(OUT, kind);
    if (!existsSync(root)) continue;
    for (const sd of readdirSync(root).filter((d) => /^s\d+$/.test(d))) {
      for (const f of readdirSync(join(root, sd)).filter((x) => x.endsWith('.json'))) {
        const file = join(root, sd, f);
        const r = JSON.parse(readFileSync(file, 'utf8'));
        const ck = join(root, sd, r.post === '-' ? r.arm : `${r.arm}+${r.post}`);
        if (!existsSync(join(ck, 'run.json'))) {
          say(`refit: ${file}: no checkpoint ${ck} (measured by an older script), left as it is`);
          continue;
        }
        const v = loadCheckpoint(ck).values.get(r.sparseFit.tensor);
        if (!v) throw new Error(`refit: ${ck} has no tensor ${r.sparseFit.tensor}`);
        r.sparseFit = sparseFitOf(r.sparseFit.tensor, fitSparseGG(v));
        saveJson(file, r);
        say(`refit ${kind} ${sd} ${f}: ${r.sparseFit.tensor} zeros ${(r.sparseFit.zeroFrac * 100).toFixed(1)}%${r.sparseFit.cluster ? ' (cluster)' : ''}, slab beta ${r.sparseFit.slabBeta?.toFixed(3)}`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// report

const stat = (a: number[]) => {
  const v = a.filter((x) => Number.isFinite(x));
  if (!v.length) return { mean: NaN, sd: NaN, n: 0 };
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd, n: v.length };
};
const ms = (a: number[], f: (x: number) => string, unit = '') => {
  const s = stat(a);
  return s.n === 0 ? '-' : s.n === 1 ? f(s.mean) + unit : `${f(s.mean)} ± ${f(s.sd)}${unit}`;
};

/** Bits/param where a rate-accuracy curve's test accuracy first reaches `goal` (from the coarsest step; interpolated), NaN if never. */
function curveCrossing(curve: { bitsPerParam: number; test?: number }[] | undefined, goal: number): number {
  if (!curve) return NaN;
  const pts = curve.filter((p) => p.test !== undefined).sort((a, b) => a.bitsPerParam - b.bitsPerParam);
  for (let i = 0; i < pts.length; i++) {
    if (pts[i]!.test! < goal) continue;
    if (i === 0) return pts[0]!.bitsPerParam;
    const [p, q] = [pts[i - 1]!, pts[i]!];
    return p.bitsPerParam + ((goal - p.test!) / (q.test! - p.test!)) * (q.bitsPerParam - p.bitsPerParam);
  }
  return NaN;
}

async function sectionReport(): Promise<void> {
  const L: string[] = [];
  const series: Series[] = [];
  for (const kind of ['mlp', 'lm'] as Kind[]) {
    const root = join(OUT, kind);
    if (!existsSync(root)) continue;
    const rows = new Map<string, any[]>();
    for (const sd of readdirSync(root).filter((d) => /^s\d+$/.test(d))) {
      for (const f of readdirSync(join(root, sd)).filter((x) => x.endsWith('.json'))) {
        const r = JSON.parse(readFileSync(join(root, sd, f), 'utf8'));
        const k = `${r.arm}${r.post === '-' ? '' : ' + ' + r.post}`;
        (rows.get(k) ?? rows.set(k, []).get(k)!).push(r);
      }
    }
    const order = ['none', 'none + ds-paper', 'none + ds-rf8kit', 'bs-paper', 'bs-paper + ds-paper', 'bs-paper + ds-rf8kit', 'bs-rf8kit', 'bs-rf8kit + ds-paper', 'bs-rf8kit + ds-rf8kit', 'gg-paper'];
    const isAcc = kind === 'mlp';
    const m = (x: number) => (isAcc ? (x * 100).toFixed(2) : x.toFixed(4));
    L.push(`### ${kind === 'mlp' ? 'MNIST MLP' : 'char-LM'} (${STEPS[kind]} steps; seeds ${[...new Set([...rows.values()].flat().map((r) => r.seed))].sort().join(', ')})`, '');
    // the test curve read at the seed's `none` float test - maxDrop (interpolated in bits between
    // the first measured step that reaches it and the coarser one before): a reading of the
    // rate-accuracy curve (1,500 test images), less noisy than the validation-chosen step
    const noneTest = new Map<number, number>((rows.get('none') ?? []).map((r) => [r.seed, r.test]));
    const crossing = (r: any): number => {
      const ref = noneTest.get(r.seed);
      return ref === undefined ? NaN : curveCrossing(r.curve, ref - MAXDROP.mlp / 100);
    };
    const cross = isAcc ? ' bits/param where test reaches none - 0.5 pt |' : '';
    L.push(`| model | n | float val | float test | bits/param at target (val-chosen step) | zeros at target | exact zeros | ${isAcc ? 'test at target' : 'test bpc at target'} |${cross} fc slab beta / zeros | RF8 weight-only (authors) vs float | RF8 full (rf8kit) vs float |`);
    L.push(`|---|---|---|---|---|---|---|---|${isAcc ? '---|' : ''}---|---|---|`);
    for (const k of order) {
      const rs = rows.get(k);
      if (!rs) continue;
      const c = rs.map((r) => (r.compress ? r.compress.bitsPerParam : NaN));
      const unit = isAcc ? ' pt' : '%';
      L.push(
        `| ${k} | ${rs.length} | ${ms(rs.map((r) => r.val), m)} | ${ms(rs.map((r) => r.test), m)} | ${ms(c, (x) => x.toFixed(3))}${c.some((x) => !Number.isFinite(x)) ? ` (${c.filter((x) => !Number.isFinite(x)).length} missed)` : ''} | ${ms(rs.map((r) => (r.compress ? r.compress.zeroFrac * 100 : NaN)), (x) => x.toFixed(1), '%')} | ${ms(rs.map((r) => r.exactZeroFrac * 100), (x) => x.toFixed(1), '%')} | ${ms(rs.map((r) => (r.compress ? r.compress.test : NaN)), m)} |${isAcc ? ` ${ms(rs.map(crossing), (x) => x.toFixed(3))} |` : ''} ${ms(rs.map((r) => r.sparseFit.slabBeta ?? NaN), (x) => x.toFixed(2))} / ${ms(rs.map((r) => r.sparseFit.zeroFrac * 100), (x) => x.toFixed(1), '%')}${rs.some((r) => r.sparseFit.cluster) ? ` (cluster in ${rs.filter((r) => r.sparseFit.cluster).length})` : ''} | ${ms(rs.map((r) => r.rf8WeightOnly.delta), (x) => x.toFixed(2), unit)} | ${ms(rs.map((r) => (r.rf8Full ? r.rf8Full.delta : NaN)), (x) => x.toFixed(2), unit)} |`,
      );
      const withCurve = rs.find((r) => r.curve);
      if (withCurve && kind === 'mlp') {
        const pts = withCurve.curve.filter((p: any) => p.test !== undefined);
        series.push({ name: `${k} (seed ${withCurve.seed})`, x: pts.map((p: any) => p.bitsPerParam), y: pts.map((p: any) => p.test * 100), ...(k.includes('paper') ? {} : { dashed: true }) });
      }
    }
    {
      // has the loss flattened? mean training loss of the last 10% of steps against the 10% before
      const tails = (rows.get('none') ?? []).filter((r) => r.train?.lossLast).sort((a, b) => a.seed - b.seed);
      if (tails.length) {
        L.push('', `Training loss of \`none\` (${STEPS[kind]} steps), mean of the last ${tails[0].train.lossLast.window} steps against the ${tails[0].train.lossLast.window} before: ${tails.map((r) => `seed ${r.seed} ${r.train.lossLast.before.toFixed(4)} -> ${r.train.lossLast.last.toFixed(4)} (${(((r.train.lossLast.last - r.train.lossLast.before) / r.train.lossLast.before) * 100).toFixed(1)}%)`).join('; ')}.`);
      }
    }
    if (kind === 'mlp') {
      const g = (k: string) => (rows.get(k) ?? []).map((r) => r.train.stepsToLoss?.steps ?? NaN);
      L.push('', `GG init: steps until the 50-step moving average of the training loss reaches 0.25; final test accuracy`, '', '| init | n | steps to 0.25 | test accuracy |', '|---|---|---|---|');
      for (const [name, k] of [['Gaussian (He variance)', 'none'], ['GG paper (shape 2, xi 2, n_dim = outputs)', 'gg-paper']] as const) {
        const rs = rows.get(k) ?? [];
        L.push(`| ${name} | ${rs.length} | ${ms(g(k).map((x) => (x > 0 ? x : NaN)), (x) => x.toFixed(0))} | ${ms(rs.map((r) => r.test), m)} |`);
      }
    }
    L.push('');
  }
  const rdoDir = join(OUT, 'mlp', 'rdo');
  if (existsSync(rdoDir)) {
    const none1 = readJson<any>(join(OUT, 'mlp', 's1', 'none.json'));
    const goal1 = none1 ? none1.test - MAXDROP.mlp / 100 : NaN;
    L.push(`### BackSlash (paper): rdo sweep (MLP, seed 1, ${STEPS.mlp} steps)`, '', '| rdo | shrink rdo nu / n (first step) | float val / test | bits/param at target (val-chosen) | zeros at target | bits/param where test reaches none - 0.5 pt |', '|---|---|---|---|---|---|');
    const rs = readdirSync(rdoDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(rdoDir, f), 'utf8'))).sort((a, b) => a.rdo - b.rdo);
    for (const r of rs) {
      const x = curveCrossing(r.curve, goal1);
      L.push(`| ${r.rdo} | ${r.shrink?.[0]?.coef?.toExponential(2) ?? '-'} | ${(r.val * 100).toFixed(2)} / ${(r.test * 100).toFixed(2)} | ${r.compress ? r.compress.bitsPerParam.toFixed(3) : 'target missed'} | ${r.compress ? (r.compress.zeroFrac * 100).toFixed(1) + '%' : '-'} | ${Number.isFinite(x) ? x.toFixed(3) : 'never'} |`);
      const pts = (r.curve ?? []).filter((p: any) => p.test !== undefined);
      series.push({ name: `bs-paper rdo ${r.rdo} (seed 1)`, x: pts.map((p: any) => p.bitsPerParam), y: pts.map((p: any) => p.test * 100), dashed: true });
    }
    L.push('');
    // rate matching: the rdo at which the authors' BackSlash reaches rf8kit's bits on seed 1
    // (log-linear interpolation between the bracketing measured rdos), and both at that rate
    const rk = readJson<any>(join(OUT, 'mlp', 's1', 'bs-rf8kit.json'));
    const pts = rs.map((r) => ({ rdo: r.rdo, b: curveCrossing(r.curve, goal1), test: r.test, float: r.test })).filter((p) => Number.isFinite(p.b));
    const rkB = rk ? curveCrossing(rk.curve, goal1) : NaN;
    if (rk && Number.isFinite(rkB) && pts.length >= 2) {
      L.push('Rate matching on the test curve (bits/param where test accuracy reaches seed 1 `none` - 0.5 pt; "test" below is the float test accuracy of each model):', '');
      const goal = rkB;
      const i = pts.findIndex((p, k) => k + 1 < pts.length && (p.b - goal) * (pts[k + 1]!.b - goal) <= 0);
      L.push(`rf8kit's BackSlash (lambda ${rk.lambda}) reaches it at ${goal.toFixed(3)} b/p (float test ${(rk.test * 100).toFixed(2)}%).`);
      if (i >= 0) {
        const [p, q] = [pts[i]!, pts[i + 1]!];
        const t = (goal - p.b) / (q.b - p.b);
        const rdo = Math.exp(Math.log(p.rdo) + t * (Math.log(q.rdo) - Math.log(p.rdo)));
        const at = p.test + t * (q.test - p.test);
        L.push(`The authors' BackSlash brackets that rate between rdo ${p.rdo} (${p.b.toFixed(3)} b/p, test ${(p.test * 100).toFixed(2)}%) and rdo ${q.rdo} (${q.b.toFixed(3)} b/p, test ${(q.test * 100).toFixed(2)}%): rdo ~ ${rdo.toPrecision(3)} (log-linear), test at the matched rate ~ ${(at * 100).toFixed(2)}% (linear between the two).`);
        const m = rs.find((r) => Math.abs(r.rdo / rdo - 1) < 0.1);
        if (m) L.push(`Measured at rdo ${m.rdo}: ${curveCrossing(m.curve, goal1).toFixed(3)} b/p, float test ${(m.test * 100).toFixed(2)}%.`);
      } else {
        const c = pts.reduce((a, p) => (Math.abs(p.b - goal) < Math.abs(a.b - goal) ? p : a));
        L.push(`No two measured rdos bracket that rate (${pts.map((p) => `rdo ${p.rdo}: ${p.b.toFixed(3)}`).join(', ')} b/p); the closest is rdo ${c.rdo}: ${c.b.toFixed(3)} b/p (${(((c.b - goal) / goal) * 100).toFixed(1)}%), float test ${(c.float * 100).toFixed(2)}% against ${(rk.test * 100).toFixed(2)}%.`);
      }
      L.push('');
    }
  }
  if (series.length) {
    await writeSvg(opt('plot', join(OUT, 'rate-accuracy-paper-vs-rf8kit.svg')), lineChart({ title: 'MNIST MLP: test accuracy vs exact bits/param (uniform step + Exp-Golomb)', x: { title: 'bits / parameter', log: true }, y: { title: 'test accuracy (%)' }, series }));
  }
  const md = L.join('\n') + '\n';
  writeFileAtomic(join(OUT, 'report.md'), md);
  process.stdout.write(md);
}

const seeds = opt('seeds', '1').split(',').map(Number);
const nParams = (k: Kind) => taskOf(k).specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
if (section === 'rdo') await sectionRdo();
else if (section === 'mlp' || section === 'lm') {
  const rdo = Number(opt(section === 'lm' ? 'lm-rdo' : 'rdo', String(Number(((2000 * nParams(section)) / N_EQ).toPrecision(3)))));
  say(`${section}: seeds ${seeds.join(', ')}, rdo ${rdo}`);
  for (const s of seeds) await runSeed(section, s, rdo);
}
else if (section === 'refit') await sectionRefit();
else if (section === 'report') await sectionReport();
else throw new Error(`unknown section '${section}' (rdo, mlp, lm, refit, report)`);
