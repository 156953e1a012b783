import { formatTables, type Format } from '../format/index.js';
import { hwInput, type HwInput } from './traits.js';
import { Faults } from './faults.js';
import { fileHeader, lit, range } from './vlog.js';

/**
 * Decoder block: code -> (sign, k, sh, nan).
 *
 * Mirrors src/format `decode(fmt, code)` / `formatTables(fmt)`: k is the integer significand
 * (m+1 bits; |value| for int8), sh = max(E, 1) - 1 the shift, nan = NaN or infinity (the
 * accumulator has no infinity). `emulateDecoder` is the reference the emitted logic must match.
 */
export interface DecoderOut {
  sign: number;
  k: number;
  sh: number;
  nan: number;
}

/** Reference behaviour of the decoder block (k and sh are don't-care when nan = 1). */
export function emulateDecoder(fmt: Format, code: number): DecoderOut {
  const t = formatTables(fmt);
  return { sign: t.sign[code]!, k: t.k[code]!, sh: t.sh[code]!, nan: t.nan[code]! };
}

export function nanPredicate(hw: HwInput, code: string): string {
  switch (hw.nan.kind) {
    case 'none':
      return "1'b0";
    case 'cube':
      return hw.nan.mask === 0xff ? `(${code} == ${lit(8, hw.nan.value)})` : `((${code} & ${lit(8, hw.nan.mask)}) == ${lit(8, hw.nan.value)})`;
    case 'list':
      return '(' + hw.nan.codes.map((c) => `(${code} == ${lit(8, c)})`).join(' | ') + ')';
  }
}

export function emitDecoder(name: string, fmt: Format, faults = new Faults()): string {
  const hw = hwInput(fmt);
  const KB = hw.kBits;
  const SB = hw.shBits;
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Decoder for ${fmt.name}: e=${fmt.e} m=${fmt.m} bias=${fmt.bias} specials=${fmt.specials}.`,
      'Mirrors src/format decode()/formatTables(): k (integer significand), sh = max(E,1)-1,',
      'nan = NaN or infinity code. k and sh are don\'t-care when nan = 1.',
    ]),
  );
  L.push(`module ${name} (`);
  L.push(`  input  wire [7:0] code,`);
  L.push(`  output wire       sign,`);
  L.push(`  output wire ${range(KB).padEnd(5)} k,`);
  L.push(`  output wire ${range(SB).padEnd(5)} sh,`);
  L.push(`  output wire       nan${faults.schema ? ',' : ''}`);
  L.push(...faults.port().map((x) => `  ${x}`));
  L.push(`);`);
  if (hw.twos) {
    // two's complement: k = |code|, 0x80 -> 128
    L.push(`  assign sign = code[7];`);
    L.push(`  assign k    = code[7] ? (8'd0 - code) : code;`);
    L.push(`  assign sh   = ${SB}'d0;`);
  } else {
    const e = hw.e;
    const m = hw.m;
    L.push(`  wire ${range(e)} ex  = code[6:${m}];`);
    L.push(`  wire ${range(m)} man = code[${m - 1}:0];`);
    L.push(`  assign sign = code[7];`);
    L.push(`  assign k    = {ex != ${e}'d0, man};`);
    L.push(`  assign sh   = (ex == ${e}'d0) ? ${faults.sel('subnormal-shift', `${SB}'d1`, `${SB}'d0`)} : ex - ${e}'d1;${faults.tag('subnormal-shift')}`);
  }
  L.push(`  assign nan  = ${nanPredicate(hw, 'code')};`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}
