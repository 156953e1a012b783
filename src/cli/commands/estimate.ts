import type { CommandModule } from 'yargs';
import cliProgress from 'cli-progress';
import { DEFAULT_FORMATS, DEFAULT_LANES, ESTIMATE_FORMATS, ESTIMATE_FORMAT_ALIASES, GG_MULTI, parseEstimateFormat } from '../../estimate/configs.js';
import { DEVICE_NAMES, getDevice, type DeviceName } from '../../estimate/devices.js';
import { runSweep } from '../../estimate/sweep.js';
import { reportText, allVerdicts, writePlots, compare, markdownSection, upsertMarkdown, reportFingerprint, sectionId } from '../../estimate/report.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { MAX_PIPE } from '../../rtl/index.js';
import { InputError } from '../../util/errors.js';
import { emit, log, parseIntStrict, type CommonArgs } from '../common.js';

interface Args extends CommonArgs {
  formats?: string[];
  lanes?: string[];
  device: string;
  model?: string;
  plot?: string;
  seeds: string;
  freq: number;
  pipe: number;
  jobs: number;
  bandwidth: string;
  cache: boolean;
  'cache-dir'?: string;
  datapath: boolean;
  markdown?: string;
  seed: number;
  tag?: string;
}

const list = (v: string[] | string | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export const estimateCommand: CommandModule<object, Args> = {
  command: 'estimate',
  describe: 'FPGA resources, Fmax and throughput of the generated engines (yosys + nextpnr-ice40), RF8 vs INT8 / OCP FP8',
  builder: (y) =>
    y
      .option('formats', { type: 'array', string: true, describe: `formats (${ESTIMATE_FORMATS.join(', ')}, or a pair A/B: activations A x weights B, e.g. int8/rf8; ${GG_MULTI} = the multi-mode unit of the GG float modes, old name rf8-multi); default ${DEFAULT_FORMATS.join(',')}` })
      .option('lanes', { type: 'array', string: true, describe: `lane counts N; default ${DEFAULT_LANES.join(',')}` })
      .option('device', { type: 'string', default: 'hx8k', choices: DEVICE_NAMES, describe: 'target device (Fmax: iCE40 only)' })
      .option('model', { type: 'string', describe: 'weight file / checkpoint for the throughput model and bits/weight (default: MNIST MLP + char-LM shapes, GG rate)' })
      .option('plot', { type: 'string', describe: 'write SVG plots into this folder' })
      .option('seeds', { type: 'string', default: '1,2,3', describe: 'nextpnr seeds (median Fmax)' })
      .option('freq', { type: 'number', default: 100, describe: 'nextpnr target MHz' })
      .option('pipe', { type: 'number', default: 2, describe: 'generator pipeline registers (0..6; 4-6 pipeline the output converters)' })
      .option('jobs', { type: 'number', default: 2, describe: 'concurrent tool runs' })
      .option('bandwidth', { type: 'string', default: '1,4,16', describe: 'weight bandwidths in bytes/cycle' })
      .option('cache', { type: 'boolean', default: true, describe: 'use the result cache (--no-cache to rerun the tools)' })
      .option('cache-dir', { type: 'string', describe: 'cache folder (default .cache/estimate)' })
      .option('datapath', { type: 'boolean', default: false, describe: 'also measure the MAC datapath without the output converters (iCE40; about 1.5x the CPU time)' })
      .option('markdown', { type: 'string', describe: "write (or replace) this run's generated block of tables in a markdown file" })
      .option('seed', { type: 'number', default: 7, describe: 'seed of the GG samples' })
      .option('tag', { type: 'string', describe: "name of this run's markdown block beside the device (e.g. rf8-weights)" }) as never,
  handler: async (args) => {
    const formats = list(args.formats).map((s) => {
      const alias = Object.hasOwn(ESTIMATE_FORMAT_ALIASES, s) ? ESTIMATE_FORMAT_ALIASES[s] : undefined;
      if (alias?.deprecated) log(`rf8 estimate: --formats '${s}' is deprecated, use '${alias.to}' (rf8kit's GG float modes; 'rf8' is the authors' residual format)`);
      return parseEstimateFormat(s);
    });
    const lanes = list(args.lanes).map((s) => parseIntStrict(s, '--lanes', 1, 32));
    const device = getDevice(args.device).name as DeviceName;
    const seeds = list(args.seeds).map((s) => parseIntStrict(s, '--seeds', 0, 2 ** 31));
    if (!seeds.length) throw new InputError('--seeds: give at least one seed');
    const bandwidths = list(args.bandwidth).map((s) => {
      const v = Number(s);
      if (!(v > 0) || !Number.isFinite(v)) throw new InputError(`--bandwidth: not a positive number: '${s}'`);
      return v;
    });
    const pipe = parseIntStrict(args.pipe, '--pipe', 0, MAX_PIPE);
    const jobs = parseIntStrict(args.jobs, '--jobs', 1, 64);
    const seed = parseIntStrict(args.seed, '--seed', 0, 2 ** 32 - 1);
    if (!(args.freq > 0 && args.freq < 2000)) throw new InputError(`--freq out of range: ${args.freq}`);
    const bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'estimate [{bar}] {value}/{total} {label}', hideCursor: false, clearOnComplete: true }, cliProgress.Presets.shades_classic);
    const nConf = (formats.length || DEFAULT_FORMATS.length) * (lanes.length || DEFAULT_LANES.length);
    bar.start(nConf, 0, { label: '' });
    let rep;
    try {
      rep = await runSweep({
        ...(formats.length ? { formats } : {}),
        ...(lanes.length ? { lanes } : {}),
        device,
        seeds,
        freqMHz: args.freq,
        pipe,
        jobs,
        bandwidths,
        cacheDir: args.cache ? (args['cache-dir'] ?? undefined) : null,
        datapath: args.datapath,
        ...(args.model ? { model: args.model } : {}),
        seed,
        ...(args.tag ? { tag: args.tag } : {}),
        onConfigDone: (done, _total, label) => bar.update(done, { label }),
      });
    } finally {
      bar.stop();
    }
    const plots = args.plot ? await writePlots(rep, args.plot) : [];
    for (const p of plots) log(`wrote ${p}`);
    if (args.markdown) {
      upsertMarkdown(args.markdown, sectionId(rep), markdownSection(rep, `rf8 ${process.argv.slice(2).filter((a, i, all) => a !== '--cache-dir' && all[i - 1] !== '--cache-dir').join(' ')}`));
      log(`wrote ${args.markdown}`);
    }
    const errors = rep.configs.filter((c) => c.status === 'error');
    if (errors.length) {
      for (const e of errors) log(`rf8 estimate: ${e.format} N=${e.lanes}: ${e.reason}`);
      process.exitCode = 1;
    }
    emit(args, { ...rep, rtlFingerprint: reportFingerprint(rep), comparison: [...compare(rep, 'rf8-e3m4'), ...compare(rep, GG_MULTI, ['rf8-e3m4', 'int8', 'ocp-e4m3'])], verdict: allVerdicts(rep), plots }, () => reportText(rep));
  },
};
