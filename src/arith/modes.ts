import { InputError } from '../util/errors.js';
import { RF8_MODES, getFormat, type Format, type FormatName } from '../format/index.js';
import { maxMagnitudeUnits, productTable, type AccWidth } from './mac.js';

/**
 * Multi-mode operands: one MAC unit that takes each operand in any of a set of family formats
 * ("modes", e.g. the three rf8 modes), chosen per dot product.
 *
 * All modes of an operand share one fixed-point grid: the finest LSB among them,
 * t = min over the modes of tmin. A code of mode m is k * 2^(sh + tmin_m - t) on that grid, so a
 * product of modes (ma, mb) is the single-format product P(ma, mb) shifted left by
 * off_a(ma) + off_b(mb), with off(m) = tmin_m - t >= 0. The accumulator then holds
 * value = A * 2^(t_a + t_b + xa + xb) whatever the modes, and one output converter serves every
 * mode pair. Nothing is rounded: the shift is exact, so a multi-mode dot product equals the
 * single-format dot product of the same codes (scaled by 2^(off_a + off_b)) until it clamps.
 *
 * Mode numbers are 0..count-1 in list order; a number past the list selects mode 0 (the
 * hardware's mode inputs are 2 bits wide, and this is what its decoders do).
 */

type Fmt = Format | FormatName | string;

export interface ModeSet {
  /** The formats, in mode-number order (1 to 4 of them, no repeats). */
  modes: Format[];
  /** The shared LSB power: min over the modes of tmin. */
  t: number;
  /** off[m] = tmin of mode m - t (>= 0): the left shift that puts mode m on the shared grid. */
  off: number[];
}

export const MAX_MODES = 4;

export function modeSet(list: readonly Fmt[]): ModeSet {
  if (!list.length) throw new InputError('modes: give at least one format');
  if (list.length > MAX_MODES) throw new InputError(`modes: at most ${MAX_MODES} formats (a 2-bit mode input): ${list.length}`);
  const modes = list.map((f) => getFormat(f));
  if (new Set(modes.map((f) => f.name)).size !== modes.length) throw new InputError(`modes repeat: ${modes.map((f) => f.name).join(', ')}`);
  const t = Math.min(...modes.map((f) => f.tmin));
  return { modes, t, off: modes.map((f) => f.tmin - t) };
}

/** A `--modes` list: comma-separated format names, or 'rf8' for the three rf8 modes (mode numbers in RF8_MODES order: e2m5, e3m4, e4m3). */
export function parseModeList(v: string): string[] {
  const t = v.trim();
  if (t === 'rf8') return [...RF8_MODES];
  const list = t.split(',').map((x) => x.trim()).filter((x) => x.length);
  if (list.length < 2 || list.length > MAX_MODES) throw new InputError(`--modes: give 2 to ${MAX_MODES} comma-separated formats (or 'rf8'): '${v}'`);
  for (const n of list) getFormat(n);
  return list;
}

/** The mode a mode number selects (numbers past the list select mode 0). */
export function modeIndex(s: ModeSet, m: number): number {
  return Number.isInteger(m) && m >= 0 && m < s.modes.length ? m : 0;
}

function bitsOf(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/** Largest |P| over every mode pair, on the shared grid (units of 2^(t_a + t_b)). */
export function maxProductModes(A: ModeSet, B: ModeSet): bigint {
  let best = 0n;
  A.modes.forEach((fa, i) =>
    B.modes.forEach((fb, j) => {
      const p = (BigInt(maxMagnitudeUnits(fa)) * BigInt(maxMagnitudeUnits(fb))) << BigInt(A.off[i]! + B.off[j]!);
      if (p > best) best = p;
    }),
  );
  return best;
}

/** The exact accumulator width for multi-mode operands: the spec's bound with max|P| taken over every mode pair on the shared grid. */
export function accWidthModes(A: ModeSet, B: ModeSet, nmax: number, lanes = 1): AccWidth {
  if (!Number.isInteger(nmax) || nmax < 1) throw new InputError(`nmax must be a positive integer: ${nmax}`);
  if (!Number.isInteger(lanes) || lanes < 1) throw new InputError(`lanes must be a positive integer: ${lanes}`);
  const pb = bitsOf(maxProductModes(A, B));
  const lg = Math.max(0, Math.ceil(Math.log2(nmax) - 1e-12));
  const lgN = Math.max(0, Math.ceil(Math.log2(lanes) - 1e-12));
  const name = (s: ModeSet): string => (s.modes.length === 1 ? s.modes[0]!.name : `{${s.modes.map((f) => f.name).join(', ')}}`);
  return {
    W: pb + 1 + lg,
    productBits: pb,
    treeBits: pb + 1 + lgN,
    reason: `max|P| over the mode pairs of ${name(A)} x ${name(B)} on the shared grid 2^(${A.t} + ${B.t}) has ${pb} bits; +1 sign; +ceil(log2(${nmax})) = ${lg} for ${nmax}-term sums: W = ${pb + 1 + lg}`,
  };
}

const scaledCache = new Map<string, Float64Array>();

/** productTable(ma, mb) on the shared grid: every finite entry times 2^(off_a + off_b) (exact: below 2^53). */
function scaledTable(fa: Format, fb: Format, shift: number): Float64Array {
  const key = `${fa.name}*${fb.name}<<${shift}`;
  let t = scaledCache.get(key);
  if (!t) {
    const src = productTable(fa, fb);
    t = new Float64Array(65536);
    const s = 2 ** shift;
    for (let i = 0; i < 65536; i++) t[i] = src[i]! * s; // NaN stays NaN; a power-of-two factor is exact
    scaledCache.set(key, t);
  }
  return t;
}

export interface ModeMacConfig {
  /** Modes of operand a (mode-number order). */
  a: readonly Fmt[];
  /** Modes of operand b. */
  b: readonly Fmt[];
  /** Accumulator width in bits (2..1024). */
  W: number;
  lanes?: number;
}

/**
 * The N-lane MAC of spec section 4 for multi-mode operands (the reference of the generated
 * multi-mode unit). Same clamp, sticky flags and clear as `Mac`; `clear(init, ma, mb)` also
 * selects the operand modes, held until the next clear. The accumulator counts units of
 * 2^(t_a + t_b). After construction the modes are (0, 0) and A = 0.
 */
export class ModeMac {
  readonly A: ModeSet;
  readonly B: ModeSet;
  readonly W: number;
  readonly lanes: number;
  private table: Float64Array;
  private readonly hi: bigint;
  private readonly lo: bigint;
  private readonly laneSumExact: boolean;
  private accB = 0n;
  private nanF = false;
  private ovfF = false;
  private ma = 0;
  private mb = 0;

  constructor(cfg: ModeMacConfig) {
    this.A = modeSet(cfg.a);
    this.B = modeSet(cfg.b);
    const W = cfg.W;
    if (!Number.isInteger(W) || W < 2 || W > 1024) throw new InputError(`accumulator width W must be an integer in [2, 1024]: ${W}`);
    const lanes = cfg.lanes ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 32) throw new InputError(`lanes must be an integer in [1, 32]: ${lanes}`);
    this.laneSumExact = Number(maxProductModes(this.A, this.B)) * lanes < 2 ** 53;
    this.W = W;
    this.lanes = lanes;
    this.hi = (1n << BigInt(W - 1)) - 1n;
    this.lo = -(1n << BigInt(W - 1));
    this.table = this.tableFor(0, 0);
  }

  private tableFor(ma: number, mb: number): Float64Array {
    return scaledTable(this.A.modes[ma]!, this.B.modes[mb]!, this.A.off[ma]! + this.B.off[mb]!);
  }

  /** A <- init, flags cleared, modes (ma, mb) selected (numbers past the lists select mode 0). */
  clear(init: bigint = 0n, ma = 0, mb = 0): void {
    if (init > this.hi || init < this.lo) throw new InputError(`clear: init ${init} does not fit in ${this.W} bits`);
    this.accB = init;
    this.nanF = false;
    this.ovfF = false;
    this.ma = modeIndex(this.A, ma);
    this.mb = modeIndex(this.B, mb);
    this.table = this.tableFor(this.ma, this.mb);
  }

  step(a: ArrayLike<number>, b: ArrayLike<number>, validMask?: number): void {
    const mask = validMask ?? 0xffffffff;
    let S = 0; // exact when laneSumExact (|S| <= lanes * max|P| < 2^53)
    let SB = 0n;
    for (let i = 0; i < this.lanes; i++) {
      if (((mask >>> i) & 1) === 0) continue;
      const p = this.table[((a[i]! & 0xff) << 8) | (b[i]! & 0xff)]!;
      if (p !== p) this.nanF = true;
      else if (this.laneSumExact) S += p;
      else SB += BigInt(p);
    }
    let v = this.accB + (this.laneSumExact ? BigInt(S) : SB);
    if (v > this.hi) {
      v = this.hi;
      this.ovfF = true;
    } else if (v < this.lo) {
      v = this.lo;
      this.ovfF = true;
    }
    this.accB = v;
  }

  get acc(): bigint {
    return this.accB;
  }
  get nan(): boolean {
    return this.nanF;
  }
  get ovf(): boolean {
    return this.ovfF;
  }
  /** The selected modes. */
  get modes(): { a: number; b: number } {
    return { a: this.ma, b: this.mb };
  }
  /** t_a + t_b: the LSB power of the accumulator at scales 0. */
  get tBase(): number {
    return this.A.t + this.B.t;
  }
}
