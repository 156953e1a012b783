import type { CommandModule } from 'yargs';
import type { RtlOptions } from '../../rtl/index.js';
import { parseModeList as parseModes } from '../../arith/index.js';
import { layerLoopEngine, mutationLoop, runCampaign, runLayerCampaign, validateLayerCampaign, type CampaignReport, type LayerCampaignSpec, type LoopReport } from '../../mcy/index.js';
import type { FormatName } from '../../format/index.js';
import { CheckFailed, InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  a?: string;
  b?: string;
  modes?: string;
  lanes: number;
  pipe: number;
  outs?: string[];
  f32: boolean;
  W?: number;
  count: number | string;
  seed: number | string;
  jobs: number | string;
  props: boolean;
  runs: number | string;
  classify: boolean;
  update: boolean;
  timeout: number | string;
  pdrTimeout?: number | string;
  budget?: number | string;
  layer: boolean;
  rows: number | string;
  cols: number | string;
  layerSeed: number | string;
  contract: boolean;
}

function rows(r: CampaignReport, key: 'byBlock' | 'byMode' | 'byBlockMode'): (string | number)[][] {
  return r[key].map((s) => [s.key, s.total, s.killed, s.survivors, s.equivalent ?? 0, s.total ? ((100 * s.killed) / s.total).toFixed(1) + '%' : '-']);
}

export const mutateCommand: CommandModule<object, Args> = {
  command: 'mutate',
  describe: 'mutation cover (MCY style): yosys mutate -list over every block, one Verilator model with every mutant (mutate -ctrl), the suites and --props against each; --classify proves survivors equivalent or turns them into golden vectors',
  builder: (y) =>
    y
      .option('a', { type: 'string', default: 'rf8-e3m4', describe: 'operand a format' })
      .option('b', { type: 'string', describe: 'operand b format (default: a)' })
      .option('modes', { type: 'string', describe: 'multi-mode unit (as rf8 rtl --modes)' })
      .option('lanes', { type: 'number', default: 1, describe: 'lanes N' })
      .option('pipe', { type: 'number', default: 2, describe: 'pipeline registers 0..6' })
      .option('outs', { type: 'string', array: true, describe: 'output formats (default: b)' })
      .option('f32', { type: 'boolean', default: true, describe: 'binary32 converter' })
      .option('W', { type: 'number', describe: 'accumulator width (default: the exact bound)' })
      .option('layer', { type: 'boolean', default: false, describe: 'the layer engine rf8_layer on one seeded layer (weights -a, inputs -b, output --outs with ReLU; --rows --cols --layer-seed): its layer suites, reset probes and stalls' })
      .option('rows', { default: 16, describe: 'with --layer: rows of the layer' })
      .option('cols', { default: 16, describe: 'with --layer: columns of the layer' })
      .option('layer-seed', { default: 1, describe: 'with --layer: seed of the layer\'s weights, scales, biases and suites' })
      .option('count', { default: 100, describe: 'number of mutants (yosys mutate -list N, apportioned over the blocks by their cells)' })
      .option('seed', { default: 1, describe: 'seed of mutate -list (and of the property runs)' })
      .option('jobs', { default: 2, describe: 'harness / yosys processes at once' })
      .option('props', { type: 'boolean', default: false, describe: 'also run the fast-check MAC property on every suite survivor' })
      .option('runs', { default: 200, describe: 'fast-check runs per survivor with --props' })
      .option('contract', { type: 'boolean', default: true, describe: 'run the MAC suites against the cycle-level handshake contract on every survivor (random data during reset, in_ready = ~out_valid | out_ready, latency); --no-contract: the suites as before' })
      .option('classify', { type: 'boolean', default: false, describe: 'classify every survivor with yosys sat: equivalent, or a counterexample' })
      .option('update', { type: 'boolean', default: false, describe: 'with --classify: write counterexamples into golden/ (cex suite + manifest) and re-run until none survives' })
      .option('budget', { describe: 'with --classify: wall seconds for the classification; survivors not started by then stay unclassified (counterexamples found are still written and re-run)' })
      .option('pdr-timeout', { describe: 'seconds per PDR call with --classify (default: --timeout)' })
      .option('timeout', { default: 900, describe: 'seconds per SAT call with --classify (a timeout leaves the mutant unclassified)' }) as never,
  handler: async (args) => {
    if (args.update && !args.classify) throw new InputError('mutate: --update needs --classify');
    if (args.layer && (args.modes !== undefined || args.props || args.W !== undefined)) throw new InputError('mutate: --layer takes -a -b --outs --lanes --pipe --rows --cols --layer-seed (not --modes, --props, --W: the layer sets its own W)');
    const modes = args.modes !== undefined ? parseModes(args.modes) : undefined;
    const rtl: RtlOptions = {
      ...(modes ? { modes } : { a: args.a, b: args.b ?? args.a }),
      lanes: parseIntStrict(args.lanes, '--lanes', 1, 32),
      pipe: parseIntStrict(args.pipe, '--pipe', 0, 6),
      ...(args.outs ? { outs: args.outs } : {}),
      f32: args.f32,
      ...(args.W !== undefined ? { W: parseIntStrict(args.W, '--W', 4, 256) } : {}),
    };
    const o = {
      rtl,
      count: parseIntStrict(args.count, '--count', 1, 65535),
      seed: parseIntStrict(args.seed, '--seed', 0, 2 ** 31 - 1),
      jobs: parseIntStrict(args.jobs, '--jobs', 1, 64),
      propsRuns: args.props ? parseIntStrict(args.runs, '--runs', 1, 1e6) : 0,
      ...(args.contract ? {} : { contract: false as const }),
      log,
      onProgress: (d: number, t: number) => {
        if (d === t || d % 100 < 10) log(`  ${d}/${t} mutants`);
      },
    };
    const layer: LayerCampaignSpec | null = args.layer
      ? {
          a: args.a as FormatName,
          b: (args.b ?? args.a) as FormatName,
          out: (args.outs?.[0] ?? args.b ?? args.a) as FormatName,
          lanes: rtl.lanes!,
          rows: parseIntStrict(args.rows, '--rows', 1, 256),
          cols: parseIntStrict(args.cols, '--cols', 1, 256),
          pipe: rtl.pipe!,
          layerSeed: parseIntStrict(args.layerSeed, '--layer-seed', 0, 2 ** 31 - 1),
        }
      : null;
    if (layer) validateLayerCampaign(layer);
    const lo = layer ? { layer, count: o.count, seed: o.seed, jobs: o.jobs, log, onProgress: o.onProgress } : null;
    const r: CampaignReport | LoopReport = args.classify
      ? await mutationLoop({
          ...(lo ? { engine: layerLoopEngine(lo) } : {}), ...o, update: args.update, ...(args.budget !== undefined ? { budgetSec: parseIntStrict(args.budget, '--budget', 1, 1e7) } : {}), equiv: { timeoutSec: parseIntStrict(args.timeout, '--timeout', 1, 86400), ...(args.pdrTimeout !== undefined ? { pdrTimeoutSec: parseIntStrict(args.pdrTimeout, '--pdr-timeout', 1, 86400) } : {}) } })
      : lo
        ? (await runLayerCampaign(lo)).report
        : (await runCampaign(o)).report;
    const loop = 'before' in r ? (r as LoopReport) : null;
    emit(args, r, () =>
      [
        `mutation cover of ${r.config}: ${r.total} mutants (seed ${r.seed}, mutsel ${r.ctrlWidth} bits), suites: ${r.suites.join(', ')}`,
        table(['block', 'mutants', 'killed', 'survived', 'equivalent', 'kill rate'], rows(r, 'byBlock')),
        '',
        table(['mode', 'mutants', 'killed', 'survived', 'equivalent', 'kill rate'], rows(r, 'byMode')),
        '',
        table(['killed by', 'mutants'], r.byKiller.map((k) => [k.by, k.killed])),
        '',
        ...r.mutants.filter((m) => !m.killed).map((m) => `survivor ${m.id}: ${m.block} ${m.mode} ${m.cell} ${m.port}[${m.bit}] (${m.src})${m.status ? ` -> ${m.status}${m.proof ? ` (${m.proof.method}${m.proof.scope ? ` ${m.proof.scope}` : ''}, ${m.proof.seconds.toFixed(1)} s${m.proof.note ? `; ${m.proof.note}` : ''})` : ''}` : ''}`),
        loop
          ? `kill rate before the loop ${loop.before.killed}/${r.total} = ${(100 * loop.before.killRate).toFixed(1)}% (without the cex suites: suites ${loop.before.stages.suites}, + stalls ${loop.before.stages.stall}, + handshake contract ${loop.before.stages.contract}); after: killed ${r.killed} + equivalent ${loop.equivalent} (${loop.equivalentBy.map((e) => `${e.by} ${e.mutants}`).join(', ') || '-'}) + unclassified ${loop.unclassified} = ${r.total}; vectors added: ${loop.vectorsAdded.map((v) => `${v.suite} +${v.sequences} sequences (${v.beats} beats)`).join(', ') || 'none'}`
          : `kill rate ${r.killed}/${r.total} = ${(100 * r.killRate).toFixed(1)}%`,
        `times: yosys ${r.times.yosysSec.toFixed(1)} s, model build ${r.times.buildSec.toFixed(1)} s, suites ${r.times.simSec.toFixed(1)} s, props ${r.times.propsSec.toFixed(1)} s${loop ? `, classification ${loop.classifySec.toFixed(1)} s` : ''}, total ${r.times.seconds.toFixed(1)} s`,
      ].join('\n'),
    );
    if (loop && loop.unclassified > 0) throw new CheckFailed(`${loop.unclassified} survivor(s) neither killed nor proven equivalent`);
  },
};
