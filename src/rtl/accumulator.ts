import { Mac, type MacConfig } from '../arith/index.js';
import { Faults } from './faults.js';
import { fileHeader, range, sext } from './vlog.js';

/**
 * Adder tree and accumulator blocks: S = sum of the N lane products (exact: the tree widens by
 * one bit per level), then A <- clamp(A + S) to W bits with sticky ovf / nan, and clear (first)
 * loading A <- init before the beat's products are added.
 *
 * Mirrors src/arith `Mac` (clear(init); step(a, b, mask)). `emulateAccumulator` runs a beat
 * sequence through the reference.
 */
export interface AccBeat {
  first: boolean;
  init?: bigint;
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  mask: number;
}

export function emulateAccumulator(cfg: MacConfig, beats: readonly AccBeat[]): { acc: bigint; nan: boolean; ovf: boolean }[] {
  const mac = new Mac(cfg);
  const out: { acc: bigint; nan: boolean; ovf: boolean }[] = [];
  for (const bt of beats) {
    if (bt.first) mac.clear(bt.init ?? 0n);
    mac.step(bt.a, bt.b, bt.mask);
    out.push({ acc: mac.acc, nan: mac.nan, ovf: mac.ovf });
  }
  return out;
}

/** Sum width of an N-lane tree over PW-bit products. */
export function treeWidth(PW: number, N: number): number {
  return PW + Math.ceil(Math.log2(N) - 1e-12);
}

export function emitTree(name: string, N: number, PW: number, faults = new Faults()): string {
  const SW = treeWidth(PW, N);
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Adder tree: ${N} lanes of ${PW}-bit signed products -> ${SW}-bit exact sum, and the OR of the lane NaN flags.`,
      'Mirrors the sum S of src/arith Mac.step() (exact: one extra bit per level).',
    ]),
  );
  L.push(`module ${name} (`);
  L.push(`  input  wire ${range(N * PW)} p,`);
  L.push(`  input  wire [${N - 1}:0] nl,`);
  L.push(`  output wire ${range(SW)} s,`);
  L.push(`  output wire nan${faults.schema ? ',' : ''}`);
  L.push(...faults.port().map((x) => `  ${x}`));
  L.push(`);`);
  const drop = faults.has('lane-dropped');
  // level 0
  let level: { name: string; w: number }[] = [];
  for (let i = 0; i < N; i++) {
    const nm = `t0_${i}`;
    if (i === N - 1) L.push(`  wire ${range(PW)} ${nm} = ${faults.sel('lane-dropped', `${PW}'d0`, `p[${(i + 1) * PW - 1}:${i * PW}]`)};${faults.tag('lane-dropped')}`);
    else L.push(`  wire ${range(PW)} ${nm} = p[${(i + 1) * PW - 1}:${i * PW}];`);
    level.push({ name: nm, w: PW });
  }
  let lv = 0;
  while (level.length > 1) {
    lv++;
    const next: { name: string; w: number }[] = [];
    const w = level[0]!.w + 1;
    for (let i = 0; i < level.length; i += 2) {
      const nm = `t${lv}_${i / 2}`;
      const x = level[i]!;
      const y = level[i + 1];
      if (y) L.push(`  wire ${range(w)} ${nm} = ${sext(x.name, x.w, w)} + ${sext(y.name, y.w, w)};`);
      else L.push(`  wire ${range(w)} ${nm} = ${sext(x.name, x.w, w)};`);
      next.push({ name: nm, w });
    }
    level = next;
  }
  const top = level[0]!;
  if (top.w !== SW) throw new Error(`tree width ${top.w} != ${SW}`);
  L.push(`  assign s = ${top.name};`);
  if (drop) {
    L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire unused_lane = |p[${N * PW - 1}:${(N - 1) * PW}];`);
    L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  }
  L.push(`  assign nan = |nl;`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

export function emitAccumulator(name: string, W: number, SW: number, faults = new Faults()): string {
  const AW = Math.max(W, SW) + 1;
  const L: string[] = [];

  L.push(
    fileHeader(name, [
      `Accumulator: ${W}-bit two's complement A <- clamp(base + S), base = first ? init : A.`,
      'Sticky flags: ovf (a clamp happened), nan (a valid lane had a NaN/Inf operand); first clears both.',
      'Mirrors src/arith Mac.clear()/step().',
    ]),
  );
  L.push(`module ${name} (`);
  L.push(`  input  wire clk,`);
  L.push(`  input  wire rst,`);
  L.push(`  input  wire en,`);
  L.push(`  input  wire first,`);
  L.push(`  input  wire ${range(W)} init,`);
  L.push(`  input  wire ${range(SW)} s,`);
  L.push(`  input  wire snan,`);
  L.push(`  output wire ${range(W)} acc,`);
  L.push(`  output wire nan,`);
  L.push(`  output wire ovf${faults.schema ? ',' : ''}`);
  L.push(...faults.port().map((x) => `  ${x}`));
  L.push(`);`);
  L.push(`  reg ${range(W)} acc_q;`);
  L.push(`  reg nan_q;`);
  L.push(`  reg ovf_q;`);
  if (faults.has('init-ignored')) {
    L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire unused_init = |init;`);
    L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
  }
  L.push(`  wire ${range(W)} base = first ? ${faults.sel('init-ignored', `${W}'d0`, 'init')} : acc_q;${faults.tag('init-ignored')}`);
  L.push(`  wire ${range(AW)} sum = ${sext('base', W, AW)} + ${sext('s', SW, AW)};`);
  // overflow: the bits above the (cw-1)-bit magnitude are not a sign extension
  const clampAt = (cw: number): { hi: string; lo: string; max: string; min: string } => ({
    hi: `(~sum[${AW - 1}] & (sum[${AW - 2}:${cw - 1}] != ${AW - cw}'d0))`,
    lo: `(sum[${AW - 1}] & (sum[${AW - 2}:${cw - 1}] != {${AW - cw}{1'b1}}))`,
    max: cw === W ? `{1'b0, {${W - 1}{1'b1}}}` : `{2'b00, {${W - 2}{1'b1}}}`,
    min: cw === W ? `{1'b1, {${W - 1}'d0}}` : `{2'b11, {${W - 2}'d0}}`,
  });
  const cR = clampAt(W);
  const cF = clampAt(W - 1);
  const tg = faults.tag('clamp-width');
  L.push(`  wire hi = ${faults.sel('clamp-width', cF.hi, cR.hi)};${tg}`);
  L.push(`  wire lo = ${faults.sel('clamp-width', cF.lo, cR.lo)};${tg}`);
  L.push(`  wire ${range(W)} clamped = hi ? ${faults.sel('clamp-width', cF.max, cR.max)} : lo ? ${faults.sel('clamp-width', cF.min, cR.min)} : sum[${W - 1}:0];${tg}`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (rst) begin`);
  L.push(`      acc_q <= ${W}'d0;`);
  L.push(`      nan_q <= 1'b0;`);
  L.push(`      ovf_q <= 1'b0;`);
  L.push(`    end else if (en) begin`);
  L.push(`      acc_q <= clamped;`);
  L.push(`      nan_q <= ${faults.sel('clear-keeps-nan', 'nan_q | snan', '(~first & nan_q) | snan')};${faults.tag('clear-keeps-nan')}`);
  L.push(`      ovf_q <= ${faults.sel('ovf-not-sticky', 'hi | lo', '(~first & ovf_q) | hi | lo')};${faults.tag('ovf-not-sticky')}`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`  assign acc = acc_q;`);
  L.push(`  assign nan = nan_q;`);
  L.push(`  assign ovf = ovf_q;`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}
