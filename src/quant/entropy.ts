/**
 * Entropy coding of 8-bit code streams: how many bits per weight an RF8 (or any 8-bit) tensor
 * needs once entropy coded. Three numbers, all exact for the given stream:
 * - the zero-order Shannon entropy of the code histogram (the bound for any symbol-by-symbol
 *   code),
 * - the bit count of a Huffman code built for that histogram (what a real prefix code reaches;
 *   the code table itself is not counted),
 * - the bit count of a signed Exp-Golomb code of the codes read as signed integers, with the
 *   best order k (no table at all).
 */
import { bestEgOrder, egBitCount } from './expgolomb.js';

/** Histogram of byte codes. */
export function codeHistogram(codes: Uint8Array): Float64Array {
  const h = new Float64Array(256);
  for (let i = 0; i < codes.length; i++) h[codes[i]!]!++;
  return h;
}

/** Zero-order Shannon entropy in bits per symbol of a histogram. */
export function histogramEntropyBits(hist: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < hist.length; i++) n += hist[i]!;
  if (n === 0) return 0;
  let h = 0;
  for (let i = 0; i < hist.length; i++) {
    const c = hist[i]!;
    if (c > 0) h -= (c / n) * Math.log2(c / n);
  }
  return h;
}

/** Huffman code lengths for a histogram (0 for absent symbols; a lone symbol gets 1 bit). */
export function huffmanLengths(hist: ArrayLike<number>): Uint8Array {
  const m = hist.length;
  const len = new Uint8Array(m);
  // nodes: leaves 0..m-1, internal m..; simple O(m^2) merge is fine for m = 256
  const weight: number[] = [];
  const parent: number[] = [];
  const alive: number[] = [];
  for (let i = 0; i < m; i++) {
    weight.push(hist[i]!);
    parent.push(-1);
    if (hist[i]! > 0) alive.push(i);
  }
  if (alive.length === 0) return len;
  if (alive.length === 1) {
    len[alive[0]!] = 1;
    return len;
  }
  while (alive.length > 1) {
    // two smallest (ties: lowest index, deterministic)
    alive.sort((a, b) => weight[a]! - weight[b]! || a - b);
    const a = alive.shift()!;
    const b = alive.shift()!;
    const id = weight.length;
    weight.push(weight[a]! + weight[b]!);
    parent.push(-1);
    parent[a] = id;
    parent[b] = id;
    alive.push(id);
  }
  for (let i = 0; i < m; i++) {
    if (!(hist[i]! > 0)) continue;
    let d = 0;
    for (let j = i; parent[j]! >= 0; j = parent[j]!) d++;
    len[i] = d;
  }
  return len;
}

/** Codes read as signed integers: sign-magnitude floats (0x80 -> -128), two's complement for int8. */
export function codesToSigned(codes: Uint8Array, twosComplement = false): Int32Array {
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (twosComplement) out[i] = c >= 128 ? c - 256 : c;
    else out[i] = c < 128 ? c : c === 0x80 ? -128 : -(c & 0x7f);
  }
  return out;
}

export interface CodeStreamStats {
  n: number;
  /** Zero-order entropy, bits per weight. */
  entropyBits: number;
  /** Huffman code, bits per weight (table not counted). */
  huffmanBits: number;
  /** Signed Exp-Golomb with the best order, bits per weight. */
  egBits: number;
  egOrder: number;
  /** Distinct codes used. */
  distinct: number;
}

/** Bits per weight of an 8-bit code stream under the three codes above. */
export function codeStreamStats(codes: Uint8Array, opts: { twosComplement?: boolean } = {}): CodeStreamStats {
  const n = codes.length;
  const hist = codeHistogram(codes);
  const lens = huffmanLengths(hist);
  let huff = 0;
  let distinct = 0;
  for (let i = 0; i < 256; i++) {
    huff += hist[i]! * lens[i]!;
    if (hist[i]! > 0) distinct++;
  }
  const signed = codesToSigned(codes, !!opts.twosComplement);
  const k = bestEgOrder(signed);
  const eg = egBitCount(signed, k);
  return {
    n,
    entropyBits: histogramEntropyBits(hist),
    huffmanBits: n > 0 ? huff / n : 0,
    egBits: n > 0 ? eg / n : 0,
    egOrder: k,
    distinct,
  };
}
