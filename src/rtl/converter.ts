import { accToBinary32Bits, accToFormat } from '../arith/index.js';
import type { Format } from '../format/index.js';
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
export function emulateConverter(fo: Format | 'binary32', acc: bigint, nan: boolean, T: number, Xo: number, relu: boolean): number {
  return fo === 'binary32' ? accToBinary32Bits(acc, nan, T) >>> 0 : accToFormat(acc, nan, T, fo, Xo, relu);
}

/** Width of the signed `d` input of every converter. */
export const D_BITS = 12;

export function emitConverter(name: string, out: HwOutput, W: number, withRelu: boolean, faults = new Faults()): string {
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
    ]),
  );
  L.push(`module ${name} (`);
  L.push(`  input  wire ${range(W)} acc,`);
  L.push(`  input  wire nan,`);
  if (withRelu) L.push(`  input  wire relu,`);
  L.push(`  input  wire ${range(DW)} d,`);
  L.push(`  output wire ${range(CB)} code${faults.schema ? ',' : ''}`);
  L.push(...faults.port().map((x) => `  ${x}`));
  L.push(`);`);
  if (withRelu) {
    L.push(`  wire neg = acc[${W - 1}] & ~relu;`);
    L.push(`  wire ${range(W)} mag = acc[${W - 1}] ? (relu ? ${W}'d0 : (${W}'d0 - acc)) : acc;`);
  } else {
    L.push(`  wire neg = acc[${W - 1}];`);
    L.push(`  wire ${range(W)} mag = neg ? (${W}'d0 - acc) : acc;`);
  }
  // leading-one detector: a balanced tree (log2 depth), position of the highest set bit of mag
  L.push(...emitLzd('mag', W, 'lead'));
  // exponent arithmetic (signed, EW bits)
  L.push(`  wire signed ${range(EW)} ds  = {{${EW - DW}{d[${DW - 1}]}}, d};`);
  L.push(`  wire signed ${range(EW)} le  = $signed({${EW - LW}'d0, lead}) + ds;        // floor(log2 value) in quanta`);
  L.push(`  wire signed ${range(EW)} shr = le - ${EW}'sd${M};`);
  L.push(`  wire signed ${range(EW)} sh  = (shr > ${EW}'sd0) ? shr : ${EW}'sd0;           // binade shift, >= 0`);
  L.push(`  wire signed ${range(EW)} r   = sh - ds;                                     // right shift of mag`);
  L.push(`  wire rpos = r > ${EW}'sd0;`);
  // right-shift path with guard and sticky
  L.push(`  wire ${range(RW)} rs = (r > ${EW}'sd${W + 1}) ? ${RW}'d${W + 1} : (rpos ? r[${RW - 1}:0] : ${RW}'d0);`);
  L.push(`  wire [${W}:0] mx = {mag, 1'b0};`);
  L.push(`  wire [${W}:0] tr = mx >> rs;`);
  L.push(`  wire [${W}:0] lowm = ~({${W + 1}{1'b1}} << rs);`);
  L.push(`  wire guard  = tr[0];`);
  L.push(`  wire sticky = |(mx & lowm);`);
  if (W >= Q) {
    if (W > Q) L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire ${range(W)} qr_all = tr[${W}:1];`);
    if (W > Q) L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
    L.push(`  wire ${range(Q)} qr = qr_all[${Q - 1}:0];`);
  } else {
    L.push(`  wire ${range(Q)} qr = {${Q - W}'d0, tr[${W}:1]};`);
  }
  // left-shift path (exact), at most M positions whenever mag != 0
  L.push(`  wire signed ${range(EW)} nr = ${EW}'sd0 - r;`);
  L.push(`  wire ${range(LSW)} ls = rpos ? ${LSW}'d0 : ((nr > ${EW}'sd${Q}) ? ${LSW}'d${Q} : nr[${LSW - 1}:0]);`);
  const magx = XW > W ? `{${XW - W}'d0, mag}` : 'mag';
  if (XW > Q) L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
  L.push(`  wire ${range(XW)} sl = ${magx} << ls;`);
  if (XW > Q) L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  L.push(`  wire ${range(Q)} ql = sl[${Q - 1}:0];`);
  L.push(`  wire ${range(Q)} q = rpos ? qr : ql;`);
  // rounding
  L.push(`  wire inc = rpos & guard & ${faults.sel('round-half-up', "1'b1", faults.sel('sticky-lost', 'q[0]', '(sticky | q[0])'))};${faults.tag('round-half-up')}${faults.tag('sticky-lost')}`);
  L.push(`  wire [${Q}:0] n = ${faults.sel('carry-lost', `{1'b0, q + {${Q - 1}'d0, inc}}`, `{1'b0, q} + {${Q}'d0, inc}`)};${faults.tag('carry-lost')}`);
  // payload = (sh << M) + n, saturation
  L.push(`  wire shbig = sh > ${EW}'sd${out.shMax};`);
  L.push(`  wire ${range(SB)} shs = sh[${SB - 1}:0];`);
  L.push(`  wire ${range(PYW)} pay = {${PYW - SB - M}'d0, shs, ${M}'d0} + {${PYW - Q - 1}'d0, n};`);
  L.push(`  wire mz = (mag == ${W}'d0);`);
  L.push(`  wire sat = ${faults.sel('no-saturation', "1'b0", `~mz & (shbig | (pay > ${lit(PYW, out.maxPayload)}))`)};${faults.tag('no-saturation')}`);
  const zr = `mz | (~sat & (n == ${Q + 1}'d0))`;
  if (out.bits === 32) L.push(`  wire zero = ${faults.sel('f32-flush-subnormal', `mz | (~sat & ((n == ${Q + 1}'d0) | ((shs == ${SB}'d0) & ~n[${M}] & ~n[${Q}])))`, zr)};${faults.tag('f32-flush-subnormal')}`);
  else L.push(`  wire zero = ${zr};`);
  // unused upper bits of the internal sums
  L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
  const payHi = PYW > PB ? `, pay[${PYW - 1}:${PB}]` : '';
  L.push(`  wire unused_hi = |{sh[${EW - 1}:${SB}]${payHi}, r[${EW - 1}:${RW}], nr[${EW - 1}:${LSW}]};`);
  L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  const nanSel = faults.sel('nan-not-propagated', "1'b0", 'nan');
  if (faults.has('nan-not-propagated')) {
    L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire unused_nan = nan; // FAULT nan-not-propagated`);
    L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  }
  const zeroNeg = faults.sel('zero-sign', `{1'b1, ${PB}'d0}`, lit(CB, out.negZeroCode));
  if (out.twos) {
    L.push(`  wire ${range(CB)} posc = sat ? ${lit(CB, out.satPayload)} : {1'b0, pay[${PB - 1}:0]};`);
    L.push(`  assign code = ${nanSel} ? ${lit(CB, out.nanCode)} : zero ? (neg ? ${zeroNeg} : ${CB}'d0) : (neg ? (${CB}'d0 - posc) : posc);`);
  } else {
    L.push(`  wire ${range(PB)} pm = sat ? ${lit(PB, out.satPayload)} : pay[${PB - 1}:0];`);
    L.push(`  assign code = ${nanSel} ? ${lit(CB, out.nanCode)} : zero ? (neg ? ${zeroNeg} : ${CB}'d0) : {neg, pm};`);
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
