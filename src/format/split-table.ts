/**
 * Split-bucket encode tables, shared by the bulk encoders whose code is a monotone step function
 * of the binary32 magnitude with at most one step inside a bucket of 2^16 bit patterns (the
 * authors' RF8, the codebooks). A bucket (the top 16 bits of the pattern) either has one code, or
 * one code below a cut in its low 16 bits and the next from it on. The 65536-entry table is built
 * with the exact encoder (the cut by bisection), then gives a code with one load and, in the few
 * split buckets, one compare. Buckets marked `SPLIT_EXACT` (binary32 subnormals, Inf, NaN, or
 * more than one step) take the exact scalar path.
 */
export const SPLIT_EXACT = 0xffff;

export interface SplitTable {
  /** Code (< 256), 256 + index of a split bucket, or SPLIT_EXACT. */
  main: Uint16Array;
  cut: Uint16Array;
  below: Uint8Array;
  above: Uint8Array;
}

export class SplitTableBuilder {
  readonly main = new Uint16Array(65536);
  private readonly cut: number[] = [];
  private readonly below: number[] = [];
  private readonly above: number[] = [];

  constructor(private readonly what: string) {}

  /** Bucket `hi` has the single code `c` (or SPLIT_EXACT). */
  set(hi: number, c: number): void {
    this.main[hi] = c;
  }

  /**
   * Fill bucket `hi` from the exact encoder `enc` (of a bit pattern). `oneStep(c0, c1)` says
   * whether the codes at the bucket's ends are one step apart (else the bucket is exact).
   */
  bucket(hi: number, enc: (bits: number) => number, oneStep: (c0: number, c1: number) => boolean = () => true): void {
    const b0 = (hi << 16) >>> 0;
    const c0 = enc(b0);
    const c1 = enc((b0 | 0xffff) >>> 0);
    if (c0 === c1) {
      this.main[hi] = c0;
      return;
    }
    if (!oneStep(c0, c1)) {
      this.main[hi] = SPLIT_EXACT;
      return;
    }
    // the smallest low half whose code is c1 (codes are monotone in the magnitude)
    let lo = 1;
    let top = 0xffff;
    while (lo < top) {
      const mid = (lo + top) >>> 1;
      if (enc((b0 | mid) >>> 0) === c1) top = mid;
      else lo = mid + 1;
    }
    this.main[hi] = 256 + this.cut.length;
    this.cut.push(lo);
    this.below.push(c0);
    this.above.push(c1);
  }

  done(): SplitTable {
    if (256 + this.cut.length >= SPLIT_EXACT) throw new Error(`${this.what} bulk table: too many split buckets`);
    return { main: this.main, cut: Uint16Array.from(this.cut), below: Uint8Array.from(this.below), above: Uint8Array.from(this.above) };
  }
}

/** Encode `src` (with bit patterns `bits`) into `dst` through table `t`; `exact` encodes one value the scalar way. */
export function encodeWithSplitTable(t: SplitTable, src: Float32Array, bits: Uint32Array, dst: Uint8Array, exact: (x: number) => number): void {
  const { main, cut, below, above } = t;
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    const c = main[b >>> 16]!;
    if (c < 256) dst[i] = c;
    else if (c !== SPLIT_EXACT) {
      const j = c - 256;
      dst[i] = (b & 0xffff) < cut[j]! ? below[j]! : above[j]!;
    } else dst[i] = exact(src[i]!);
  }
}
