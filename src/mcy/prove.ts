import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accToBinary32Bits, accToFormat, accWidth, productTable } from '../arith/index.js';
import { decodeValue, fromF32Bits, getFormat, type Format, type Rounding } from '../format/index.js';
import { ubits } from '../rtl/vlog.js';
import { D_BITS, emitConverter, emitResidualConverter, emitDecoder, emitMultiplier, Faults, hwInput, hwOutput, hwOutputF32, parseFaults, productWidth, type FaultName } from '../rtl/index.js';
import { emitReferenceConverter, emitReferenceConverterF32, emitReferenceGreedyConverter, magnitudeTable, emitReferenceDecoder, emitReferenceLane } from '../rtl/reference-vlog.js';
import { fromTwos } from '../golden/line.js';
import { cacheRoot } from '../sim/paths.js';
import { InputError } from '../util/errors.js';
import { parseSatInputs } from './equiv.js';
import { runYosys } from './yosys.js';

/**
 * `rf8 prove`: the emitted block (src/rtl, the code under test) against the independent
 * behavioural model (src/rtl/reference-vlog.ts), for all inputs, with yosys
 * `miter -equiv -flatten` + `sat -prove trigger 0` (combinational: the converters at pipe 0..3,
 * the decoders and the lane multiplier are combinational modules).
 */

export type ProveBlock = 'converter' | 'decoder' | 'multiplier';

export interface ProveOptions {
  block: ProveBlock;
  /** converter: the output format or 'binary32'; decoder: the format; multiplier: operand a. */
  a: string;
  /** multiplier: operand b (default a). */
  b?: string;
  /** converter: accumulator width (default: the exact bound of acc = a x a, for binary32 rf8-e3m4 x rf8-e3m4). */
  W?: number;
  /** Inject a fault of src/rtl/faults.ts into the block under test (the proof must then fail). */
  inject?: string[];
  timeoutSec?: number;
  /**
   * converter: 'd' splits the proof into SAT problems on the scale difference d (one per d in the
   * range where the result depends on acc, aligned blocks of d's high bits for the rest, see
   * dSplitCases); 'none' (default) one problem. Measured (docs/verification.md): the one problem
   * was faster at every W tried (49, 51, 77); the split bounds each problem's size.
   */
  split?: 'none' | 'd';
  log?: (m: string) => void;
}

/** One case of the split on d: d in [lo, hi], i.e. the bits d[D_BITS-1 : lowFree] fixed to those of lo (lowFree = 0: one value). */
export interface DCase {
  lo: number;
  hi: number;
  lowFree: number;
  /** The yosys `sat -set` argument pair, e.g. `in_d[11:5] 7'b0000001`. */
  set: string;
}

/**
 * A partition of every signed D_BITS-bit d into cases: one case per value in [lo, hi], aligned
 * power-of-two blocks (a fixed prefix of the bits of d) for [-2^(D_BITS-1), lo - 1] and
 * [hi + 1, 2^(D_BITS-1) - 1]. Checked: every d lies in exactly one case (throws otherwise).
 */
export function dSplitCases(lo: number, hi: number, port = 'in_d'): DCase[] {
  const N = 1 << D_BITS;
  const half = N >> 1;
  lo = Math.max(lo, -half);
  hi = Math.min(hi, half - 1);
  if (lo > hi) throw new Error(`dSplitCases: empty constant range [${lo}, ${hi}]`);
  const u = (v: number): number => (v + N) % N; // the bit pattern of v
  const out: DCase[] = [];
  const mk = (a: number, k: number): DCase => {
    // a: unsigned bit pattern, aligned to 2^k; the case fixes bits D_BITS-1..k
    const w = D_BITS - k;
    const bits = (a >> k).toString(2).padStart(w, '0');
    const sv = (x: number): number => (x >= half ? x - N : x);
    return { lo: sv(a), hi: sv(a + (1 << k) - 1), lowFree: k, set: k === 0 ? `${port} ${D_BITS}'b${bits}` : `${port}[${D_BITS - 1}:${k}] ${w}'b${bits}` };
  };
  // the unsigned intervals of the signed ranges below lo and above hi (each inside one sign half)
  const blocks = (a: number, b: number): void => {
    while (a <= b) {
      let k = 0;
      while (k < D_BITS && a % (1 << (k + 1)) === 0 && a + (1 << (k + 1)) - 1 <= b) k++;
      out.push(mk(a, k));
      a += 1 << k;
    }
  };
  if (lo > -half) blocks(u(-half), u(lo - 1));
  for (let v = lo; v <= hi; v++) out.push(mk(u(v), 0));
  if (hi < half - 1) blocks(u(hi + 1), u(half - 1));
  // exactly one case per d
  const cnt = new Uint16Array(N);
  for (const c of out) for (let x = 0; x < N; x++) if (x >> c.lowFree === u(c.lo) >> c.lowFree) cnt[x]!++;
  const bad = [...cnt].findIndex((c) => c !== 1);
  if (bad >= 0) throw new Error(`dSplitCases: d = ${bad >= half ? bad - N : bad} is in ${cnt[bad]} cases`);
  return out;
}

/** yosys' CPU seconds (user + system) from the end of its log, if there. */
function yosysCpu(log: string): number | undefined {
  const m = /CPU: user ([0-9.]+)s system ([0-9.]+)s/.exec(log.slice(-4000));
  return m ? Number(m[1]) + Number(m[2]) : undefined;
}

export interface ProveReport {
  block: ProveBlock;
  target: string;
  W?: number;
  proven: boolean;
  seconds: number;
  /** yosys' own CPU time (user + system), from its log. */
  yosysCpuSeconds?: number;
  /** converter with a split on d: the SAT problems it was proven as. */
  split?: { on: 'd'; problems: number; constants: [number, number]; blocks: string[] };
  covers: string;
  assumes: string;
  inject: FaultName[];
  counterexample?: Record<string, unknown>;
  dir: string;
}

function satLine(timeoutSec: number): string {
  return `sat -prove trigger 0 -show-inputs -show-outputs -timeout ${timeoutSec} miter`;
}

function outputsOf(log: string): Map<string, bigint> {
  const steps = parseSatInputs(log);
  // combinational: one step (1) or step-less rows parsed as step 1
  return steps.get(1) ?? steps.values().next().value ?? new Map();
}

/**
 * Why a block has no proof here (null: it has one). The converter under test must be the one
 * `rf8 rtl` emits for the output (src/rtl/generate.ts picks it by the decoder kind); the threshold
 * model covers the kinds whose converter is src/rtl/converter.ts (float, twos: round to nearest,
 * ties to even) and the residual kind with rounding nearest; the residual kind's greedy rounding
 * (the authors' rf8, its default) has its own model (greedyModel: thresholds ceil(2^(n - 1/2))).
 */
export function proveUnsupported(block: ProveBlock, a: string): string | null {
  if (block !== 'converter' || a === 'binary32') return null;
  const { f, rounding } = converterTarget(a);
  const k = f.policy.decoder;
  if (k === 'float' || k === 'twos') return null;
  if (k === 'residual' && (rounding === 'nearest' || rounding === 'greedy')) return null;
  return `no independent model of the ${k} converter with rounding ${rounding} (${f.name}) yet (docs/verification.md)`;
}

/** A converter target `FORMAT[:ROUNDING]` (the rounding one the format accepts; default its own). */
export function converterTarget(a: string): { f: Format; rounding: Rounding; name: string } {
  const [n, r] = a.split(':') as [string, string | undefined];
  const f = getFormat(n);
  const rounding = (r ?? f.policy.defaultRounding) as Rounding;
  if (!f.policy.roundings.includes(rounding) || rounding === 'sr') throw new InputError(`prove: -a ${a}: ${f.name} takes the roundings ${f.policy.roundings.filter((x) => x !== 'sr').join(', ')}`);
  if (f.policy.decoder !== 'residual' && rounding !== f.policy.defaultRounding) throw new InputError(`prove: -a ${a}: the ${f.name} converter implements ${f.policy.defaultRounding} only`);
  return { f, rounding, name: r ? `${f.name}:${rounding}` : f.name };
}

export async function prove(o: ProveOptions): Promise<ProveReport> {
  const t0 = Date.now();
  const timeoutSec = o.timeoutSec ?? 3600;
  const inject = parseFaults(o.inject);
  const f = new Faults(inject);
  let dut = '';
  let ref = '';
  let wrap = '';
  let covers = '';
  let assumes = '';
  let target = o.a;
  let W: number | undefined;
  let dCases: DCase[] | null = null;
  let dRange: [number, number] = [0, 0];
  const decode: (m: Map<string, bigint>) => Record<string, unknown> = () => ({});
  let decoder = decode;
  if (o.block === 'converter') {
    const f32 = o.a === 'binary32';
    const ct = f32 ? null : converterTarget(o.a);
    const acc = f32 ? getFormat('rf8-e3m4') : ct!.f;
    W = o.W ?? accWidth(acc, acc, 4096).W;
    if (!Number.isInteger(W) || W < 4 || W > 256) throw new InputError(`prove: --W must be an integer in [4, 256]: ${W}`);
    const fo: Format | null = f32 ? null : ct!.f;
    const rounding = ct?.rounding;
    const why = proveUnsupported('converter', o.a);
    if (why) throw new InputError(`prove: ${why}`);
    target = f32 ? 'binary32' : ct!.name;
    // the converter rf8 rtl emits for this output (src/rtl/generate.ts picks it by the decoder kind)
    dut = f32 ? emitConverter('dut_cvt', hwOutputF32(), W, false, f, 0) : fo!.policy.decoder === 'residual' ? emitResidualConverter('dut_cvt', fo!, rounding!, W, true, f, 0) : emitConverter('dut_cvt', hwOutput(fo!), W, true, f, 0);
    const greedy = !f32 && fo!.policy.decoder === 'residual' && rounding === 'greedy';
    ref = f32 ? emitReferenceConverterF32('ref_cvt', W) : greedy ? emitReferenceGreedyConverter('ref_cvt', fo!, W) : emitReferenceConverter('ref_cvt', fo!, W, rounding);
    covers = `every ${W}-bit accumulator value, nan in {0, 1}, ${f32 ? '' : 'relu in {0, 1}, '}every signed ${D_BITS}-bit scale difference d (2^${W + 1 + (f32 ? 0 : 1) + D_BITS} input combinations)`;
    assumes = `the reference model is right (${f32 ? 'a behavioural IEEE 754 RNE case split' : greedy ? 'the greedy rounding as counts of exact thresholds ceil(2^(n - 1/2)) at a computed exponent n, for the first term and the residual, codes from the decode table; checked against accToFormat in TypeScript (test/rtl/reference-greedy.test.ts)' : `a threshold table of the decoded magnitudes, each tie the way the TypeScript reference rounds it (${rounding})`}), yosys' Verilog semantics, and the unpipelined converter text (--pipe 0..3 emit it; the --pipe 4..6 register cuts are covered by co-simulation); d = T - tmin_o - Xo as the top computes it`;
    const split = o.split ?? 'none';
    if (split !== 'none' && split !== 'd') throw new InputError(`prove: --split must be none or d: ${String(split)}`);
    if (split === 'd') {
      // d below -(W + 2): |acc| 2^d < 2^-3 units of the output's quantum (rounds to zero); above
      // MB + 2 it exceeds the largest magnitude (saturates): those get a few cases on d's high bits
      const MB = f32 ? 24 + 104 + 149 : ubits(magnitudeTable(fo!).at(-1)!);
      dRange = [-(W + 2), MB + 2];
      dCases = dSplitCases(dRange[0], dRange[1]);
      covers += `; a case split on d: ${dCases.length} SAT problems (one per d in [${dRange[0]}, ${dRange[1]}], ${dCases.length - (dRange[1] - dRange[0] + 1)} aligned blocks of d (a fixed prefix of its bits) for the rest; every d in exactly one)`;
    }
    const Wn = W;
    decoder = (m) => {
      const a = fromTwos(m.get('acc') ?? 0n, Wn);
      const dv = Number(fromTwos(m.get('d') ?? 0n, D_BITS));
      const nan = m.get('nan') === 1n;
      const relu = m.get('relu') === 1n;
      const exp = Number(m.get('gold_code') ?? 0n);
      const act = Number(m.get('gate_code') ?? 0n);
      if (f32) {
        const T = dv - 149;
        const want = accToBinary32Bits(a, nan, T) >>> 0;
        return { acc: a.toString(), nan, d: dv, T, value: `${a} * 2^${T}`, expected: `0x${exp.toString(16).padStart(8, '0')} (${fromF32Bits(exp)})`, actual: `0x${act.toString(16).padStart(8, '0')} (${fromF32Bits(act)})`, referenceTs: `0x${want.toString(16).padStart(8, '0')}` };
      }
      const T = dv + fo!.tmin; // Xo = 0
      const want = accToFormat(a, nan, T, fo!, 0, relu, rounding);
      return {
        acc: a.toString(),
        nan,
        relu,
        d: dv,
        scale: `d = T - tmin_o - Xo = ${dv} (e.g. T = ${T}, Xo = 0)`,
        value: `${a} * 2^${T}`,
        expected: `0x${exp.toString(16).padStart(2, '0')} (${decodeValue(fo!, exp, 0)})`,
        actual: `0x${act.toString(16).padStart(2, '0')} (${decodeValue(fo!, act, 0)})`,
        referenceTs: `0x${want.toString(16).padStart(2, '0')}`,
      };
    };
  } else if (o.block === 'decoder') {
    const fm = getFormat(o.a);
    target = fm.name;
    const h = hwInput(fm);
    dut = emitDecoder('dut_dec', fm, f);
    ref = emitReferenceDecoder('ref_dec', fm, h.kBits, h.shBits);
    // k, sh and sign are don't-care for NaN/Inf codes (the multiplier ignores them): compared only when nan = 0
    for (const [n, m] of [['gold_w', 'ref_dec'], ['gate_w', 'dut_dec']] as const)
      wrap += `module ${n} (input wire [7:0] code, output wire nan, output wire [${1 + h.kBits + h.shBits - 1}:0] v);\n  wire s; wire [${h.kBits - 1}:0] k; wire [${h.shBits - 1}:0] sh;\n  ${m} u (.code(code), .sign(s), .k(k), .sh(sh), .nan(nan));\n  assign v = nan ? 0 : {s, k, sh};\nendmodule\n`;
    covers = 'all 256 codes: nan, and sign, k, sh when not NaN/Inf';
    assumes = 'the reference decode table (formatTables) is right; k, sh, sign of NaN/Inf codes are don\'t-care (the multiplier zeroes such lanes)';
    decoder = (m) => ({ code: `0x${Number(m.get('code') ?? 0n).toString(16)}` });
  } else if (o.block === 'multiplier') {
    const fa = getFormat(o.a);
    const fb = getFormat(o.b ?? o.a);
    target = `${fa.name} x ${fb.name}`;
    const aw = accWidth(fa, fb, 4096);
    const PW = productWidth(aw);
    dut = emitDecoder('dut_dec_a', fa, f) + emitDecoder('dut_dec_b', fb, f) + emitMultiplier('dut_mul', fa, fb, PW, f);
    dut += `module dut_lane (input wire en, input wire [7:0] ca, input wire [7:0] cb, output wire [${PW - 1}:0] p, output wire nan);\n  wire sa, na, sb, nb;\n  wire [${hwInput(fa).kBits - 1}:0] ka; wire [${hwInput(fa).shBits - 1}:0] sha;\n  wire [${hwInput(fb).kBits - 1}:0] kb; wire [${hwInput(fb).shBits - 1}:0] shb;\n  dut_dec_a da (.code(ca), .sign(sa), .k(ka), .sh(sha), .nan(na));\n  dut_dec_b db (.code(cb), .sign(sb), .k(kb), .sh(shb), .nan(nb));\n  dut_mul m (.en(en), .sa(sa), .ka(ka), .sha(sha), .na(na), .sb(sb), .kb(kb), .shb(shb), .nb(nb), .p(p), .nan(nan));\nendmodule\n`;
    ref = emitReferenceLane('ref_lane', fa, fb, PW);
    covers = `all 65536 code pairs x en in {0, 1} (a case split on a: 256 SAT problems): the ${PW}-bit product and the lane NaN flag (decoder a, decoder b and rf8_mul together)`;
    assumes = 'the reference value tables (formatTables) are right; the product of the value table entries is the exact product (productTable)';
    decoder = (m) => {
      const ca = Number(m.get('ca') ?? 0n);
      const cb = Number(m.get('cb') ?? 0n);
      const v = productTable(fa, fb)[(ca << 8) | cb]!;
      return { en: Number(m.get('en') ?? 0n), a: `0x${ca.toString(16)}`, b: `0x${cb.toString(16)}`, productTable: String(v), expected: fromTwos(m.get('gold_p') ?? 0n, PW).toString(), actual: fromTwos(m.get('gate_p') ?? 0n, PW).toString() };
    };
  } else throw new InputError(`prove: --block must be converter, decoder or multiplier: ${String(o.block)}`);
  const key = createHash('sha256').update(dut).update(ref).update(wrap).digest('hex').slice(0, 12);
  const dir = join(cacheRoot(), 'prove', `${o.block}-${target.replace(/[^a-z0-9]+/gi, '_')}${W ? `-w${W}` : ''}${dCases ? '-splitd' : ''}${inject.length ? '-' + inject.join('+') : ''}-${key}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dut.v'), dut);
  writeFileSync(join(dir, 'ref.v'), ref);
  if (wrap) writeFileSync(join(dir, 'wrap.v'), wrap);
  const [gold, gate] = o.block === 'converter' ? ['ref_cvt', 'dut_cvt'] : o.block === 'decoder' ? ['gold_w', 'gate_w'] : ['ref_lane', 'dut_lane'];
  o.log?.(`proving ${o.block} ${target}${W ? ` (W = ${W})` : ''}${inject.length ? ` with ${inject.join(', ')} injected` : ''}${dCases ? `, split on d into ${dCases.length} SAT problems (one per d in [${dRange[0]}, ${dRange[1]}])` : ''}: yosys miter + sat in ${dir}`);
  const r = await runYosys(
    dir,
    'prove',
    [
      'read_verilog dut.v',
      'read_verilog ref.v',
      ...(wrap ? ['read_verilog wrap.v'] : []),
      'proc',
      'memory',
      'opt_clean',
      `miter -equiv -flatten -make_outputs ${gold} ${gate} miter`,
      'hierarchy -top miter',
      'flatten',
      'opt -fast',
      // the multiplier: a case split on operand a (256 problems of a constant times a variable, each easy for SAT)
      // the converter with a split on d: one problem per case of dSplitCases
      ...(o.block === 'multiplier'
        ? Array.from({ length: 256 }, (_, c) => satLine(timeoutSec).replace('sat -prove', `sat -set in_ca ${c} -prove`))
        : dCases
          ? dCases.map((c) => satLine(timeoutSec).replace('sat -prove', `sat -set ${c.set} -prove`))
          : [satLine(timeoutSec)]),
      '',
    ].join('\n'),
    { okFail: true, timeoutSec: timeoutSec + 60 },
  );
  const err = r.log.split('\n').find((l) => /^ERROR/.test(l));
  const need = o.block === 'multiplier' ? 256 : dCases ? dCases.length : 1;
  const successes = (r.log.match(/SAT proof finished - no model found: SUCCESS!/g) ?? []).length;
  const failed = /model found: FAIL!/.test(r.log);
  const proven = !failed && successes === need;
  if (!proven && !failed) throw new Error(`prove: yosys gave no verdict (${dir}/prove.log)${err ? `: ${err}` : /TIMEOUT/i.test(r.log) ? ': SAT timed out' : ''}`);
  const cpu = yosysCpu(r.log);
  const rep: ProveReport = { block: o.block, target, ...(W ? { W } : {}), proven, seconds: (Date.now() - t0) / 1000, ...(cpu !== undefined ? { yosysCpuSeconds: cpu } : {}), covers, assumes, inject, dir };
  if (dCases)
    rep.split = {
      on: 'd',
      problems: dCases.length,
      constants: dRange,
      blocks: dCases.filter((c) => c.lowFree > 0).map((c) => `d in [${c.lo}, ${c.hi}] (${c.set})`),
    };
  if (failed) {
    const at = r.log.indexOf('model found: FAIL!');
    const end = r.log.indexOf('\n\n', r.log.indexOf('-----', at) + 1);
    rep.counterexample = decoder(outputsOf(r.log.slice(at, end < 0 ? undefined : end)));
  }
  return rep;
}
