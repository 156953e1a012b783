import { accToFormat } from '../arith/index.js';
import { residualTables, sqrt2FloorBig, type Format, type Rounding } from '../format/index.js';
import { D_BITS, emitLzd } from './converter.js';
import { Faults } from './faults.js';
import { fileHeader, lit, range, ubits } from './vlog.js';

/**
 * Output converter into the residual kind (the authors' RF8, spec section 8): the W-bit
 * accumulator A (LSB weight 2^(d + tmin_o) in the output's units, as every converter) -> an rf8
 * code, rounding `greedy` (the authors' algorithm) or `nearest`, saturating, optional fused ReLU.
 *
 * Both start with a leading-one detector on |A| and a normalizing shift N = |A| << (W-1-lead), so
 * the leading one sits at the top of an NW-bit word and the binade exponent is eb = lead + d.
 * - greedy: round_log2 is one constant comparison N > floor(sqrt(2) 2^(NW-1)) (exact: the
 *   threshold is irrational, so comparing the integer N with its floor decides it); the residual
 *   |r| (2^NW - N or N - 2^(NW-1)) gets its own leading-one detector over the dMax + 1 positions
 *   where a kept second term can start, and one constant comparison per position with
 *   floor(sqrt(2) 2^q); d = e1 - e2 and the term's sign pick R from the format's table, d > dMax
 *   drops it.
 * - nearest: the top FB + 1 bits of N and a sticky bit compared with the exact midpoints between
 *   the representable magnitudes of the binade (one pattern for the regular binades and one per
 *   edge binade, all derived from residualTables); ties go to the smaller magnitude.
 * No multiplier, no square. Mirrors src/arith `accToFormat(acc, nan, T, fo, Xo, relu, rounding)`.
 */
export function emulateResidualConverter(fo: Format, rounding: Rounding, acc: bigint, nan: boolean, T: number, Xo: number, relu: boolean): number {
  return accToFormat(acc, nan, T, fo, Xo, relu, rounding);
}

/** Binade patterns of the nearest rounding: thresholds (in units of 2^(eb - FB)) and results (code payload, or E relative to eb). */
interface NearestShape {
  thr: number[];
  /** Per result: 'zero', or [E - eb, R]. */
  res: ('zero' | [number, number])[];
  /** Binades (eb, units of 2^tmin_o) with this shape. */
  ebs: number[];
}

function nearestShapes(fo: Format): { FB: number; ebLo: number; ebHi: number; shapes: NearestShape[] } {
  const T = residualTables(fo);
  // vals: units of 2^(tmin - 1); work in units of 2^(tmin - 2) so every midpoint is an integer
  const v = Array.from(T.vals, (x) => 2 * x);
  const mids = Array.from(T.mids); // = vals[i] + vals[i+1] in units of 2^(tmin-2)
  const codes = Array.from(T.codes);
  const U = 2; // log2 of the unit change: value (units 2^tmin) = x / 4
  const lg = (x: number): number => Math.floor(Math.log2(x)); // x an exact small integer (below 2^31): exact
  // binades eb (units 2^tmin): y in [2^eb, 2^(eb+1)); below ebLo everything rounds to zero; above ebHi it saturates
  const ebLo = lg(mids[0]!) - U;
  const ebHi = lg(v[v.length - 1]!) - U;
  let FB = 1;
  const shapes: NearestShape[] = [];
  const per: { eb: number; thr: number[]; res: number[] }[] = [];
  for (let eb = ebLo; eb <= ebHi; eb++) {
    const lo = 2 ** (eb + U);
    const hi = 2 ** (eb + U + 1);
    // midpoints inside [lo, hi): y > mid moves to the next value; the result below the first one is the nearest to lo
    const thr: number[] = [];
    const res: number[] = [];
    let i = 0;
    while (i < mids.length && mids[i]! < lo) i++;
    res.push(codes[i]!);
    while (i < mids.length && mids[i]! < hi) {
      thr.push(mids[i]!);
      res.push(codes[i + 1]!);
      i++;
    }
    for (const t of thr) while (((t - lo) * 2 ** FB) % lo !== 0) FB++;
    per.push({ eb, thr, res });
  }
  for (const p of per) {
    const lo = 2 ** (p.eb + U);
    const thr = p.thr.map((t) => (t * 2 ** FB) / lo);
    const res = p.res.map((c): 'zero' | [number, number] => (c === 0 ? 'zero' : [(c >> fo.m) - p.eb, c & ((1 << fo.m) - 1)]));
    const key = JSON.stringify([thr, res]);
    const s = shapes.find((x) => JSON.stringify([x.thr, x.res]) === key);
    if (s) s.ebs.push(p.eb);
    else shapes.push({ thr, res, ebs: [p.eb] });
  }
  return { FB, ebLo, ebHi, shapes };
}

/** Contiguous runs of a sorted integer list. */
function runs(xs: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && last[1] === x - 1) last[1] = x;
    else out.push([x, x]);
  }
  return out;
}

export function emitResidualConverter(name: string, fo: Format, rounding: Rounding, W: number, withRelu: boolean, faults = new Faults(), stages = 0): string {
  if (fo.policy.decoder !== 'residual') throw new Error(`emitResidualConverter: ${fo.name} is not of the residual kind`);
  if (rounding !== 'greedy' && rounding !== 'nearest') throw new Error(`residual converter: rounding ${rounding}`);
  if (!Number.isInteger(stages) || stages < 0 || stages > 3) throw new Error(`converter stages must be 0..3: ${stages}`);
  const T = residualTables(fo);
  const kt = fo.kTable!;
  const base = Math.log2(kt[0]!); // k0 = 2^base: value 2^e1 has sh = e1 - base
  const NW = Math.max(W, 8);
  const DW = D_BITS;
  const LW = ubits(W - 1);
  const EW = Math.max(DW, LW + 1) + 2;
  const PB = 7;
  const EB = fo.e;
  const RB = fo.m;
  const dMax = T.dMax;
  const L: string[] = [];
  L.push(
    fileHeader(name, [
      `Output converter: ${W}-bit accumulator -> ${fo.name} (residual kind), rounding ${rounding}, saturating${withRelu ? ', fused ReLU' : ''}.`,
      `value = |acc| 2^d in units of 2^tmin_o (tmin_o = ${fo.tmin}); d is signed ${DW} bits. Leading one + normalizing shift to ${NW} bits,`,
      rounding === 'greedy'
        ? `then N > floor(sqrt2 2^${NW - 1}) for e1, the residual's leading one over ${dMax + 1} positions and floor(sqrt2 2^q) for e2, d <= ${dMax} keeps it.`
        : 'then the top bits and a sticky bit against the exact midpoints of the binade (ties to the smaller magnitude).',
      `Mirrors src/arith accToFormat(..., '${rounding}') (src/rtl/residual.ts emulateResidualConverter).`,
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
  // normalize: the leading one to bit NW-1
  const mx = NW > W ? `{mag, ${NW - W}'d0}` : 'mag';
  L.push(`  wire ${range(LW)} nsh = ${LW}'d${W - 1} - lead;`);
  L.push(`  wire ${range(NW)} nn = ${mx} << nsh;`);
  L.push(`  wire signed ${range(EW)} ds = {{${EW - DW}{d[${DW - 1}]}}, d};`);
  L.push(`  wire signed ${range(EW)} eb = $signed({${EW - LW}'d0, lead}) + ds;  // y in [2^eb, 2^(eb+1)) units of 2^tmin_o`);
  const payload: string[] = []; // lines computing `pay` (7 bits), `uf` (zero), `of` (saturate)
  if (rounding === 'greedy') {
    const S = sqrt2FloorBig(NW - 1);
    const Stop = S >> BigInt(NW - 8);
    L.push(`  // e1 = round_log2: one comparison with floor(sqrt(2) 2^${NW - 1})`);
    L.push(`  wire up = ${faults.sel('rf8-threshold-truncated', `(nn[${NW - 1}:${NW - 8}] > ${lit(8, Stop)})`, `(nn > ${lit(NW, S)})`)};${faults.tag('rf8-threshold-truncated')}`);
    L.push(`  wire signed ${range(EW)} sh = eb + {${EW - 1}'d0, up} - ${EW}'sd${base};  // E - 1`);
    L.push(`  wire uf = sh < ${EW}'sd0;`);
    L.push(`  wire of = sh > ${EW}'sd${fo.shMax};`);
    L.push(`  // the residual |r| in the scale of nn: 2^${NW} - nn (first term rounded up: r < 0) or nn - 2^${NW - 1}`);
    L.push(`  wire ${range(NW)} rr = up ? (${NW}'d0 - nn) : {1'b0, nn[${NW - 2}:0]};`);
    L.push(`  wire rz = (rr == ${NW}'d0);`);
    // positions q = NW-2-i, i = 0..dMax: hit_i = leading one of rr at q; u2_i = rr > floor(sqrt2 2^q)
    const cases: string[] = [];
    for (let i = 0; i <= dMax; i++) {
      const q = NW - 2 - i;
      const above = i === 0 ? '' : ` & (rr[${NW - 1}:${q + 1}] == ${i + 1}'d0)`;
      L.push(`  wire h${i} = rr[${q}]${above};`);
      L.push(`  wire u${i} = (rr > ${lit(NW, sqrt2FloorBig(q))});`);
      // d = e1 - e2 = (NW-1+up) - (q + u) = 1 + i + up - u
      const rOf = (dd: number, upv: number): number => {
        let d2 = dd;
        if (d2 > dMax && faults.has('rf8-no-drop') && d2 === dMax + 1) d2 = dMax;
        if (d2 < 1 || d2 > dMax) return 0;
        const r = T.rOf[2 * d2 + (faults.has('rf8-residual-sign') ? 0 : upv)]!;
        return r < 0 ? 0 : r;
      };
      const rOfS = (dd: number, upv: number): string => {
        // schema mode: the three converter faults selectable
        if (!faults.schema) return `${RB}'d${rOf(dd, upv)}`;
        const ok = (d2: number, u: number): number => (d2 < 1 || d2 > dMax ? 0 : Math.max(0, T.rOf[2 * d2 + u]!));
        const good = ok(dd, upv);
        const nodrop = dd === dMax + 1 ? ok(dMax, upv) : good;
        const nosign = ok(dd, 0);
        return faults.sel('rf8-no-drop', `${RB}'d${nodrop}`, faults.sel('rf8-residual-sign', `${RB}'d${nosign}`, `${RB}'d${good}`));
      };
      const pick = (upv: number): string => `(u${i} ? ${rOfS(i + upv, upv)} : ${rOfS(1 + i + upv, upv)})`;
      cases.push(`h${i} ? (up ? ${pick(1)} : ${pick(0)})`);
    }
    L.push(`  wire ${range(RB)} rsel = rz ? ${RB}'d0 : ${cases.join(' : ')} : ${RB}'d0;${faults.tag('rf8-residual-sign')}${faults.tag('rf8-no-drop')}`);
    L.push(`  wire ${range(EW)} ef = sh + ${EW}'sd1;`);
    payload.push(`  wire ${range(PB)} pay = {ef[${EB - 1}:0], rsel};`);
    L.push(`  // verilator lint_off UNUSEDSIGNAL`);
    L.push(`  wire unused_e = |{ef[${EW - 1}:${EB}], lead_any};`);
    L.push(`  // verilator lint_on UNUSEDSIGNAL`);
  } else {
    const { FB, ebLo, ebHi, shapes } = nearestShapes(fo);
    if (NW - 2 - FB < 0) throw new Error(`residual converter: accumulator too narrow (${W}) for ${FB} fraction bits`);
    L.push(`  // the top ${FB + 1} bits of the normalized magnitude and a sticky bit: y / 2^eb = F / 2^${FB} (+ below)`);
    L.push(`  wire ${range(FB + 1)} fr = nn[${NW - 1}:${NW - 1 - FB}];`);
    L.push(`  wire st = |nn[${NW - 2 - FB}:0];`);
    L.push(`  wire uf0 = eb < ${EW}'sd${ebLo};`);
    L.push(`  wire of = eb > ${EW}'sd${ebHi};`);
    const thrNames = new Map<number, string>();
    const gt = (t: number): string => {
      let n = thrNames.get(t);
      if (!n) {
        n = `g${t}`;
        thrNames.set(t, n);
        L.push(`  wire ${n} = ${faults.sel('rf8-nearest-tie-up', `(fr >= ${FB + 1}'d${t})`, `(fr > ${FB + 1}'d${t}) | ((fr == ${FB + 1}'d${t}) & st)`)};${faults.tag('rf8-nearest-tie-up')}`);
      }
      return n;
    };
    const offs = new Set<number>();
    for (const s of shapes) for (const r of s.res) if (r !== 'zero') offs.add(r[0]);
    for (const o of [...offs].sort((a, b) => a - b)) L.push(`  wire ${range(EW)} e${o < 0 ? 'm' + -o : o} = eb + ${o < 0 ? `-${EW}'sd${-o}` : `${EW}'sd${o}`};`);
    const eName = (o: number): string => `e${o < 0 ? 'm' + -o : o}`;
    const inS: string[] = [];
    shapes.forEach((s, si) => {
      const cond = runs(s.ebs).map(([a, b]) => (a === b ? `(eb == ${EW}'sd${a})` : `((eb >= ${EW}'sd${a}) & (eb <= ${EW}'sd${b}))`));
      L.push(`  wire b${si} = ${cond.join(' | ')};  // binades ${s.ebs.join(', ')}`);
      const resExpr = (r: 'zero' | [number, number]): string => (r === 'zero' ? `{1'b1, ${PB}'d0}` : `{1'b0, ${eName(r[0])}[${EB - 1}:0], ${RB}'d${r[1]}}`);
      let e = resExpr(s.res[0]!);
      s.thr.forEach((t, j) => {
        e = `${gt(t)} ? ${resExpr(s.res[j + 1]!)} : ${j === 0 ? e : `(${e})`}`;
      });
      L.push(`  wire ${range(PB + 1)} r${si} = ${e};  // bit ${PB}: rounds to zero`);
      inS.push(`b${si} ? r${si}`);
    });
    L.push(`  wire ${range(PB + 1)} rz = ${inS.join(' : ')} : {1'b1, ${PB}'d0};`);
    L.push(`  wire uf = uf0 | rz[${PB}];`);
    payload.push(`  wire ${range(PB)} pay = rz[${PB - 1}:0];`);
    L.push(`  // verilator lint_off UNUSEDSIGNAL`);
    L.push(`  wire unused_e = |{${[...offs].sort((a, b) => a - b).map((o) => `${eName(o)}[${EW - 1}:${EB}]`).join(', ')}, lead_any};`);
    L.push(`  // verilator lint_on UNUSEDSIGNAL`);
  }
  L.push(...payload);
  const pol = fo.policy;
  const sat = (n: number): string => lit(8, pol.ovfSat[n]!);
  const nanSel = faults.sel('nan-not-propagated', "1'b0", 'nan');
  if (faults.has('nan-not-propagated')) {
    L.push(`  // verilator lint_off UNUSEDSIGNAL`);
    L.push(`  wire unused_nan = nan; // FAULT nan-not-propagated`);
    L.push(`  // verilator lint_on UNUSEDSIGNAL`);
  }
  const sgn = `{${faults.sel('zero-sign', 'neg', "1'b0")}, ${PB}'d0}`;
  const zc = `(${lit(8, pol.zero[0]!)} | ${sgn})`;
  const comb = `${nanSel} ? ${lit(8, fo.nanCode)} : mz ? ${zc} : of ? (neg ? ${sat(1)} : ${sat(0)}) : uf ? ${zc} : {neg, pay}`;
  if (!stages) L.push(`  assign code = ${comb};${faults.tag('nan-not-propagated')}${faults.tag('zero-sign')}`);
  else {
    L.push(`  wire [7:0] c0 = ${comb};${faults.tag('nan-not-propagated')}${faults.tag('zero-sign')}`);
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
