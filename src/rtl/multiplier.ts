import { productTable, type AccWidth } from '../arith/index.js';
import type { Format } from '../format/index.js';
import { hwInput } from './traits.js';
import { Faults } from './faults.js';
import { fileHeader, range } from './vlog.js';

/**
 * Multiplier block: two decoded operands -> the signed product P = +-(ka*kb) << (sha+shb) in
 * accumulator LSB units, and a lane NaN flag.
 *
 * Mirrors src/arith `productTable(fa, fb)` (NaN entries become nan = 1 with P = 0, the MAC's
 * "a NaN lane contributes 0"). `en` is the lane's valid bit: a masked lane yields P = 0, nan = 0.
 */
export function emulateMultiplier(fa: Format, fb: Format, ca: number, cb: number, en = true): { p: bigint; nan: number } {
  if (!en) return { p: 0n, nan: 0 };
  const v = productTable(fa, fb)[(ca << 8) | cb]!;
  return v !== v ? { p: 0n, nan: 1 } : { p: BigInt(v), nan: 0 };
}

/** Width of P (signed): bits of max|P| plus a sign bit. */
export function productWidth(aw: AccWidth): number {
  return aw.productBits + 1;
}

/** What the multiplier sees of a decoded operand: k and sh widths (a format's, or a multi-mode decoder's). */
export interface OperandDims {
  label: string;
  kBits: number;
  shBits: number;
  /** A residual operand (the authors' RF8): its k values by R; the product is then a shift-and-add. */
  kTable?: readonly number[];
}

function dims(x: Format | OperandDims): OperandDims {
  if ('kBits' in x && 'label' in x) return x;
  const h = hwInput(x as Format);
  return { label: h.fmt.name, kBits: h.kBits, shBits: h.shBits, ...(h.fmt.policy.decoder === 'residual' ? { kTable: h.fmt.kTable! } : {}) };
}

/**
 * The shift-and-add form of a residual k table: k0 = kTable[0] = 2^base, and every other entry
 * k0 +- 2^j (spec section 8.4: ka * kb = (ka << base) + (+-ka << j), one adder). Throws if the
 * table has another shape (then the product is not a single shift-and-add).
 */
export function shiftAddTerms(kTable: readonly number[]): { base: number; terms: { k: number; j: number; neg: boolean }[] } {
  const k0 = kTable[0]!;
  const base = Math.log2(k0);
  if (!Number.isInteger(base)) throw new Error(`residual k table: k0 = ${k0} is not a power of two`);
  const terms: { k: number; j: number; neg: boolean }[] = [];
  for (const k of new Set(kTable)) {
    if (k === k0) continue;
    const d = Math.abs(k - k0);
    const j = Math.log2(d);
    if (!Number.isInteger(j) || j >= base) throw new Error(`residual k table: ${k} is not ${k0} +- 2^j`);
    terms.push({ k, j, neg: k < k0 });
  }
  return { base, terms };
}

export function emitMultiplier(name: string, fa: Format | OperandDims, fb: Format | OperandDims, PW: number, faults = new Faults()): string {
  const A = dims(fa);
  const B = dims(fb);
  const KA = A.kBits;
  const KB = B.kBits;
  const KK = KA + KB;
  const SS = Math.max(A.shBits, B.shBits) + 1;
  const MB = PW - 1; // magnitude bits
  const L: string[] = [];
  const sa = A.kTable || B.kTable;
  L.push(
    fileHeader(name, [
      sa
        ? `Multiplier ${A.label} x ${B.label}: P = +-(ka kb) << (sha+shb), ${PW}-bit signed, the product ka kb as one shift-and-add (residual operand ${B.kTable ? 'b' : 'a'}).`
        : `Multiplier ${A.label} x ${B.label}: P = +-(ka*kb) << (sha+shb), ${PW}-bit signed.`,
      'Mirrors src/arith productTable(): a NaN/Inf operand gives nan = 1 and P = 0; en = 0 gives 0.',
    ]),
  );
  L.push(`module ${name} (`);
  L.push(`  input  wire ${range(1).padEnd(7)} en,`);
  L.push(`  input  wire ${range(1).padEnd(7)} sa,`);
  L.push(`  input  wire ${range(KA).padEnd(7)} ka,`);
  L.push(`  input  wire ${range(A.shBits).padEnd(7)} sha,`);
  L.push(`  input  wire ${range(1).padEnd(7)} na,`);
  L.push(`  input  wire ${range(1).padEnd(7)} sb,`);
  L.push(`  input  wire ${range(KB).padEnd(7)} kb,`);
  L.push(`  input  wire ${range(B.shBits).padEnd(7)} shb,`);
  L.push(`  input  wire ${range(1).padEnd(7)} nb,`);
  L.push(`  output wire ${range(PW).padEnd(7)} p,`);
  L.push(`  output wire ${range(1).padEnd(7)} nan${faults.schema ? ',' : ''}`);
  L.push(...faults.port().map((x) => `  ${x}`));
  L.push(`);`);
  if (A.kTable || B.kTable) L.push(...shiftAdd(A, B, KK, faults));
  else L.push(`  wire [${KK - 1}:0] kk = {${KB}'d0, ka} * {${KA}'d0, kb};`);
  const shA = SS > A.shBits ? `{${SS - A.shBits}'d0, sha}` : 'sha';
  const shB = SS > B.shBits ? `{${SS - B.shBits}'d0, shb}` : 'shb';
  L.push(`  wire [${SS - 1}:0] ss = ${shA} + ${shB};`);
  if (KK <= MB) {
    const ext = KK < MB ? `{${MB - KK}'d0, kk}` : 'kk';
    L.push(`  wire [${MB - 1}:0] mag = ${ext} << ss;`);
  } else {
    // finite products never exceed max|P| < 2^MB; the top bits of kk are always 0 for them
    L.push(sa ? `  // verilator lint_off UNUSEDSIGNAL` : `  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire [${KK - 1}:0] kx = kk << ss;`);
    L.push(sa ? `  // verilator lint_on UNUSEDSIGNAL` : `  /* verilator lint_on UNUSEDSIGNAL */`);
    L.push(`  wire [${MB - 1}:0] mag = kx[${MB - 1}:0];`);
  }
  L.push(`  wire [${PW - 1}:0] pm = {1'b0, mag};`);
  L.push(`  wire neg = ${faults.sel('sign-a-only', 'sa', 'sa ^ sb')};${faults.tag('sign-a-only')}`);
  L.push(`  wire bad = na | nb;`);
  L.push(`  assign p   = (en & ~bad) ? (neg ? (${PW}'d0 - pm) : pm) : ${PW}'d0;`);
  L.push(`  assign nan = ${faults.sel('nan-masked-lane', 'bad', 'en & bad')};${faults.tag('nan-masked-lane')}`);
  L.push(`endmodule`);
  return L.join('\n') + '\n';
}

/**
 * ka kb for a residual operand r (b, else a) and the other operand x: zero when kr = 0, else
 * (x << base) + (+-x << j) with j and the sign picked by kr's value (an AND-OR selection of the
 * shifted x), one adder/subtractor; no multiplier. Both residual: the same with x = ka.
 */
function shiftAdd(A: OperandDims, B: OperandDims, KK: number, faults: Faults): string[] {
  const rIsB = !!B.kTable;
  const R = rIsB ? B : A;
  const X = rIsB ? A : B;
  const kr = rIsB ? 'kb' : 'ka';
  const kx = rIsB ? 'ka' : 'kb';
  const { base, terms } = shiftAddTerms(R.kTable!);
  const XW = X.kBits;
  const xe = `{${KK - XW}'d0, ${kx}}`;
  const L: string[] = [];
  L.push(`  // shift-and-add: ${kx} times ${kr} = (${kx} << ${base}) + (+-${kx} << j), j and the sign by the value of ${kr}`);
  L.push(`  wire [${KK - 1}:0] xw = ${xe};`);
  L.push(`  wire [${KK - 1}:0] t1 = xw << ${base};`);
  const sel = terms.map((t) => `({${KK}{${kr} == ${R.kBits}'d${t.k}}} & (xw << ${t.j}))`);
  L.push(`  wire [${KK - 1}:0] t2 = ${sel.length ? sel.join(' | ') : `${KK}'d0`};`);
  const negs = terms.filter((t) => t.neg).map((t) => `(${kr} == ${R.kBits}'d${t.k})`);
  L.push(`  wire sub = ${faults.sel('rf8-shift-add-sign', "1'b0", negs.length ? negs.join(' | ') : "1'b0")};${faults.tag('rf8-shift-add-sign')}`);
  L.push(`  wire kz = (${kr} == ${R.kBits}'d0);`);
  L.push(`  wire [${KK - 1}:0] kk = kz ? ${KK}'d0 : (sub ? (t1 - t2) : (t1 + t2));`);
  return L;
}
