import { accToBinary32Bits, accToFormat } from '../arith/index.js';
import type { Format, Rounding } from '../format/index.js';
import { Faults } from './faults.js';
import type { HwOutput } from './traits.js';
import { fileHeader, lit, range, sbits, ubits } from './vlog.js';

/**
 * Output converter block: the W-bit accumulator A (weight 2^T) -> a code of the output layout,
 * RNE with saturation (family formats, optional fused ReLU) or overflow to infinity (binary32).
 * A leading-one detector, a two-way shifter with guard/sticky and a round-to-nearest-even
 * incrementer, as spec section 5 describes.
 *
 * Runtime scale input: `d`, signed, = T - tmin_o - Xo, i.e. the power of A's LSB in units of the
 * output's smallest quantum 2^tmin_o. The top computes d = (tmin_a + tmin_b - tmin_o) + Xa + Xb - Xo
 * (binary32: Xo = 0), so one converter serves every row scale of a layer.
 *
 * Mirrors src/arith `accToFormat(acc, nan, T, fo, Xo, relu)` and `accToBinary32Bits(acc, nan, T)`.
 */
export function emulateConverter(fo: Format | 'binary32', acc: bigint, nan: boolean, T: number, Xo: number, relu: boolean, rounding?: Rounding): number {
  return fo === 'binary32' ? accToBinary32Bits(acc, nan, T) >>> 0 : accToFormat(acc, nan, T, fo, Xo, relu, rounding);
}

/** Width of the signed `d` input of every converter. */
export const D_BITS = 12;

/**
 * `stages` (0..2) registers inside the converter, for a clock rate set by the MACs rather than by
 * the conversion: 1 = after the leading-one detector and the exponent arithmetic, 2 = also after
 * the shifters (before rounding and packing). With stages > 0 the module has `clk` and `en`
 * (the top's global advance) and its code lags its inputs by `stages` enabled cycles.
 */
export function emitConverter(name: string, out: HwOutput, W: number, withRelu: boolean, faults = new Faults(), stages = 0): string {
  if (!Number.isInteger(stages) || stages < 0 || stages > 3) throw new Error(`converter stages must be 0..3: ${stages}`);
  const M = out.mEff;
  const Q = M + 1; // significand bits of n before rounding
  const CB = out.bits;
  const PB = CB - 1; // payload bits
  const DW = D_BITS;
  const LW = ubits(W - 1);
  const EW = Math.max(DW, LW + 1, sbits(-(2 ** (DW - 1)) - M, W + 2 ** (DW - 1))) + 2;
  const RW = ubits(W + 1);
  const LSW = ubits(Q); // left shifts are at most M (clip to Q)
  const XW = Math.max(W, Q);
  const SB = ubits(out.shMax + 1); // sh bits once sh <= shMax + 1
  const PYW = Math.max(SB + M, Q + 1) + 1; // payload sum width
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Output converter: ${W}-bit accumulator -> ${out.label} (${CB} bits), RNE, ${out.label === 'binary32' ? 'overflow to infinity' : 'saturating'}${withRelu ? ', fused ReLU' : ''}.`,
      `value = |acc| * 2^d in units of 2^tmin_o (tmin_o = ${out.tmin}); d is signed ${DW} bits.`,
      `Mirrors src/arith ${out.label === 'binary32' ? 'accToBinary32Bits()' : 'accToFormat()'}.`,
      ...(stages ? [`Pipelined: ${stages} register stage(s) inside (${stages > 2 ? 'after the magnitude, ' : ''}after the leading-one/exponent logic${stages > 1 ? ', after the shifters' : ''}); code lags the inputs by ${stages} cycle(s) of en.`] : []),
    ]),
  );
  L.push(`module ${name} (`);
  if (stages) {
    L.push(`  input  wire clk,`);
    L.push(`  input  wire en,`);
  }
  L.push(`  input  wire ${range(W)} acc,`);
  L.push(`  input  wire nan,`);
  if (withRelu) L.push(`  input  wire relu,`);
  L.push(`  input  wire ${range(DW)} d,`);
  L.push(`  output wire ${range(CB)} code${faults.schema ? ',' : ''}`);
  L.push(...faults.port().map((x) => `  ${x}`));
  L.push(`);`);
  // a pipeline cut: register each [dst, src, width] on en
  const cut = (sigs: [string, string, number][], comment: string): void => {
    L.push(`  // converter pipeline cut: ${comment}`);
    for (const [dst, , w] of sigs) L.push(`  reg ${w > 1 ? range(w) + ' ' : ''}${dst};`);
    L.push(`  always @(posedge clk) begin`);
    L.push(`    if (en) begin`);
    for (const [dst, src] of sigs) L.push(`      ${dst} <= ${src};`);
    L.push(`    end`);
    L.push(`  end`);
  };
  // Signal names per stage: with a cut, a signal crossing it is computed as <name>_s<k> and
  // registered into <name>; the names after the last cut are the plain ones the back end uses.
  // With stages = 0 the text is exactly the unpipelined converter's.
  const P = stages >= 1;
  const f = (n: string): string => (P ? `${n}_s0` : n); // front-end name of a signal crossing cut 1
  const m = (n: string): string => (stages >= 2 ? `${n}_s1` : n); // middle name of a signal crossing cut 2
  const A = stages >= 3; // cut A: right after the magnitude (the W-bit negation)
  const negA = A ? 'neg_a' : f('neg');
  const magA = A ? 'mag_a' : f('mag');
  if (withRelu) {
    L.push(`  wire ${negA} = acc[${W - 1}] & ~relu;`);
    L.push(`  wire ${range(W)} ${magA} = acc[${W - 1}] ? (relu ? ${W}'d0 : (${W}'d0 - acc)) : acc;`);
  } else {
    L.push(`  wire ${negA} = acc[${W - 1}];`);
    L.push(`  wire ${range(W)} ${magA} = ${negA} ? (${W}'d0 - acc) : acc;`);
  }
  if (A) cut([[f('neg'), negA, 1], [f('mag'), magA, W], ['d_a', 'd', DW], ['nan_a', 'nan', 1]], 'after the magnitude');
  const dIn = A ? 'd_a' : 'd';
  // leading-one detector: a balanced tree (log2 depth), position of the highest set bit of mag
  L.push(...emitLzd(f('mag'), W, 'lead'));
  // exponent arithmetic (signed, EW bits)
  L.push(`  wire signed ${range(EW)} ds  = {{${EW - DW}{${dIn}[${DW - 1}]}}, ${dIn}};`);
  L.push(`  wire signed ${range(EW)} le  = $signed({${EW - LW}'d0, lead}) + ds;        // floor(log2 value) in quanta`);
  L.push(`  wire signed ${range(EW)} shr = le - ${EW}'sd${M};`);
  L.push(`  wire signed ${range(EW)} sh  = (shr > ${EW}'sd0) ? shr : ${EW}'sd0;           // binade shift, >= 0`);
  L.push(`  wire signed ${range(EW)} r   = sh - ds;                                     // right shift of mag`);
  L.push(`  wire ${f('rpos')} = r > ${EW}'sd0;`);
  const nrLs = (): void => {
    L.push(`  wire signed ${range(EW)} nr = ${EW}'sd0 - r;`);
    L.push(`  wire ${range(LSW)} ${f('ls')} = ${f('rpos')} ? ${LSW}'d0 : ((nr > ${EW}'sd${Q}) ? ${LSW}'d${Q} : nr[${LSW - 1}:0]);`);
  };
  const shSigs = (): void => {
    L.push(`  wire ${f('shbig')} = sh > ${EW}'sd${out.shMax};`);
    L.push(`  wire ${range(SB)} ${f('shs')} = sh[${SB - 1}:0];`);
  };
  if (P) {
    L.push(`  wire ${range(RW)} ${f('rs')} = (r > ${EW}'sd${W + 1}) ? ${RW}'d${W + 1} : (${f('rpos')} ? r[${RW - 1}:0] : ${RW}'d0);`);
    nrLs();
    shSigs();
    L.push(`  wire ${f('mz')} = (${f('mag')} == ${W}'d0);`);
    L.push(`  wire ${f('nan_i')} = ${A ? 'nan_a' : 'nan'};`);
    cut([['neg', 1], ['mag', W], ['rpos', 1], ['rs', RW], ['ls', LSW], ['shbig', 1], ['shs', SB], ['mz', 1], ['nan_i', 1]].map(([n, w]) => [n as string, f(n as string), w as number]), 'after the leading-one detector and the exponent arithmetic');
    if (stages >= 2) for (const n of ['neg', 'shbig', 'mz', 'nan_i']) L.push(`  wire ${m(n)} = ${n};`);
    if (stages >= 2) L.push(`  wire ${range(SB)} ${m('shs')} = shs;`);
  }
  // right-shift path with guard and sticky
  if (!P) L.push(`  wire ${range(RW)} rs = (r > ${EW}'sd${W + 1}) ? ${RW}'d${W + 1} : (rpos ? r[${RW - 1}:0] : ${RW}'d0);`);
  L.push(`  wire [${W}:0] mx = {mag, 1'b0};`);
  L.push(`  wire [${W}:0] tr = mx >> rs;`);
  L.push(`  wire [${W}:0] lowm = ~({${W + 1}{1'b1}} << rs);`);
  L.push(`  wire ${m('guard')}  = tr[0];`);
  L.push(`  wire ${m('sticky')} = |(mx & lowm);`);
  if (W >= Q) {
    if (W > Q) L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire ${range(W)} qr_all = tr[${W}:1];`);
    if (W > Q) L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
    L.push(`  wire ${range(Q)} qr = qr_all[${Q - 1}:0];`);
  } else {
    L.push(`  wire ${range(Q)} qr = {${Q - W}'d0, tr[${W}:1]};`);
  }
  // left-shift path (exact), at most M positions whenever mag != 0
  if (!P) nrLs();
  const magx = XW > W ? `{${XW - W}'d0, mag}` : 'mag';
  if (XW > Q) L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
  L.push(`  wire ${range(XW)} sl = ${magx} << ls;`);
  if (XW > Q) L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  L.push(`  wire ${range(Q)} ql = sl[${Q - 1}:0];`);
  L.push(`  wire ${range(Q)} ${m('q')} = rpos ? qr : ql;`);
  if (stages >= 2) {
    L.push(`  wire ${m('rpos')} = rpos;`);
    cut([['neg', 1], ['rpos', 1], ['shbig', 1], ['shs', SB], ['mz', 1], ['nan_i', 1], ['guard', 1], ['sticky', 1], ['q', Q]].map(([n, w]) => [`${n}_r`, m(n as string), w as number]), 'after the shifters');
  }
  // back end: names after the last cut
  const b = (n: string): string => (stages >= 2 ? `${n}_r` : n);
  // rounding
  L.push(`  wire inc = ${b('rpos')} & ${b('guard')} & ${faults.sel('round-half-up', "1'b1", faults.sel('sticky-lost', `${b('q')}[0]`, `(${b('sticky')} | ${b('q')}[0])`))};${faults.tag('round-half-up')}${faults.tag('sticky-lost')}`);
  L.push(`  wire [${Q}:0] n = ${faults.sel('carry-lost', `{1'b0, ${b('q')} + {${Q - 1}'d0, inc}}`, `{1'b0, ${b('q')}} + {${Q}'d0, inc}`)};${faults.tag('carry-lost')}`);
  // payload = (sh << M) + n, saturation
  if (!P) shSigs();
  L.push(`  wire ${range(PYW)} pay = {${PYW - SB - M}'d0, ${b('shs')}, ${M}'d0} + {${PYW - Q - 1}'d0, n};`);
  if (!P) L.push(`  wire mz = (mag == ${W}'d0);`);
  L.push(`  wire sat = ${faults.sel('no-saturation', "1'b0", `~${b('mz')} & (${b('shbig')} | (pay > ${lit(PYW, out.maxPayload)}))`)};${faults.tag('no-saturation')}`);
  const zr = `${b('mz')} | (~sat & (n == ${Q + 1}'d0))`;
  if (out.bits === 32) L.push(`  wire zero = ${faults.sel('f32-flush-subnormal', `${b('mz')} | (~sat & ((n == ${Q + 1}'d0) | ((${b('shs')} == ${SB}'d0) & ~n[${M}] & ~n[${Q}])))`, zr)};${faults.tag('f32-flush-subnormal')}`);
  else L.push(`  wire zero = ${zr};`);
  // unused upper bits of the internal sums
  L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
  const payHi = PYW > PB ? `, pay[${PYW - 1}:${PB}]` : '';
  L.push(`  wire unused_hi = |{sh[${EW - 1}:${SB}]${payHi}, r[${EW - 1}:${RW}], nr[${EW - 1}:${LSW}]};`);
  L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  const nanIn = P ? b('nan_i') : 'nan';
  const nanSel = faults.sel('nan-not-propagated', "1'b0", nanIn);
  if (faults.has('nan-not-propagated')) {
    L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire unused_nan = ${nanIn}; // FAULT nan-not-propagated`);
    L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  }
  const zeroNeg = faults.sel('zero-sign', `{1'b1, ${PB}'d0}`, lit(CB, out.negZeroCode));
  const neg = b('neg');
  if (out.twos) {
    L.push(`  wire ${range(CB)} posc = sat ? ${lit(CB, out.satPayload)} : {1'b0, pay[${PB - 1}:0]};`);
    L.push(`  assign code = ${nanSel} ? ${lit(CB, out.nanCode)} : zero ? (${neg} ? ${zeroNeg} : ${CB}'d0) : (${neg} ? (${CB}'d0 - posc) : posc);`);
  } else {
    L.push(`  wire ${range(PB)} pm = sat ? ${lit(PB, out.satPayload)} : pay[${PB - 1}:0];`);
    L.push(`  assign code = ${nanSel} ? ${lit(CB, out.nanCode)} : zero ? (${neg} ? ${zeroNeg} : ${CB}'d0) : {${neg}, pm};`);
  }
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

/**
 * Leading-one position of `sig` (width W) as a balanced tree of 2:1 selections, into a wire
 * `out` of ubits(W-1) bits (0 when sig = 0; the caller tests sig = 0 separately).
 */
export function emitLzd(sig: string, W: number, out: string): string[] {
  const LW = ubits(W - 1);
  const P = 2 ** LW;
  const L: string[] = [];
  if (W === 1) return [`  wire ${out} = 1'b0;`];
  // level 1: pairs of bits
  let level: { v: string; p: string; w: number }[] = [];
  for (let i = 0; i < P / 2; i++) {
    const lo = 2 * i < W ? `${sig}[${2 * i}]` : "1'b0";
    const hi = 2 * i + 1 < W ? `${sig}[${2 * i + 1}]` : "1'b0";
    if (hi === "1'b0") {
      L.push(`  wire ${out}_v1_${i} = ${lo};`);
      L.push(`  wire ${out}_p1_${i} = 1'b0;`);
    } else {
      L.push(`  wire ${out}_v1_${i} = ${hi} | ${lo};`);
      L.push(`  wire ${out}_p1_${i} = ${hi};`);
    }
    level.push({ v: `${out}_v1_${i}`, p: `${out}_p1_${i}`, w: 1 });
  }
  let j = 1;
  while (level.length > 1) {
    j++;
    const next: { v: string; p: string; w: number }[] = [];
    for (let i = 0; i < level.length / 2; i++) {
      const lo = level[2 * i]!;
      const hi = level[2 * i + 1]!;
      const v = `${out}_v${j}_${i}`;
      const p = `${out}_p${j}_${i}`;
      L.push(`  wire ${v} = ${hi.v} | ${lo.v};`);
      L.push(`  wire [${j - 1}:0] ${p} = ${hi.v} ? {1'b1, ${hi.p}} : {1'b0, ${lo.p}};`);
      next.push({ v, p, w: j });
    }
    level = next;
  }
  L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
  L.push(`  wire ${out}_any = ${level[0]!.v};`);
  L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  L.push(`  wire ${range(LW)} ${out} = ${level[0]!.p};`);
  return L;
}
