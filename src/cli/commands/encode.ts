import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { formatListText, ROUNDINGS, decodeValue, encode, encodeArray, getFormat, type EncodeOptions, type Format, type Rounding } from '../../format/index.js';
import { InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { Rng } from '../../util/rng.js';
import { emit, table, parseIntStrict, parseReal, readValuesFile, log, type CommonArgs } from '../common.js';
import { hex2 } from '../exact.js';

interface Args extends CommonArgs {
  format: string;
  scale: number;
  rounding?: string;
  u?: number;
  r: number;
  overflow: string;
  seed: number;
  in?: string;
  out?: string;
  values?: (string | number)[];
}

export { parseReal } from '../common.js';

/** Raw little-endian binary32 (kept for callers; `encode --in` reads files by content, readValuesFile). */
export function readF32File(path: string): Float32Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, path);
  }
  if (buf.length % 4 !== 0) throw new InputError(`raw .f32 length ${buf.length} is not a multiple of 4`, path);
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** CLI options to EncodeOptions; the rounding defaults to the format's (rne; greedy for rf8). */
export function encodeOptions(args: Pick<Args, 'scale' | 'rounding' | 'u' | 'r' | 'overflow'>, f: Format): EncodeOptions {
  const rounding = args.rounding ?? f.policy.defaultRounding;
  if (!(ROUNDINGS as readonly string[]).includes(rounding)) throw new InputError(`--rounding must be ${ROUNDINGS.slice(0, -1).join(', ')} or ${ROUNDINGS[ROUNDINGS.length - 1]}: '${rounding}'`);
  if (!f.policy.roundings.includes(rounding as Rounding)) throw new InputError(`--rounding ${rounding} is not available for format ${f.name} (${f.policy.roundings.join(', ')})`);
  if (!['sat', 'nonsat'].includes(args.overflow)) throw new InputError(`--overflow must be sat or nonsat: '${args.overflow}'`);
  return {
    scale: parseIntStrict(args.scale, '--scale', -128, 127),
    rounding: rounding as Rounding,
    r: parseIntStrict(args.r, '--r', 1, 52),
    ...(args.u === undefined ? {} : { u: parseIntStrict(args.u, '--u', 0) }),
    overflow: args.overflow as EncodeOptions['overflow'],
  };
}

export const encodeCommand: CommandModule<object, Args> = {
  command: 'encode [values..]',
  describe: 'encode real numbers (or a raw .f32 file) into codes of a format',
  builder: (y) =>
    y
      .positional('values', { type: 'string', array: true, describe: 'numbers (decimal with any exponent, nan, inf, -inf; after -- anything is a value)' })
      .option('format', { alias: 'f', type: 'string', default: 'rf8-e3m4', describe: `element format (${formatListText()}; rf8 is the authors' RF8, the rf8-e* formats rf8kit's GG float modes)` })
      .option('scale', { alias: 'X', type: 'number', default: 0, describe: 'scale exponent X (int8): the code stands for value * 2^-X' })
      .option('rounding', { type: 'string', describe: 'rne | rtz | sr (default rne); for rf8: greedy (default, the authors\' algorithm) | nearest' })
      .option('u', { type: 'number', describe: 'sr: the random integer u in [0, 2^r) (scalar values)' })
      .option('r', { type: 'number', default: 8, describe: 'sr: bits of u' })
      .option('seed', { type: 'number', default: 1, describe: 'sr with --in: seed of the per-element u' })
      .option('overflow', { type: 'string', default: 'sat', describe: 'sat | nonsat (OCP non-saturating mode)' })
      .option('in', { type: 'string', describe: 'input values: raw little-endian binary32 (.f32) or a one-tensor weight file (.npy, .npz, .safetensors, .gguf), read by content' })
      .option('out', { type: 'string', describe: 'output file of codes (.rf8), with --in' }) as never,
  handler: async (args) => {
    const f = getFormat(args.format);
    const o = encodeOptions(args, f);
    if (args.in !== undefined) {
      if (args.values?.length) throw new InputError('give either VALUES or --in, not both');
      if (args.out === undefined) throw new InputError('--in needs --out');
      const src = (await readValuesFile(args.in)).values;
      let uArray: Uint32Array | undefined;
      if (o.rounding === 'sr' && args.u === undefined) {
        const rng = new Rng(parseIntStrict(args.seed, '--seed'));
        uArray = new Uint32Array(src.length);
        const mask = 2 ** o.r! ;
        for (let i = 0; i < src.length; i++) uArray[i] = o.r! >= 32 ? rng.u32() : rng.u32() % mask;
      }
      const t0 = performance.now();
      const codes = encodeArray(f, src, { ...o, uArray });
      const ms = performance.now() - t0;
      writeFileAtomic(args.out, codes);
      let nan = 0;
      for (let i = 0; i < codes.length; i++) if (Number.isNaN(decodeValue(f, codes[i]!))) nan++;
      log(`encoded ${src.length} values in ${ms.toFixed(1)} ms`);
      emit(args, { format: f.name, options: o, in: args.in, out: args.out, count: src.length, nanCodes: nan }, () => `${args.in} -> ${args.out}: ${src.length} ${f.name} codes (${nan} NaN)`);
      return;
    }
    if (!args.values?.length) throw new InputError('give VALUES to encode, or --in FILE --out FILE');
    if (o.rounding === 'sr' && args.u === undefined) throw new InputError('--u: --rounding sr needs --u, the random integer in [0, 2^r) (or --in with --seed for one u per element)');
    const xs = args.values.map((v) => parseReal(v, 'value'));
    const rows = xs.map((x) => {
      const code = encode(f, x, o);
      return { input: Object.is(x, -0) ? '-0' : String(x), code, hex: hex2(code), value: decodeValue(f, code, o.scale) };
    });
    emit(args, { format: f.name, options: o, results: rows }, () => table(['input', 'code', 'value'], rows.map((r) => [r.input, r.hex, String(r.value)])));
  },
};
