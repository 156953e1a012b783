import type { CommandModule } from 'yargs';
import { ALL_FORMAT_NAMES, ROUNDINGS, getFormat, type FormatName, type Rounding } from '../../format/index.js';
import { quantizeTensor, codeStreamStats, parseCandidates, SCALE_METHODS, type ScaleMethod, type QuantizedTensor } from '../../quant/index.js';
import { fitGG, lloydMax } from '../../gg/index.js';
import { quantizeWeightsFile, type TensorDecision } from '../../io/pipeline.js';
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

export const quantizeCommand: CommandModule<object, Args> = {
  command: 'quantize <file>',
  describe: "quantize each float tensor of a weight file to an 8-bit format (the authors' rf8, a GG float mode, a baseline, or auto among the GG float modes) with amax/mse/gg scales; writes RF8 safetensors, one tensor in memory at a time",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'weight file (safetensors, .npy, .npz, tfjs model.json, GGUF, raw .f32)' })
      .option('format', { type: 'string', default: 'auto', describe: `element format or auto (${ALL_FORMAT_NAMES.join(', ')}, auto; rf8 is the authors' RF8)` })
      .option('modes', { type: 'string', describe: "auto: the candidate formats, comma-separated ('gg-modes' = rf8-e2m5,rf8-e3m4,rf8-e4m3, the default; e.g. gg-modes,rf8 adds the authors' RF8)" })
      .option('rounding', { type: 'string', describe: `rounding (${ROUNDINGS.filter((r) => r !== 'sr').join(', ')}): default each format's own (rne; greedy for rf8); with auto it applies to the candidates that offer it` })
      .option('scale-method', { type: 'string', default: 'gg', choices: [...SCALE_METHODS], describe: 'scale selection (docs/rf8-spec.md section 2)' })
      .option('per-row', { type: 'boolean', default: false, describe: 'one scale per row (first axis) of tensors of rank >= 2' })
      .option('out', { type: 'string', demandOption: true, describe: 'output RF8 safetensors file (docs/io.md: U8 codes, I8 scales <name>.rf8_scale, format per tensor in __metadata__)' })
      .option('tensor', { type: 'string', describe: 'quantize only this tensor (the others are left out of the output)' })
      .option('bound', { type: 'boolean', default: true, describe: 'report the Lloyd-Max bound of the fitted GG law' }) as never,
  handler: (args) => {
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
    const quantize = (info: TensorInfo, data: Float32Array | Float64Array, granularity: ScaleGranularity): Rf8Codes => {
      let finite = 0;
      for (let i = 0; i < data.length && finite === 0; i++) if (data[i]! - data[i]! === 0) finite++;
      if (finite === 0) throw new InputError(`tensor '${info.name}' has no finite values (${data.length} NaN/Inf)`, args.file);
      const perRow = granularity === 'row';
      const q: QuantizedTensor = quantizeTensor(data, info.shape, { format, scaleMethod: method, perRow, ...(candidates ? { candidates } : {}), ...(rounding ? { rounding } : {}) });
      const bits = codeStreamStats(q.codes, { twosComplement: q.format === 'int8' });
      const rep: TensorQuantReport = {
        name: info.name,
        shape: info.shape,
        format: q.format,
        rounding: q.rounding,
        scaleMethod: method,
        perRow,
        scales: Array.from(q.scales),
        sqnrDb: q.sqnrDb,
        bits: { entropy: bits.entropyBits, huffman: bits.huffmanBits, expGolomb: bits.egBits, egOrder: bits.egOrder },
        nonFinite: q.nonFinite,
        criterion: q.criterion,
      };
      if (args.bound) {
        const fit = q.fits && q.fits.length === 1 ? q.fits[0]! : fitGG(data);
        if (fit.alpha > 0 && fit.beta > 0) rep.boundDb = lloydMax(fit.alpha, fit.beta).sqnrDb;
      }
      reports.push(rep);
      return { format: q.format, codes: q.codes, scales: q.scales, extra: { rounding: q.rounding } };
    };
    const summary = quantizeWeightsFile({
      input: args.file,
      output: args.out,
      decide,
      quantize,
      metadata: { 'rf8.scale_method': method },
      onTensor: (info, k, total, d) => {
        if (d.kind !== 'skip') log(`rf8: [${k + 1}/${total}] ${info.name}`);
      },
    });
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
