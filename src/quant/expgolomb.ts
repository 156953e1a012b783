/**
 * Signed Exp-Golomb codes of order k (bit counts, an MSB-first bitstream, and its decoder).
 *
 * A signed value v maps to u >= 0 the H.264 `se(v)` way: v > 0 -> 2v - 1, v <= 0 -> -2v
 * (0, 1, -1, 2, -2, ... -> 0, 1, 2, 3, 4, ...). The order-k codeword of u is
 * w = u + 2^k written in binary, preceded by floor(log2 w) - k zeros:
 * 2 floor(log2 w) - k + 1 bits. Every int32 is codable for every k in 0..31.
 */
import { InputError } from '../util/errors.js';

export const EG_MAX_ORDER = 31;

/** se(v) mapping to a non-negative integer (exact in doubles for every int32). */
export function egMapSigned(v: number): number {
  return v > 0 ? 2 * v - 1 : v === 0 ? 0 : -2 * v;
}

/** Inverse of egMapSigned. */
export function egUnmapSigned(u: number): number {
  return u % 2 === 1 ? (u + 1) / 2 : u === 0 ? 0 : -u / 2;
}

/** floor(log2(w)) for an integer 1 <= w < 2^53. */
function ilog2(w: number): number {
  if (w < 4294967296) return 31 - Math.clz32(w);
  return 32 + ilog2(Math.floor(w / 4294967296));
}

function checkOrder(k: number): void {
  if (!Number.isInteger(k) || k < 0 || k > EG_MAX_ORDER) throw new RangeError(`Exp-Golomb order must be an integer in 0..${EG_MAX_ORDER}, got ${k}`);
}

/** Length in bits of the order-k codeword of the signed value v. */
export function egCodeLength(v: number, k: number): number {
  const w = egMapSigned(v) + 2 ** k;
  return 2 * ilog2(w) - k + 1;
}

/** Exact total bit count of the order-k signed Exp-Golomb code of `values`. */
export function egBitCount(values: Int32Array | ArrayLike<number>, k: number): number {
  checkOrder(k);
  const p = 2 ** k;
  let bits = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const w = (v > 0 ? 2 * v - 1 : -2 * v) + p;
    bits += 2 * (w < 4294967296 ? 31 - Math.clz32(w) : ilog2(w)) + 1;
  }
  return bits - k * n;
}

/** The order k in 0..31 with the fewest total bits (the smallest such k on ties). */
export function bestEgOrder(values: Int32Array | ArrayLike<number>): number {
  // bits(k) = sum 2 floor(log2(u + 2^k)) + 1 - k. Bucket u by floor(log2(u+1)) is not exact, so
  // count exactly but only over the k that can matter: 0..(floor(log2(max u)) + 1).
  let maxU = 0;
  for (let i = 0; i < values.length; i++) {
    const u = egMapSigned(values[i]!);
    if (u > maxU) maxU = u;
  }
  const kTop = Math.min(EG_MAX_ORDER, maxU > 0 ? ilog2(maxU) + 1 : 0);
  let best = 0;
  let bestBits = Infinity;
  for (let k = 0; k <= kTop; k++) {
    const b = egBitCount(values, k);
    if (b < bestBits) {
      bestBits = b;
      best = k;
    }
  }
  return best;
}

/** Appends bits MSB first into a byte array sized in advance. */
class BitWriter {
  private acc = 0; // pending bits, fewer than 8
  private nAcc = 0;
  private pos = 0;
  constructor(readonly out: Uint8Array) {}
  /** Write the low nb bits of v (0 <= v < 2^nb, nb <= 53), most significant first. */
  write(v: number, nb: number): void {
    while (nb > 24) {
      const sh = nb - 24;
      const hi = Math.floor(v / 2 ** sh);
      this.write24(hi, 24);
      v -= hi * 2 ** sh;
      nb = sh;
    }
    this.write24(v, nb);
  }
  private write24(v: number, nb: number): void {
    this.acc = (this.acc << nb) | v;
    this.nAcc += nb;
    while (this.nAcc >= 8) {
      this.nAcc -= 8;
      this.out[this.pos++] = (this.acc >>> this.nAcc) & 0xff;
    }
    this.acc &= (1 << this.nAcc) - 1;
  }
  zeros(nb: number): void {
    while (nb > 24) {
      this.write24(0, 24);
      nb -= 24;
    }
    this.write24(0, nb);
  }
  flush(): void {
    if (this.nAcc > 0) {
      this.out[this.pos++] = (this.acc << (8 - this.nAcc)) & 0xff;
      this.acc = 0;
      this.nAcc = 0;
    }
  }
}

/**
 * Encode `values` with the order-k signed Exp-Golomb code into an MSB-first bitstream of
 * ceil(egBitCount(values, k) / 8) bytes (the last byte is zero-padded).
 */
export function egEncode(values: Int32Array | ArrayLike<number>, k: number): Uint8Array {
  const total = egBitCount(values, k);
  const out = new Uint8Array(Math.ceil(total / 8));
  const w8 = new BitWriter(out);
  const p = 2 ** k;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) throw new RangeError(`egEncode: values[${i}] = ${v} is not an integer`);
    const w = egMapSigned(v) + p;
    const lg = ilog2(w);
    w8.zeros(lg - k);
    w8.write(w, lg + 1);
  }
  w8.flush();
  return out;
}

/** Decode n values of the order-k signed Exp-Golomb code from an MSB-first bitstream. */
export function egDecode(bytes: Uint8Array, n: number, k: number): Int32Array {
  checkOrder(k);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`egDecode: bad count ${n}`);
  const out = new Int32Array(n);
  const totalBits = bytes.length * 8;
  let pos = 0;
  const bit = (): number => {
    if (pos >= totalBits) throw new InputError(`Exp-Golomb stream truncated after ${pos} bits`);
    const b = (bytes[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
    pos++;
    return b;
  };
  const p = 2 ** k;
  for (let i = 0; i < n; i++) {
    let z = 0;
    while (bit() === 0) {
      z++;
      if (z > 64) throw new InputError(`Exp-Golomb stream corrupt: more than 64 leading zeros at value ${i}`);
    }
    // w has z + k + 1 bits, its leading 1 just read
    const rest = z + k;
    let w = 1;
    for (let j = 0; j < rest; j++) w = w * 2 + bit();
    const v = egUnmapSigned(w - p);
    if (v > 2147483647 || v < -2147483648) throw new InputError(`Exp-Golomb stream corrupt: value ${v} at ${i} is outside int32`);
    out[i] = v;
  }
  return out;
}
