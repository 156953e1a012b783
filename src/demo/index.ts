/**
 * `rf8 demo`: the whole chain on an embedded default (MNIST, small), end to end:
 * train (GG init + BackSlash) -> DeepShape -> RF8 quantization and bit-exact inference ->
 * real-layer golden vectors -> generated RTL -> Verilator co-simulation of every layer of the
 * network -> (when the EDA tools are there) resource / throughput estimate -> report.
 */
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { CheckFailed } from '../util/errors.js';
import { Stages, type StageRecord } from './stages.js';
import { GG_MODES, type FormatName } from '../format/traits.js';
import type { EstimateReport } from '../estimate/sweep.js';
import type { EstimateFormat } from '../estimate/configs.js';
import { estimateMarkdown } from './estimate-md.js';
import { authorsRf8Markdown, configRow, type AuthorsRf8Report } from './authors.js';

export { Stages, type StageRecord } from './stages.js';
export { authorsRf8Markdown, type AuthorsRf8Report, type Rf8ConfigRow } from './authors.js';

export interface DemoOptions {
  /** Run folder (created). */
  out: string;
  /** Small budget (CI): under 2 minutes on 2 cores. */
  quick: boolean;
  seed: number;
  /** MAC lanes of the RTL layer engine. */
  lanes: number;
  /** Test images run through the RTL (>= 100 in the full demo). */
  images: number;
  /** BackSlash rate weight. */
  lambda: number;
  steps: number;
  betaTarget: number;
  gamma: number;
  finetuneSteps: number;
  /**
   * Which BackSlash / DeepShape the chain runs: rf8kit's (GG rate term; quantile-map DeepShape of
   * the slab) or the authors' (shrink step with `rdo`; histogram equalization on the 2^-13 grid).
   * The report states both DeepShape methods' numbers on the same trained model either way.
   */
  method: 'rf8kit' | 'paper';
  /** BackSlash (paper) rdo (default 2000 n / 2e8: the authors' per-step shrink of a 2e8-parameter model). */
  rdo: number;
  /** Run the yosys / nextpnr estimate stage when the tools are installed. */
  estimate: boolean;
  /** RTL faults to inject (verification of the verifier). */
  inject: string[];
  /** Activation format of the authors'-RF8 configuration (rf8 weights x this; default rf8-e3m4). */
  rf8Acts: FormatName;
  log: (msg: string) => void;
  progress?: (label: string, total: number) => { update(n: number, note?: string): void; stop(): void };
}

export function demoDefaults(quick: boolean): Omit<DemoOptions, 'out' | 'log' | 'progress'> {
  return quick
    ? { quick, seed: 1, lanes: 8, images: 100, lambda: 0.01, steps: 300, betaTarget: 1, gamma: 0.5, finetuneSteps: 50, method: 'rf8kit', rdo: 2.35, estimate: false, inject: [], rf8Acts: 'rf8-e3m4' }
    : { quick, seed: 1, lanes: 8, images: 200, lambda: 0.01, steps: 2500, betaTarget: 1, gamma: 0.5, finetuneSteps: 300, method: 'rf8kit', rdo: 2.35, estimate: true, inject: [], rf8Acts: 'rf8-e3m4' };
}

export interface DemoReport {
  kind: 'rf8kit-demo';
  version: 1;
  options: Omit<DemoOptions, 'log' | 'progress'>;
  model: { sizes: number[]; params: number };
  float: { valAcc: number; testAcc: number; afterDeepShapeTestAcc: number };
  rf8: { testAcc: number; images: number; layers: { name: string; format: string; sqnrDb: number; rows: number; cols: number }[]; bitsPerWeightEntropy: number };
  compression: { bitsPerParam: number | null; zeroFrac: number | null; testAcc: number | null; reductionVsFp32: number | null; sweep: { step: number; bitsPerParam: number; val: number }[] };
  deepshape: {
    method: 'rf8kit' | 'paper';
    betaTarget: number;
    gamma: number;
    /** Per tensor, spike-and-slab fits: trained, and after each DeepShape method (reshape + fine-tune). */
    tensors: { name: string; betaBefore: number; betaAfter: number; zeroFracBefore: number; betaAllBefore: number; zeroFracAfter: number }[];
    /** Both methods on the same trained model (the chain continues with `method`'s). */
    methods: { name: 'rf8kit' | 'paper'; settings: string; testAcc: number; tensors: { name: string; slabBeta: number; zeroFrac: number; slabBetaReshaped: number }[] }[];
  };
  hardware?: Record<string, unknown>;
  /** The yosys / nextpnr estimate of the engine the demo ran (`engineFormats`); report.md renders it as tables. */
  estimate?: EstimateReport;
  /** The engine format(s) estimated: those of the co-simulated layers (demoEngineFormats). */
  engineFormats?: EstimateFormat[];
  /** The authors' RF8 (weights only; rf8 weights x an 8-bit activation format through the layer reference and the RTL) beside rf8kit's best float mode. */
  authorsRf8?: AuthorsRf8Report;
  stages: StageRecord[];
  totalSeconds: number;
  plots: string[];
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);

/** Run the whole chain; writes report.md, report.json and SVG plots into `opts.out`. */
export async function runDemo(opts: DemoOptions): Promise<DemoReport> {
  const out = resolve(opts.out);
  mkdirSync(out, { recursive: true });
  const log = opts.log;
  const st = new Stages(log);
  const nn = await import('../nn/index.js');
  const ev = await import('../nn/evaluate.js');
  const { fitGG } = await import('../gg/index.js');
  const plots: string[] = [];
  const { progress: _p, log: _l, ...optionsForReport } = opts;

  // 1. train: MLP on MNIST, GG init, BackSlash rate term
  const cfg = nn.defaultTrainConfig('mlp');
  Object.assign(cfg, { init: 'gg', lambda: opts.lambda, steps: opts.steps, seed: opts.seed, evalEvery: 0 });
  cfg.warmup = Math.min(cfg.warmup, Math.max(1, Math.floor(cfg.steps / 10)));
  if (opts.method === 'paper') {
    // the authors' chain: their GG init, their shrink step after each optimizer step, the last 20% plain
    Object.assign(cfg, { init: 'gg-paper', lambda: 0, paperBackslash: { rdo: opts.rdo, clip: 1, finetuneSteps: Math.floor(opts.steps / 5) } });
  }
  const trained = await st.run('train', async () => {
    const bar = opts.progress?.('train', cfg.steps);
    const r = await nn.train(cfg, { onStep: (s, x) => bar?.update(s + 1, `loss ${x.loss.toFixed(3)} rate ${x.rate.toFixed(2)} b/p`) });
    bar?.stop();
    return r;
  });
  const task = trained.task as import('../nn/evaluate.js').AnyTask;
  if (task.kind !== 'mlp') throw new Error('demo: expected the MLP task');
  log(`float: val ${pct(trained.final.val.acc)} test ${pct(trained.final.test.acc)} (${trained.params.total} parameters)`);
  await st.run('plots: training', async () => {
    const { plotLoss, plotWeightHistograms } = await import('../nn/plots.js');
    const p = join(out, 'loss.svg');
    await plotLoss(p, [{ name: `mlp lambda ${opts.lambda}`, losses: trained.losses, val: trained.evals.filter((e) => e.split === 'val') }]);
    plots.push(p, ...(await plotWeightHistograms(out, task.specs, trained.values, 'hist-trained-')));
  });

  // 2. DeepShape, both methods on the trained model (the chain continues with opts.method's):
  //    rf8kit: quantile map of each tensor's slab to GG(beta_t) (strength gamma), then a
  //    fine-tune with the rate term at beta fixed to beta_t; paper: histogram equalization of the
  //    pooled parameters on the 2^-13 grid (shape_scale 0.8, std_scale 0.6, adj_minnum 1000),
  //    then a plain fine-tune. Fits are spike-and-slab (the zeros of BackSlash are a point mass).
  const { fitSparseGG } = await import('../gg/index.js');
  const paper = await import('../nn/paper.js');
  const slab = (v: Float32Array) => {
    const f = fitSparseGG(v, { grid: 'off' });
    return { beta: f.slab && !f.degenerate ? f.slab.beta : NaN, zeroFrac: f.spike.fraction };
  };
  const weightNames = task.specs.filter((s) => s.role === 'weight').map((s) => s.name);
  const shaped = await st.run('deepshape (rf8kit + paper)', async () => {
    const runOne = async (method: 'rf8kit' | 'paper') => {
      const fc = nn.defaultTrainConfig('mlp');
      fc.mlp = task.cfg;
      Object.assign(fc, { steps: opts.finetuneSteps, seed: opts.seed + 1, lr: fc.lr / 10, warmup: 1, lrFinal: 0.1, evalEvery: 0 });
      let reshaped: import('../nn/params.js').Values;
      let settings: string;
      if (method === 'rf8kit') {
        reshaped = nn.deepshape(task.specs, trained.values, { betaTarget: opts.betaTarget, gamma: opts.gamma }).values;
        Object.assign(fc, { lambda: opts.lambda, rate: { ...nn.DEFAULT_RATE, fixedBeta: opts.betaTarget } });
        settings = `quantile map of the slab to beta_t ${opts.betaTarget}, gamma ${opts.gamma}; fine-tune ${opts.finetuneSteps} steps, rate term at beta_t`;
      } else {
        const r = paper.deepshapePaper(task.specs, trained.values, paper.DEFAULT_PAPER_DEEPSHAPE);
        reshaped = r.values;
        settings = `2^-13 grid, q_max ${r.report.qMax}, pooled nu ${r.report.before.nu.toFixed(2)} -> ${r.report.target.nu.toFixed(2)}, alpha x 0.6; plain fine-tune ${opts.finetuneSteps} steps`;
      }
      let values = reshaped;
      if (opts.finetuneSteps > 0) {
        const bar = opts.progress?.(`fine-tune (${method})`, fc.steps);
        const r = await nn.train(fc, { initial: reshaped, task, onStep: (s, x) => bar?.update(s + 1, `loss ${x.loss.toFixed(3)}`) });
        bar?.stop();
        values = r.values;
      }
      const test = await ev.floatEval(task, values, 'test');
      const tensors = weightNames.map((n) => ({ name: n, ...(({ beta, zeroFrac }) => ({ slabBeta: beta, zeroFrac }))(slab(values.get(n)!)), slabBetaReshaped: slab(reshaped.get(n)!).beta }));
      return { name: method, settings, testAcc: test.acc!, values, test, tensors };
    };
    const main = await runOne(opts.method);
    const other = await runOne(opts.method === 'rf8kit' ? 'paper' : 'rf8kit');
    const tensors = weightNames.map((n, i) => {
      const b = slab(trained.values.get(n)!);
      return { name: n, betaBefore: b.beta, zeroFracBefore: b.zeroFrac, betaAllBefore: fitGG(trained.values.get(n)!).beta, betaAfter: main.tensors[i]!.slabBeta, zeroFracAfter: main.tensors[i]!.zeroFrac };
    });
    const methods = [main, other].sort((a, b) => (a.name < b.name ? 1 : -1)).map(({ name, settings, testAcc, tensors }) => ({ name, settings, testAcc, tensors }));
    return { values: main.values, test: main.test, tensors, methods };
  });
  log(`after DeepShape: test ${pct(shaped.test.acc)}`);
  const values = shaped.values;

  // 3. compression: uniform step at <= 0.5 point validation drop, Exp-Golomb coded
  const comp = await st.run('compress (uniform + Exp-Golomb)', async () => {
    const c = await ev.compressAtTarget(task, values, { refVal: trained.final.val.acc!, maxDrop: 0.5, testAll: false });
    const { plotRateMetric } = await import('../nn/plots.js');
    const p = join(out, 'rate-accuracy.svg');
    await plotRateMetric(p, [{ name: 'BackSlash + DeepShape', points: c.sweep }], 'acc', 'val');
    plots.push(p);
    return c;
  });

  // 4. RF8: weights (auto mode, gg scales per row), calibrated activations, bit-exact inference
  const rf8 = await st.run('rf8 quantize + inference', async () => {
    const pack = ev.buildPack(task, values);
    const bar = opts.progress?.('rf8 inference', ev.evalItems(task, 'test'));
    const r = ev.rf8Eval(task, values, pack, 'test', undefined, (i) => bar?.update(i + 1));
    bar?.stop();
    return { pack, eval: r };
  });
  const m = nn.mlpLayerSpecs(task.cfg.sizes, values, rf8.pack);
  const layerRows = m.layers.map((l, i) => ({ name: `fc${i + 1}`, format: l.wFormat, sqnrDb: rf8.pack.weights[`fc${i + 1}.weight`]!.sqnrDb, rows: l.rows, cols: l.cols }));
  const { codeStreamStats } = await import('../quant/index.js');
  let codeBits = 0;
  let codeCount = 0;
  for (const l of m.layers) {
    codeBits += codeStreamStats(l.wCodes).entropyBits * l.wCodes.length;
    codeCount += l.wCodes.length;
  }
  log(`RF8: test ${pct(rf8.eval.acc)} over ${rf8.eval.n} images`);

  // 4b. the authors' RF8: rf8 weights (greedy, gg scale per row) x an 8-bit activation format, through the layer reference
  const authors = await st.run(`authors' rf8 weights x ${opts.rf8Acts} (layer reference)`, async () => {
    const pack = ev.buildPack(task, values, undefined, { wFormat: 'rf8', aFormat: opts.rf8Acts });
    const bar = opts.progress?.('rf8-weights inference', ev.evalItems(task, 'test'));
    const r = ev.rf8Eval(task, values, pack, 'test', undefined, (i) => bar?.update(i + 1));
    bar?.stop();
    return { pack, eval: r, m: nn.mlpLayerSpecs(task.cfg.sizes, values, pack) };
  });
  const entropy = (c: Uint8Array): number => codeStreamStats(c).entropyBits;
  const authorsRf8: AuthorsRf8Report = {
    best: configRow("rf8kit's best float mode (auto among the GG float modes)", rf8.pack, m, rf8.eval, entropy),
    layerRef: configRow(`the authors' RF8 weights x ${opts.rf8Acts} activations (bit-exact layer reference)`, authors.pack, authors.m, authors.eval, entropy),
  };
  log(`authors' RF8 weights x ${opts.rf8Acts}: test ${pct(authors.eval.acc)} over ${authors.eval.n} images`);
  // 4c. the authors' RF8 as the paper uses it: every parameter in rf8 (greedy, amax scale per tensor), float activations
  await st.run("authors' rf8 weights only (float activations)", async () => {
    const { rf8WeightOnly } = await import('../nn/rf8-weight-only.js');
    const wo = rf8WeightOnly(task.specs, values, 'format');
    const r = await ev.floatEval(task, wo.values, 'test');
    authorsRf8.weightOnly = { name: "the authors' RF8, weights only (float activations)", testAcc: r.acc!, tensors: wo.tensors };
    log(`authors' RF8 weights only: test ${pct(r.acc)}`);
  });
  await st.run('plots: rf8', async () => {
    const { writeSvg } = await import('../util/plot.js');
    const p = join(out, 'layer-sqnr.svg');
    await writeSvg(p, {
      title: 'RF8 weight SQNR per layer (auto mode, gg scale per row)',
      width: 360,
      height: 220,
      data: { values: layerRows.map((r) => ({ layer: `${r.name} (${r.format})`, sqnr: Number(r.sqnrDb.toFixed(2)) })) },
      layer: [
        { mark: 'bar', encoding: { x: { field: 'layer', type: 'nominal', sort: null, axis: { labelAngle: 0 } }, y: { field: 'sqnr', type: 'quantitative', title: 'SQNR (dB)' } } },
        { mark: { type: 'text', dy: -6 }, encoding: { x: { field: 'layer', type: 'nominal', sort: null }, y: { field: 'sqnr', type: 'quantitative' }, text: { field: 'sqnr', type: 'quantitative' } } },
      ],
    } as never);
    plots.push(p);
    const { plotWeightHistograms } = await import('../nn/plots.js');
    plots.push(...(await plotWeightHistograms(out, task.specs, values, 'hist-final-')));
  });

  const report: DemoReport = {
    kind: 'rf8kit-demo',
    version: 1,
    options: optionsForReport,
    model: { sizes: task.cfg.sizes, params: trained.params.total },
    float: { valAcc: trained.final.val.acc!, testAcc: trained.final.test.acc!, afterDeepShapeTestAcc: shaped.test.acc! },
    rf8: { testAcc: rf8.eval.acc!, images: rf8.eval.n, layers: layerRows, bitsPerWeightEntropy: codeBits / codeCount },
    compression: {
      bitsPerParam: comp.chosen?.bitsPerParam ?? null,
      zeroFrac: comp.chosen?.zeroFrac ?? null,
      testAcc: comp.chosen?.test ?? null,
      reductionVsFp32: comp.chosen ? 1 - comp.chosen.bitsPerParam / 32 : null,
      sweep: comp.sweep.map((s) => ({ step: s.step, bitsPerParam: s.bitsPerParam, val: s.val })),
    },
    deepshape: { method: opts.method, betaTarget: opts.betaTarget, gamma: opts.gamma, tensors: shaped.tensors, methods: shaped.methods },
    authorsRf8,
    stages: st.records,
    totalSeconds: 0,
    plots: [],
  };

  // 5-7. the trained layers on the generated RTL: golden vectors, rf8_layer, Verilator
  const { cosimNetwork } = await import('../sim/layer-index.js');
  const test = task.data.test;
  const ex = nn.exportRf8Mlp(m, test, opts.images);
  const cos = await st.run('golden + rtl + cosim', async () =>
    cosimNetwork({
      layers: ex.layers,
      xScales: ex.inputs.map((q) => q.scale),
      inputs: ex.inputCodes,
      labels: ex.labels,
      lanes: opts.lanes,
      workDir: join(out, 'hw'),
      ...(opts.inject.length ? { faults: opts.inject } : {}),
      command: `rf8 demo --out ${opts.out}${opts.quick ? ' --quick' : ''} --seed ${opts.seed}`,
      seed: opts.seed,
      onProgress: (e) => log(`  [${e.stage} layer ${e.layer + 1}/${e.layers}] ${e.message}`),
    }),
  );
  // the reference's accuracy on the same images, through the layer reference
  const refAcc = cos.refAccuracy;
  report.hardware = {
    lanes: opts.lanes,
    images: cos.images,
    layers: cos.layers,
    vectors: cos.vectors,
    mismatches: cos.mismatches,
    firstMismatch: cos.firstMismatch ?? null,
    rtlAccuracy: cos.rtlAccuracy,
    refAccuracy: refAcc,
    predictionsEqual: cos.predictionsEqual,
    buildSeconds: cos.buildSeconds,
    simSeconds: cos.simSeconds,
    cycles: cos.cycles,
    cyclesPerSecond: cos.cyclesPerSecond,
    goldenDir: cos.goldenDir,
    injected: opts.inject,
  };
  const hwOf = (c: typeof cos) => ({ vectors: c.vectors, mismatches: c.mismatches, images: c.images, rtlAccuracy: c.rtlAccuracy, refAccuracy: c.refAccuracy, predictionsEqual: c.predictionsEqual });
  authorsRf8.best.hardware = hwOf(cos);

  // 7b. the authors' RF8 weights on the generated RTL: rf8 operand decoder and shift-and-add product
  let cosRf8: typeof cos | undefined;
  if (opts.inject.length) authorsRf8.layerRef.hardwareNote = 'skipped with --inject (the faults target the main network)';
  else {
    const exR = nn.exportRf8Mlp(authors.m, test, opts.images);
    cosRf8 = await st.run(`golden + rtl + cosim (rf8 weights x ${opts.rf8Acts})`, async () =>
      cosimNetwork({
        layers: exR.layers,
        xScales: exR.inputs.map((q) => q.scale),
        inputs: exR.inputCodes,
        labels: exR.labels,
        lanes: opts.lanes,
        workDir: join(out, 'hw-rf8'),
        command: `rf8 demo --out ${opts.out}${opts.quick ? ' --quick' : ''} --seed ${opts.seed}`,
        seed: opts.seed,
        onProgress: (e) => log(`  [rf8 weights: ${e.stage} layer ${e.layer + 1}/${e.layers}] ${e.message}`),
      }),
    );
    authorsRf8.layerRef.hardware = hwOf(cosRf8);
  }

  // 8. accelerator estimate (yosys + nextpnr), when installed
  if (opts.estimate) {
    const { haveEdaTool } = await import('../estimate/tools.js');
    const have = haveEdaTool('yosys') && haveEdaTool('nextpnr-ice40');
    const engine = demoEngineFormats(m.layers);
    report.engineFormats = engine;
    if (!have) st.skip('estimate', 'yosys / nextpnr-ice40 not installed (apt-get install yosys nextpnr-ice40)');
    else {
      const est = await st.run('estimate (yosys + nextpnr-ice40)', async () => {
        const { runSweep } = await import('../estimate/index.js');
        // rf8kit's e3m4 engine and the authors' RF8 one (activations A on operand a x rf8 weights on b: the shift-and-add product)
        return runSweep({ formats: [...new Set([...engine, `${opts.rf8Acts}/rf8`])] as never, lanes: [opts.lanes], seeds: [1], device: 'hx8k', onEvent: (msg) => log(`  ${msg}`) });
      });
      report.estimate = est;
      const costOf = (format: string): Record<string, unknown> | undefined => {
        const c = est.configs.find((x) => String(x.format) === format && x.lanes === opts.lanes);
        if (!c || !c.resources) return undefined;
        return { device: est.device.name, lanes: c.lanes, luts: c.resources.luts, dsps: c.resources.dsps, ffs: c.resources.ffs, ...(c.fmaxMHz !== undefined ? { fmaxMhz: c.fmaxMHz } : {}), ...(c.macPerSecondPer1kLuts !== undefined ? { macPerSecPer1kLuts: c.macPerSecondPer1kLuts } : {}) };
      };
      const cb = engine.length === 1 ? costOf(String(engine[0])) : undefined;
      const ca = costOf(`${opts.rf8Acts}/rf8`);
      if (cb && authorsRf8.best.layers.every((l) => l.format === engine[0])) authorsRf8.best.cost = cb;
      else authorsRf8.best.costNote = cb ? `${String(engine[0])} engine: ${cb.luts} LUTs, ${cb.dsps} DSPs (${est.device.name}, ${opts.lanes} lanes; the network's layers use ${[...new Set(authorsRf8.best.layers.map((l) => l.format))].join(', ')})` : 'estimate failed';
      if (ca) authorsRf8.layerRef.cost = ca;
      else authorsRf8.layerRef.costNote = 'estimate failed';
    }
  } else st.skip('estimate', opts.quick ? 'not in --quick (run rf8 estimate)' : 'disabled (--no-estimate)');
  const engineOf = (r: typeof authorsRf8.best): string => (r === authorsRf8.layerRef ? `${opts.rf8Acts}/rf8` : [...new Set(r.layers.map((l) => l.format))].join(','));
  for (const r of [authorsRf8.best, authorsRf8.layerRef]) if (!r.cost && !r.costNote) r.costNote = opts.estimate ? 'yosys / nextpnr-ice40 not installed' : `estimate stage not run (${opts.quick ? '--quick' : '--no-estimate'}; rf8 estimate --formats ${engineOf(r)}, docs/estimates.md)`;

  report.stages = st.records;
  report.totalSeconds = st.totalSeconds();
  report.plots = plots.map((p) => p.slice(out.length + 1));
  writeFileAtomic(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileAtomic(join(out, 'report.md'), reportMarkdown(report));
  for (const [c, what] of [[cos, ''], [cosRf8, ` (rf8 weights x ${opts.rf8Acts})`]] as const) {
    if (!c || c.pass) continue;
    const f = c.firstMismatch;
    throw new CheckFailed(
      `co-simulation${what}: ${c.mismatches} of ${c.vectors} outputs differ; first: ${f ? `layer ${f.layer + 1}, neuron ${f.neuron}, image ${f.image}: ${f.message}` : 'unknown'} (report: ${join(out, 'report.md')})`,
    );
  }
  return report;
}

export function reportMarkdown(r: DemoReport): string {
  const hw = r.hardware as { vectors: number; mismatches: number; rtlAccuracy: number | null; refAccuracy: number | null; predictionsEqual: boolean; images: number; lanes: number; cyclesPerSecond: number; firstMismatch: { message: string } | null; injected: string[] } | undefined;
  const L: string[] = [];
  L.push(`# rf8kit demo report`, '');
  L.push(`MNIST MLP ${r.model.sizes.join('-')} (${r.model.params} parameters), seed ${r.options.seed}${r.options.quick ? ', --quick budget' : ''}; total ${r.totalSeconds.toFixed(1)} s.`, '');
  L.push(`## Results`, '');
  L.push(`| what | value |`, `|---|---|`);
  L.push(`| float test accuracy (after training) | ${pct(r.float.testAcc)} |`);
  L.push(`| float test accuracy (after DeepShape beta_t ${r.deepshape.betaTarget}, gamma ${r.deepshape.gamma}) | ${pct(r.float.afterDeepShapeTestAcc)} |`);
  L.push(`| GG float-mode test accuracy (rf8kit's rf8-e* formats; bit-exact layer reference, ${r.rf8.images} images) | ${pct(r.rf8.testAcc)} |`);
  L.push(`| GG float-mode weight code entropy | ${r.rf8.bitsPerWeightEntropy.toFixed(3)} bits/weight |`);
  L.push(`| uniform + Exp-Golomb at <= 0.5 point drop | ${r.compression.bitsPerParam === null ? 'no step met the target' : `${r.compression.bitsPerParam.toFixed(3)} bits/param (${(r.compression.reductionVsFp32! * 100).toFixed(1)}% below fp32, ${((r.compression.zeroFrac ?? 0) * 100).toFixed(1)}% zeros, test ${pct(r.compression.testAcc)})`} |`);
  if (hw) {
    L.push(`| co-simulation vectors (every output of every layer, ${hw.images} images, ${hw.lanes} lanes) | ${hw.vectors} |`);
    L.push(`| co-simulation mismatches | ${hw.mismatches} |`);
    L.push(`| accuracy from RTL outputs / from the reference (same images) | ${pct(hw.rtlAccuracy)} / ${pct(hw.refAccuracy)} (${hw.predictionsEqual ? 'identical predictions' : 'predictions DIFFER'}) |`);
    L.push(`| simulated cycles per second | ${(hw.cyclesPerSecond / 1e6).toFixed(2)} M |`);
    if (hw.injected.length) L.push(`| injected RTL faults | ${hw.injected.join(', ')} |`);
    if (hw.firstMismatch) L.push(`| first mismatch | ${hw.firstMismatch.message} |`);
  }
  L.push('');
  L.push(`## GG float-mode layers (rf8kit's formats; the authors' RF8 is the next section)`, '', `| layer | rows x cols | mode | weight SQNR (dB) |`, `|---|---|---|---|`);
  for (const l of r.rf8.layers) L.push(`| ${l.name} | ${l.rows} x ${l.cols} | ${l.format} | ${l.sqnrDb.toFixed(2)} |`);
  if (r.authorsRf8) L.push('', authorsRf8Markdown(r.authorsRf8).trimEnd());
  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
  L.push('', `## DeepShape`, '');
  L.push(`Spike-and-slab fits (src/gg fitSparseGG): the zeros BackSlash leaves (exact, below 2^-16 of the RMS, or a near-zero cluster below the valley of the log-magnitude histogram) are a point mass, the GG is fitted to the rest (conditioned on |x| above the cluster). The chain continues with the ${r.deepshape.method} method.`, '');
  L.push(`| tensor | zeros (trained) | slab beta (trained) | plain GG fit of all values | ${r.deepshape.methods.map((m) => `${m.name}: slab beta reshaped / after fine-tune, zeros`).join(' | ')} |`);
  L.push(`|---|---|---|---|${r.deepshape.methods.map(() => '---').join('|')}|`);
  r.deepshape.tensors.forEach((t, i) => {
    L.push(`| ${t.name} | ${(t.zeroFracBefore * 100).toFixed(1)}% | ${f3(t.betaBefore)} | ${f3(t.betaAllBefore)} | ${r.deepshape.methods.map((m) => `${f3(m.tensors[i]!.slabBetaReshaped)} / ${f3(m.tensors[i]!.slabBeta)}, ${(m.tensors[i]!.zeroFrac * 100).toFixed(1)}%`).join(' | ')} |`);
  });
  L.push('', `| method | settings | float test accuracy after |`, `|---|---|---|`);
  for (const m of r.deepshape.methods) L.push(`| ${m.name} | ${m.settings} | ${pct(m.testAcc)} |`);
  if (r.estimate) L.push('', ...estimateMarkdown(r.estimate, r.engineFormats ?? []));
  L.push('', `## Stages`, '', `| stage | status | seconds | note |`, `|---|---|---|---|`);
  for (const s of r.stages) L.push(`| ${s.name} | ${s.status} | ${s.seconds.toFixed(1)} | ${s.detail ?? ''} |`);
  L.push('', `## Plots`, '', ...r.plots.map((p) => `- [${p}](${p})`), '');
  return L.join('\n');
}

/**
 * The engine(s) to estimate: the formats the co-simulated layers run (weights and activations).
 * One format: that engine; several GG float modes: the multi-mode GG float unit (gg-multi); otherwise each format.
 */
export function demoEngineFormats(layers: readonly { wFormat: FormatName; xFormat: FormatName }[]): EstimateFormat[] {
  const used = [...new Set(layers.flatMap((l) => [l.wFormat, l.xFormat]))];
  if (used.length === 1) return used;
  if (used.every((f) => GG_MODES.includes(f))) return ['gg-multi']; // GG_MULTI of src/estimate/configs (type-checked; not imported so the estimate code loads only when run)
  return used;
}
