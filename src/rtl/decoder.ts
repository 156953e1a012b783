import { formatTables, type Format } from '../format/index.js';
import { modeIndex, type ModeSet } from '../arith/index.js';
import type { OperandDims } from './multiplier.js';
import { hwInput, type HwInput } from './traits.js';
import { Faults } from './faults.js';
import { fileHeader, lit, range } from './vlog.js';
import { codebookDecoderBody } from './codebook.js';

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
      `Decoder for ${fmt.name}: e=${fmt.e} m=${fmt.m} bias=${fmt.bias} specials=${fmt.specials}${fmt.policy.decoder === 'residual' ? ', residual kind' : fmt.policy.decoder === 'table' ? ', table kind (GG codebook)' : ''}.`,
      ...(fmt.policy.decoder === 'residual'
        ? [`Mirrors src/format decode()/formatTables(): k = [${fmt.kTable!.join(', ')}] by the R field, sh = E-1, E = 0 is zero,`]
        : fmt.policy.decoder === 'table'
          ? [`Mirrors src/format decode()/formatTables(): a 256-entry case table of the codebook's (k, sh) (K = ${fmt.codebook!.K}, beta ${fmt.codebook!.beta}), 0x00 zero,`]
          : ['Mirrors src/format decode()/formatTables(): k (integer significand), sh = max(E,1)-1,']),
      'nan = NaN or infinity code. k and sh are don\'t-care when nan = 1.',
    ]),
  );
  L.push(...decoderPorts(name, KB, SB, faults, false));
  if (fmt.policy.decoder === 'residual') {
    L.push(...residualDecoder(fmt, KB, SB, faults));
  } else if (fmt.policy.decoder === 'table') {
    L.push(...codebookDecoderBody(fmt, KB, SB, faults));
  } else if (hw.twos) {
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

/**
 * The residual kind (the authors' RF8, spec section 8): k = kTable[R] by a case of the R field,
 * sh = E - 1, E = 0 is zero (k = 0, sh = 0, sign 0: the reference's decode), all from the traits.
 */
function residualDecoder(fmt: Format, KB: number, SB: number, faults: Faults): string[] {
  const kt = fmt.kTable!;
  const e = fmt.e;
  const m = fmt.m;
  const L: string[] = [];
  L.push(`  wire ${range(e)} ex = code[6:${m}];`);
  L.push(`  wire ${range(m)} rf = code[${m - 1}:0];`);
  L.push(`  wire nz = (ex != ${e}'d0);`);
  // k by R: a constant selection (no always block, no operator but == and ?:)
  let sel = `${KB}'d0`;
  for (let r = kt.length - 1; r >= 0; r--) {
    // the injectable table bug: the last two entries swapped
    const k = r >= kt.length - 2 ? faults.sel('rf8-r-table', `${KB}'d${kt[2 * kt.length - 3 - r]!}`, `${KB}'d${kt[r]!}`) : `${KB}'d${kt[r]!}`;
    sel = r === kt.length - 1 && kt.length === 2 ** m ? k : `(rf == ${m}'d${r}) ? ${k} : ${sel}`;
  }
  L.push(`  wire ${range(KB)} kr = ${sel};${faults.tag('rf8-r-table')}`);
  L.push(`  assign sign = code[7] & nz;`);
  L.push(`  assign k    = nz ? kr : ${KB}'d0;`);
  L.push(`  assign sh   = nz ? ${SB === e ? 'ex' : `ex[${SB - 1}:0]`} - ${SB}'d1 : ${SB}'d0;`);
  return L;
}

/** Module header of a decoder (single-format, or multi-mode with a 2-bit `mode` input). */
function decoderPorts(name: string, KB: number, SB: number, faults: Faults, mode: boolean): string[] {
  return [
    `module ${name} (`,
    `  input  wire [7:0] code,`,
    ...(mode ? [`  input  wire [1:0] mode,`] : []),
    `  output wire       sign,`,
    `  output wire ${range(KB).padEnd(5)} k,`,
    `  output wire ${range(SB).padEnd(5)} sh,`,
    `  output wire       nan${faults.schema ? ',' : ''}`,
    ...faults.port().map((x) => `  ${x}`),
    `);`,
  ];
}

/** Largest sh a format's decoder can output (finite or not): 2^e - 2 for the float layouts, 0 for int8, shMax for a codebook. */
function maxShOut(fmt: Format): number {
  const hw = hwInput(fmt);
  return hw.twos ? 0 : Math.max(0, 2 ** hw.e - 2, fmt.shMax);
}

/** k and sh widths of an operand's decoder outputs (multi-mode: sh already on the shared grid; one mode: the format's own). */
export function modeDecoderDims(s: ModeSet): OperandDims {
  if (s.modes.length === 1) {
    const h = hwInput(s.modes[0]!);
    return { label: h.fmt.name, kBits: h.kBits, shBits: h.shBits, ...(h.fmt.policy.decoder === 'residual' ? { kTable: h.fmt.kTable! } : {}) };
  }
  const kBits = Math.max(...s.modes.map((f) => hwInput(f).kBits));
  const shMax = Math.max(...s.modes.map((f, i) => maxShOut(f) + s.off[i]!));
  return { label: `{${s.modes.map((f) => f.name).join(', ')}}`, kBits, shBits: Math.max(1, Math.ceil(Math.log2(shMax + 1))) };
}

/** Reference behaviour of the multi-mode decoder: mode m's decode with sh moved to the shared grid (sh + off[m]). */
export function emulateModeDecoder(s: ModeSet, mode: number, code: number): DecoderOut {
  const m = modeIndex(s, mode);
  const d = emulateDecoder(s.modes[m]!, code);
  return { ...d, sh: d.sh + s.off[m]! };
}

/**
 * Multi-mode decoder: one single-format decoder per mode (modules `${name}_m${i}`), a 2-bit
 * `mode` input selecting among them (numbers past the list select mode 0), k zero-extended to
 * the widest k, and sh moved onto the shared grid by the mode's constant offset. Returns the
 * sub-decoders first, the wrapper last.
 */
export function emitModeDecoder(name: string, s: ModeSet, faults = new Faults()): { name: string; text: string }[] {
  const out = s.modes.map((f, i) => ({ name: `${name}_m${i}`, text: emitDecoder(`${name}_m${i}`, f, faults) }));
  const D = modeDecoderDims(s);
  const KB = D.kBits;
  const SB = D.shBits;
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Multi-mode decoder: mode ${s.modes.map((f, i) => `${i} = ${f.name}`).join(', ')}${s.modes.length < 4 ? `; modes ${s.modes.length}..3 select mode 0` : ''}.`,
      `sh is on the shared grid 2^${s.t}: sh + (tmin_mode - (${s.t})) = sh + ${s.off.map((o, i) => `${o} (mode ${i})`).join(', ')}.`,
      'Mirrors src/rtl emulateModeDecoder / src/arith ModeMac.',
    ]),
  );
  L.push(...decoderPorts(name, KB, SB, faults, true));
  const fc = faults.conn();
  const ext = (v: string, w: number, W: number): string => (w === W ? v : `{${W - w}'d0, ${v}}`);
  const ks: string[] = [];
  const shs: string[] = [];
  const signs: string[] = [];
  const nans: string[] = [];
  s.modes.forEach((f, i) => {
    const h = hwInput(f);
    L.push(`  wire s${i}, n${i};`);
    L.push(`  wire ${range(h.kBits)} k${i};`);
    L.push(`  wire ${range(h.shBits)} h${i};`);
    L.push(`  ${name}_m${i} u_m${i} (.code(code), .sign(s${i}), .k(k${i}), .sh(h${i}), .nan(n${i})${fc});`);
    signs.push(`s${i}`);
    nans.push(`n${i}`);
    ks.push(ext(`k${i}`, h.kBits, KB));
    const hx = ext(`h${i}`, h.shBits, SB);
    shs.push(s.off[i] ? `(${hx} + ${lit(SB, s.off[i]!)})` : hx);
  });
  const mux = (v: string[]): string => {
    let e = v[0]!;
    for (let i = 1; i < v.length; i++) e = `(mode == 2'd${i}) ? ${v[i]} : ${i === 1 ? e : `(${e})`}`;
    return e;
  };
  L.push(`  assign sign = ${mux(signs)};`);
  L.push(`  assign k    = ${mux(ks)};`);
  L.push(`  assign sh   = ${mux(shs)};`);
  L.push(`  assign nan  = ${mux(nans)};`);
  L.push(`endmodule`);
  out.push({ name, text: L.join('\n') + '\n' });
  return out;
}
