import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { formatListText, ROUNDINGS, decodeValue, fromF32Bits, getFormat, type Rounding } from '../../format/index.js';
import { Mac, accWidth, accToBinary32Bits, accToFormat } from '../../arith/index.js';
import { InputError } from '../../util/errors.js';
import { emit, parseIntStrict, type CommonArgs } from '../common.js';
import { exactDecimal, hex2 } from '../exact.js';

interface Args extends CommonArgs {
  a: string;
  b: string;
  W?: number;
  nmax: number;
  lanes: number;
  'scale-a': number;
  'scale-b': number;
  'out-format'?: string;
  'out-scale': number;
  relu: boolean;
  rounding?: string;
  file?: string;
}

/**
 * Input: one operand pair per line as two codes (`3c 41`, hex, 0x optional); `clear [INIT]`
 * loads the accumulator (INIT in accumulator units, decimal or 0x hex, may be negative);
 * `#` starts a comment. Pairs are fed N per cycle in order; a `clear` or the end of input
 * closes a partial cycle (its missing lanes are invalid).
 */
export function parseMacInput(text: string, file: string): ({ op: 'pair'; a: number; b: number } | { op: 'clear'; init: bigint })[] {
  const out: ({ op: 'pair'; a: number; b: number } | { op: 'clear'; init: bigint })[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (!line) continue;
    const f = line.split(/[\s,]+/);
    const where = `${file}:${i + 1}`;
    if (f[0]!.toLowerCase() === 'clear') {
      if (f.length > 2) throw new InputError(`${where}: 'clear' takes at most one INIT value`);
      let init = 0n;
      if (f[1] !== undefined) {
        if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(f[1])) throw new InputError(`${where}: bad INIT '${f[1]}'`);
        const neg = f[1].startsWith('-');
        init = BigInt(neg ? f[1].slice(1) : f[1]) * (neg ? -1n : 1n);
      }
      out.push({ op: 'clear', init });
      continue;
    }
    if (f.length !== 2) throw new InputError(`${where}: expected two codes 'AA BB' or 'clear [INIT]', got '${line}'`);
    const [a, b] = f.map((s) => {
      if (!/^(0x)?[0-9a-f]{1,2}$/i.test(s)) throw new InputError(`${where}: bad code '${s}' (two hex digits)`);
      return parseInt(s.replace(/^0x/i, ''), 16);
    });
    out.push({ op: 'pair', a: a!, b: b! });
  }
  return out;
}

export const macCommand: CommandModule<object, Args> = {
  command: 'mac [file]',
  describe: 'run operand pairs (file or stdin) through the N-lane MAC; print A and the flags',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: "input file ('-' or none: stdin)" })
      .option('a', { type: 'string', default: 'rf8-e3m4', describe: `format of operand a (${formatListText()})` })
      .option('b', { type: 'string', default: 'rf8-e3m4', describe: 'format of operand b' })
      .option('W', { type: 'number', describe: 'accumulator width (default: the exact bound for --nmax terms)' })
      .option('nmax', { type: 'number', default: 4096, describe: 'terms the default W must hold without clamping' })
      .option('lanes', { alias: 'N', type: 'number', default: 1, describe: 'lanes per cycle' })
      .option('scale-a', { type: 'number', default: 0, describe: 'scale exponent Xa' })
      .option('scale-b', { type: 'number', default: 0, describe: 'scale exponent Xb' })
      .option('out-format', { type: 'string', describe: 'also convert A to this format (saturating; RNE, or greedy for rf8)' })
      .option('rounding', { type: 'string', describe: 'rounding of the output conversion: rne | rtz (layout formats, default rne); greedy (default) | nearest for rf8' })
      .option('out-scale', { type: 'number', default: 0, describe: 'scale exponent Xo of the output conversion' })
      .option('relu', { type: 'boolean', default: false, describe: 'fused ReLU in the output conversion' }) as never,
  handler: (args) => {
    const fa = getFormat(args.a);
    const fb = getFormat(args.b);
    const nmax = parseIntStrict(args.nmax, '--nmax', 1, 2 ** 40);
    const lanes = parseIntStrict(args.lanes, '--lanes', 1, 32);
    const width = accWidth(fa, fb, nmax, lanes);
    const W = args.W === undefined ? width.W : parseIntStrict(args.W, '-W', 2, 1024);
    const Xa = parseIntStrict(args['scale-a'], '--scale-a', -128, 127);
    const Xb = parseIntStrict(args['scale-b'], '--scale-b', -128, 127);
    const file = args.file && args.file !== '-' ? args.file : '<stdin>';
    let text: string;
    try {
      text = readFileSync(file === '<stdin>' ? 0 : file, 'utf8');
    } catch (e) {
      throw new InputError(`cannot read: ${(e as Error).message}`, file);
    }
    const ops = parseMacInput(text, file);
    const mac = new Mac({ a: fa, b: fb, W, lanes });
    mac.clear();
    const la: number[] = [];
    const lb: number[] = [];
    let cycles = 0;
    let pairs = 0;
    const flush = () => {
      if (la.length === 0) return;
      mac.step(la, lb, (2 ** la.length - 1) >>> 0);
      cycles++;
      la.length = 0;
      lb.length = 0;
    };
    for (const op of ops) {
      if (op.op === 'clear') {
        flush();
        mac.clear(op.init);
      } else {
        la.push(op.a);
        lb.push(op.b);
        pairs++;
        if (la.length === lanes) flush();
      }
    }
    flush();
    const T = fa.tmin + fb.tmin + Xa + Xb;
    const acc = mac.acc;
    const mask = (1n << BigInt(W)) - 1n;
    const f32 = fromF32Bits(accToBinary32Bits(acc, mac.nan, T));
    const result: Record<string, unknown> = {
      a: fa.name,
      b: fb.name,
      W,
      widthReason: args.W === undefined ? width.reason : `given: W = ${W}`,
      lanes,
      pairs,
      cycles,
      acc: acc.toString(),
      accHex: '0x' + (acc & mask).toString(16).padStart(Math.ceil(W / 4), '0'),
      nan: mac.nan,
      ovf: mac.ovf,
      lsbPower: T,
      value: mac.nan ? 'NaN' : exactDecimal(acc, T),
      binary32: mac.nan ? 'NaN' : f32,
    };
    if (args['out-format']) {
      const fo = getFormat(args['out-format']);
      const Xo = parseIntStrict(args['out-scale'], '--out-scale', -128, 127);
      const rounding = args.rounding ?? fo.policy.defaultRounding;
      if (!(ROUNDINGS as readonly string[]).includes(rounding)) throw new InputError(`--rounding must be one of ${ROUNDINGS.filter((r) => r !== 'sr').join(', ')}: '${rounding}'`);
      if (rounding === 'sr' || !fo.policy.roundings.includes(rounding as Rounding)) throw new InputError(`--rounding ${rounding} is not available for the output format ${fo.name} (${fo.policy.roundings.filter((r) => r !== 'sr').join(', ')})`);
      const code = accToFormat(acc, mac.nan, T, fo, Xo, args.relu, rounding as Rounding);
      result.out = { format: fo.name, scale: Xo, relu: args.relu, rounding, code, hex: hex2(code), value: decodeValue(fo, code, Xo) };
    }
    emit(args, result, () => {
      const lines = [
        `A     = ${acc} (${result.accHex}, W = ${W}, LSB = 2^${T})`,
        `flags: nan=${mac.nan ? 1 : 0} ovf=${mac.ovf ? 1 : 0}`,
        `value = ${result.value} (binary32 ${result.binary32})`,
        `${pairs} pairs in ${cycles} cycles on ${lanes} lane(s); ${result.widthReason}`,
      ];
      const o = result.out as { format: string; hex: string; value: number } | undefined;
      if (o) lines.push(`out   = ${o.hex} ${o.format} (${o.value})`);
      return lines.join('\n');
    });
  },
};
