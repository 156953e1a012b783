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
}

function dims(x: Format | OperandDims): OperandDims {
  if ('kBits' in x && 'label' in x) return x;
  const h = hwInput(x as Format);
  return { label: h.fmt.name, kBits: h.kBits, shBits: h.shBits };
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
  L.push(
    fileHeader(name, [
      `Multiplier ${A.label} x ${B.label}: P = +-(ka*kb) << (sha+shb), ${PW}-bit signed.`,
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
  L.push(`  wire [${KK - 1}:0] kk = {${KB}'d0, ka} * {${KA}'d0, kb};`);
  const shA = SS > A.shBits ? `{${SS - A.shBits}'d0, sha}` : 'sha';
  const shB = SS > B.shBits ? `{${SS - B.shBits}'d0, shb}` : 'shb';
  L.push(`  wire [${SS - 1}:0] ss = ${shA} + ${shB};`);
  if (KK <= MB) {
    const ext = KK < MB ? `{${MB - KK}'d0, kk}` : 'kk';
    L.push(`  wire [${MB - 1}:0] mag = ${ext} << ss;`);
  } else {
    // finite products never exceed max|P| < 2^MB; the top bits of kk are always 0 for them
    L.push(`  /* verilator lint_off UNUSEDSIGNAL */`);
    L.push(`  wire [${KK - 1}:0] kx = kk << ss;`);
    L.push(`  /* verilator lint_on UNUSEDSIGNAL */`);
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
