import type { CommandModule } from 'yargs';
import { CORE_FORMAT_NAMES } from '../../format/index.js';
import { FAULT_NAMES } from '../../rtl/index.js';
import { prove, proveUnsupported, type ProveBlock, type ProveReport } from '../../mcy/index.js';
import { CheckFailed, InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, table, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  block: string;
  a?: string;
  b?: string;
  W?: number;
  all: boolean;
  inject?: string[];
  timeout: number | string;
  split: string;
}

export const proveCommand: CommandModule<object, Args> = {
  command: 'prove',
  describe: 'prove a generated block equal, for all inputs, to an independent behavioural Verilog model (yosys miter -equiv + sat -prove): converter (to a family format or binary32), decoder, multiplier (decoders + rf8_mul)',
  builder: (y) =>
    y
      .option('block', { type: 'string', demandOption: true, describe: 'converter | decoder | multiplier' })
      .option('a', { type: 'string', describe: 'converter: the output format or binary32; decoder: the format; multiplier: operand a' })
      .option('b', { type: 'string', describe: 'multiplier: operand b (default: a)' })
      .option('W', { type: 'number', describe: 'converter: accumulator width (default: the exact bound of a x a; binary32: of rf8-e3m4 x rf8-e3m4)' })
      .option('all', { type: 'boolean', default: false, describe: 'every family format (and binary32 for the converter; every pair a x a for the multiplier)' })
      .option('inject', { type: 'string', array: true, describe: `inject a fault into the block under test (the proof must fail with a counterexample): ${FAULT_NAMES.join(', ')}` })
      .option('timeout', { default: 3600, describe: 'seconds for each SAT call (and for the yosys run)' })
      .option('split', { type: 'string', default: 'none', describe: 'converter: d = a case split on the scale difference d (one SAT problem per d where the result depends on acc, aligned blocks of the high bits of d for the rest); none = one problem' }) as never,
  handler: async (args) => {
    const block = args.block as ProveBlock;
    if (!['converter', 'decoder', 'multiplier'].includes(block)) throw new InputError(`prove: --block must be converter, decoder or multiplier: ${args.block}`);
    if (!args.all && !args.a) throw new InputError('prove: give -a FORMAT (or --all)');
    const targets = args.all ? [...CORE_FORMAT_NAMES, ...(block === 'converter' ? ['binary32'] : [])] : [args.a!];
    const timeoutSec = parseIntStrict(args.timeout, '--timeout', 1, 86400);
    const split = args.split as 'none' | 'd';
    if (split !== 'none' && split !== 'd') throw new InputError(`prove: --split must be none or d: ${args.split}`);
    const reports: ProveReport[] = [];
    const skipped: { target: string; reason: string }[] = [];
    for (const a of targets) {
      if (args.all) {
        // --all: a format without an independent model of its converter is reported, not proven
        const why = proveUnsupported(block, a);
        if (why) {
          log(`SKIPPED ${block} ${a}: ${why}`);
          skipped.push({ target: a, reason: why });
          continue;
        }
      }
      const r = await prove({ block, a, b: args.all ? undefined : args.b, ...(args.W !== undefined ? { W: parseIntStrict(args.W, '--W', 4, 256) } : {}), inject: args.inject, timeoutSec, split, log });
      log(`${r.proven ? 'PROVEN' : 'NOT EQUAL'} ${block} ${r.target}${r.W ? ` (W = ${r.W})` : ''}${r.split ? ` (${r.split.problems} SAT problems, split on d)` : ''} in ${r.seconds.toFixed(1)} s${r.yosysCpuSeconds !== undefined ? ` (yosys CPU ${r.yosysCpuSeconds.toFixed(1)} s)` : ''}`);
      reports.push(r);
    }
    const out = reports.length === 1 && !args.all ? reports[0]! : { block, proven: reports.every((r) => r.proven), reports, skipped };
    emit(args, out, () =>
      [
        table(['block', 'target', 'W', 'result', 'seconds'], reports.map((r) => [r.block, r.target, r.W ?? '-', r.proven ? 'proven' : 'COUNTEREXAMPLE', r.seconds.toFixed(1)])),
        ...skipped.map((x) => `${x.target}: not proven (${x.reason})`),
        ...reports.flatMap((r) => [`${r.target}: covers ${r.covers}`, `  assumes ${r.assumes}`, ...(r.counterexample ? [`  counterexample: ${JSON.stringify(r.counterexample)}`] : [])]),
      ].join('\n'),
    );
    const bad = reports.filter((r) => !r.proven);
    if (bad.length) throw new CheckFailed(`not equal to the reference model: ${bad.map((r) => `${r.block} ${r.target}${r.inject.length ? ` (injected ${r.inject.join(', ')})` : ''}`).join(', ')}`);
  },
};
