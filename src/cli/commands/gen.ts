import type { CommandModule } from 'yargs';
import { customSuite, GEN_LEVELS, parseShard, type GenLevel } from '../../golden/index.js';
import { parseModeList } from '../../arith/index.js';
import { genParallel, genTo, type GenFormat } from '../../verify-hw/gen.js';
import { InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  a: string;
  b?: string;
  modes?: string;
  W?: number;
  lanes: number;
  outs?: string[];
  f32: boolean;
  level: string;
  count: string;
  seed?: number;
  format: string;
  out?: string;
  shard?: string;
  jobs: number;
  header: boolean;
}

/** The gen options of a parsed command line (shared by `rf8 verify`'s flags). */
export function genOptionsOf(args: { a: string; b?: string; modes?: string; W?: number; lanes: number; outs?: string[]; f32: boolean }): Parameters<typeof customSuite>[0] {
  const outs = args.outs?.length === 1 && args.outs[0] === 'none' ? [] : args.outs;
  return {
    ...(args.modes !== undefined ? { modes: parseModeList(args.modes) } : { a: args.a, b: args.b ?? args.a }),
    ...(outs ? { outs } : {}),
    f32: args.f32,
    ...(args.W !== undefined ? { W: parseIntStrict(args.W, '-W', 4, 256) } : {}),
    lanes: parseIntStrict(args.lanes, '--lanes', 1, 32),
  };
}

export const genCommand: CommandModule<object, Args> = {
  command: 'gen',
  describe: 'generate a test suite for any configuration (testfloat_gen): edge cases, random MAC sequences, exhaustive products; text lines or $readmemh images',
  builder: (y) =>
    y
      .option('a', { alias: 'A', type: 'string', default: 'rf8-e3m4', describe: 'operand a format' })
      .option('b', { alias: 'B', type: 'string', describe: 'operand b format (default: a)' })
      .option('modes', { type: 'string', describe: 'multi-mode unit: 2-4 comma-separated formats ("rf8" = the three rf8 modes); random mode numbers per dot product' })
      .option('W', { type: 'number', describe: 'accumulator width (default: the exact bound for 4096 terms)' })
      .option('lanes', { type: 'number', default: 1, describe: 'lanes N (1..32)' })
      .option('outs', { type: 'string', array: true, describe: 'output formats (default: b; "none": binary32 only)' })
      .option('f32', { type: 'boolean', default: true, describe: 'binary32 output (--no-f32 drops it)' })
      .option('level', { type: 'string', default: 'edge,random', describe: `comma-separated levels: ${GEN_LEVELS.join(', ')}, or all (exhaustive: all 65536 code pairs)` })
      .option('count', { type: 'string', default: '10000', describe: 'beats of the random level (1e6 style accepted)' })
      .option('seed', { type: 'number', describe: 'seed (default: derived from the configuration)' })
      .option('format', { type: 'string', default: 'text', choices: ['text', 'mem'], describe: 'text: the golden suite line format; mem: fixed-width $readmemh words with per-output check masks' })
      .option('out', { type: 'string', describe: 'output file (written atomically; default stdout)' })
      .option('shard', { type: 'string', describe: 'write shard I/N only (1-based; shard bodies concatenated = the whole body)' })
      .option('jobs', { type: 'number', default: 1, describe: 'worker processes (output identical to --jobs 1)' })
      .option('header', { type: 'boolean', default: true, hidden: true }) as never,
  handler: async (args) => {
    const levels: GenLevel[] = args.level === 'all' ? [...GEN_LEVELS] : (args.level.split(',').map((s) => s.trim()) as GenLevel[]);
    const cnt = Number(args.count);
    if (!Number.isSafeInteger(cnt) || cnt < 0) throw new InputError(`--count: not a non-negative integer: '${args.count}'`);
    const d = customSuite({ ...genOptionsOf(args), levels, count: cnt, ...(args.seed !== undefined ? { seed: parseIntStrict(args.seed, '--seed', 0, 2 ** 32 - 1) } : {}) });
    const shard = args.shard ? parseShard(args.shard) : undefined;
    const jobs = parseIntStrict(args.jobs, '--jobs', 1, 256);
    const format = args.format as GenFormat;
    const t0 = Date.now();
    let n: number;
    if (jobs > 1) {
      // the children get the same configuration flags; they write body-only parts
      const keep: string[] = [];
      const raw = process.argv.slice(2);
      for (let i = 0; i < raw.length; i++) {
        const x = raw[i]!;
        if (['--out', '--shard', '--jobs'].includes(x)) {
          i++;
          continue;
        }
        if (/^--(out|shard|jobs)=/.test(x) || x === '--json') continue;
        keep.push(x);
      }
      n = await genParallel([process.argv[1]!, ...keep], d, jobs, args.out, { format, shard });
    } else n = genTo(args.out, d, { format, shard, header: args.header });
    const s = (Date.now() - t0) / 1000;
    const info = { suite: d.name, seed: d.seed, levels: d.levels, beats: n, format, out: args.out ?? null, shard: args.shard ?? null, seconds: s };
    if (args.out) emit(args, info, () => `wrote ${n} beats (${d.levels!.join(', ')}) of ${d.name} to ${args.out} in ${s.toFixed(1)} s`);
    else log(`${n} beats of ${d.name} (seed ${d.seed}) in ${s.toFixed(1)} s`);
  },
};
