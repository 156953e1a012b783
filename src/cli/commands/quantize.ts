import type { CommandModule } from 'yargs';
import { formatListText, ROUNDINGS, getFormat, type FormatName, type Rounding } from '../../format/index.js';
import { quantizeTensor, codeStreamStats, parseCandidates, SCALE_METHODS, type ScaleMethod, type QuantizedTensor } from '../../quant/index.js';
import { fitGG, lloydMax } from '../../gg/index.js';
import { quantizeWeightsFile, quantizeWeightsFileAsync, type TensorDecision, type QuantizeFileSummary } from '../../io/pipeline.js';
import { openWeights } from '../../io/open.js';
import { TensorPool, jobsOption } from '../pool.js';
import type { Rf8Codes, ScaleGranularity } from '../../io/rf8file.js';
import type { TensorInfo } from '../../io/source.js';
import { InputError } from '../../util/errors.js';
import { emit, log, table, type CommonArgs } from '../common.js';
import { FLOAT_DTYPE } from './fit.js';

interface Args extends CommonArgs {
  file: string;
  format: string;
  modes?: string;
  rounding?: string;
  'scale-method': string;
  'per-row': boolean;
  out: string;
  tensor?: string;
  bound: boolean;
  jobs?: number;
}

export interface TensorQuantReport {
  name: string;
  shape: number[];
  format: FormatName;
  rounding: Rounding;
  scaleMethod: ScaleMethod;
  perRow: boolean;
  /** Scale exponents X (one, or one per row). */
  scales: number[];
  sqnrDb: number;
  /** Lloyd-Max 256-level SQNR of the GG law fitted to the tensor (dB). */
  boundDb?: number;
  /** bits per weight: zero-order entropy of the codes, Huffman, signed Exp-Golomb (order k). */
  bits: { entropy: number; huffman: number; expGolomb: number; egOrder: number };
  nonFinite: number;
  criterion: Partial<Record<FormatName, number>>;
}

/** Quantize one tensor (the work of `rf8 quantize` per tensor, in the main thread or a worker). */
export function quantizeOne(
  info: TensorInfo,
  data: Float32Array | Float64Array,
  granularity: ScaleGranularity,
  o: { format: FormatName | 'auto'; method: ScaleMethod; bound: boolean; file: string; candidates?: FormatName[]; rounding?: Rounding },
): { report: TensorQuantReport; codes: Rf8Codes } {
  let finite = 0;
  for (let i = 0; i < data.length && finite === 0; i++) if (data[i]! - data[i]! === 0) finite++;
  if (finite === 0) throw new InputError(`tensor '${info.name}' has no finite values (${data.length} NaN/Inf)`, o.file);
  const perRow = granularity === 'row';
  const q: QuantizedTensor = quantizeTensor(data, info.shape, { format: o.format, scaleMethod: o.method, perRow, ...(o.candidates ? { candidates: o.candidates } : {}), ...(o.rounding ? { rounding: o.rounding } : {}) });
  const bits = codeStreamStats(q.codes, { twosComplement: q.format === 'int8' });
  const rep: TensorQuantReport = {
    name: info.name,
    shape: info.shape,
    format: q.format,
    rounding: q.rounding,
    scaleMethod: o.method,
    perRow,
    scales: Array.from(q.scales),
    sqnrDb: q.sqnrDb,
    bits: { entropy: bits.entropyBits, huffman: bits.huffmanBits, expGolomb: bits.egBits, egOrder: bits.egOrder },
    nonFinite: q.nonFinite,
    criterion: q.criterion,
  };
  if (o.bound) {
    const fit = q.fits && q.fits.length === 1 ? q.fits[0]! : fitGG(data);
    if (fit.alpha > 0 && fit.beta > 0) rep.boundDb = lloydMax(fit.alpha, fit.beta).sqnrDb;
  }
  return { report: rep, codes: { format: q.format, codes: q.codes, scales: q.scales, extra: { rounding: q.rounding } } };
}

export const quantizeCommand: CommandModule<object, Args> = {
  command: 'quantize <file>',
  describe: "quantize each float tensor of a weight file to an 8-bit format (the authors' rf8, a GG float mode, a baseline, or auto among the GG float modes) with amax/mse/gg scales; writes RF8 safetensors, one tensor in memory at a time",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'weight file (safetensors, .npy, .npz, tfjs model.json, GGUF, raw .f32)' })
      .option('format', { type: 'string', default: 'auto', describe: `element format or auto (${formatListText()}, auto; rf8 is the authors' RF8)` })
      .option('modes', { type: 'string', describe: "auto: the candidate formats, comma-separated ('gg-modes' = rf8-e2m5,rf8-e3m4,rf8-e4m3, the default; e.g. gg-modes,rf8 adds the authors' RF8; 'codebooks' = the GG codebooks, e.g. gg-modes,codebooks)" })
      .option('rounding', { type: 'string', describe: `rounding (${ROUNDINGS.filter((r) => r !== 'sr').join(', ')}): default each format's own (rne; greedy for rf8); with auto it applies to the candidates that offer it` })
      .option('scale-method', { type: 'string', default: 'gg', choices: [...SCALE_METHODS], describe: 'scale selection (docs/rf8-spec.md section 2)' })
      .option('per-row', { type: 'boolean', default: false, describe: 'one scale per row (first axis) of tensors of rank >= 2' })
      .option('out', { type: 'string', demandOption: true, describe: 'output RF8 safetensors file (docs/io.md: U8 codes, I8 scales <name>.rf8_scale, format per tensor in __metadata__)' })
      .option('tensor', { type: 'string', describe: 'quantize only this tensor (the others are left out of the output)' })
      .option('bound', { type: 'boolean', default: true, describe: 'report the Lloyd-Max bound of the fitted GG law' })
      .option('jobs', { type: 'number', describe: 'threads (default: the cores for files of >= 4M values, else 1 = the main thread alone): N - 1 worker threads quantize one tensor each while the main thread writes; the output file does not depend on it' }) as never,
  handler: async (args) => {
    const format = args.format === 'auto' ? 'auto' : getFormat(args.format).name;
    if (args.modes !== undefined && format !== 'auto') throw new InputError(`--modes lists the candidates of --format auto, not of --format ${format}`);
    const candidates = args.modes !== undefined ? parseCandidates(args.modes, '--modes') : undefined;
    let rounding: Rounding | undefined;
    if (args.rounding !== undefined) {
      const r = String(args.rounding);
      if (r === 'sr' || !(ROUNDINGS as readonly string[]).includes(r)) throw new InputError(`--rounding: '${r}' is not one of ${ROUNDINGS.filter((x) => x !== 'sr').join(', ')}`);
      rounding = r as Rounding;
      // checked up front (one line, exit 2) rather than at the first tensor
      const cands = format === 'auto' ? candidates ?? undefined : [format];
      if (cands && !cands.some((f) => getFormat(f).policy.roundings.includes(rounding!))) {
        throw new InputError(`--rounding ${r} is not available for ${cands.join(', ')} (${[...new Set(cands.flatMap((f) => getFormat(f).policy.roundings))].join(', ')})`);
      }
    }
    const method = args['scale-method'] as ScaleMethod;
    if (!SCALE_METHODS.includes(method)) throw new InputError(`unknown scale method '${method}'`);
    if (!/\.safetensors$/i.test(args.out)) throw new InputError(`--out must name a .safetensors file, got '${args.out}'`);
    const reports: TensorQuantReport[] = [];
    let matched = 0;
    const decide = (info: TensorInfo): TensorDecision => {
      if (args.tensor !== undefined && info.name !== args.tensor) return { kind: 'skip' };
      matched++;
      if (!info.supported || !(FLOAT_DTYPE.test(info.dtype) || /->float(32|64)$/.test(info.dtype))) {
        log(`rf8: ${args.file}: skipped tensor '${info.name}': ${info.supported ? `dtype '${info.dtype}' is not a float` : info.reason ?? 'unsupported'}`);
        return { kind: 'skip' };
      }
      if (info.numel === 0) throw new InputError(`tensor '${info.name}' is empty (shape [${info.shape.join(', ')}])`, args.file);
      const perRow = args['per-row'] && info.shape.length >= 2;
      if (args['per-row'] && !perRow) log(`rf8: ${info.name}: rank ${info.shape.length}, one scale for the tensor`);
      return { kind: 'rf8', granularity: perRow ? 'row' : 'tensor' };
    };
    const o = { format: format as FormatName | 'auto', method, bound: args.bound, file: args.file, ...(candidates ? { candidates } : {}), ...(rounding ? { rounding } : {}) };
    const common = {
      input: args.file,
      output: args.out,
      decide,
      metadata: { 'rf8.scale_method': method },
      onTensor: (info: TensorInfo, k: number, total: number, d: TensorDecision) => {
        if (d.kind !== 'skip') log(`rf8: [${k + 1}/${total}] ${info.name}`);
      },
    };
    // tensors to quantize decide the pool size (a cheap listing; the writer lists again)
    let toQuantize = 0;
    let values = 0;
    {
      const probe = openWeights(args.file);
      try {
        for (const t of probe.listTensors()) if ((args.tensor === undefined || t.name === args.tensor) && t.supported) {
          toQuantize++;
          values += t.numel;
        }
      } finally {
        probe.close();
      }
    }
    const jobs = jobsOption(args.jobs, Math.max(1, toQuantize), values);
    let summary: QuantizeFileSummary;
    if (jobs === 1) {
      summary = quantizeWeightsFile({
        ...common,
        quantize: (info, data, granularity) => {
          const r = quantizeOne(info, data, granularity, o);
          reports.push(r.report);
          return r.codes;
        },
      });
    } else {
      // jobs - 1 workers quantize while this thread reads the kept tensors and writes the output:
      // a quantization holds its tensor, the codes and the scale search's work arrays (about
      // 4x the tensor's float32 bytes at its peak), so one big tensor per worker, and the main
      // thread's share of the work is small (on 2 cores the 2.1 GB file of scripts/io-bigfile.sh
      // then stays under 600 MB)
      const workers = Math.max(1, jobs - 1);
      const pool = new TensorPool(workers);
      const done = new Map<string, TensorQuantReport>();
      try {
        summary = await quantizeWeightsFileAsync({
          ...common,
          window: workers,
          quantizeAsync: async (info, granularity) => {
            const r = (await pool.run({ kind: 'quantize', path: args.file, info, granularity, ...o })) as { kind: 'quantize'; report: TensorQuantReport; codes: Rf8Codes };
            done.set(info.name, r.report);
            return r.codes;
          },
          onTensor: (info, k, total, d) => {
            // called in file order after the tensor is written: the reports keep the --jobs 1 order
            const r = done.get(info.name);
            if (r) reports.push(r);
            done.delete(info.name);
            common.onTensor(info, k, total, d);
          },
        });
      } finally {
        await pool.close();
      }
    }
    if (args.tensor !== undefined && matched === 0) throw new InputError(`no tensor named '${args.tensor}'`, args.file);
    if (reports.length === 0) throw new InputError('no float tensors to quantize', args.file);
    emit(args, { file: args.file, out: args.out, tensors: reports, summary }, () => {
      const scaleText = (s: number[]): string => (s.length === 1 ? String(s[0]) : `${Math.min(...s)}..${Math.max(...s)} (${s.length} rows)`);
      return table(
        ['tensor', 'n', 'format', 'rounding', 'X', 'SQNR dB', 'LM bound dB', 'gap', 'H bits/w', 'Huffman', 'EG (k)'],
        reports.map((r) => [
          r.name,
          r.shape.reduce((a, b) => a * b, 1),
          r.format,
          r.rounding,
          scaleText(r.scales),
          r.sqnrDb.toFixed(2),
          r.boundDb !== undefined ? r.boundDb.toFixed(2) : '-',
          r.boundDb !== undefined ? (r.boundDb - r.sqnrDb).toFixed(2) : '-',
          r.bits.entropy.toFixed(3),
          r.bits.huffman.toFixed(3),
          `${r.bits.expGolomb.toFixed(3)} (${r.bits.egOrder})`,
        ]),
      ) + `\nwrote ${args.out}`;
    });
  },
};
