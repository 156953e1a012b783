import { InputError } from '../util/errors.js';
import type { DecoderKind, Format } from '../format/index.js';

/**
 * Injectable faults: realistic RTL bugs that `rf8 rtl --inject FAULT` writes into the generated
 * Verilog. Each is a small local change in one block's emitter. The co-simulation suites must
 * kill every one of them (test/sim/mutants.test.ts, `rf8 cosim --mutants`).
 */
export const FAULTS = {
  'round-half-up': { block: 'converter', kinds: ['float', 'twos'], text: 'output rounding rounds ties up (away from zero) instead of to even' },
  'sticky-lost': { block: 'converter', kinds: ['float', 'twos'], text: 'rounding ignores the sticky bits below the guard bit' },
  'carry-lost': { block: 'converter', kinds: ['float', 'twos'], text: 'the rounding increment loses its carry into the next binade' },
  'zero-sign': { block: 'converter', text: 'a negative value that rounds to zero keeps its sign bit (0x80, the RF8 NaN)' },
  'nan-not-propagated': { block: 'converter', text: 'the output converters ignore the sticky NaN flag' },
  'no-saturation': { block: 'converter', kinds: ['float', 'twos'], text: 'output overflow wraps into the exponent field instead of saturating' },
  'f32-flush-subnormal': { block: 'converter', kinds: ['binary32'], text: 'the binary32 converter flushes subnormal results to zero' },
  'subnormal-shift': { block: 'decoder', kinds: ['float'], text: 'subnormal operands (E = 0) decode with shift 1 instead of 0 (off by one)' },
  'sign-a-only': { block: 'multiplier', text: 'the product sign is sign(a) instead of sign(a) xor sign(b)' },
  'nan-masked-lane': { block: 'multiplier', text: 'a NaN operand in a masked-off (invalid) lane still sets the NaN flag' },
  'lane-dropped': { block: 'tree', text: 'the adder tree drops the last lane' },
  'ovf-not-sticky': { block: 'accumulator', text: 'the overflow flag is not sticky (shows only the latest clamp)' },
  'clamp-width': { block: 'accumulator', text: 'the accumulator clamps at W-1 bits instead of W' },
  'clear-keeps-nan': { block: 'accumulator', text: 'clear does not reset the sticky NaN flag' },
  'init-ignored': { block: 'accumulator', text: 'clear loads 0 instead of the init (bias) value' },
  // the authors' RF8 (residual kind): sites only in an rf8 operand's decoder/multiplier or an rf8 output converter
  'rf8-r-table': { block: 'decoder', kinds: ['residual'], text: 'rf8 decoder: the last two entries of the k-by-R table are swapped (R = 6 gives 15, R = 7 gives 17)' },
  'rf8-shift-add-sign': { block: 'multiplier', kinds: ['residual'], text: 'rf8 shift-and-add: the second term is always added (rho = -1/4, -1/8, -1/16 act as +)' },
  'rf8-threshold-truncated': { block: 'converter', kinds: ['residual'], text: 'rf8 greedy output: the sqrt(2) comparison of the first term looks at the top 8 bits only (the bits below are ignored)' },
  'rf8-residual-sign': { block: 'converter', kinds: ['residual'], text: 'rf8 greedy output: the residual sign is lost (a negative second term is coded as positive)' },
  'rf8-no-drop': { block: 'converter', kinds: ['residual'], text: 'rf8 greedy output: a second term at d = 5 is not dropped (coded as d = 4)' },
  'rf8-nearest-tie-up': { block: 'converter', kinds: ['residual'], text: 'rf8 nearest output: ties go to the larger magnitude' },
  // the GG codebooks (table kind): sites only in a codebook operand's decoder table or a codebook output converter
  'cb-table-k': { block: 'decoder', kinds: ['table'], text: 'codebook decoder: one table entry (payload 64, both signs) has k off by one (k + 1)' },
  'cb-table-sh': { block: 'decoder', kinds: ['table'], text: 'codebook decoder: one table entry (payload 100, both signs) has sh off by one (sh - 1)' },
  'cb-table-sign': { block: 'decoder', kinds: ['table'], text: 'codebook decoder: the negative codes of the upper half (0xc0..0xff) lose their sign (decode as positive)' },
  'cb-mid-lsb': { block: 'converter', kinds: ['table'], text: 'codebook output: one midpoint comparison (payloads 63 / 64) is one LSB low' },
  'cb-tie-up': { block: 'converter', kinds: ['table'], text: 'codebook output: ties go to the larger magnitude (y >= mid instead of y > mid)' },
  'cb-sat-code': { block: 'converter', kinds: ['table'], text: 'codebook output: overflow saturates to the second-largest magnitude (payload 126 instead of 127)' },
} as const satisfies Record<string, FaultDef>;

/**
 * Where a fault's site is: the block it changes, and (`kinds`) the decoder kinds of the formats
 * whose block holds it: for a decoder or multiplier fault an operand's kind, for a converter
 * fault an output's (`binary32`: the binary32 output converter). No `kinds`: every block of that
 * name has the site.
 */
export interface FaultDef {
  block: 'decoder' | 'multiplier' | 'tree' | 'accumulator' | 'converter';
  kinds?: readonly (DecoderKind | 'binary32')[];
  text: string;
}

/** The decoder kinds a fault's site needs (empty: none; the site is in every engine). */
export function faultKinds(f: FaultName): readonly (DecoderKind | 'binary32')[] {
  const d: FaultDef = FAULTS[f];
  return d.kinds ?? [];
}

/** The formats of an engine, as the fault sites see them (an RtlConfig's operand modes and outputs). */
export interface FaultSiteConfig {
  modesA: { modes: readonly Format[] };
  modesB: { modes: readonly Format[] };
  outs: readonly Format[];
  f32: boolean;
}

/** Does the engine have the fault's site (an operand or output of a kind its block needs)? */
export function faultApplies(f: FaultName, cfg: FaultSiteConfig): boolean {
  const d: FaultDef = FAULTS[f];
  if (!d.kinds) return true;
  const have = new Set<DecoderKind | 'binary32'>();
  if (d.block === 'converter') {
    for (const o of cfg.outs) have.add(o.policy.decoder);
    if (cfg.f32) {
      have.add('binary32');
      have.add('float');
    }
  } else for (const m of [...cfg.modesA.modes, ...cfg.modesB.modes]) have.add(m.policy.decoder);
  return d.kinds.some((k) => have.has(k));
}

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function parseFaults(names: readonly string[] | undefined): FaultName[] {
  const out: FaultName[] = [];
  for (const n of names ?? []) {
    if (!(n in FAULTS)) throw new InputError(`unknown fault '${n}' (one of: ${FAULT_NAMES.join(', ')})`);
    if (!out.includes(n as FaultName)) out.push(n as FaultName);
  }
  return out.sort();
}

/**
 * The active faults, read by the emitters. Static mode writes the faulty logic in place of the
 * correct one (what `rf8 rtl --inject` emits). Schema mode ("mutant schemata") writes both,
 * selected by bit i of an extra input `fault_sel` (i = index in FAULT_NAMES), so one Verilated
 * model holds every mutant and a run picks one at run time.
 */
export class Faults {
  private readonly set: ReadonlySet<string>;
  constructor(
    names: readonly FaultName[] = [],
    readonly schema = false,
  ) {
    this.set = new Set(names);
  }
  /** Static mode: is fault f injected (schema mode: false; every site is selectable). */
  has(f: FaultName): boolean {
    return !this.schema && this.set.has(f);
  }
  get list(): FaultName[] {
    return [...this.set].sort() as FaultName[];
  }
  /** Expression: the faulty variant when fault f is active, else the correct one. */
  sel(f: FaultName, faulty: string, correct: string): string {
    if (this.schema) return `(fault_sel[${FAULT_NAMES.indexOf(f)}] ? (${faulty}) : (${correct}))`;
    return this.set.has(f) ? faulty : correct;
  }
  /** Port declaration line for modules with fault sites (schema mode), else none. */
  port(): string[] {
    return this.schema ? [`input  wire [${FAULT_NAMES.length - 1}:0] fault_sel`] : [];
  }
  /** Instance connection (schema mode), else ''. */
  conn(): string {
    return this.schema ? ', .fault_sel(fault_sel)' : '';
  }
  /** Static comment tag. */
  tag(f: FaultName): string {
    return this.schema ? ` // FAULT SITE ${f}` : this.set.has(f) ? ` // FAULT ${f}` : '';
  }
}
