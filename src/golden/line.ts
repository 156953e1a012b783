import { InputError } from '../util/errors.js';
import type { Beat, BeatOut } from '../rtl/index.js';

/**
 * The vector line of every DUT suite (spec section 7, TestFloat style: space-separated hex):
 *
 *   ctl xa xb xo init mask a b acc flags f32 out
 *
 * ctl   1 digit: bit0 first (clear A <- init, flags cleared, before this beat), bit1 last (the
 *       DUT emits a result after this beat; lines without it are inputs only), bit2 relu
 * xa xb xo  int8 scales, 2 digits two's complement
 * init  the clear value, W-bit two's complement, ceil(W/4) digits
 * mask  lane valid bits, ceil(N/4) digits
 * a b   N codes each, 2N digits, lane N-1 first (the Verilog concatenation {a[N-1], ..., a[0]})
 * acc   expected accumulator after the beat, like init
 * flags 1 digit: bit0 nan, bit1 ovf
 * f32   expected binary32 bit pattern, 8 digits ('-' when the suite has no binary32 output)
 * out   expected codes, 2K digits, output K-1 first ('-' when K = 0)
 */
export interface LineShape {
  W: number;
  lanes: number;
  /** Number of output formats (codes per line). */
  K: number;
  f32: boolean;
}

const hex = (v: number | bigint, digits: number): string => v.toString(16).padStart(digits, '0');

export function twos(v: bigint, W: number): bigint {
  return v < 0n ? (1n << BigInt(W)) + v : v;
}
export function fromTwos(v: bigint, W: number): bigint {
  return v >= 1n << BigInt(W - 1) ? v - (1n << BigInt(W)) : v;
}

export function beatFields(s: LineShape, b: Beat): string {
  const ctl = (b.first ? 1 : 0) | (b.last ? 2 : 0) | (b.relu ? 4 : 0) | (((b.ma ?? 0) & 3) << 3) | (((b.mb ?? 0) & 3) << 5);
  let a = '';
  let bb = '';
  for (let i = s.lanes - 1; i >= 0; i--) {
    a += hex(b.a[i]! & 0xff, 2);
    bb += hex(b.b[i]! & 0xff, 2);
  }
  return [
    ctl.toString(16),
    hex(b.xa & 0xff, 2),
    hex(b.xb & 0xff, 2),
    hex(b.xo & 0xff, 2),
    hex(twos(b.init, s.W), Math.ceil(s.W / 4)),
    hex(b.mask, Math.ceil(s.lanes / 4)),
    a,
    bb,
  ].join(' ');
}

export function outFields(s: LineShape, o: BeatOut): string {
  let codes = '';
  for (let k = s.K - 1; k >= 0; k--) codes += hex(o.codes[k]!, 2);
  return [hex(twos(o.acc, s.W), Math.ceil(s.W / 4)), ((o.nan ? 1 : 0) | (o.ovf ? 2 : 0)).toString(16), s.f32 ? hex(o.f32 >>> 0, 8) : '-', s.K ? codes : '-'].join(' ');
}

export function formatLine(s: LineShape, b: Beat, o: BeatOut): string {
  return beatFields(s, b) + ' ' + outFields(s, o);
}

const sx8 = (v: number): number => (v >= 128 ? v - 256 : v);

function parseHex(f: string, what: string, file?: string): bigint {
  if (!/^[0-9a-fA-F]+$/.test(f)) throw new InputError(`${what}: not hex: '${f}'`, file);
  return BigInt('0x' + f);
}

export function parseLine(s: LineShape, line: string, file?: string): { beat: Beat; out: BeatOut } {
  const f = line.trim().split(/\s+/);
  if (f.length !== 12) throw new InputError(`vector line has ${f.length} fields, expected 12: '${line}'`, file);
  const ctl = Number(parseHex(f[0]!, 'ctl', file));
  const lanesHex = (x: string): number[] => {
    const v: number[] = [];
    for (let i = 0; i < s.lanes; i++) {
      const j = x.length - 2 * (i + 1);
      v.push(j >= 0 ? parseInt(x.slice(j, j + 2), 16) : 0);
    }
    return v;
  };
  const codes: number[] = [];
  if (f[11] !== '-') for (let k = 0; k < s.K; k++) codes.push(parseInt(f[11]!.slice(f[11]!.length - 2 * (k + 1), f[11]!.length - 2 * k), 16));
  const flags = Number(parseHex(f[9]!, 'flags', file));
  return {
    beat: {
      first: (ctl & 1) !== 0,
      last: (ctl & 2) !== 0,
      relu: (ctl & 4) !== 0,
      ...(ctl & 0x78 ? { ma: (ctl >> 3) & 3, mb: (ctl >> 5) & 3 } : {}),
      xa: sx8(Number(parseHex(f[1]!, 'xa', file))),
      xb: sx8(Number(parseHex(f[2]!, 'xb', file))),
      xo: sx8(Number(parseHex(f[3]!, 'xo', file))),
      init: fromTwos(parseHex(f[4]!, 'init', file), s.W),
      mask: Number(parseHex(f[5]!, 'mask', file)),
      a: lanesHex(f[6]!),
      b: lanesHex(f[7]!),
    },
    out: {
      acc: fromTwos(parseHex(f[8]!, 'acc', file), s.W),
      nan: (flags & 1) !== 0,
      ovf: (flags & 2) !== 0,
      f32: f[10] === '-' ? 0 : Number(parseHex(f[10]!, 'f32', file)),
      codes,
    },
  };
}

/** Parse a DUT output line of the interactive protocol: 'o ACC FLAGS F32 CODES'. */
export function parseOutLine(s: LineShape, line: string): BeatOut {
  const f = line.trim().split(/\s+/);
  if (f[0] !== 'o' || f.length !== 5) throw new Error(`bad output line from the harness: '${line}'`);
  const flags = parseInt(f[2]!, 16);
  const codes: number[] = [];
  if (f[4] !== '-') for (let k = 0; k < s.K; k++) codes.push(parseInt(f[4]!.slice(f[4]!.length - 2 * (k + 1), f[4]!.length - 2 * k), 16));
  return { acc: fromTwos(BigInt('0x' + f[1]), s.W), nan: (flags & 1) !== 0, ovf: (flags & 2) !== 0, f32: parseInt(f[3]!, 16) >>> 0, codes };
}
