import { accToBinary32Bits, accToFormat } from '../arith/index.js';
import { formatTables, getFormat, type Format, type FormatName, type Rounding } from '../format/index.js';
import { D_BITS } from './converter.js';
import { fileHeader, ubits } from './vlog.js';

/**
 * Independent behavioural Verilog models of the blocks, for the equivalence proofs of `rf8 prove`
 * (src/mcy/prove.ts). They are written a different way from the emitters under test and share
 * no emitter code: every constant comes from the reference's tables and conversions
 * (formatTables, accToFormat, accToBinary32Bits), not from the hardware traits of src/rtl/traits.ts.
 *
 * - Family-format converter: a threshold table. The representable magnitudes v_0 < v_1 < ... < v_P
 *   of the format (in units of its smallest quantum) come from the decode table; RNE with
 *   saturation is "the rank of X = |acc| * 2^d among the midpoints": rank = the number of p in
 *   0..P-1 with X > (v_p + v_{p+1}) / 2, or X equal to that midpoint and the tie going up. Which
 *   way each tie goes is probed from the reference at the exact midpoint (RNE: to the even rank;
 *   the authors' rf8 with rounding nearest: to the smaller magnitude). No leading-one detector, no
 *   binade arithmetic, no incrementer. (rf8's greedy rounding is not a threshold table of the
 *   midpoints: it has the model below.)
 * - Residual-kind converter, rounding greedy (the authors' rf8): counts of exact thresholds
 *   ceil(2^(n - 1/2)) at a computed exponent n, for the first term and for the residual
 *   (greedyModel, evalGreedyModel in TypeScript, emitReferenceGreedyConverter in Verilog);
 *   codes from the decode table.
 * - binary32 converter: a behavioural case split (normal / subnormal / overflow) with a priority
 *   loop for the leading one and explicit exponent carry, written from IEEE 754 RNE.
 * - Decoder: a 256-entry case table of the reference's decode (sign, k, sh, nan).
 * - Lane datapath (decoder a, decoder b, multiplier): signed integer values v(code) from the
 *   decode table, P = va * vb with the multiplication operator.
 */

/** Magnitudes of a family format in units of 2^tmin, ascending by payload (rank): from the decode table. */
export function magnitudeTable(f: Format): bigint[] {
  const t = formatTables(f);
  const seen = new Map<number, bigint>();
  for (let c = 0; c < 256; c++) {
    if (t.nan[c] || t.sign[c]) continue;
    const v = BigInt(t.k[c]!) << BigInt(t.sh[c]!);
    seen.set(c, v);
  }
  const vals = [...new Set(seen.values())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return vals;
}

/** The port list of a reference converter to an 8-bit code (as the emitted converter's). */
const converterPorts = (name: string, W: number): string =>
  [`module ${name} (`, `  input  wire [${W - 1}:0] acc,`, '  input  wire nan,', '  input  wire relu,', `  input  wire [${D_BITS - 1}:0] d,`, '  output reg  [7:0] code', ');'].join('\n');

/**
 * The reference converter to a family format as a threshold table (see the file comment).
 * Ports as the emitted converter: acc (W, two's complement), nan, relu, d (signed D_BITS) -> code.
 */
export function emitReferenceConverter(name: string, fo: Format | FormatName, W: number, rounding?: Rounding): string {
  const f = getFormat(fo);
  const v = magnitudeTable(f);
  const P = v.length - 1;
  // codes of each rank, positive and negative, probed from the reference at the exact value
  const pos = v.map((x) => accToFormat(x, false, f.tmin, f, 0, false, rounding));
  const neg = v.map((x) => (x === 0n ? accToFormat(-1n, false, f.tmin - 4000, f, 0, false, rounding) : accToFormat(-x, false, f.tmin, f, 0, false, rounding)));
  const nanCode = accToFormat(0n, true, 0, f, 0, false, rounding);
  const mids = v.slice(0, P).map((x, p) => x + v[p + 1]!); // 2 * midpoint
  // the way each tie goes: the reference at the exact midpoint (mids[p] * 2^(tmin - 1)) gives rank p or p + 1
  const tieUp = mids.map((m, p) => {
    const c = accToFormat(m, false, f.tmin - 1, f, 0, false, rounding);
    if (c === pos[p + 1]) return 1;
    if (c === pos[p]) return 0;
    throw new Error(`reference converter ${f.name}: the midpoint of ranks ${p} and ${p + 1} rounds to neither (code ${c}): not a round-to-nearest`);
  });
  const MB = ubits(mids[mids.length - 1]!) + 1;
  const QW = W + 1 + MB; // 2|acc| << d for d < MB, or 2|acc| >> -d
  const DW = D_BITS;
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Reference converter (threshold table) to ${f.name}${rounding ? ` (rounding ${rounding})` : ''}: rank of |acc| * 2^d among the ${P} midpoints of the ${P + 1} magnitudes, each tie the way the reference rounds it.`,
      'Independent of src/rtl/converter.ts: constants from formatTables / accToFormat; for the equivalence proof only.',
    ]),
  );
  L.push(converterPorts(name, W));
  L.push(`  wire sgn = acc[${W - 1}];`);
  L.push(`  wire [${W - 1}:0] mag = sgn ? (~acc + 1'b1) : acc;`);
  L.push(`  wire [${W}:0] a2 = {mag, 1'b0};`);
  L.push(`  wire dneg = d[${DW - 1}];`);
  L.push(`  wire [${DW - 1}:0] nd = ~d + 1'b1;`);
  L.push(`  reg [${QW - 1}:0] q;`);
  L.push(`  reg r;`);
  L.push(`  integer i, p;`);
  L.push(`  reg [8:0] rank;`);
  L.push(`  reg [${QW - 1}:0] m;`);
  L.push(`  localparam [${P - 1}:0] TIE_UP = ${P}'b${[...tieUp].reverse().join('')};  // bit p: a tie at midpoint p goes to rank p + 1`);
  L.push(`  always @* begin`);
  L.push(`    // q = floor(2|acc| * 2^d), r = a nonzero remainder (only when d < 0); q saturates at 2^${QW - 1} for large d`);
  L.push(`    q = 0; r = 1'b0;`);
  L.push(`    if (!dneg) begin`);
  L.push(`      if (d >= ${DW}'d${MB}) q = (mag != 0) ? {1'b1, ${QW - 1}'d0} : 0;`);
  L.push(`      else for (i = 0; i < ${MB}; i = i + 1) if (d == i) q = {${QW - W - 1}'d0, a2} << i;`);
  L.push(`    end else begin`);
  L.push(`      if (nd >= ${DW}'d${W + 1}) begin q = 0; r = (mag != 0); end`);
  L.push(`      else for (i = 1; i <= ${W + 1}; i = i + 1) if (nd == i) begin q = {${QW - W - 1}'d0, a2 >> i}; r = |(a2 & ((${W + 1}'d1 << i) - 1'b1)); end`);
  L.push(`    end`);
  L.push(`    rank = 0;`);
  L.push(`    for (p = 0; p < ${P}; p = p + 1) begin`);
  L.push(`      m = 0;`);
  L.push(`      case (p)`);
  mids.forEach((x, p) => L.push(`        ${p}: m = ${QW}'d${x};`));
  L.push(`        default: m = 0;`);
  L.push(`      endcase`);
  L.push(`      if ((q > m) || ((q == m) && r) || ((q == m) && !r && TIE_UP[p])) rank = p + 1;`);
  L.push(`    end`);
  L.push(`    if (nan) code = 8'd${nanCode};`);
  L.push(`    else if (mag == 0 || (sgn && relu)) code = 8'd0;`);
  L.push(`    else begin`);
  L.push(`      code = 8'd0;`);
  L.push(`      case (rank)`);
  for (let p = 0; p <= P; p++) L.push(`        9'd${p}: code = sgn ? 8'd${neg[p]} : 8'd${pos[p]};`);
  L.push(`        default: code = 8'd0;`);
  L.push(`      endcase`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

/**
 * The reference binary32 converter: IEEE 754 RNE of |acc| * 2^d (d in units of 2^-149), a case
 * split normal / subnormal with a priority loop for the leading one and explicit exponent carry.
 */
export function emitReferenceConverterF32(name: string, W: number): string {
  const DW = D_BITS;
  const nanCode = accToBinary32Bits(0n, true, 0) >>> 0;
  const XW = W + 26;
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      'Reference binary32 converter: IEEE 754 round to nearest even of acc * 2^(d - 149), overflow to infinity.',
      'Independent of src/rtl/converter.ts (behavioural, case split normal / subnormal); for the equivalence proof only.',
    ]),
  );
  L.push(`module ${name} (`);
  L.push(`  input  wire [${W - 1}:0] acc,`);
  L.push(`  input  wire nan,`);
  L.push(`  input  wire [${DW - 1}:0] d,`);
  L.push(`  output reg  [31:0] code`);
  L.push(`);`);
  L.push(`  wire sgn = acc[${W - 1}];`);
  L.push(`  wire [${W - 1}:0] mag = sgn ? (~acc + 1'b1) : acc;`);
  L.push(`  integer i, lead, e, s, be;`);
  L.push(`  reg [${XW - 1}:0] x;`);
  L.push(`  reg [24:0] n;`);
  L.push(`  reg g, st;`);
  L.push(`  always @* begin`);
  L.push(`    lead = 0;`);
  L.push(`    for (i = 0; i < ${W}; i = i + 1) if (mag[i]) lead = i;`);
  L.push(`    e = lead + $signed(d);                 // position of the leading one in units of 2^-149`);
  L.push(`    s = (e >= 23) ? (lead - 23) : -$signed(d); // right shift of mag that leaves the 24-bit (normal) or the subnormal significand`);
  L.push(`    n = 0; g = 1'b0; st = 1'b0; x = 0;`);
  L.push(`    if (s <= 0) begin`);
  L.push(`      x = {26'd0, mag} << (-s);`);
  L.push(`      n = x[24:0];`);
  L.push(`    end else if (s > ${W + 1}) begin`);
  L.push(`      n = 0; g = 1'b0; st = (mag != 0);`);
  L.push(`    end else begin`);
  L.push(`      n = mag >> s;`);
  L.push(`      g = (mag >> (s - 1)) & 1'b1;`);
  L.push(`      st = |(mag & ((${W + 2}'d1 << (s - 1)) - 1'b1));`);
  L.push(`    end`);
  L.push(`    if (g && (st || n[0])) n = n + 1'b1;`);
  L.push(`    // biased exponent: normal e - 22 (carry: n = 2^24 -> one more), subnormal 0 (carry into 1 when n = 2^23)`);
  L.push(`    if (e >= 23) begin`);
  L.push(`      be = e - 22;`);
  L.push(`      if (n[24]) begin be = be + 1; n = n >> 1; end`);
  L.push(`    end else begin`);
  L.push(`      be = n[23] ? 1 : 0;`);
  L.push(`    end`);
  L.push(`    if (nan) code = 32'h${nanCode.toString(16)};`);
  L.push(`    else if (mag == 0) code = 32'd0;`);
  L.push(`    else if (be >= 255) code = {sgn, 8'hff, 23'd0};`);
  L.push(`    else if (be == 0 && n == 0) code = {sgn, 31'd0};`);
  L.push(`    else code = {sgn, be[7:0], n[22:0]};`);
  L.push(`  end`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

/** The reference decoder: a 256-entry case table of the reference's decode. Ports as the emitted decoder. */
export function emitReferenceDecoder(name: string, fo: Format | FormatName, kBits: number, shBits: number): string {
  const f = getFormat(fo);
  const t = formatTables(f);
  const L: string[] = [];
  L.push(fileHeader(name, [`Reference decoder for ${f.name}: a case table of formatTables() (k and sh are 0 for NaN/Inf codes).`, 'For the equivalence proof only.']));
  L.push(`module ${name} (input wire [7:0] code, output reg sign, output reg [${kBits - 1}:0] k, output reg [${shBits - 1}:0] sh, output reg nan);`);
  L.push(`  always @* begin`);
  L.push(`    case (code)`);
  for (let c = 0; c < 256; c++) {
    const nan = t.nan[c]!;
    L.push(`      8'd${c}: begin sign = 1'b${t.sign[c]}; k = ${kBits}'d${nan ? 0 : t.k[c]}; sh = ${shBits}'d${nan ? 0 : t.sh[c]}; nan = 1'b${nan}; end`);
  }
  L.push(`      default: begin sign = 1'b0; k = 0; sh = 0; nan = 1'b0; end`);
  L.push(`    endcase`);
  L.push(`  end`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

/**
 * The reference lane datapath: codes -> signed product in units of 2^(tmin_a + tmin_b) and the
 * lane NaN flag, from signed value tables and the multiplication operator.
 */
export function emitReferenceLane(name: string, fa: Format | FormatName, fb: Format | FormatName, PW: number): string {
  const A = getFormat(fa);
  const B = getFormat(fb);
  const ta = formatTables(A);
  const tb = formatTables(B);
  const val = (t: ReturnType<typeof formatTables>, c: number): bigint => (t.nan[c] ? 0n : (t.sign[c] ? -1n : 1n) * (BigInt(t.k[c]!) << BigInt(t.sh[c]!)));
  let maxV = 0n;
  for (let c = 0; c < 256; c++) for (const t of [ta, tb]) if (!t.nan[c]) maxV = BigInt(t.k[c]!) << BigInt(t.sh[c]!) > maxV ? BigInt(t.k[c]!) << BigInt(t.sh[c]!) : maxV;
  const VW = ubits(maxV) + 1; // signed width of every value
  const lit = (v: bigint): string => (v < 0n ? `-${VW}'sd${-v}` : `${VW}'sd${v}`);
  const L: string[] = [];
  L.push(fileHeader(name, [`Reference lane ${A.name} x ${B.name}: P = v(a) * v(b) from the decode tables, 0 for a NaN/Inf operand or a masked lane; nan = en & (NaN(a) | NaN(b)).`, 'For the equivalence proof only.']));
  L.push(`module ${name} (input wire en, input wire [7:0] ca, input wire [7:0] cb, output wire [${PW - 1}:0] p, output wire nan);`);
  L.push(`  reg signed [${VW - 1}:0] va, vb;`);
  L.push(`  reg na, nb;`);
  for (const [v, n, t, c] of [['va', 'na', ta, 'ca'], ['vb', 'nb', tb, 'cb']] as const) {
    L.push(`  always @* begin`);
    L.push(`    case (${c})`);
    for (let x = 0; x < 256; x++) L.push(`      8'd${x}: begin ${v} = ${lit(val(t, x))}; ${n} = 1'b${t.nan[x]}; end`);
    L.push(`      default: begin ${v} = 0; ${n} = 1'b0; end`);
    L.push(`    endcase`);
    L.push(`  end`);
  }
  L.push(`  wire signed [${2 * VW - 1}:0] prod = va * vb;`);
  L.push(`  wire signed [${Math.max(PW, 2 * VW) - 1}:0] px = prod;`);
  L.push(`  assign p = (en && !na && !nb) ? px[${PW - 1}:0] : ${PW}'d0;`);
  L.push(`  assign nan = en & (na | nb);`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

/**
 * ceil(2^(m/2)) for an odd integer m, as a BigInt: 1 for m < 0 (2^(m/2) < 1); for m > 0,
 * 2^(m/2) is irrational, so the ceiling is floor(sqrt(2^m)) + 1, with floor(sqrt) found bit by
 * bit from the top (r^2 <= 2^m, one candidate bit at a time; no Newton step, no float).
 */
export function ceilSqrtPow2Odd(m: number): bigint {
  if (!Number.isInteger(m) || m % 2 === 0) throw new Error(`ceilSqrtPow2Odd: m must be an odd integer: ${m}`);
  if (m < 0) return 1n;
  const n = 1n << BigInt(m);
  let r = 0n;
  for (let b = (m + 1) >> 1; b >= 0; b--) {
    const c = r | (1n << BigInt(b));
    if (c * c <= n) r = c;
  }
  return r + 1n;
}

/**
 * The independent model of the residual kind's greedy output rounding (the authors' rf8, its
 * default), as tables; evaluated in TypeScript by evalGreedyModel and emitted as Verilog by
 * emitReferenceGreedyConverter (the same tables, the same loops).
 *
 * In units u = 2^tmin_o the value is Y = |acc| 2^d. The first term is 2^p, p = round_log2(Y):
 * p >= q exactly when Y >= 2^(q - 1/2), i.e. |acc| >= ceil(2^((2 (q - d) - 1) / 2)) =
 * thr(q - d) (an integer compared with the ceiling of an irrational: exact). So
 * cnt = #{q in pLo .. pHi + 1 : |acc| >= thr(q - d)} counts the first-term exponents reached
 * (monotone in q): cnt = 0 rounds to zero, cnt = NQ saturates, else p = pLo - 1 + cnt. The
 * residual in units of 2^d is |acc| - 2^s, s = p - d (an integer >= 0 whenever 0 < cnt < NQ);
 * its term is kept at the smallest t in 1..dMax with |r| >= thr(s - t) (round_log2(|r|) >= p - t),
 * else dropped. The code of (sign, p, t, sign of r) is looked up in the decode table: the code
 * whose k is k0 (1 +- 2^-t) (k0 = the k of rho = 0) and whose sh is p - log2(k0).
 * No leading-one detector, no normalising shift, no sqrt(2) floor per binade (the emitter's
 * description): one threshold table thr(n) indexed by a computed exponent n.
 */
export interface GreedyModel {
  W: number;
  pLo: number;
  pHi: number;
  /** Number of first-term thresholds, pHi - pLo + 2. */
  NQ: number;
  dMax: number;
  /** thr[n] = ceil(2^(n - 1/2)) for n = 1..NMAX; n <= 0: 1; n > NMAX: larger than any |acc| < 2^W. */
  thr: bigint[];
  NMAX: number;
  /** Code of (sign, cnt, t, rneg): key (((sign * (NQ + 1) + cnt) * (dMax + 1) + t) * 2 + rneg); absent: no such code. */
  code: Map<number, number>;
  nanCode: number;
  zeroCode: number;
  satCode: [number, number];
}

export function greedyModel(fo: Format | FormatName, W: number): GreedyModel {
  const f = getFormat(fo);
  if (!f.kTable) throw new Error(`greedy model: ${f.name} has no k table (not of the residual kind)`);
  const t = formatTables(f);
  const k0 = f.kTable[0]!;
  const base = Math.log2(k0);
  if (!Number.isInteger(base)) throw new Error(`greedy model: k0 = ${k0} of ${f.name} is not a power of two`);
  // (sign, sh, k) -> code, from the decode table
  const byTerm = new Map<string, number>();
  const shs: number[] = [];
  const ks = new Set<number>();
  for (let c = 0; c < 256; c++) {
    if (t.nan[c] || t.k[c] === 0) continue;
    const key = `${t.sign[c]},${t.sh[c]},${t.k[c]}`;
    if (!byTerm.has(key)) byTerm.set(key, c);
    ks.add(t.k[c]!);
    if (t.k[c] === k0 && !t.sign[c]) shs.push(t.sh[c]!);
  }
  const shLo = Math.min(...shs);
  const shHi = Math.max(...shs);
  for (let sh = shLo; sh <= shHi; sh++) if (!shs.includes(sh)) throw new Error(`greedy model: ${f.name} has no code 2^${sh + base} (first terms not contiguous)`);
  // dMax: the largest t with a code k0 (1 +- 2^-t) (k0 >> t exact)
  let dMax = 0;
  for (let tt = 1; k0 % 2 ** tt === 0; tt++) if (ks.has(k0 + k0 / 2 ** tt) || ks.has(k0 - k0 / 2 ** tt)) dMax = tt;
  const pLo = base + shLo;
  const pHi = base + shHi;
  const NQ = pHi - pLo + 2;
  // thr(n) for n = 1..NMAX, NMAX the first n with thr(n) > 2^W (beyond: never reached by |acc| <= 2^(W-1))
  const thr: bigint[] = [0n];
  let n = 1;
  for (;;) {
    const v = ceilSqrtPow2Odd(2 * n - 1);
    thr.push(v);
    if (v > 1n << BigInt(W)) break;
    n++;
  }
  const NMAX = n;
  const code = new Map<number, number>();
  for (let sg = 0; sg < 2; sg++)
    for (let cnt = 1; cnt < NQ; cnt++) {
      const sh = pLo - 1 + cnt - base;
      for (let tt = 0; tt <= dMax; tt++)
        for (let rn = 0; rn < 2; rn++) {
          if (tt === 0 && rn === 1) continue;
          const k = tt === 0 ? k0 : k0 + (rn ? -1 : 1) * (k0 / 2 ** tt);
          const c = byTerm.get(`${sg},${sh},${k}`);
          if (c !== undefined) code.set((((sg * (NQ + 1) + cnt) * (dMax + 1) + tt) * 2) + rn, c);
        }
    }
  const big = 4 * W + 4096; // a scale far above the largest magnitude
  return {
    W,
    pLo,
    pHi,
    NQ,
    dMax,
    thr,
    NMAX,
    code,
    nanCode: accToFormat(0n, true, 0, f, 0, false, 'greedy'),
    zeroCode: accToFormat(0n, false, 0, f, 0, false, 'greedy'),
    satCode: [accToFormat(1n, false, big, f, 0, false, 'greedy'), accToFormat(-1n, false, big, f, 0, false, 'greedy')],
  };
}

/** |acc| >= thr(n) in the model (thr(n <= 0) = 1, thr(n > NMAX) above every |acc|). */
function atLeast(m: GreedyModel, x: bigint, n: number): boolean {
  if (n <= 0) return x >= 1n;
  if (n > m.NMAX) return false;
  return x >= m.thr[n]!;
}

/** The model in TypeScript: acc (a W-bit signed value), nan, relu, d -> code. -1: no code (an impossible term). */
export function evalGreedyModel(m: GreedyModel, acc: bigint, nan: boolean, relu: boolean, d: number): number {
  if (nan) return m.nanCode;
  const sgn = acc < 0n ? 1 : 0;
  const mag = sgn ? -acc : acc;
  if (mag === 0n || (sgn && relu)) return m.zeroCode;
  let cnt = 0;
  for (let q = m.pLo; q <= m.pHi + 1; q++) if (atLeast(m, mag, q - d)) cnt++;
  if (cnt === 0) return m.zeroCode;
  if (cnt === m.NQ) return m.satCode[sgn]!;
  const p = m.pLo - 1 + cnt;
  const s = p - d;
  const rm = mag - (1n << BigInt(s));
  const rn = rm < 0n ? 1 : 0;
  const ar = rn ? -rm : rm;
  let tt = 0;
  for (let u = m.dMax; u >= 1; u--) if (atLeast(m, ar, s - u)) tt = u;
  return m.code.get((((sgn * (m.NQ + 1) + cnt) * (m.dMax + 1) + tt) * 2) + (tt ? rn : 0)) ?? -1;
}

/**
 * The greedy model (greedyModel) as Verilog; ports as the emitted converter. `thr` is a function
 * of a case table on the computed exponent n; the loops over q and t are unrolled by yosys.
 */
export function emitReferenceGreedyConverter(name: string, fo: Format | FormatName, W: number): string {
  const f = getFormat(fo);
  const m = greedyModel(f, W);
  const DW = D_BITS;
  const TW = W + 2; // |acc| <= 2^(W-1), 2^s <= 2^W, |r| < 2^W: unsigned TW bits hold them; thr up to NMAX needs ubits(thr[NMAX])
  const XW = Math.max(TW, ubits(m.thr[m.NMAX]!));
  const CB = ubits(m.NQ);
  const TB = ubits(m.dMax);
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Reference converter to ${f.name}, rounding greedy (the authors' algorithm): thresholds thr(n) = ceil(2^(n - 1/2)) by a computed exponent n.`,
      `First term: cnt = #{q in ${m.pLo}..${m.pHi + 1} : |acc| >= thr(q - d)}; residual |acc| - 2^(p - d) against thr(p - d - t), t = 1..${m.dMax}.`,
      'Independent of src/rtl/residual.ts (no leading one, no normalisation): tables from the decode table and BigInt square roots; for the equivalence proof only.',
    ]),
  );
  L.push(converterPorts(name, W));
  L.push(`  // x >= ceil(2^(n - 1/2)): n <= 0 any x >= 1, n > ${m.NMAX} never`);
  L.push(`  function atleast;`);
  L.push(`    input [${XW - 1}:0] x;`);
  L.push(`    input integer n;`);
  L.push(`    begin`);
  L.push(`      if (n <= 0) atleast = (x != 0);`);
  L.push(`      else begin`);
  L.push(`        case (n)`);
  for (let n = 1; n <= m.NMAX; n++) L.push(`          ${n}: atleast = (x >= ${XW}'d${m.thr[n]});`);
  L.push(`          default: atleast = 1'b0;`);
  L.push(`        endcase`);
  L.push(`      end`);
  L.push(`    end`);
  L.push(`  endfunction`);
  L.push(`  wire sgn = acc[${W - 1}];`);
  L.push(`  wire [${W - 1}:0] mag = sgn ? (~acc + 1'b1) : acc;`);
  L.push(`  wire [${XW - 1}:0] x = {${XW - W}'d0, mag};`);
  L.push(`  wire signed [31:0] ds = $signed(d);`);
  L.push(`  integer q, u, cnt, p, s, tt;`);
  L.push(`  reg [${XW - 1}:0] pw, ar;`);
  L.push(`  reg rn;`);
  L.push(`  always @* begin`);
  L.push(`    cnt = 0;`);
  L.push(`    for (q = ${m.pLo}; q <= ${m.pHi + 1}; q = q + 1) if (atleast(x, q - ds)) cnt = cnt + 1;`);
  L.push(`    p = ${m.pLo - 1} + cnt;`);
  L.push(`    s = p - ds;`);
  L.push(`    pw = 0;`);
  L.push(`    for (u = 0; u < ${XW}; u = u + 1) if (s == u) pw = ${XW}'d1 << u;`);
  L.push(`    rn = (x < pw);`);
  L.push(`    ar = rn ? (pw - x) : (x - pw);`);
  L.push(`    tt = 0;`);
  L.push(`    for (u = ${m.dMax}; u >= 1; u = u - 1) if (atleast(ar, s - u)) tt = u;`);
  L.push(`    if (tt == 0) rn = 1'b0;`);
  L.push(`    if (nan) code = 8'd${m.nanCode};`);
  L.push(`    else if (mag == 0 || (sgn && relu) || cnt == 0) code = 8'd${m.zeroCode};`);
  L.push(`    else if (cnt == ${m.NQ}) code = sgn ? 8'd${m.satCode[1]} : 8'd${m.satCode[0]};`);
  L.push(`    else begin`);
  L.push(`      code = 8'd${m.zeroCode};  // no code for the term (impossible: the TypeScript check finds none)`);
  L.push(`      case ({sgn, cnt[${CB - 1}:0], tt[${TB - 1}:0], rn})`);
  const keys = [...m.code.keys()].sort((a, b) => a - b);
  for (const k of keys) {
    const rn = k & 1;
    const tt = (k >> 1) % (m.dMax + 1);
    const rest = Math.floor((k >> 1) / (m.dMax + 1));
    const cnt = rest % (m.NQ + 1);
    const sg = Math.floor(rest / (m.NQ + 1));
    L.push(`        {1'b${sg}, ${CB}'d${cnt}, ${TB}'d${tt}, 1'b${rn}}: code = 8'd${m.code.get(k)};`);
  }
  L.push(`        default: code = 8'd${m.zeroCode};`);
  L.push(`      endcase`);
  L.push(`    end`);
  L.push(`  end`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}
