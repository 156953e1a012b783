import type { Beat, BeatOut } from '../rtl/index.js';
import { twos, type LineShape } from '../golden/line.js';

/**
 * Fixed-width `$readmemh` images of a suite: one packed word per beat, fields MSB first:
 *
 *   ctl[6:0] xa[7:0] xb[7:0] xo[7:0] init[W-1:0] mask[N-1:0] a[8N-1:0] b[8N-1:0]
 *   acc[W-1:0] flags[1:0] f32[31:0] codes[8K-1:0] chk[K+3:0]
 *
 * ctl, xa..b and acc..codes are the fields of the text line (a and b lane N-1 first, i.e. the
 * Verilog concatenation; codes output K-1 first). chk says which outputs a test bench checks on
 * this beat: bit0 acc, bit1 nan, bit2 ovf, bit3 f32, bit 4+k code k; 0 on beats without `last`.
 * The Icarus route (src/sim/iverilog.ts), `rf8 gen --format mem` and the example test benches
 * read this one layout.
 */
export interface MemField {
  name: string;
  w: number;
  /** Bit position of the field's LSB inside the word. */
  lo: number;
}

export interface MemLayout {
  fields: MemField[];
  width: number;
  /** Digits per word. */
  digits: number;
  byName: Record<string, MemField>;
}

export const CHK_ACC = 1;
export const CHK_NAN = 2;
export const CHK_OVF = 4;
export const CHK_F32 = 8;
export const chkCode = (k: number): number => 16 << k;

export function memLayout(s: LineShape): MemLayout {
  const spec: [string, number][] = [
    ['ctl', 7],
    ['xa', 8],
    ['xb', 8],
    ['xo', 8],
    ['init', s.W],
    ['mask', s.lanes],
    ['a', 8 * s.lanes],
    ['b', 8 * s.lanes],
    ['acc', s.W],
    ['flags', 2],
    ['f32', 32],
    ...(s.K ? ([['codes', 8 * s.K]] as [string, number][]) : []),
    ['chk', 4 + s.K],
  ];
  const width = spec.reduce((t, [, w]) => t + w, 0);
  let hi = width;
  const fields: MemField[] = [];
  for (const [name, w] of spec) {
    hi -= w;
    fields.push({ name, w, lo: hi });
  }
  return { fields, width, digits: Math.ceil(width / 4), byName: Object.fromEntries(fields.map((f) => [f.name, f])) };
}

/** The default check mask of a beat: every output of the shape when it has `last`. */
export function fullCheck(s: LineShape): number {
  let m = CHK_ACC | CHK_NAN | CHK_OVF | (s.f32 ? CHK_F32 : 0);
  for (let k = 0; k < s.K; k++) m |= chkCode(k);
  return m;
}

/** One image word (hex, `digits` wide). */
export function packWord(L: MemLayout, s: LineShape, b: Beat, o: BeatOut, chk: number): string {
  const ctl = (b.first ? 1 : 0) | (b.last ? 2 : 0) | (b.relu ? 4 : 0) | (((b.ma ?? 0) & 3) << 3) | (((b.mb ?? 0) & 3) << 5);
  let a = 0n;
  let bb = 0n;
  for (let i = s.lanes - 1; i >= 0; i--) {
    a = (a << 8n) | BigInt(b.a[i]! & 0xff);
    bb = (bb << 8n) | BigInt(b.b[i]! & 0xff);
  }
  let codes = 0n;
  for (let k = s.K - 1; k >= 0; k--) codes = (codes << 8n) | BigInt(o.codes[k]! & 0xff);
  const vals: Record<string, bigint> = {
    ctl: BigInt(ctl),
    xa: BigInt(b.xa & 0xff),
    xb: BigInt(b.xb & 0xff),
    xo: BigInt(b.xo & 0xff),
    init: twos(b.init, s.W),
    mask: BigInt(b.mask),
    a,
    b: bb,
    acc: twos(o.acc, s.W),
    flags: BigInt((o.nan ? 1 : 0) | (o.ovf ? 2 : 0)),
    f32: BigInt(o.f32 >>> 0),
    codes,
    chk: BigInt(b.last ? chk : 0),
  };
  let word = 0n;
  for (const f of L.fields) word = (word << BigInt(f.w)) | (vals[f.name]! & ((1n << BigInt(f.w)) - 1n));
  return word.toString(16).padStart(L.digits, '0');
}

/** `//` comment lines describing the layout ($readmemh skips them). */
export function memHeader(L: MemLayout, about: string[]): string {
  const h = [...about.map((l) => `// ${l}`), `// $readmemh image: ${L.width} bits per word (${L.digits} hex digits), one beat per word, fields MSB first:`];
  for (const f of L.fields) h.push(`//   ${f.name.padEnd(6)} [${f.lo + f.w - 1}:${f.lo}]`);
  h.push('//   chk: bit0 acc, bit1 nan, bit2 ovf, bit3 f32, bit 4+k code k (0 on beats without last)');
  return h.join('\n') + '\n';
}

/** Verilog slice expressions of every field (for generated test benches). */
export function memSlices(L: MemLayout): Record<string, string> {
  return Object.fromEntries(L.fields.map((f) => [f.name, `[${f.lo + f.w - 1}:${f.lo}]`]));
}
