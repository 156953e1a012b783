import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { codebookTables, getFormat, residualTables, sqrt2FloorBig, type Format, type FormatName, type Rounding } from '../format/index.js';
import { accWidth, modeSet } from '../arith/index.js';
import {
  D_BITS,
  emitConverter,
  emitDecoder,
  emitResidualConverter,
  emulateResidualConverter,
  emitCodebookConverter,
  emulateCodebookConverter,
  emitModeDecoder,
  emitMultiplier,
  emulateModeDecoder,
  modeDecoderDims,
  emulateConverter,
  emulateDecoder,
  emulateMultiplier,
  hwInput,
  hwOutput,
  hwOutputF32,
  productWidth,
} from '../rtl/index.js';
import { Rng } from '../util/rng.js';
import { requireTool } from './tools.js';

const execFileP = promisify(execFile);

/**
 * Block-level test benches (FloPoCo style: every generated block comes with its vectors): each
 * block's emitted Verilog is simulated under Icarus Verilog against the block's `emulate*`
 * function, which calls the reference. Cheap enough to cover every family member, including
 * int8 and the OCP baselines.
 */
export interface Port {
  name: string;
  w: number;
}

export interface BlockVector {
  ins: bigint[];
  outs: bigint[];
  /** Bits of each output that matter (default all). */
  care?: bigint[];
}

export interface BlockResult {
  block: string;
  vectors: number;
  errors: number;
  firstError?: string;
}

const mask = (w: number): bigint => (1n << BigInt(w)) - 1n;

/** Simulate `top` (from `sources`) on the vectors; inputs applied, outputs compared after #1. */
export async function runBlockBench(block: string, sources: { name: string; text: string }[], top: string, ins: Port[], outs: Port[], vectors: BlockVector[]): Promise<BlockResult> {
  requireTool('iverilog');
  const dir = mkdtempSync(join(tmpdir(), 'rf8-blk-'));
  try {
    const fields = [...ins, ...outs, ...outs.map((o) => ({ name: `${o.name}_care`, w: o.w }))];
    const width = fields.reduce((s, f) => s + f.w, 0);
    const lines = vectors.map((v) => {
      let word = 0n;
      const vals = [...v.ins, ...v.outs, ...outs.map((o, i) => v.care?.[i] ?? mask(o.w))];
      fields.forEach((f, i) => (word = (word << BigInt(f.w)) | (vals[i]! & mask(f.w))));
      return word.toString(16);
    });
    writeFileSync(join(dir, 'v.hex'), lines.join('\n') + '\n');
    let hi = width;
    const sl: Record<string, string> = {};
    for (const f of fields) {
      sl[f.name] = `[${hi - 1}:${hi - f.w}]`;
      hi -= f.w;
    }
    const tb = `\`timescale 1ns/1ps
module tb;
  reg [${width - 1}:0] mem [0:${vectors.length - 1}];
  reg [${width - 1}:0] v;
${ins.map((p) => `  reg [${p.w - 1}:0] ${p.name};`).join('\n')}
${outs.map((p) => `  wire [${p.w - 1}:0] ${p.name};`).join('\n')}
  ${top} dut (${[...ins, ...outs].map((p) => `.${p.name}(${p.name})`).join(', ')});
  integer i, errors;
  initial begin
    $readmemh("v.hex", mem);
    errors = 0;
    for (i = 0; i < ${vectors.length}; i = i + 1) begin
      v = mem[i];
${ins.map((p) => `      ${p.name} = v${sl[p.name]};`).join('\n')}
      #1;
      if (${outs.map((p) => `((${p.name} & v${sl[`${p.name}_care`]}) !== (v${sl[p.name]} & v${sl[`${p.name}_care`]}))`).join(' || ')}) begin
        if (errors == 0) $display("FIRST index %0d: ${outs.map((p) => `${p.name} %h/%h`).join(' ')}", i${outs.map((p) => `, ${p.name}, v${sl[p.name]}`).join('')});
        errors = errors + 1;
      end
    end
    $display("DONE %0d %0d", i, errors);
    $finish;
  end
endmodule
`;
    writeFileSync(join(dir, 'tb.sv'), tb);
    for (const s of sources) writeFileSync(join(dir, s.name), s.text);
    await execFileP('iverilog', ['-g2012', '-o', 'sim.vvp', '-s', 'tb', 'tb.sv', ...sources.map((s) => s.name)], { cwd: dir });
    const { stdout } = await execFileP('vvp', ['-n', 'sim.vvp'], { cwd: dir, maxBuffer: 64 << 20 });
    const done = /DONE (\d+) (\d+)/.exec(stdout);
    const first = stdout.split('\n').find((l) => l.startsWith('FIRST'));
    return { block, vectors: done ? Number(done[1]) : 0, errors: done ? Number(done[2]) : -1, ...(first ? { firstError: first } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The decoder of `f` on all 256 codes (k, sh, sign are don't-care for NaN/Inf codes). */
export function decoderBench(f: FormatName | Format): Promise<BlockResult> {
  const fmt = getFormat(f);
  const hw = hwInput(fmt);
  const vectors: BlockVector[] = [];
  for (let c = 0; c < 256; c++) {
    const e = emulateDecoder(fmt, c);
    const full = [1n, mask(hw.kBits), mask(hw.shBits), 1n];
    vectors.push({ ins: [BigInt(c)], outs: [BigInt(e.sign), BigInt(e.k), BigInt(e.sh), BigInt(e.nan)], care: e.nan ? [0n, 0n, 0n, 1n] : full });
  }
  const name = 'blk_dec';
  return runBlockBench(`decoder ${fmt.name}`, [{ name: `${name}.sv`, text: emitDecoder(name, fmt) }], name, [{ name: 'code', w: 8 }], [
    { name: 'sign', w: 1 },
    { name: 'k', w: hw.kBits },
    { name: 'sh', w: hw.shBits },
    { name: 'nan', w: 1 },
  ], vectors);
}

/** Decoders + multiplier of a format pair on all 65536 code pairs (and masked lanes). */
export function multiplierBench(fa: FormatName, fb: FormatName, seed = 1): Promise<BlockResult> {
  const A = getFormat(fa);
  const B = getFormat(fb);
  const PW = productWidth(accWidth(A, B, 1));
  const ha = hwInput(A);
  const hb = hwInput(B);
  const wrap = `module blk_mulw (input wire en, input wire [7:0] ca, input wire [7:0] cb, output wire [${PW - 1}:0] p, output wire nan);
  wire sa, na, sb, nb;
  wire [${ha.kBits - 1}:0] ka;
  wire [${ha.shBits - 1}:0] sha;
  wire [${hb.kBits - 1}:0] kb;
  wire [${hb.shBits - 1}:0] shb;
  blk_da da (.code(ca), .sign(sa), .k(ka), .sh(sha), .nan(na));
  blk_db db (.code(cb), .sign(sb), .k(kb), .sh(shb), .nan(nb));
  blk_mul m (.en(en), .sa(sa), .ka(ka), .sha(sha), .na(na), .sb(sb), .kb(kb), .shb(shb), .nb(nb), .p(p), .nan(nan));
endmodule
`;
  const rng = new Rng(seed);
  const vectors: BlockVector[] = [];
  for (let a = 0; a < 256; a++)
    for (let b = 0; b < 256; b++) {
      const en = rng.int(16) !== 0;
      const e = emulateMultiplier(A, B, a, b, en);
      vectors.push({ ins: [en ? 1n : 0n, BigInt(a), BigInt(b)], outs: [e.p < 0n ? (1n << BigInt(PW)) + e.p : e.p, BigInt(e.nan)] });
    }
  return runBlockBench(
    `multiplier ${fa} x ${fb}`,
    [
      { name: 'blk_da.sv', text: emitDecoder('blk_da', A) },
      { name: 'blk_db.sv', text: emitDecoder('blk_db', B) },
      { name: 'blk_mul.sv', text: emitMultiplier('blk_mul', A, B, PW) },
      { name: 'blk_mulw.sv', text: wrap },
    ],
    'blk_mulw',
    [
      { name: 'en', w: 1 },
      { name: 'ca', w: 8 },
      { name: 'cb', w: 8 },
    ],
    [
      { name: 'p', w: PW },
      { name: 'nan', w: 1 },
    ],
    vectors,
  );
}

/** The output converter to `fo` (or binary32) at accumulator width W: edges and random inputs. */
export function converterBench(fo: FormatName | 'binary32', W = 40, count = 3000, seed = 1): Promise<BlockResult> {
  const out = fo === 'binary32' ? hwOutputF32() : hwOutput(fo);
  const relu = fo !== 'binary32';
  const rng = new Rng(seed);
  const vectors: BlockVector[] = [];
  const hiA = (1n << BigInt(W - 1)) - 1n;
  const dMin = -(2 ** (D_BITS - 1));
  const dMax = 2 ** (D_BITS - 1) - 1;
  const put = (acc: bigint, nan: boolean, r: boolean, d: number): void => {
    const T = d + out.tmin; // Xo = 0: d = T - tmin_o
    const code = emulateConverter(fo === 'binary32' ? 'binary32' : getFormat(fo), acc, nan, T, 0, r);
    const ins = [acc < 0n ? (1n << BigInt(W)) + acc : acc, nan ? 1n : 0n, ...(relu ? [r ? 1n : 0n] : []), BigInt(d < 0 ? 2 ** D_BITS + d : d)];
    vectors.push({ ins, outs: [BigInt(code >>> 0)] });
  };
  for (let i = 0; i < count; i++) {
    const kind = rng.int(6);
    let acc: bigint;
    if (kind === 0) acc = BigInt(rng.int(64)) - 32n;
    else if (kind === 1) acc = rng.int(2) ? hiA - BigInt(rng.int(4)) : -hiA - 1n + BigInt(rng.int(4));
    else {
      const bits = 1 + rng.int(W - 1);
      acc = 0n;
      for (let k = 0; k < bits; k += 30) acc = (acc << 30n) | BigInt(rng.int(1 << 30));
      acc &= mask(bits);
      if (kind === 2) acc |= 1n << BigInt(Math.max(0, bits - 1)); // ties and carries: ...1000 / ...0111 patterns
      if (kind === 3) acc = (acc >> 4n) << 4n | 8n;
      if (rng.int(2)) acc = -acc;
    }
    const d = rng.int(8) === 0 ? dMin + rng.int(dMax - dMin + 1) : rng.int(2 * (out.mEff + out.shMax + W) + 1) - (out.mEff + out.shMax + W);
    put(acc, rng.int(40) === 0, rng.int(3) === 0, d);
  }
  const name = 'blk_cvt';
  return runBlockBench(
    `converter -> ${out.label}`,
    [{ name: `${name}.sv`, text: emitConverter(name, out, W, relu) }],
    name,
    [{ name: 'acc', w: W }, { name: 'nan', w: 1 }, ...(relu ? [{ name: 'relu', w: 1 }] : []), { name: 'd', w: D_BITS }],
    [{ name: 'code', w: out.bits }],
    vectors,
  );
}

/**
 * The output converter into the residual kind (rf8) with rounding `greedy` or `nearest`, at
 * accumulator width W: the sqrt(2) thresholds of both terms one LSB either side (first term
 * floor(sqrt(2) 2^p) +- 1, second term 2^p +- (floor(sqrt(2) 2^q) +- 1) for every d up to 6), the
 * exact midpoints of every binade and their neighbours (nearest), every representable value,
 * saturation and underflow edges of d, both signs, ReLU, NaN, and random accumulators.
 */
export function residualConverterBench(fo: FormatName | Format, rounding: Rounding, W = 40, count = 3000, seed = 1): Promise<BlockResult> {
  const F = getFormat(fo);
  const rng = new Rng(seed);
  const vectors: BlockVector[] = [];
  const hiA = (1n << BigInt(W - 1)) - 1n;
  const loA = -(1n << BigInt(W - 1));
  const put = (acc: bigint, nan: boolean, r: boolean, d: number): void => {
    if (acc > hiA || acc < loA || d < -(2 ** (D_BITS - 1)) || d >= 2 ** (D_BITS - 1)) return;
    const code = emulateResidualConverter(F, rounding, acc, nan, d + F.tmin, 0, r);
    vectors.push({ ins: [acc < 0n ? (1n << BigInt(W)) + acc : acc, nan ? 1n : 0n, r ? 1n : 0n, BigInt(d < 0 ? 2 ** D_BITS + d : d)], outs: [BigInt(code)] });
  };
  const isq = (b: number): bigint => sqrt2FloorBig(b);
  // d that puts a magnitude with leading one at p into binade eb: d = eb - p; eb over the whole code range and past it
  const ebs = (): number => -2 + rng.int(24);
  const sgn = (v: bigint): bigint => (rng.int(2) ? -v : v);
  for (let p = 0; p < W - 1; p++) {
    for (const dl of [-1n, 0n, 1n]) {
      const v = isq(p) + dl;
      if (v > 0n) put(sgn(v), false, rng.int(4) === 0, ebs() - p);
    }
    for (let q = Math.max(0, p - 7); q < p; q++)
      for (const dl of [-1n, 0n, 1n])
        for (const s of [1n, -1n]) {
          const v = (1n << BigInt(p)) + s * (isq(q) + dl);
          if (v > 0n) put(sgn(v), false, rng.int(4) === 0, ebs() - p);
          // the first term rounded up: 2^(p+1) - residual
          const u = (1n << BigInt(p + 1)) - (isq(q) + dl);
          if (u > 0n && p + 1 < W - 1) put(sgn(u), false, false, ebs() - p);
        }
  }
  // every representable magnitude and the midpoints to its neighbours, at several placements
  const T = residualTables(F);
  for (let i = 0; i < T.vals.length; i++) {
    // vals: units of 2^(tmin-1); place with g extra bits: acc = vals * 2^g, d = -1 - g
    const g = 1 + rng.int(Math.max(1, W - 30));
    const v = BigInt(T.vals[i]!) << BigInt(g);
    const nx = i + 1 < T.vals.length ? BigInt(T.vals[i + 1]!) << BigInt(g) : v + v / 4n;
    const mid = (v + nx) / 2n;
    for (const x of [v - 1n, v, v + 1n, mid - 1n, mid, mid + 1n]) if (x > 0n) put(sgn(x), false, rng.int(5) === 0, -1 - g);
  }
  for (let i = 0; i < count; i++) {
    const kind = rng.int(5);
    let acc: bigint;
    if (kind === 0) acc = BigInt(rng.int(64)) - 32n;
    else if (kind === 1) acc = rng.int(2) ? hiA - BigInt(rng.int(4)) : loA + BigInt(rng.int(4));
    else {
      const bits = 1 + rng.int(W - 1);
      acc = 0n;
      for (let k = 0; k < bits; k += 30) acc = (acc << 30n) | BigInt(rng.int(1 << 30));
      acc &= mask(bits);
      if (rng.int(2)) acc = -acc;
    }
    const d = rng.int(8) === 0 ? rng.int(2 ** D_BITS) - 2 ** (D_BITS - 1) : rng.int(2 * W + 40) - W - 20;
    put(acc, rng.int(40) === 0, rng.int(3) === 0, d);
  }
  const name = 'blk_rcvt';
  return runBlockBench(
    `converter -> ${F.name} ${rounding}`,
    [{ name: `${name}.sv`, text: emitResidualConverter(name, F, rounding, W, true) }],
    name,
    [{ name: 'acc', w: W }, { name: 'nan', w: 1 }, { name: 'relu', w: 1 }, { name: 'd', w: D_BITS }],
    [{ name: 'code', w: 8 }],
    vectors,
  );
}

/**
 * The output converter into a GG codebook (the table kind, spec section 9) at accumulator width
 * W: every value of the table and every midpoint one LSB either side (ties: the midpoint itself),
 * each at a random placement (extra low bits g, d = -2 - g) and sign, underflow and saturation
 * edges of d, ReLU, NaN, and `count` random accumulators at random d.
 */
export function codebookConverterBench(fo: FormatName | Format, W = 40, count = 1000, seed = 1): Promise<BlockResult> {
  const F = getFormat(fo);
  const rng = new Rng(seed);
  const vectors: BlockVector[] = [];
  const hiA = (1n << BigInt(W - 1)) - 1n;
  const loA = -(1n << BigInt(W - 1));
  const put = (acc: bigint, nan: boolean, r: boolean, d: number): void => {
    if (acc > hiA || acc < loA || d < -(2 ** (D_BITS - 1)) || d >= 2 ** (D_BITS - 1)) return;
    const code = emulateCodebookConverter(F, acc, nan, d + F.tmin, 0, r);
    vectors.push({ ins: [acc < 0n ? (1n << BigInt(W)) + acc : acc, nan ? 1n : 0n, r ? 1n : 0n, BigInt(d < 0 ? 2 ** D_BITS + d : d)], outs: [BigInt(code)] });
  };
  const sgn = (v: bigint): bigint => (rng.int(2) ? -v : v);
  // values in units of 2^(tmin - 1), midpoints in units of 2^(tmin - 2): acc = 2 * mid * 2^g with d = -2 - g is the midpoint exactly
  const T = codebookTables(F);
  for (let p = 0; p < T.mids.length; p++) {
    const g = rng.int(Math.max(1, W - 30));
    const v = BigInt(T.vals[p + 1]!) << BigInt(g + 1);
    const m = BigInt(T.mids[p]!) << BigInt(g);
    for (const x of [v - 1n, v, v + 1n, m - 1n, m, m + 1n]) if (x > 0n) put(sgn(x), false, rng.int(5) === 0, -2 - g);
  }
  // the edges: past the largest value (saturation) and below the first midpoint (zero), at every d near them
  for (let d = -2 - W; d <= 24; d++) for (const a of [1n, 3n, hiA, loA, 1n << BigInt(W - 2)]) put(a, false, false, d);
  put(12345n, true, false, 0);
  put(-12345n, false, true, 0);
  for (let i = 0; i < count; i++) {
    const bits = 1 + rng.int(W - 1);
    let acc = 0n;
    for (let k = 0; k < bits; k += 30) acc = (acc << 30n) | BigInt(rng.int(1 << 30));
    acc &= mask(bits);
    if (rng.int(2)) acc = -acc;
    const d = rng.int(8) === 0 ? rng.int(2 ** D_BITS) - 2 ** (D_BITS - 1) : rng.int(2 * W + 40) - W - 20;
    put(acc, rng.int(40) === 0, rng.int(3) === 0, d);
  }
  const name = 'blk_ccvt';
  return runBlockBench(
    `converter -> ${F.name}`,
    [{ name: `${name}.sv`, text: emitCodebookConverter(name, F, W, true) }],
    name,
    [{ name: 'acc', w: W }, { name: 'nan', w: 1 }, { name: 'relu', w: 1 }, { name: 'd', w: D_BITS }],
    [{ name: 'code', w: 8 }],
    vectors,
  );
}

/** The multi-mode decoder of a mode set on all 256 codes x 4 mode numbers (numbers past the list decode as mode 0). */
export function modeDecoderBench(modes: readonly (FormatName | Format)[]): Promise<BlockResult> {
  const s = modeSet(modes);
  const D = modeDecoderDims(s);
  const vectors: BlockVector[] = [];
  for (let m = 0; m < 4; m++) {
    for (let c = 0; c < 256; c++) {
      const e = emulateModeDecoder(s, m, c);
      const full = [1n, mask(D.kBits), mask(D.shBits), 1n];
      vectors.push({ ins: [BigInt(c), BigInt(m)], outs: [BigInt(e.sign), BigInt(e.k), BigInt(e.sh), BigInt(e.nan)], care: e.nan ? [0n, 0n, 0n, 1n] : full });
    }
  }
  const name = 'blk_mdec';
  return runBlockBench(`multi-mode decoder ${D.label}`, emitModeDecoder(name, s).map((f) => ({ name: `${f.name}.sv`, text: f.text })), name, [
    { name: 'code', w: 8 },
    { name: 'mode', w: 2 },
  ], [
    { name: 'sign', w: 1 },
    { name: 'k', w: D.kBits },
    { name: 'sh', w: D.shBits },
    { name: 'nan', w: 1 },
  ], vectors);
}
