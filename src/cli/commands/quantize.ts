import type { CommandModule } from 'yargs';
import { FORMAT_NAMES, getFormat, type FormatName } from '../../format/index.js';
import { quantizeTensor, codeStreamStats, SCALE_METHODS, type ScaleMethod, type QuantizedTensor } from '../../quant/index.js';
import { fitGG, lloydMax } from '../../gg/index.js';
import { writeNpz, type NpzArray } from '../../io/npz.js';
import { InputError } from '../../util/errors.js';
import { emit, log, table, type CommonArgs } from '../common.js';
import { floatTensors } from './fit.js';

interface Args extends CommonArgs {
  file: string;
  format: string;
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

/** .npz member names and the metadata document written next to the codes. */
export const QUANT_META_NAME = '__rf8_meta__';

export const quantizeCommand: CommandModule<object, Args> = {
  command: 'quantize <file>',
  describe: 'quantize each float tensor of a file to an 8-bit format (or auto among the RF8 modes) with amax/mse/gg scales',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'weight file (.npy float32/float64, raw .f32, or any format rf8 reads)' })
      .option('format', { type: 'string', default: 'auto', describe: `element format or auto (${FORMAT_NAMES.join(', ')}, auto)` })
      .option('scale-method', { type: 'string', default: 'gg', choices: [...SCALE_METHODS], describe: 'scale selection (docs/rf8-spec.md section 2)' })
      .option('per-row', { type: 'boolean', default: false, describe: 'one scale per row (first axis) of tensors of rank >= 2' })
      .option('out', { type: 'string', demandOption: true, describe: `output .npz: <tensor>.codes (uint8), <tensor>.scales (int8), ${QUANT_META_NAME} (JSON bytes)` })
      .option('tensor', { type: 'string', describe: 'quantize only this tensor' })
      .option('bound', { type: 'boolean', default: true, describe: 'report the Lloyd-Max bound of the fitted GG law' }) as never,
  handler: (args) => {
    const format = args.format === 'auto' ? 'auto' : getFormat(args.format).name;
    const method = args['scale-method'] as ScaleMethod;
    if (!SCALE_METHODS.includes(method)) throw new InputError(`unknown scale method '${method}'`);
    if (!/\.npz$/i.test(args.out)) throw new InputError(`--out must name a .npz file, got '${args.out}'`);
    const reports: TensorQuantReport[] = [];
    const arrays: NpzArray[] = [];
    const meta: { version: 1; source: string; tensors: { name: string; format: FormatName; shape: number[]; perRow: boolean; scaleMethod: ScaleMethod }[] } = {
      version: 1,
      source: args.file,
      tensors: [],
    };
    for (const t of floatTensors(args.file, { tensor: args.tensor })) {
      const perRow = args['per-row'] && t.shape.length >= 2;
      if (args['per-row'] && !perRow) log(`rf8: ${t.name}: rank ${t.shape.length}, one scale for the tensor`);
      const q: QuantizedTensor = quantizeTensor(t.data, t.shape, { format, scaleMethod: method, perRow });
      const bits = codeStreamStats(q.codes, { twosComplement: q.format === 'int8' });
      const rep: TensorQuantReport = {
        name: t.name,
        shape: t.shape,
        format: q.format,
        scaleMethod: method,
        perRow,
        scales: Array.from(q.scales),
        sqnrDb: q.sqnrDb,
        bits: { entropy: bits.entropyBits, huffman: bits.huffmanBits, expGolomb: bits.egBits, egOrder: bits.egOrder },
        nonFinite: q.nonFinite,
        criterion: q.criterion,
      };
      if (args.bound) {
        const fit = q.fits && q.fits.length === 1 ? q.fits[0]! : fitGG(t.data);
        if (fit.alpha > 0 && fit.beta > 0) rep.boundDb = lloydMax(fit.alpha, fit.beta).sqnrDb;
      }
      reports.push(rep);
      arrays.push({ name: `${t.name}.codes`, data: q.codes, shape: t.shape });
      arrays.push({ name: `${t.name}.scales`, data: q.scales, shape: [q.scales.length] });
      meta.tensors.push({ name: t.name, format: q.format, shape: t.shape, perRow, scaleMethod: method });
    }
    arrays.push({ name: QUANT_META_NAME, data: new Uint8Array(Buffer.from(JSON.stringify(meta), 'utf8')) });
    writeNpz(args.out, arrays);
    emit(args, { file: args.file, out: args.out, tensors: reports }, () => {
      const scaleText = (s: number[]): string => (s.length === 1 ? String(s[0]) : `${Math.min(...s)}..${Math.max(...s)} (${s.length} rows)`);
      return table(
        ['tensor', 'n', 'mode', 'X', 'SQNR dB', 'LM bound dB', 'gap', 'H bits/w', 'Huffman', 'EG (k)'],
        reports.map((r) => [
          r.name,
          r.shape.reduce((a, b) => a * b, 1),
          r.format,
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
