import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { parseShard } from '../../golden/index.js';
import { parseModeList } from '../../arith/index.js';
import { mergeReports, verifyFile, type VerifyReport } from '../../verify-hw/verify.js';
import type { DecodedMismatch } from '../../sim/cosim.js';
import { CheckFailed, InputError } from '../../util/errors.js';
import { emit, parseIntStrict, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  results?: string;
  a?: string;
  b?: string;
  modes?: string;
  W?: number;
  lanes?: number;
  outs?: string[];
  f32?: boolean;
  jobs: number;
  shard?: string;
  merge?: string[];
  maxErrors: number;
}

/** The lines of a decoded first mismatch (shared by cosim --dut and verify). */
export function mismatchLines(m: DecodedMismatch, where: string): string[] {
  return [
    `first mismatch ${where}, line ${m.line}${m.cycle >= 0 ? `, cycle ${m.cycle}` : ''}: ${m.fields.join(', ')}`,
    `  inputs:   ${JSON.stringify(m.inputs)}`,
    `  expected: ${JSON.stringify(m.expected)}`,
    `  actual:   ${JSON.stringify(m.actual)}`,
    ...(m.wave ? [`  waveform: ${m.wave}`] : []),
  ];
}

export function verifyText(r: VerifyReport): string {
  const c = r.mismatches;
  const per = [`acc ${c.acc}`, `nan ${c.nan}`, `ovf ${c.ovf}`, `f32 ${c.f32}`, ...Object.entries(c.codes).map(([k, n]) => `${k} ${n}`)].join(', ');
  const lines = [
    `${r.pass ? 'pass' : 'FAIL'} ${r.file} (${r.config}): ${r.lines} lines, ${r.outputs} output beats, ${r.checked} fields checked; mismatches: ${per}` +
      ` (${r.badLines} lines); ${(r.linesPerSec / 1e6).toFixed(2)} M lines/s, ${r.seconds.toFixed(2)} s${r.shard ? `, shard ${r.shard}` : ''}${r.jobs > 1 ? `, ${r.jobs} jobs` : ''}`,
  ];
  r.first.forEach((m, i) => lines.push(...(i < 3 ? mismatchLines(m, `in ${r.file}`) : [`  mismatch at line ${m.line}: ${m.fields.join(', ')}`])));
  return lines.join('\n');
}

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify [results]',
  describe: 'check a results file from any simulator or board against the reference (testfloat_ver): every expected field recomputed; exit 1 on a mismatch',
  builder: (y) =>
    y
      .positional('results', { type: 'string', describe: "results file ('-': stdin): suite lines with the design's outputs in the result fields" })
      .option('a', { alias: 'A', type: 'string', describe: 'operand a format (overrides the header)' })
      .option('b', { alias: 'B', type: 'string', describe: 'operand b format' })
      .option('modes', { type: 'string', describe: 'multi-mode unit: comma-separated formats' })
      .option('W', { type: 'number', describe: 'accumulator width' })
      .option('lanes', { type: 'number', describe: 'lanes N' })
      .option('outs', { type: 'string', array: true, describe: 'output formats of the out field ("none": no codes)' })
      .option('f32', { type: 'boolean', describe: 'binary32 output present (--no-f32: not checked)' })
      .option('jobs', { type: 'number', default: 1, describe: 'worker threads (the file is cut at clears)' })
      .option('shard', { type: 'string', describe: 'check shard I/N of the file only (cut at clears; merge the reports with --merge)' })
      .option('merge', { type: 'string', array: true, describe: 'merge JSON reports of shards (rf8 verify --json ... > part.json) into the report of the whole file' })
      .option('max-errors', { type: 'number', default: 10, describe: 'mismatches kept and decoded' }) as never,
  handler: async (args) => {
    const maxFirst = parseIntStrict(args.maxErrors, '--max-errors', 1, 10000);
    let r: VerifyReport;
    if (args.merge) {
      const rs = args.merge.map((p) => {
        try {
          return JSON.parse(readFileSync(p, 'utf8')) as VerifyReport;
        } catch (e) {
          throw new InputError(`not a verify JSON report: ${(e as Error).message.split('\n')[0]}`, p);
        }
      });
      r = mergeReports(rs, maxFirst);
    } else {
      // yargs drops a bare '-' positional: take it from the command line
      if (!args.results && process.argv.slice(3).includes('-')) args.results = '-';
      if (!args.results) throw new InputError('verify: name a results file (or - for stdin), or --merge REPORTS');
      const outs = args.outs?.length === 1 && args.outs[0] === 'none' ? [] : args.outs;
      r = await verifyFile(args.results, {
        over: {
          a: args.a,
          b: args.b ?? (args.a !== undefined ? args.a : undefined),
          modes: args.modes !== undefined ? parseModeList(args.modes) : undefined,
          outs,
          f32: args.f32,
          W: args.W !== undefined ? parseIntStrict(args.W, '-W', 4, 256) : undefined,
          lanes: args.lanes !== undefined ? parseIntStrict(args.lanes, '--lanes', 1, 32) : undefined,
        },
        jobs: parseIntStrict(args.jobs, '--jobs', 1, 64),
        shard: args.shard ? parseShard(args.shard) : undefined,
        maxFirst,
      });
    }
    emit(args, r, () => verifyText(r));
    if (!r.pass) throw new CheckFailed(`${r.badLines} mismatching line(s) in ${r.file}`);
  },
};
