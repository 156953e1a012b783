import { InputError } from '../util/errors.js';
import { GG_MODES, getFormat, type Format, type FormatName } from '../format/index.js';
import { Mac, maxMagnitudeUnits, productTable, type AccWidth } from './mac.js';

/**
 * Multi-mode operands: one MAC unit that takes each operand in any of a set of family formats
 * ("modes", e.g. rf8kit's three GG float modes), chosen per dot product.
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

/** The `--modes` shorthand for rf8kit's three GG float modes (mode numbers in GG_MODES order: e2m5, e3m4, e4m3). */
export const GG_MODES_SHORTHAND = 'gg-modes';

/** A `--modes` list: comma-separated format names, or 'gg-modes' for rf8kit's three GG float modes (rf8-e2m5, rf8-e3m4, rf8-e4m3). */
export function parseModeList(v: string): string[] {
  const t = v.trim();
  if (t === GG_MODES_SHORTHAND) return [...GG_MODES];
  const list = t.split(',').map((x) => x.trim()).filter((x) => x.length);
  if (list.length < 2 || list.length > MAX_MODES) {
    const hint = t === 'rf8' ? `; 'rf8' is the authors' residual format, '${GG_MODES_SHORTHAND}' names rf8kit's three GG float modes` : ` (or '${GG_MODES_SHORTHAND}')`;
    throw new InputError(`--modes: give 2 to ${MAX_MODES} comma-separated formats${hint}: '${v}'`);
  }
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
 * multi-mode unit): `Mac` with the product table of the selected mode pair and its lane sums
 * shifted onto the shared grid, so the clamp, sticky flags and clear are Mac's.
 * `clear(init, ma, mb)` also selects the operand modes, held until the next clear. The
 * accumulator counts units of 2^(t_a + t_b). After construction the modes are (0, 0) and A = 0.
 */
export class ModeMac extends Mac {
  readonly A: ModeSet;
  readonly B: ModeSet;
  private ma = 0;
  private mb = 0;

  constructor(cfg: ModeMacConfig) {
    const A = modeSet(cfg.a);
    const B = modeSet(cfg.b);
    super({ a: A.modes[0]!, b: B.modes[0]!, W: cfg.W, lanes: cfg.lanes }, Number(maxProductModes(A, B)));
    this.A = A;
    this.B = B;
    this.select(0, 0);
  }

  private select(ma: number, mb: number): void {
    this.ma = modeIndex(this.A, ma);
    this.mb = modeIndex(this.B, mb);
    this.table = productTable(this.A.modes[this.ma]!, this.B.modes[this.mb]!);
    this.shift = this.A.off[this.ma]! + this.B.off[this.mb]!;
  }

  /** A <- init, flags cleared, modes (ma, mb) selected (numbers past the lists select mode 0). */
  override clear(init: bigint = 0n, ma = 0, mb = 0): void {
    super.clear(init);
    this.select(ma, mb);
  }

  /** The selected modes. */
  get modes(): { a: number; b: number } {
    return { a: this.ma, b: this.mb };
  }
  /** t_a + t_b: the LSB power of the accumulator at scales 0. */
  override get tBase(): number {
    return this.A.t + this.B.t;
  }
}
