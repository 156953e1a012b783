import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { formatListText, decode, decodeArray, decodeValue, getFormat } from '../../format/index.js';
import { InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { emit, table, parseIntStrict, log, type CommonArgs } from '../common.js';
import { exactDecimal, hex2 } from '../exact.js';

interface Args extends CommonArgs {
  format: string;
  scale: number;
  in?: string;
  out?: string;
  codes?: (string | number)[];
}

export const decodeCommand: CommandModule<object, Args> = {
  command: 'decode [codes..]',
  describe: 'decode codes (hex 0xNN or decimal, or a .rf8 file) to values',
  builder: (y) =>
    y
      .positional('codes', { type: 'string', array: true, describe: 'codes: 0x3c or 60' })
      .option('format', { alias: 'f', type: 'string', default: 'rf8-e3m4', describe: `element format (${formatListText()}; rf8 is the authors' RF8)` })
      .option('scale', { alias: 'X', type: 'number', default: 0, describe: 'scale exponent X: value = element * 2^X' })
      .option('in', { type: 'string', describe: 'file of codes, one byte each' })
      .option('out', { type: 'string', describe: 'raw little-endian binary32 output (.f32), with --in' }) as never,
  handler: (args) => {
    const f = getFormat(args.format);
    const X = parseIntStrict(args.scale, '--scale', -128, 127);
    if (args.in !== undefined) {
      if (args.codes?.length) throw new InputError('give either CODES or --in, not both');
      if (args.out === undefined) throw new InputError('--in needs --out');
      let buf: Buffer;
      try {
        buf = readFileSync(args.in);
      } catch (e) {
        throw new InputError(`cannot read: ${(e as Error).message}`, args.in);
      }
      const vals = decodeArray(f, new Uint8Array(buf.buffer, buf.byteOffset, buf.length), X);
      writeFileAtomic(args.out, new Uint8Array(vals.buffer));
      log(`decoded ${buf.length} codes`);
      emit(args, { format: f.name, scale: X, in: args.in, out: args.out, count: buf.length }, () => `${args.in} -> ${args.out}: ${buf.length} binary32 values`);
      return;
    }
    if (!args.codes?.length) throw new InputError('give CODES to decode, or --in FILE --out FILE');
    const rows = args.codes.map((s) => {
      const c = parseIntStrict(s, 'code', 0, 255);
      const d = decode(f, c);
      const finite = d.kind !== 'nan' && d.kind !== 'inf';
      return { code: c, hex: hex2(c), kind: d.kind, k: d.k, t: d.t + X, value: decodeValue(f, c, X), exact: finite ? exactDecimal(d.sign ? -d.k : d.k, d.t + X) : String(decodeValue(f, c, X)) };
    });
    emit(args, { format: f.name, scale: X, results: rows }, () => table(['code', 'kind', 'value'], rows.map((r) => [r.hex, r.kind, r.exact])));
  },
};
