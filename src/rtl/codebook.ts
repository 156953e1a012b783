import { accToFormat } from '../arith/index.js';
import { codebookTables, type Format } from '../format/index.js';
import { D_BITS, emitLzd } from './converter.js';
import { Faults } from './faults.js';
import { fileHeader, lit, range, ubits } from './vlog.js';

/**
 * The GG codebooks (the `table` decoder kind, docs/rf8-spec.md section 9) in hardware.
 *
 * Decoder: a 256-entry case table of the code into (sign, k, sh), written from the format's
 * `codebook` record (0x00 zero, 0x80 the single NaN, 0x80 | p the negative of p).
 *
 * Output converter: the W-bit accumulator A (LSB weight 2^(d + tmin_o), as every converter) ->
 * the nearest codebook code, ties to the smaller magnitude, saturating, optional fused ReLU. A
 * leading-one detector and a normalizing shift put the leading one of |A| at the top of an
 * NW-bit word: y = |A| 2^d lies in the binade [2^eb, 2^(eb+1)), eb = lead + d. Per binade, the
 * table's midpoints inside it are constants on the top FB + 1 bits; `y > mid` is
 * `top > t | (top == t & sticky)` (exact: the sticky bit is the OR of the bits below), and the
 * payload is the binade's first payload plus the number of its midpoints below y. Below the
 * binade of the first midpoint the result is zero; above the binade of the largest value it
 * saturates. No multiplier. Mirrors src/arith `accToFormat(acc, nan, T, fo, Xo, relu)`.
 */
export function emulateCodebookConverter(fo: Format, acc: bigint, nan: boolean, T: number, Xo: number, relu: boolean): number {
  return accToFormat(acc, nan, T, fo, Xo, relu);
}

/** The table entries the decoder faults change (payloads 1..127; src/rtl/faults.ts cb-table-k / cb-table-sh). */
export const CB_FAULT_K_PAYLOAD = 64;
export const CB_FAULT_SH_PAYLOAD = 100;
/** The midpoint the converter fault cb-mid-lsb moves: between payloads 63 and 64 (index 63 of the 127). */
export const CB_FAULT_MID = 63;

/** The decoder body of a codebook: a case table (sign, k, sh) of every non-NaN code; NaN by the caller's predicate. */
export function codebookDecoderBody(fmt: Format, KB: number, SB: number, faults = new Faults()): string[] {
  const cb = fmt.codebook;
  if (!cb) throw new Error(`codebook decoder: ${fmt.name} is not of the table kind`);
  const L: string[] = [];
  // the injectable table bugs (src/rtl/faults.ts): one entry's k or sh off by one, the sign of the upper negative half lost
  const kAt = (p: number, k: number): string => (p === CB_FAULT_K_PAYLOAD ? faults.sel('cb-table-k', `${KB}'d${k - 1}`, `${KB}'d${k}`) : `${KB}'d${k}`);
  const shAt = (p: number, sh: number): string => (p === CB_FAULT_SH_PAYLOAD ? faults.sel('cb-table-sh', `${SB}'d${sh === 0 ? 1 : sh - 1}`, `${SB}'d${sh}`) : `${SB}'d${sh}`);
  const sAt = (c: number, s: number): string => (s && c >= 0xc0 ? faults.sel('cb-table-sign', "1'b0", "1'b1") : `1'b${s}`);
  L.push(`  reg       sr;`);
  L.push(`  reg ${range(KB)} kr;`);
  L.push(`  reg ${range(SB)} shr;`);
  L.push(`  always @* begin${faults.tag('cb-table-k')}${faults.tag('cb-table-sh')}${faults.tag('cb-table-sign')}`);
  L.push(`    case (code)`);
  for (let c = 0; c < 256; c++) {
    const p = c & 0x7f;
    if (c === fmt.nanCode) continue; // the default: k and sh are don't-care for NaN
    const k = p === 0 ? 0 : cb.k[p - 1]!;
    const sh = p === 0 ? 0 : cb.sh[p - 1]!;
    const s = p === 0 ? 0 : c >> 7;
    L.push(`      8'd${c}: begin sr = ${sAt(c, s)}; kr = ${kAt(p, k)}; shr = ${shAt(p, sh)}; end`);
  }
  L.push(`      default: begin sr = 1'b0; kr = ${KB}'d0; shr = ${SB}'d0; end`);
  L.push(`    endcase`);
  L.push(`  end`);
  L.push(`  assign sign = sr;`);
  L.push(`  assign k    = kr;`);
  L.push(`  assign sh   = shr;`);
  return L;
}

/** One binade of the nearest rounding: thresholds on the top FB + 1 bits, the payload below the first one. */
interface Binade {
  eb: number;
  /** Thresholds in units of 2^(eb - FB), ascending. */
  thr: number[];
  /** Payload of y below every threshold (0: rounds to zero); each threshold passed adds one. */
  first: number;
}

/** The binades of a codebook's nearest rounding (exact integers: values and midpoints are dyadic). */
export function codebookBinades(fo: Format): { FB: number; ebLo: number; ebHi: number; binades: Binade[] } {
  const t = codebookTables(fo);
  // mids[p] (p = 0..126): the midpoint between payloads p and p + 1 in units of 2^(tmin - 2); y in units of 2^tmin is 4y there
  const mids = Array.from(t.mids);
  const top = 2 * t.vals[t.vals.length - 1]!; // the largest value in units of 2^(tmin - 2)
  const U = 2;
  const lg = (x: number): number => {
    // floor(log2 x) of an exact positive integer below 2^53, without a float log
    let e = 0;
    while (2 ** (e + 1) <= x) e++;
    return e;
  };
  const ebLo = lg(mids[0]!) - U;
  const ebHi = lg(top) - U;
  const binades: Binade[] = [];
  let FB = 1;
  let i = 0;
  for (let eb = ebLo; eb <= ebHi; eb++) {
    const lo = 2 ** (eb + U);
    const hi = 2 * lo;
    while (i < mids.length && mids[i]! < lo) i++;
    const first = i; // every midpoint below lo is below y
    const thr: number[] = [];
    while (i < mids.length && mids[i]! < hi) thr.push(mids[i++]!);
    for (const m of thr) while (((m - lo) * 2 ** FB) % lo !== 0) FB++;
    binades.push({ eb, thr, first });
  }
  for (const b of binades) {
    const lo = 2 ** (b.eb + U);
    b.thr = b.thr.map((m) => (m * 2 ** FB) / lo);
  }
  return { FB, ebLo, ebHi, binades };
}

export function emitCodebookConverter(name: string, fo: Format, W: number, withRelu: boolean, faults = new Faults(), stages = 0): string {
  if (!fo.codebook) throw new Error(`emitCodebookConverter: ${fo.name} is not of the table kind`);
  if (!Number.isInteger(stages) || stages < 0 || stages > 3) throw new Error(`converter stages must be 0..3: ${stages}`);
  const { FB, ebLo, ebHi, binades } = codebookBinades(fo);
  const NW = Math.max(W, FB + 2, 8);
  const DW = D_BITS;
  const LW = ubits(W - 1);
  const EW = Math.max(DW, LW + 1) + 2;
  const PB = 7;
  const sc = (v: number): string => (v < 0 ? `-${EW}'sd${-v}` : `${EW}'sd${v}`);
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Output converter: ${W}-bit accumulator -> ${fo.name} (GG codebook, table kind), nearest, ties to the smaller magnitude, saturating${withRelu ? ', fused ReLU' : ''}.`,
      `value = |acc| 2^d in units of 2^tmin_o (tmin_o = ${fo.tmin}); d is signed ${DW} bits. Leading one + normalizing shift to ${NW} bits,`,
      `then per binade eb in [${ebLo}, ${ebHi}] the top ${FB + 1} bits and a sticky bit against the table's ${binades.reduce((n, b) => n + b.thr.length, 0)} midpoints.`,
      'Mirrors src/arith accToFormat() (src/rtl/codebook.ts emulateCodebookConverter).',
      ...(stages ? [`Pipelined: the code is registered ${stages} time(s) on en (no internal cut); it lags the inputs by ${stages} cycle(s) of en.`] : []),
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
  L.push(`  output wire [7:0] code${faults.schema ? ',' : ''}`);
  L.push(...faults.port().map((x) => `  ${x}`));
  L.push(`);`);
  if (withRelu) {
    L.push(`  wire neg = acc[${W - 1}] & ~relu;`);
    L.push(`  wire ${range(W)} mag = acc[${W - 1}] ? (relu ? ${W}'d0 : (${W}'d0 - acc)) : acc;`);
  } else {
    L.push(`  wire neg = acc[${W - 1}];`);
    L.push(`  wire ${range(W)} mag = neg ? (${W}'d0 - acc) : acc;`);
  }
  L.push(`  wire mz = (mag == ${W}'d0);`);
  L.push(...emitLzd('mag', W, 'lead'));
  const mx = NW > W ? `{mag, ${NW - W}'d0}` : 'mag';
  L.push(`  wire ${range(LW)} nsh = ${LW}'d${W - 1} - lead;`);
  L.push(`  wire ${range(NW)} nn = ${mx} << nsh;`);
  L.push(`  wire signed ${range(EW)} ds = {{${EW - DW}{d[${DW - 1}]}}, d};`);
  L.push(`  wire signed ${range(EW)} eb = $signed({${EW - LW}'d0, lead}) + ds;  // y in [2^eb, 2^(eb+1)) units of 2^tmin_o`);
  L.push(`  // the top ${FB + 1} bits of the normalized magnitude and a sticky bit: y / 2^eb = fr / 2^${FB} (+ below)`);
  L.push(`  wire ${range(FB + 1)} fr = nn[${NW - 1}:${NW - 1 - FB}];`);
  L.push(`  wire st = |nn[${NW - 2 - FB}:0];`);
  L.push(`  wire uf0 = eb < ${sc(ebLo)};`);
  L.push(`  wire of = eb > ${sc(ebHi)};`);
  // y > mid: fr > t, or fr == t with bits below (ties stay at the smaller magnitude)
  const gts = new Map<number, string>();
  const gt = (t: number): string => {
    let n = gts.get(t);
    if (!n) {
      n = `g${t}`;
      gts.set(t, n);
      L.push(`  wire ${n} = ${faults.sel('cb-tie-up', `(fr >= ${FB + 1}'d${t})`, `(fr > ${FB + 1}'d${t}) | ((fr == ${FB + 1}'d${t}) & st)`)};${faults.tag('cb-tie-up')}`);
    }
    return n;
  };
  // the midpoint of cb-mid-lsb: its own comparison, one LSB low when the fault is active
  const gtMid = (t: number): string => {
    const n = `gm${t}`;
    const lo = `(fr > ${FB + 1}'d${t - 1}) | ((fr == ${FB + 1}'d${t - 1}) & st)`;
    L.push(`  wire ${n} = ${faults.has('cb-mid-lsb') ? lo : faults.sel('cb-mid-lsb', lo, gt(t))};${faults.tag('cb-mid-lsb')}`);
    return n;
  };
  const sel: string[] = [];
  for (const b of binades) {
    // the payload: first + the number of thresholds passed (they ascend: a priority chain from the top)
    let e = lit(PB, b.first);
    b.thr.forEach((t, j) => {
      const g = b.first + j === CB_FAULT_MID && (faults.schema || faults.has('cb-mid-lsb')) ? gtMid(t) : gt(t);
      e = `${g} ? ${lit(PB, b.first + j + 1)} : ${j === 0 ? e : `(${e})`}`;
    });
    const pn = `p${b.eb < 0 ? 'm' + -b.eb : b.eb}`;
    L.push(`  wire ${range(PB)} ${pn} = ${e};  // binade ${b.eb}: ${b.thr.length} midpoint(s)`);
    sel.push(`(eb == ${sc(b.eb)}) ? ${pn}`);
  }
  L.push(`  wire ${range(PB)} pay = ${sel.join(' : ')} : ${PB}'d0;`);
  L.push(`  wire uf = uf0 | (pay == ${PB}'d0);`);
  L.push(`  // verilator lint_off UNUSEDSIGNAL`);
  L.push(`  wire unused_l = lead_any;`);
  L.push(`  // verilator lint_on UNUSEDSIGNAL`);
  const pol = fo.policy;
  const sat = (n: number): string => faults.sel('cb-sat-code', lit(8, pol.ovfSat[n]! - 1), lit(8, pol.ovfSat[n]!));
  const nanSel = faults.sel('nan-not-propagated', "1'b0", 'nan');
  if (faults.has('nan-not-propagated')) {
    L.push(`  // verilator lint_off UNUSEDSIGNAL`);
    L.push(`  wire unused_nan = nan; // FAULT nan-not-propagated`);
    L.push(`  // verilator lint_on UNUSEDSIGNAL`);
  }
  const sgn = `{${faults.sel('zero-sign', 'neg', "1'b0")}, ${PB}'d0}`;
  const zc = `(${lit(8, pol.zero[0]!)} | ${sgn})`;
  const comb = `${nanSel} ? ${lit(8, fo.nanCode)} : mz ? ${zc} : of ? (neg ? ${sat(1)} : ${sat(0)}) : uf ? ${zc} : {neg, pay}`;
  const tags = `${faults.tag('nan-not-propagated')}${faults.tag('zero-sign')}${faults.tag('cb-sat-code')}`;
  if (!stages) L.push(`  assign code = ${comb};${tags}`);
  else {
    L.push(`  wire [7:0] c0 = ${comb};${tags}`);
    for (let j = 1; j <= stages; j++) {
      L.push(`  reg [7:0] c${j};`);
      L.push(`  always @(posedge clk) begin`);
      L.push(`    if (en) c${j} <= c${j - 1};`);
      L.push(`  end`);
    }
    L.push(`  assign code = c${stages};`);
  }
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}
