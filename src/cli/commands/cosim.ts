import type { CommandModule } from 'yargs';
import { CORE_FORMAT_NAMES, RF8_MODES } from '../../format/index.js';
import { parseModeList as parseModes } from '../../arith/index.js';
import { FAULT_NAMES, MAX_PIPE, faultApplies, generateRtl, parseFaults, type RtlOptions } from '../../rtl/index.js';
import { getSuite, listSuites, parseShard, type SuiteDef } from '../../golden/index.js';
import { shardSuite } from '../../verify-hw/shard.js';
import {
  buildModel,
  cosimSuiteOn,
  defaultRtlFor,
  DutSession,
  iverilogSuite,
  mutantBaseFor,
  runMacProperty,
  runMutants,
  showBeat,
  type CosimResult,
  type IverilogResult,
} from '../../sim/index.js';
import { CheckFailed, InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  suite?: string[];
  exhaustive: boolean;
  exhaustiveRf8: boolean;
  lanes?: number;
  pipe?: number;
  outs?: string[];
  inject?: string[];
  raw?: number;
  stall?: string;
  text: boolean;
  wave?: string;
  sim: string;
  mutants: boolean;
  mode: string;
  props: boolean;
  runs: number;
  seed: number;
  maxLen: number;
  a?: string;
  modes?: string;
  b?: string;
  W?: number;
  dut?: string[];
  top?: string;
  ports?: string;
  param?: string[];
  count: number;
  jobs: number;
  shard?: string;
  faultSel?: number;
}

const short = (n: string): string => n.replace(/^rf8-/, '').replace(/-/g, '');

/** The acceptance set: exhaustive products and conversions for every ordered rf8 pair. */
export function exhaustiveSuites(): string[] {
  const out: string[] = [];
  for (const a of RF8_MODES) for (const b of RF8_MODES) out.push(`prod-${short(a)}-${short(b)}`, `cvt-${short(a)}-${short(b)}`);
  return out;
}

/** The authors' RF8: exhaustive products and conversions of every core format F (activations) with rf8 weights (the suites of src/golden). */
export function exhaustiveRf8Suites(): string[] {
  const out: string[] = [];
  for (const f of CORE_FORMAT_NAMES) out.push(`prod-${short(f)}-rf8`, `cvt-${short(f)}-rf8`);
  return out;
}

function rtlFor(args: Args, suite: string): RtlOptions {
  const base = defaultRtlFor(getSuite(suite));
  return {
    ...base,
    ...(args.lanes !== undefined ? { lanes: parseIntStrict(args.lanes, '--lanes', 1, 32) } : {}),
    ...(args.pipe !== undefined ? { pipe: parseIntStrict(args.pipe, '--pipe', 0, MAX_PIPE) } : {}),
    ...(args.outs ? { outs: args.outs } : {}),
    ...(args.inject ? { faults: args.inject } : {}),
  };
}

function parseStall(s: string | undefined): [number, number, number] | undefined {
  if (!s) return undefined;
  const m = /^(\d+),([0-9.]+),([0-9.]+)$/.exec(s);
  if (!m || Number(m[2]) >= 1 || Number(m[3]) >= 1) throw new InputError(`--stall: expected SEED,PIN,POUT with probabilities below 1: '${s}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const mps = (v: number): string => (v / 1e6).toFixed(2);

export const cosimCommand: CommandModule<object, Args> = {
  command: 'cosim',
  describe: 'co-simulate the generated RTL against the golden vectors (Verilator harness; --sim iverilog), fast-check properties (--props), fault injection kill rate (--mutants)',
  builder: (y) =>
    y
      .option('suite', { type: 'string', array: true, describe: 'suite(s) to run (rf8 golden --list); default: the committed DUT suites' })
      .option('exhaustive', { type: 'boolean', default: false, describe: 'exhaustive products and conversions for every pair of the GG float modes (9 pairs)' })
      .option('exhaustive-rf8', { type: 'boolean', default: false, describe: "exhaustive products and conversions of every format F with the authors' rf8 (F x rf8, 7 pairs; outputs rf8, rf8:nearest, F)" })
      .option('lanes', { type: 'number', describe: 'DUT lanes (default: the suite\'s; 1-lane suites are spread over the lanes)' })
      .option('pipe', { type: 'number', describe: 'DUT pipeline registers 0..6 (default 2; 4-6 pipeline the output converters)' })
      .option('outs', { type: 'string', array: true, describe: 'DUT output formats (default: the suite\'s)' })
      .option('inject', { type: 'string', array: true, describe: `inject fault(s) into the DUT: ${FAULT_NAMES.join(', ')}` })
      .option('raw', { type: 'number', describe: 'also clock the model this many cycles with no I/O (raw cycle rate, same run)' })
      .option('stall', { type: 'string', describe: 'random input bubbles / output backpressure: SEED,PIN,POUT' })
      .option('text', { type: 'boolean', default: false, describe: 'parse the text vectors on every run (default: a binary vector file converted once)' })
      .option('wave', { type: 'string', describe: 'FST waveform of a failing window (default: under .cache/rf8/waves/)' })
      .option('sim', { type: 'string', default: 'verilator', choices: ['verilator', 'iverilog'], describe: 'simulator' })
      .option('mutants', { type: 'boolean', default: false, describe: 'inject every fault and report the kill rate' })
      .option('mode', { type: 'string', default: 'schema', choices: ['schema', 'static'], describe: 'mutants: one model with every fault selectable (schema) or one design per fault (static)' })
      .option('props', { type: 'boolean', default: false, describe: 'fast-check: random MAC sequences on the DUT and the reference side by side' })
      .option('runs', { type: 'number', default: 200, describe: 'property runs' })
      .option('seed', { type: 'number', default: 1, describe: 'property seed (a failure prints the seed that replays it)' })
      .option('max-len', { type: 'number', default: 24, describe: 'longest MAC sequence of a property run' })
      .option('a', { type: 'string', describe: 'props: operand a format (default rf8-e3m4); mutants: the engine\'s (default: every fault on the engine of its family, src/sim MUTANT_PLAN)' })
      .option('b', { type: 'string', describe: 'props / mutants: operand b format (default: a)' })
      .option('modes', { type: 'string', describe: 'props: a multi-mode DUT, 2-4 comma-separated formats both operands may take ("gg-modes" = the three GG float modes); random mode numbers per dot product' })
      .option('W', { type: 'number', describe: 'props: accumulator width (default: the exact bound)' })
      .option('dut', { type: 'string', array: true, describe: 'an external design: its Verilog/SystemVerilog files (with --top and --ports; docs/verify-your-rtl.md)' })
      .option('top', { type: 'string', describe: '--dut: the top module' })
      .option('ports', { type: 'string', describe: '--dut: the port map (JSON, schemas/rf8-portmap.schema.json)' })
      .option('param', { type: 'string', array: true, describe: '--dut: parameter override of the top, NAME=VALUE (e.g. a bug switch)' })
      .option('count', { type: 'number', default: 20000, describe: '--dut: random beats of the default suite (rf8 gen edge,random for the design\'s configuration)' })
      .option('jobs', { type: 'number', default: 1, describe: 'suites run in parallel (harness processes)' })
      .option('fault-sel', { type: 'number', describe: '--dut: value of the design\'s fault_sel input (a bug selected at run time; verification only)' })
      .option('shard', { type: 'string', describe: 'run shard I/N of every suite (cut at clears; rf8 gen --shard semantics)' }) as never,
  handler: async (args) => {
    const sim = args.sim as 'verilator' | 'iverilog';
    if (args.dut) return dutHandler(args);
    if (args.top || args.ports || args.param) throw new InputError('--top, --ports and --param go with --dut FILE...');
    if (args.mutants) {
      if (args.b !== undefined && args.a === undefined) throw new InputError('--mutants -b: give the engine\'s operand a too (-a)');
      // -a/-b: one engine (the suites' lanes and outputs unless given) and the faults whose sites it has
      const base = args.a !== undefined ? mutantBaseFor(args.a, args.b ?? args.a, { ...(args.lanes !== undefined ? { lanes: parseIntStrict(args.lanes, '--lanes', 1, 32) } : {}), ...(args.outs ? { outs: args.outs } : {}) }) : undefined;
      if (base && args.pipe !== undefined) base.pipe = parseIntStrict(args.pipe, '--pipe', 0, MAX_PIPE);
      const picked = args.inject ? parseFaults(args.inject) : undefined;
      const faults = picked ? FAULT_NAMES.filter((f) => picked.includes(f)) : undefined;
      if (base && faults) {
        const cfg = generateRtl(base).cfg;
        const none = faults.filter((f) => !faultApplies(f, cfg));
        if (none.length) throw new InputError(`--inject: the engine ${cfg.id} has no site of ${none.join(', ')}`);
      }
      const r = await runMutants({ mode: args.mode as 'schema' | 'static', sim, log, faults, ...(base ? { base } : {}) });
      emit(args, r, () =>
        [
          table(
            ['fault', 'block', 'killed by', 'line'],
            r.mutants.map((m) => [m.fault, m.block, m.killed ? m.by! : 'SURVIVED', m.line ?? '']),
          ),
          `kill rate ${r.killed}/${r.total} = ${(100 * r.killRate).toFixed(1)}% (${r.mode}, ${r.sim}, base ${r.base}, ${r.seconds.toFixed(1)} s)`,
        ].join('\n'),
      );
      if (r.killed < r.total) throw new CheckFailed(`${r.total - r.killed} mutant(s) survived: ${r.mutants.filter((m) => !m.killed).map((m) => m.fault).join(', ')}`);
      return;
    }
    if (args.props) {
      const modes = args.modes !== undefined ? parseModes(args.modes) : undefined;
      const rtl: RtlOptions = {
        ...(modes ? { modes } : { a: args.a ?? 'rf8-e3m4', b: args.b ?? args.a ?? 'rf8-e3m4' }),
        lanes: args.lanes ?? 8,
        pipe: args.pipe,
        outs: args.outs ?? [modes ? modes[0]! : (args.b ?? args.a ?? 'rf8-e3m4')],
        faults: args.inject,
        ...(args.W !== undefined ? { W: parseIntStrict(args.W, '--W', 4, 256) } : {}),
      };
      const g = generateRtl(rtl);
      const m = await buildModel(g, { log });
      const s = new DutSession(m.exe, g.cfg);
      const stall = parseStall(args.stall);
      try {
        const r = await runMacProperty(s, g.cfg, { runs: parseIntStrict(args.runs, '--runs', 1, 1e7), seed: parseIntStrict(args.seed, '--seed'), maxLength: parseIntStrict(args.maxLen, '--max-len', 1, 10000), stall: stall ? [stall[1], stall[2]] : undefined });
        emit(args, { config: g.cfg.id, ...r }, () =>
          r.pass
            ? `${r.runs} random MAC sequences: DUT == reference (seed ${r.seed}, ${g.cfg.id})`
            : [
                `property FAILED after ${r.runs} runs (seed ${r.seed}, path ${r.path}, ${r.shrinks} shrinks) on ${g.cfg.id}`,
                `minimal sequence (${r.counterexample?.length} beats):`,
                ...(r.counterexample ?? []).map((b) => '  ' + showBeat(b)),
                `difference: ${r.difference}`,
                `replay: rf8 cosim --props --seed ${r.seed} --runs ${args.runs}${modes ? ` --modes ${modes.join(',')}` : ` --a ${args.a ?? 'rf8-e3m4'}${args.b ? ` --b ${args.b}` : ''}`} --lanes ${rtl.lanes}${args.pipe !== undefined ? ` --pipe ${args.pipe}` : ''}${args.W !== undefined ? ` --W ${args.W}` : ''}${args.outs ? ` --outs ${args.outs.join(' ')}` : ''}${args.inject ? ` --inject ${args.inject.join(' ')}` : ''}`,
              ].join('\n'),
        );
        if (!r.pass) throw new CheckFailed(`property failed (seed ${r.seed}): ${r.difference}`);
      } finally {
        await s.close();
      }
      return;
    }
    let names = args.suite ?? (args.exhaustive || args.exhaustiveRf8 ? [...(args.exhaustive ? exhaustiveSuites() : []), ...(args.exhaustiveRf8 ? exhaustiveRf8Suites() : [])] : listSuites().filter((d) => d.committed && d.dot).map((d) => d.name));
    names = names.map((n) => getSuite(n).name);
    const results: (CosimResult | IverilogResult)[] = [];
    const stall = parseStall(args.stall);
    const shard = args.shard ? parseShard(args.shard) : undefined;
    const jobs = parseIntStrict(args.jobs, '--jobs', 1, 64);
    const runOne = async (n: string): Promise<CosimResult | IverilogResult> => {
      const d0 = getSuite(n);
      if (!d0.dot) throw new InputError(`suite ${n} has no DUT vectors (kind ${d0.kind})`);
      // --shard I/N: that part of the suite (cut at clears), written once into the cache
      const d = shard ? shardSuite(d0, shard) : d0;
      const g = generateRtl(rtlFor(args, n));
      if (sim === 'iverilog') {
        const r = await iverilogSuite(d, g, log);
        log(`${r.pass ? 'pass' : 'FAIL'} ${d.name}: ${r.vectors} vectors in ${r.seconds.toFixed(1)} s${r.mismatch ? `: ${typeof r.mismatch === 'object' ? `line ${r.mismatch.line}: ${r.mismatch.fields.join(', ')}` : r.mismatch}` : ''}`);
        return r;
      }
      const rawCycles = args.raw !== undefined ? parseIntStrict(args.raw, '--raw', 0, 1e12) : 0;
      const r = await cosimSuiteOn(d, g, { rawCycles, stall, wave: args.wave, binary: !args.text, log });
      log(`${r.pass ? 'pass' : 'FAIL'} ${d.name} on ${r.config}: ${r.vectors} vectors, ${mps(r.vectorsPerSec)} M/s${r.rawCyclesPerSec ? `, raw ${mps(r.rawCyclesPerSec)} Mcycles/s` : ''}`);
      return r;
    };
    // --jobs J: J suites at a time (one simulator process each); results in suite order
    const slots: (CosimResult | IverilogResult)[] = new Array(names.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(jobs, names.length) }, async () => {
        while (next < names.length) {
          const i = next++;
          slots[i] = await runOne(names[i]!);
        }
      }),
    );
    results.push(...slots);
    const failed = results.filter((r) => !r.pass);
    emit(args, { simulator: sim, pass: failed.length === 0, results }, () => {
      const rows = results.map((r) =>
        'rawCyclesPerSec' in r
          ? [r.suite, r.config, r.vectors, r.pass ? 'pass' : 'FAIL', mps(r.vectorsPerSec), mps(r.endToEndPerSec), r.rawCyclesPerSec ? mps(r.rawCyclesPerSec) : '-', r.ratio ? r.ratio.toFixed(2) : '-']
          : [r.suite, r.config, r.vectors, r.pass ? 'pass' : 'FAIL', (r.vectorsPerSec / 1e6).toFixed(4), '-', '-', '-'],
      );
      const lines = [table(['suite', 'DUT', 'vectors', 'result', 'Mvec/s', 'Mvec/s e2e', 'raw Mcyc/s', 'ratio'], rows)];
      for (const r of failed) {
        if ('mismatch' in r && r.mismatch && typeof r.mismatch === 'object') {
          const mm = r.mismatch;
          lines.push(`first mismatch in ${r.suite}, line ${mm.line}, cycle ${mm.cycle}: ${mm.fields.join(', ')}`);
          lines.push(`  inputs:   ${JSON.stringify(mm.inputs)}`);
          lines.push(`  expected: ${JSON.stringify(mm.expected)}`);
          lines.push(`  actual:   ${JSON.stringify(mm.actual)}`);
          if (mm.wave) lines.push(`  waveform: ${mm.wave}`);
        } else if ('mismatch' in r && r.mismatch) lines.push(`${r.suite}: ${String(r.mismatch)}`);
      }
      return lines.join('\n');
    });
    if (failed.length) throw new CheckFailed(`${failed.length} suite(s) failed: ${failed.map((r) => r.suite).join(', ')}`);
  },
};

async function dutHandler(args: Args): Promise<void> {
  const { loadDesign } = await import('../../verify-hw/portmap.js');
  const { cosimDut, defaultDutSuite, iverilogDut, propsDut } = await import('../../verify-hw/dut.js');
  if (!args.ports) throw new InputError('--dut needs --ports MAP.json (docs/verify-your-rtl.md)');
  const params = Object.fromEntries(
    (args.param ?? []).map((p) => {
      const i = p.indexOf('=');
      if (i < 1) throw new InputError(`--param: expected NAME=VALUE: '${p}'`);
      return [p.slice(0, i), p.slice(i + 1)];
    }),
  );
  const d = loadDesign(args.ports, args.dut!, args.top, {}, params);
  const sim = args.sim as 'verilator' | 'iverilog';
  if (args.props) {
    const stall = parseStall(args.stall);
    const r = await propsDut(d, { runs: parseIntStrict(args.runs, '--runs', 1, 1e7), seed: parseIntStrict(args.seed, '--seed'), maxLength: parseIntStrict(args.maxLen, '--max-len', 1, 10000), stall: stall ? [stall[1], stall[2]] : undefined, log, faultSel: args.faultSel });
    emit(args, r, () =>
      r.pass
        ? `${r.runs} random MAC sequences: ${d.top} == reference (seed ${r.seed}, ${r.config})`
        : [
            `property FAILED after ${r.runs} runs (seed ${r.seed}, path ${r.path}, ${r.shrinks} shrinks) on ${d.top} (${r.config})`,
            `minimal sequence (${r.counterexample?.length} beats):`,
            ...(r.counterexample ?? []).map((b) => '  ' + showBeat(b)),
            `difference: ${r.difference}`,
            ...(r.decoded
              ? [
                  `first mismatching output ${r.decoded.output} (beat ${r.decoded.beat}): ${r.decoded.fields.join(', ')}`,
                  `  inputs:   ${JSON.stringify(r.decoded.inputs)}`,
                  `  expected: ${JSON.stringify(r.decoded.expected)}`,
                  `  actual:   ${JSON.stringify(r.decoded.actual)}`,
                ]
              : []),
            `replay: rf8 cosim --dut ${args.dut!.join(' ')} --top ${d.top} --ports ${args.ports} --props --seed ${r.seed} --runs ${args.runs}${(args.param ?? []).map((p) => ` --param ${p}`).join('')}${args.faultSel ? ` --fault-sel ${args.faultSel}` : ''}`,
          ].join('\n'),
    );
    if (!r.pass) throw new CheckFailed(`property failed (seed ${r.seed}): ${r.difference}`);
    return;
  }
  const suites = args.suite ? args.suite.map((n) => getSuite(n)) : [defaultDutSuite(d, parseIntStrict(args.count, '--count', 0, 1e9))];
  const shard = args.shard ? parseShard(args.shard) : undefined;
  const results: (CosimResult | IverilogResult)[] = [];
  const stall = parseStall(args.stall);
  const jobs = parseIntStrict(args.jobs, '--jobs', 1, 64);
  const one = async (s: SuiteDef): Promise<CosimResult | IverilogResult> => {
    if (sim === 'iverilog') {
      const r = await iverilogDut(d, s, { log, wave: args.wave });
      log(`${r.pass ? 'pass' : 'FAIL'} ${s.name} on ${d.top} (iverilog): ${r.vectors} vectors in ${r.seconds.toFixed(1)} s`);
      return r;
    }
    const r = await cosimDut(d, s, { stall, wave: args.wave, binary: !args.text, log, faultSel: args.faultSel });
    log(`${r.pass ? 'pass' : 'FAIL'} ${s.name} on ${d.top}: ${r.vectors} vectors, ${mps(r.vectorsPerSec)} M/s, latency ${r.latency}`);
    return r;
  };
  for (const s0 of suites) {
    const outer = shard ?? { index: 0, count: 1 };
    if (jobs === 1) {
      results.push(await one(outer.count > 1 ? shardSuite(s0, outer) : s0));
      continue;
    }
    // --jobs J: J simulator processes on the shards J*I .. J*I+J-1 of J*N (cut at clears); the
    // first mismatch of the suite is the failing shard's with the lowest line
    const parts = await Promise.all(Array.from({ length: jobs }, (_, j) => one(shardSuite(s0, { index: outer.index * jobs + j, count: outer.count * jobs }))));
    const bad = parts.filter((r) => !r.pass);
    const first = bad[0];
    const merged = { ...(first ?? parts[0]!), suite: s0.name, vectors: parts.reduce((t, r) => t + r.vectors, 0), outputs: parts.reduce((t, r) => t + r.outputs, 0), pass: bad.length === 0 };
    results.push(merged as CosimResult | IverilogResult);
  }
  const failed = results.filter((r) => !r.pass);
  emit(args, { simulator: sim, dut: d.top, config: d.cfg.id, pass: failed.length === 0, results }, () => {
    const lines = [table(['suite', 'DUT', 'vectors', 'outputs', 'result'], results.map((r) => [r.suite, d.top, r.vectors, r.outputs, r.pass ? 'pass' : 'FAIL']))];
    for (const r of failed) {
      if (r.mismatch && typeof r.mismatch === 'object') {
        const mm = r.mismatch;
        lines.push(`first mismatch in ${r.suite}, line ${mm.line}, cycle ${mm.cycle}: ${mm.fields.join(', ')}`);
        lines.push(`  inputs:   ${JSON.stringify(mm.inputs)}`);
        lines.push(`  expected: ${JSON.stringify(mm.expected)}`);
        lines.push(`  actual:   ${JSON.stringify(mm.actual)}`);
        if (mm.wave) lines.push(`  waveform: ${mm.wave}`);
      } else if (r.mismatch) lines.push(`${r.suite}: ${String(r.mismatch)}`);
    }
    return lines.join('\n');
  });
  if (failed.length) throw new CheckFailed(`${failed.length} suite(s) failed on ${d.top}: ${failed.map((r) => r.suite).join(', ')}`);
}
