import { Mac, ModeMac } from '../arith/index.js';
import { Faults } from './faults.js';
import { converterStages, type RtlConfig } from './config.js';
import { D_BITS, emulateConverter } from './converter.js';
import { modeDecoderDims } from './decoder.js';
import { fileHeader, lit, range } from './vlog.js';

/**
 * Top block `rf8_dot`: an N-lane dot-product engine with valid/ready streams.
 *
 * One input beat carries N operand pairs, a lane mask, `first` (clear: A <- init and flags
 * cleared before this beat's products are added), `last` (emit a result after this beat) and the
 * runtime scales of the result (Xa, Xb of the operands, Xo of the output, ReLU). Every beat with
 * `last` produces one output beat: the accumulator, its sticky flags, the binary32 value and one
 * code per output format. Mirrors src/arith Mac + accToFormat + accToBinary32Bits; see
 * `emulateTop`.
 */
export interface Beat {
  first: boolean;
  last: boolean;
  relu: boolean;
  xa: number;
  xb: number;
  xo: number;
  init: bigint;
  mask: number;
  a: number[];
  b: number[];
  /** Multi-mode units only: operand modes, taken on beats with `first` (default 0). */
  ma?: number;
  mb?: number;
}

export interface BeatOut {
  acc: bigint;
  nan: boolean;
  ovf: boolean;
  f32: number;
  codes: number[];
}

/** Reference behaviour of rf8_dot: the state after every beat (the DUT emits those with `last`). */
export class TopModel {
  private readonly mac: Mac | ModeMac;
  constructor(readonly cfg: RtlConfig) {
    this.mac = cfg.multi
      ? new ModeMac({ a: cfg.modesA.modes, b: cfg.modesB.modes, W: cfg.W, lanes: cfg.lanes })
      : new Mac({ a: cfg.fa, b: cfg.fb, W: cfg.W, lanes: cfg.lanes });
    this.mac.clear(0n);
  }
  reset(): void {
    this.mac.clear(0n);
  }
  step(bt: Beat): BeatOut {
    const c = this.cfg;
    if (bt.first) {
      if (this.mac instanceof ModeMac) this.mac.clear(bt.init, bt.ma ?? 0, bt.mb ?? 0);
      else this.mac.clear(bt.init);
    }
    this.mac.step(bt.a, bt.b, bt.mask);
    const acc = this.mac.acc;
    const nan = this.mac.nan;
    const T = c.modesA.t + c.modesB.t + bt.xa + bt.xb;
    return {
      acc,
      nan,
      ovf: this.mac.ovf,
      f32: c.f32 ? emulateConverter('binary32', acc, nan, T, 0, false) : 0,
      codes: c.outs.map((fo, k) => emulateConverter(fo, acc, nan, T, bt.xo, bt.relu, c.outRoundings[k])),
    };
  }
}

export function emulateTop(cfg: RtlConfig, beats: readonly Beat[]): BeatOut[] {
  const m = new TopModel(cfg);
  return beats.map((b) => m.step(b));
}

/** Module names of a configuration. */
export function moduleNames(cfg: RtlConfig): { top: string; decA: string; decB: string; mul: string; tree: string; acc: string; cvt: string[]; cvtF32: string } {
  const p = cfg.prefix;
  return {
    top: `${p}dot`,
    decA: `${p}dec_a`,
    decB: `${p}dec_b`,
    mul: `${p}mul`,
    tree: `${p}tree`,
    acc: `${p}acc`,
    cvt: cfg.outs.map((_, i) => `${p}cvt_o${i}`),
    cvtF32: `${p}cvt_f32`,
  };
}

interface Sig {
  name: string;
  w: number;
}

export function emitTop(cfg: RtlConfig, faults = new Faults()): string {
  const names = moduleNames(cfg);
  const N = cfg.lanes;
  const W = cfg.W;
  const PW = cfg.PW;
  const SW = cfg.SW;
  const K = cfg.outs.length;
  const A = modeDecoderDims(cfg.modesA);
  const B = modeDecoderDims(cfg.modesB);
  const mA = cfg.modesA.modes.length > 1;
  const mB = cfg.modesB.modes.length > 1;
  const modeNote = (k: string, s: RtlConfig['modesA']): string =>
    `in_mode_${k} (sampled with first): ${s.modes.map((f, i) => `${i} = ${f.name}`).join(', ')}; value grid 2^${s.t}.`;
  const L: string[] = [];
  L.push(
    fileHeader(names.top, [
      `Dot-product engine: a ${A.label} x b ${B.label}, N = ${N} lanes, W = ${W}, pipe = ${cfg.pipe}, latency ${cfg.latency} cycles.`,
      `W: ${cfg.Wreason}.`,
      `Outputs: ${[...cfg.outLabels, ...(cfg.f32 ? ['binary32'] : [])].join(', ')}.`,
      'Streams: a beat moves when valid & ready; one global stall (adv = ~out_valid | out_ready).',
      'Beat: first = clear (A <- init, flags cleared) before this beat; last = emit a result after it.',
      'Scales (int8, per beat, used with last): value(A) = A * 2^(tmin_a + tmin_b + xa + xb); codes at xo.',
      ...(mA ? [modeNote('a', cfg.modesA)] : []),
      ...(mB ? [modeNote('b', cfg.modesB)] : []),
      ...(cfg.multi ? [`Multi-mode: tmin_a + tmin_b is the shared grid's ${cfg.modesA.t} + ${cfg.modesB.t} for every mode pair (src/arith ModeMac).`] : []),
      'Mirrors src/arith Mac + accToFormat + accToBinary32Bits (src/rtl/top.ts TopModel).',
    ]),
  );
  const ports: string[] = [];
  ports.push('input  wire clk', 'input  wire rst');
  ports.push('input  wire in_valid', 'output wire in_ready', 'input  wire in_first', 'input  wire in_last');
  if (K) ports.push('input  wire in_relu');
  ports.push(`input  wire [${N - 1}:0] in_mask`, `input  wire ${range(8 * N)} in_a`, `input  wire ${range(8 * N)} in_b`, `input  wire ${range(W)} in_init`);
  ports.push('input  wire [7:0] in_xa', 'input  wire [7:0] in_xb');
  if (mA) ports.push('input  wire [1:0] in_mode_a');
  if (mB) ports.push('input  wire [1:0] in_mode_b');
  if (K) ports.push('input  wire [7:0] in_xo');
  ports.push('output wire out_valid', 'input  wire out_ready', `output wire ${range(W)} out_acc`, 'output wire out_nan', 'output wire out_ovf');
  if (cfg.f32) ports.push('output wire [31:0] out_f32');
  if (K) ports.push(`output wire ${range(8 * K)} out_code`);
  ports.push(...faults.port());
  const fc = faults.conn();
  L.push(`module ${names.top} (`);
  L.push(ports.map((p) => '  ' + p).join(',\n'));
  L.push(`);`);
  L.push(`  wire adv = ~out_valid | out_ready;`);
  L.push(`  assign in_ready = adv;`);
  L.push('');
  // sideband carried along the pipeline
  const side = (s: string): Sig[] => {
    const v: Sig[] = [
      { name: `f${s}`, w: 1 },
      { name: `l${s}`, w: 1 },
      { name: `i${s}`, w: W },
      { name: `xs${s}`, w: 10 },
    ];
    if (K) v.push({ name: `r${s}`, w: 1 }, { name: `xo${s}`, w: 8 });
    return v;
  };
  const regs = (sigs: Sig[]): void => {
    for (const s of sigs) L.push(`  reg ${s.w > 1 ? range(s.w) + ' ' : ''}${s.name};`);
  };
  // stage 0: input register
  L.push(`  // stage 0: input register`);
  L.push(`  reg v0;`);
  const s0 = side('0');
  regs(s0);
  L.push(`  reg [${N - 1}:0] m0;`);
  L.push(`  reg ${range(8 * N)} a0;`);
  L.push(`  reg ${range(8 * N)} b0;`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (rst) v0 <= 1'b0;`);
  L.push(`    else if (adv) v0 <= in_valid;`);
  L.push(`  end`);
  for (const [k, on] of [['a', mA], ['b', mB]] as const) {
    if (!on) continue;
    L.push(`  reg [1:0] m${k}0;  // operand ${k} mode: taken with first, held for the dot product`);
    L.push(`  always @(posedge clk) begin`);
    L.push(`    if (rst) m${k}0 <= 2'd0;`);
    L.push(`    else if (adv & in_valid & in_first) m${k}0 <= in_mode_${k};`);
    L.push(`  end`);
  }
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (adv) begin`);
  L.push(`      f0 <= in_first;`);
  L.push(`      l0 <= in_last;`);
  L.push(`      i0 <= in_init;`);
  L.push(`      xs0 <= {{2{in_xa[7]}}, in_xa} + {{2{in_xb[7]}}, in_xb};`);
  if (K) {
    L.push(`      r0 <= in_relu;`);
    L.push(`      xo0 <= in_xo;`);
  }
  L.push(`      m0 <= in_mask;`);
  L.push(`      a0 <= in_a;`);
  L.push(`      b0 <= in_b;`);
  L.push(`    end`);
  L.push(`  end`);
  L.push('');
  // decoders + multipliers
  L.push(`  // decoders and multipliers, one per lane`);
  L.push(`  wire ${range(N * PW)} p0;`);
  L.push(`  wire [${N - 1}:0] n0;`);
  for (let i = 0; i < N; i++) {
    L.push(`  wire sa${i}, na${i}, sb${i}, nb${i};`);
    L.push(`  wire ${range(A.kBits)} ka${i};`);
    L.push(`  wire ${range(A.shBits)} sha${i};`);
    L.push(`  wire ${range(B.kBits)} kb${i};`);
    L.push(`  wire ${range(B.shBits)} shb${i};`);
    L.push(`  ${names.decA} u_da${i} (.code(a0[${8 * i + 7}:${8 * i}]),${mA ? ' .mode(ma0),' : ''} .sign(sa${i}), .k(ka${i}), .sh(sha${i}), .nan(na${i})${fc});`);
    L.push(`  ${names.decB} u_db${i} (.code(b0[${8 * i + 7}:${8 * i}]),${mB ? ' .mode(mb0),' : ''} .sign(sb${i}), .k(kb${i}), .sh(shb${i}), .nan(nb${i})${fc});`);
    L.push(
      `  ${names.mul} u_mul${i} (.en(m0[${i}]), .sa(sa${i}), .ka(ka${i}), .sha(sha${i}), .na(na${i}), .sb(sb${i}), .kb(kb${i}), .shb(shb${i}), .nb(nb${i}), .p(p0[${(i + 1) * PW - 1}:${i * PW}]), .nan(n0[${i}])${fc});`,
    );
  }
  L.push('');
  // pipeline cut helper
  let vCur = 'v0';
  let sideCur = s0;
  const cut = (tag: string, data: Sig[], comment: string): Sig[] => {
    L.push(`  // ${comment}`);
    L.push(`  reg v${tag};`);
    const sNew = side(tag);
    regs(sNew);
    const dNew = data.map((d) => ({ name: d.name.replace(/\d+$|[A-Z]$/, '') + tag, w: d.w }));
    for (const s of dNew) L.push(`  reg [${s.w - 1}:0] ${s.name};`);
    L.push(`  always @(posedge clk) begin`);
    L.push(`    if (rst) v${tag} <= 1'b0;`);
    L.push(`    else if (adv) v${tag} <= ${vCur};`);
    L.push(`  end`);
    L.push(`  always @(posedge clk) begin`);
    L.push(`    if (adv) begin`);
    sNew.forEach((s, j) => L.push(`      ${s.name} <= ${sideCur[j]!.name};`));
    dNew.forEach((s, j) => L.push(`      ${s.name} <= ${data[j]!.name};`));
    L.push(`    end`);
    L.push(`  end`);
    vCur = `v${tag}`;
    sideCur = sNew;
    return dNew;
  };
  let prod: Sig[] = [
    { name: 'p0', w: N * PW },
    { name: 'n0', w: N },
  ];
  if (cfg.pipe >= 1) prod = cut('1', prod, 'pipeline cut 1: after the multipliers');
  L.push(`  // adder tree`);
  L.push(`  wire ${range(SW)} st;`);
  L.push(`  wire nt;`);
  L.push(`  ${names.tree} u_tree (.p(${prod[0]!.name}), .nl(${prod[1]!.name}), .s(st), .nan(nt)${fc});`);
  let sum: Sig[] = [
    { name: 'st', w: SW },
    { name: 'nt', w: 1 },
  ];
  if (cfg.pipe >= 2) sum = cut('2', sum, 'pipeline cut 2: after the adder tree');
  L.push(`  // accumulator`);
  L.push(`  wire ${range(W)} acc;`);
  L.push(`  wire acc_nan, acc_ovf;`);
  const [fX, , iX] = sideCur;
  L.push(`  ${names.acc} u_acc (.clk(clk), .rst(rst), .en(adv & ${vCur}), .first(${fX!.name}), .init(${iX!.name}), .s(${sum[0]!.name}), .snan(${sum[1]!.name}), .acc(acc), .nan(acc_nan), .ovf(acc_ovf)${fc});`);
  L.push('');
  // stage A: the beat whose products are now in acc
  L.push(`  // stage A: sideband of the beat just accumulated`);
  L.push(`  reg vA;`);
  L.push(`  reg lA;`);
  L.push(`  reg [9:0] xsA;`);
  if (K) {
    L.push(`  reg rA;`);
    L.push(`  reg [7:0] xoA;`);
  }
  const [, lX, , xsX, rX, xoX] = sideCur;
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (rst) vA <= 1'b0;`);
  L.push(`    else if (adv) vA <= ${vCur};`);
  L.push(`  end`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (adv) begin`);
  L.push(`      lA <= ${lX!.name};`);
  L.push(`      xsA <= ${xsX!.name};`);
  if (K) {
    L.push(`      rA <= ${rX!.name};`);
    L.push(`      xoA <= ${xoX!.name};`);
  }
  L.push(`    end`);
  L.push(`  end`);
  // unused sideband (first/init after the accumulator, last before it) is simply not carried
  let cv = { v: 'vA & lA', acc: 'acc', nan: 'acc_nan', ovf: 'acc_ovf', xs: 'xsA', r: 'rA', xo: 'xoA' };
  type Beside = typeof cv;
  // one register stage of the result and its flags (and, before the converters, their scales)
  const stage = (from: Beside, sfx: string, comment: string, scales: boolean): Beside => {
    const to = { v: `v${sfx}`, acc: `acc${sfx}`, nan: `nan${sfx}`, ovf: `ovf${sfx}`, xs: `xs${sfx}`, r: `r${sfx}`, xo: `xo${sfx}` };
    const sc = scales ? [['xs', 10], ...(K ? [['r', 1], ['xo', 8]] : [])] as [keyof Beside, number][] : [];
    L.push(`  // ${comment}`);
    L.push(`  reg ${to.v};`);
    L.push(`  reg ${range(W)} ${to.acc};`);
    L.push(`  reg ${to.nan}, ${to.ovf};`);
    for (const [k, w] of sc) L.push(`  reg ${w > 1 ? `[${w - 1}:0] ` : ''}${to[k]};`);
    L.push(`  always @(posedge clk) begin`);
    L.push(`    if (rst) ${to.v} <= 1'b0;`);
    L.push(`    else if (adv) ${to.v} <= ${from.v};`);
    L.push(`  end`);
    L.push(`  always @(posedge clk) begin`);
    L.push(`    if (adv) begin`);
    for (const k of ['acc', 'nan', 'ovf', ...sc.map(([x]) => x)] as (keyof Beside)[]) L.push(`      ${to[k]} <= ${from[k]};`);
    L.push(`    end`);
    L.push(`  end`);
    return scales ? to : { ...from, v: to.v, acc: to.acc, nan: to.nan, ovf: to.ovf };
  };
  if (cfg.pipe >= 3) cv = stage(cv, 'C', 'pipeline cut 3: before the output converters', true);
  L.push('');
  L.push(`  // output converters; d = power of acc's LSB in units of the output's 2^tmin_o`);
  const cs = converterStages(cfg.pipe);
  const ck = cs ? '.clk(clk), .en(adv), ' : '';
  const DW = D_BITS;
  const tab = cfg.modesA.t + cfg.modesB.t;
  const xs12 = `{{${DW - 10}{${cv.xs}[9]}}, ${cv.xs}}`;
  cfg.outs.forEach((fo, k) => {
    const c = tab - fo.tmin;
    L.push(`  wire ${range(DW)} d${k} = ${lit(DW, c)} + ${xs12} - {{${DW - 8}{${cv.xo}[7]}}, ${cv.xo}};  // (${tab}) - (${fo.tmin}) + xa + xb - xo`);
    L.push(`  wire [7:0] c${k};`);
    L.push(`  ${names.cvt[k]} u_cvt${k} (${ck}.acc(${cv.acc}), .nan(${cv.nan}), .relu(${cv.r}), .d(d${k}), .code(c${k})${fc});`);
  });
  if (cfg.f32) {
    const c = tab + 149;
    L.push(`  wire ${range(DW)} df = ${lit(DW, c)} + ${xs12};  // (${tab}) + 149 + xa + xb`);
    L.push(`  wire [31:0] cf;`);
    L.push(`  ${names.cvtF32} u_cvtf (${ck}.acc(${cv.acc}), .nan(${cv.nan}), .d(df), .code(cf)${fc});`);
  }
  L.push('');
  // the converters' internal stages: delay what travels beside their codes by as many cycles
  let ov = cv;
  for (let j = 1; j <= cs; j++) ov = stage(ov, `P${j}`, `beside converter stage ${j}`, false);
  L.push(`  // output register`);
  L.push(`  reg vO;`);
  L.push(`  reg ${range(W)} oacc;`);
  L.push(`  reg onan, oovf;`);
  if (cfg.f32) L.push(`  reg [31:0] of32;`);
  if (K) L.push(`  reg ${range(8 * K)} ocode;`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (rst) vO <= 1'b0;`);
  L.push(`    else if (adv) vO <= ${ov.v};`);
  L.push(`  end`);
  L.push(`  always @(posedge clk) begin`);
  L.push(`    if (adv) begin`);
  L.push(`      oacc <= ${ov.acc};`);
  L.push(`      onan <= ${ov.nan};`);
  L.push(`      oovf <= ${ov.ovf};`);
  if (cfg.f32) L.push(`      of32 <= cf;`);
  if (K) L.push(`      ocode <= {${cfg.outs.map((_, k) => `c${K - 1 - k}`).join(', ')}};`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`  assign out_valid = vO;`);
  L.push(`  assign out_acc = oacc;`);
  L.push(`  assign out_nan = onan;`);
  L.push(`  assign out_ovf = oovf;`);
  if (cfg.f32) L.push(`  assign out_f32 = of32;`);
  if (K) L.push(`  assign out_code = ocode;`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}
