import type { CommandModule } from 'yargs';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIGS, FAULTS, FAULT_NAMES, MAX_PIPE, generateRtl, lintVerilator, writeRtl, type GeneratedRtl, type RtlOptions } from '../../rtl/index.js';
import { requireTool } from '../../sim/tools.js';
import { packageRoot } from '../../sim/paths.js';
import { CheckFailed } from '../../util/errors.js';
import { parseModeList as parseModes } from '../../arith/index.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  a?: string;
  modes?: string;
  b?: string;
  lanes: number;
  W?: number;
  nmax: number;
  pipe: number;
  outs?: string[];
  f32: boolean;
  inject?: string[];
  prefix: string;
  out?: string;
  flat: boolean;
  defaults: boolean;
  check: boolean;
  lint: boolean;
  listFaults: boolean;
}

function summary(g: GeneratedRtl, dir?: string): Record<string, unknown> {
  const c = g.cfg;
  return {
    id: c.id,
    dir: dir ?? null,
    a: c.fa.name,
    b: c.fb.name,
    ...(c.multi ? { modesA: c.modesA.modes.map((f) => f.name), modesB: c.modesB.modes.map((f) => f.name) } : {}),
    lanes: c.lanes,
    W: c.W,
    Wreason: c.Wreason,
    productWidth: c.PW,
    treeWidth: c.SW,
    pipe: c.pipe,
    latency: c.latency,
    outs: c.outLabels,
    f32: c.f32,
    faults: c.faults,
    files: g.files.map((f) => f.name),
  };
}

export const rtlCommand: CommandModule<object, Args> = {
  command: 'rtl',
  describe: 'generate the Verilog of the RF8 dot-product engine (decoder, multiplier, adder tree + accumulator, output converters, rf8_dot)',
  builder: (y) =>
    y
      .option('a', { type: 'string', describe: 'operand a format (any format: rf8 (the authors\' residual RF8), rf8-e2m5/e3m4/e4m3, ocp-e4m3, ocp-e5m2, int8; default rf8-e3m4)' })
      .option('modes', { type: 'string', describe: 'multi-mode unit: 2-4 comma-separated formats both operands may take, chosen per dot product by in_mode_a/in_mode_b ("gg-modes" = the GG float modes rf8-e2m5,rf8-e3m4,rf8-e4m3)' })
      .option('b', { type: 'string', describe: 'operand b format (default: a)' })
      .option('lanes', { type: 'number', default: 1, describe: 'lanes N (1..32)' })
      .option('W', { type: 'number', describe: 'accumulator width (default: the exact bound for --nmax terms)' })
      .option('nmax', { type: 'number', default: 4096, describe: 'longest exact dot product the default W must hold' })
      .option('pipe', { type: 'number', default: 2, describe: 'extra pipeline registers 0..6 (after the multipliers, the tree, before the converters, then 1 to 3 inside the converters)' })
      .option('outs', { type: 'string', array: true, describe: 'output formats, one converter each (default: b); NAME:ROUNDING picks another rounding the hardware has (rf8 = rf8:greedy, rf8:nearest)' })
      .option('f32', { type: 'boolean', default: true, describe: 'emit the binary32 output converter (--no-f32 to drop it)' })
      .option('inject', { type: 'string', array: true, describe: `inject a fault (verification only): ${FAULT_NAMES.join(', ')}` })
      .option('prefix', { type: 'string', default: 'rf8_', describe: 'module name prefix' })
      .option('out', { type: 'string', describe: 'output folder (a sub-folder per configuration, unless --flat)' })
      .option('flat', { type: 'boolean', default: false, describe: 'write the files directly into --out' })
      .option('defaults', { type: 'boolean', default: false, describe: 'the default configurations checked in under rtl/' })
      .option('check', { type: 'boolean', default: false, describe: 'with --defaults: check that rtl/ holds exactly what the generator writes' })
      .option('lint', { type: 'boolean', default: false, describe: 'run verilator --lint-only -Wall on the result' })
      .option('list-faults', { type: 'boolean', default: false, describe: 'list the injectable faults' }) as never,
  handler: async (args) => {
    if (args.listFaults) {
      emit(args, { faults: FAULTS }, () => table(['fault', 'block', 'bug'], FAULT_NAMES.map((f) => [f, FAULTS[f].block, FAULTS[f].text])));
      return;
    }
    const one: RtlOptions = {
      ...(args.modes !== undefined ? { modes: parseModes(args.modes) } : {}),
      a: args.a,
      b: args.b,
      lanes: parseIntStrict(args.lanes, '--lanes', 1, 32),
      W: args.W === undefined ? undefined : parseIntStrict(args.W, '--W', 4, 256),
      nmax: parseIntStrict(args.nmax, '--nmax', 1, 2 ** 40),
      pipe: parseIntStrict(args.pipe, '--pipe', 0, MAX_PIPE),
      outs: args.outs,
      f32: args.f32,
      faults: args.inject,
      prefix: args.prefix,
    };
    const gens = args.defaults ? DEFAULT_CONFIGS.map((c) => generateRtl(c)) : [generateRtl(one)];
    if (args.check) {
      const base = resolve(args.out ?? join(packageRoot(), 'rtl'));
      const bad: string[] = [];
      for (const g of gens)
        for (const f of g.files) {
          const p = join(base, g.cfg.id, f.name);
          if (!existsSync(p)) bad.push(`${p}: missing`);
          else if (readFileSync(p, 'utf8') !== f.text) bad.push(`${p}: differs from the generator's output`);
        }
      emit(args, { checked: gens.map((g) => g.cfg.id), problems: bad }, () => (bad.length ? bad.join('\n') : `${gens.length} configurations under ${base} match the generator`));
      if (bad.length) throw new CheckFailed(`${bad.length} generated file(s) out of date under ${base} (regenerate: rf8 rtl --defaults --out rtl/)`);
      return;
    }
    const results: Record<string, unknown>[] = [];
    for (const g of gens) {
      let dir: string | undefined;
      if (args.out ?? args.defaults) {
        const base = resolve(args.out ?? join(packageRoot(), 'rtl'));
        dir = args.flat && !args.defaults ? base : join(base, g.cfg.id);
        writeRtl(g, dir);
        log(`wrote ${dir}`);
      }
      const s = summary(g, dir);
      if (args.lint) {
        requireTool('verilator');
        const r = await lintVerilator(g);
        s.lint = { clean: r.ok && r.output === '', output: r.output };
        if (!r.ok || r.output) log(r.output);
      }
      results.push(s);
    }
    emit(args, args.defaults ? { configurations: results } : results[0], () =>
      results
        .map((s) =>
          [
            `${s.id}${s.dir ? `  ->  ${s.dir}` : ''}`,
            `  ${s.modesA ? `modes {${(s.modesA as string[]).join(', ')}} (in_mode_a) x {${(s.modesB as string[]).join(', ')}} (in_mode_b)` : `${s.a} x ${s.b}`}, N = ${s.lanes}, pipe ${s.pipe} (latency ${s.latency} cycles), outputs ${(s.outs as string[]).concat(s.f32 ? ['binary32'] : []).join(', ')}`,
            `  W = ${s.W}: ${s.Wreason}`,
            `  product ${s.productWidth} bits, adder tree ${s.treeWidth} bits${(s.faults as string[]).length ? `, FAULTS: ${(s.faults as string[]).join(', ')}` : ''}`,
            `  files: ${(s.files as string[]).join(' ')}`,
            ...(s.lint ? [`  verilator --lint-only -Wall: ${(s.lint as { clean: boolean }).clean ? 'clean' : 'WARNINGS'}`] : []),
          ].join('\n'),
        )
        .join('\n'),
    );
    if (args.lint && results.some((s) => !(s.lint as { clean: boolean }).clean)) throw new CheckFailed('lint warnings');
  },
};
