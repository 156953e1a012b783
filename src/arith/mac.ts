import { InputError } from '../util/errors.js';
import { formatTables, getFormat, type Format, type FormatName } from '../format/index.js';
import { checkBeat, checkBigInt } from '../util/validate.js';

/**
 * Exact products and the W-bit accumulator of docs/rf8-spec.md section 4.
 *
 * Products are held as doubles: |ka*kb| <= 2^14 and the shift is at most 58, so every product
 * k*2^sh is an exactly representable double. Sums use doubles only where a bound proves them
 * exact (every partial sum below 2^53); otherwise BigInt.
 */

type Fmt = Format | FormatName;

const productCache = new Map<string, Float64Array>();

/**
 * The 65536-entry product table of a format pair, index (ca << 8) | cb: the signed integer
 * P = +-(ka*kb) << (sha + shb) in accumulator LSB units (an exact double), or NaN when either
 * operand is NaN (or infinite: the fixed-point accumulator has no infinity, so the MAC treats an
 * infinite operand like NaN; see docs/rf8-spec.md section 4).
 */
export function productTable(fa: Fmt, fb: Fmt): Float64Array {
  const A = getFormat(fa);
  const B = getFormat(fb);
  const key = `${A.name}*${B.name}`;
  let t = productCache.get(key);
  if (!t) {
    const ta = formatTables(A);
    const tb = formatTables(B);
    t = new Float64Array(65536);
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) {
        let p: number;
        if (ta.nan[a] || tb.nan[b]) p = NaN;
        else {
          p = ta.k[a]! * tb.k[b]! * 2 ** (ta.sh[a]! + tb.sh[b]!);
          if (ta.sign[a] !== tb.sign[b]) p = -p;
          else if (p === 0) p = 0; // no -0 in integer units
        }
        t[(a << 8) | b] = p === 0 ? 0 : p;
      }
    }
    productCache.set(key, t);
  }
  return t;
}

/** The exact product of two codes: P in accumulator LSB units (BigInt), or nan. */
export function product(fa: Fmt, ca: number, fb: Fmt, cb: number): { nan: boolean; p: bigint } {
  if (!Number.isInteger(ca) || ca < 0 || ca > 255 || !Number.isInteger(cb) || cb < 0 || cb > 255) throw new InputError(`product: codes must be 0..255: ${ca}, ${cb}`);
  const p = productTable(fa, fb)[(ca << 8) | cb]!;
  return p !== p ? { nan: true, p: 0n } : { nan: false, p: BigInt(p) };
}

/** Largest |k * 2^sh| over the finite codes of a format. */
export function maxMagnitudeUnits(f: Fmt): number {
  const F = getFormat(f);
  let best = maxMagCache.get(F.name);
  if (best === undefined) {
    const t = formatTables(F);
    best = 0;
    for (let c = 0; c < 256; c++) if (!t.nan[c]) best = Math.max(best, t.k[c]! * 2 ** t.sh[c]!);
    maxMagCache.set(F.name, best);
  }
  return best;
}
const maxMagCache = new Map<FormatName, number>();

/** Largest |P| of a format pair, in accumulator LSB units (exact: below 2^73). */
export function maxProduct(fa: Fmt, fb: Fmt): bigint {
  return BigInt(maxMagnitudeUnits(fa)) * BigInt(maxMagnitudeUnits(fb));
}

function bitsOf(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

export interface AccWidth {
  /** Accumulator width in bits. */
  W: number;
  /** Bits of the largest |P|. */
  productBits: number;
  /** Width of the N-lane adder tree's sum S (signed). */
  treeBits: number;
  /** Why: the bound, stated. */
  reason: string;
}

/**
 * The exact accumulator width of spec section 4: W = bits(max|P|) + 1 + ceil(log2(Nmax)), so a
 * dot product of up to Nmax terms can never clamp.
 */
export function accWidth(fa: Fmt, fb: Fmt, nmax: number, lanes = 1): AccWidth {
  if (!Number.isInteger(nmax) || nmax < 1) throw new InputError(`nmax must be a positive integer: ${nmax}`);
  if (!Number.isInteger(lanes) || lanes < 1) throw new InputError(`lanes must be a positive integer: ${lanes}`);
  const A = getFormat(fa);
  const B = getFormat(fb);
  const pb = bitsOf(maxProduct(A, B));
  const lg = Math.ceil(Math.log2(nmax) - 1e-12);
  const lgN = Math.ceil(Math.log2(lanes) - 1e-12);
  const W = pb + 1 + Math.max(0, lg);
  return {
    W,
    productBits: pb,
    treeBits: pb + 1 + Math.max(0, lgN),
    reason: `max|P| of ${A.name} x ${B.name} has ${pb} bits; +1 sign; +ceil(log2(${nmax})) = ${Math.max(0, lg)} for ${nmax}-term sums: W = ${W}`,
  };
}

export interface MacConfig {
  a: Fmt;
  b: Fmt;
  /** Accumulator width in bits (2..1024). */
  W: number;
  /** Lanes per cycle, 1..32. Default 1 (the sequential MAC). */
  lanes?: number;
}

/**
 * The N-lane MAC engine of spec section 4: each `step` takes up to N operand pairs (a valid
 * mask selects lanes), forms their exact sum S, then A <- clamp(A + S) to W bits; a clamp sets
 * the sticky `ovf`; any NaN operand in a valid lane sets the sticky `nan` (and contributes 0).
 * `clear(init)` loads A <- init and clears both flags.
 */
export class Mac {
  readonly fa: Format;
  readonly fb: Format;
  readonly W: number;
  readonly lanes: number;
  /** The product table in use (ModeMac swaps it per mode pair). */
  protected table: Float64Array;
  /** Each step's lane sum is multiplied by 2^shift before it is added (ModeMac's grid offset; 0 here). */
  protected shift = 0;
  /** Number mode when |A| + |S| < 2^53 is guaranteed. */
  private readonly exact: boolean;
  private readonly laneSumExact: boolean;
  private readonly hiN: number;
  private readonly loN: number;
  private readonly hiB: bigint;
  private readonly loB: bigint;
  private accN = 0;
  private accB = 0n;
  private nanF = false;
  private ovfF = false;

  /** `maxP`: the largest |P| * 2^shift the engine will see (ModeMac: over every mode pair); default the format pair's. */
  constructor(cfg: MacConfig, maxP?: number) {
    this.fa = getFormat(cfg.a);
    this.fb = getFormat(cfg.b);
    const W = cfg.W;
    if (!Number.isInteger(W) || W < 2 || W > 1024) throw new InputError(`accumulator width W must be an integer in [2, 1024]: ${W}`);
    const lanes = cfg.lanes ?? 1;
    if (!Number.isInteger(lanes) || lanes < 1 || lanes > 32) throw new InputError(`lanes must be an integer in [1, 32]: ${lanes}`);
    this.W = W;
    this.lanes = lanes;
    this.table = productTable(this.fa, this.fb);
    maxP ??= Number(maxProduct(this.fa, this.fb));
    this.laneSumExact = lanes * maxP < 2 ** 53;
    this.exact = W <= 52 && 2 ** (W - 1) + lanes * maxP < 2 ** 53;
    this.hiB = (1n << BigInt(W - 1)) - 1n;
    this.loB = -(1n << BigInt(W - 1));
    this.hiN = 2 ** (W - 1) - 1;
    this.loN = -(2 ** (W - 1));
  }

  clear(init: bigint = 0n): void {
    checkBigInt(init, 'clear: init');
    if (init > this.hiB || init < this.loB) throw new InputError(`clear: init ${init} does not fit in ${this.W} bits`);
    this.accN = Number(init);
    this.accB = init;
    this.nanF = false;
    this.ovfF = false;
  }

  /** One cycle. `a[i]`, `b[i]` are lane i's codes; `validMask` bit i enables lane i (default: all). */
  step(a: ArrayLike<number>, b: ArrayLike<number>, validMask?: number): void {
    const N = this.lanes;
    checkBeat(a, b, N, validMask, 'step');
    const mask = validMask ?? 0xffffffff;
    if (this.exact) {
      let S = 0;
      for (let i = 0; i < N; i++) {
        if (((mask >>> i) & 1) === 0) continue;
        const p = this.table[((a[i]! & 0xff) << 8) | (b[i]! & 0xff)]!;
        if (p !== p) this.nanF = true;
        else S += p;
      }
      let v = this.accN + (this.shift ? S * 2 ** this.shift : S);
      if (v > this.hiN) {
        v = this.hiN;
        this.ovfF = true;
      } else if (v < this.loN) {
        v = this.loN;
        this.ovfF = true;
      }
      this.accN = v;
      return;
    }
    let S = 0n;
    let Sn = 0;
    for (let i = 0; i < N; i++) {
      if (((mask >>> i) & 1) === 0) continue;
      const p = this.table[((a[i]! & 0xff) << 8) | (b[i]! & 0xff)]!;
      if (p !== p) this.nanF = true;
      else if (this.laneSumExact) Sn += p;
      else S += BigInt(p);
    }
    if (this.laneSumExact) S = BigInt(Sn);
    if (this.shift) S <<= BigInt(this.shift);
    let v = this.accB + S;
    if (v > this.hiB) {
      v = this.hiB;
      this.ovfF = true;
    } else if (v < this.loB) {
      v = this.loB;
      this.ovfF = true;
    }
    this.accB = v;
  }

  get acc(): bigint {
    return this.exact ? BigInt(this.accN) : this.accB;
  }
  get nan(): boolean {
    return this.nanF;
  }
  get ovf(): boolean {
    return this.ovfF;
  }
  /** tmin_a + tmin_b: the LSB power of the accumulator at scales 0. */
  get tBase(): number {
    return this.fa.tmin + this.fb.tmin;
  }
}
