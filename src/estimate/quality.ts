/**
 * Quality and rate of each format on GG weights: SQNR (src/quant quantizeTensor, scale by the
 * empirical-MSE search) and the bits per weight of the code stream once entropy coded
 * (src/quant codeStreamStats: Shannon entropy, Huffman, signed Exp-Golomb). Seeded GG samples
 * (src/gg sampleGG) or the weight tensors of a checkpoint.
 */
import { sampleGG } from '../gg/index.js';
import { quantizeTensor, codeStreamStats } from '../quant/index.js';
import type { FormatName } from '../format/index.js';
import { Rng } from '../util/rng.js';
import { GG_MULTI, estimateOperands, type EstimateFormat } from './configs.js';

export interface RateQuality {
  format: EstimateFormat;
  /** The format a multi-mode quantizer picked (gg-multi), else the format itself. */
  chosen: FormatName | string;
  sqnrDb: number;
  /** Bits per weight: zero-order entropy (bound), Huffman (a real code), Exp-Golomb (no table). */
  entropyBits: number;
  huffmanBits: number;
  egBits: number;
  n: number;
}

export interface GGQualityRow extends RateQuality {
  beta: number;
}

/** The weight format of an estimate format: a pair A/B quantizes its weights in B. */
const quantFormat = (f: EstimateFormat): FormatName | 'auto' => (f === GG_MULTI ? 'auto' : (estimateOperands(f)!.b));

/** Quantize one tensor in a format and measure SQNR and bits per weight. */
export function rateQuality(data: Float32Array, shape: number[], f: EstimateFormat, perRow = false): RateQuality {
  const q = quantizeTensor(data, shape, { format: quantFormat(f), scaleMethod: 'mse', perRow });
  const s = codeStreamStats(q.codes, { twosComplement: q.format === 'int8' });
  return { format: f, chosen: q.format, sqnrDb: q.sqnrDb, entropyBits: s.entropyBits, huffmanBits: s.huffmanBits, egBits: s.egBits, n: s.n };
}

export interface GGQualityOptions {
  betas?: readonly number[];
  /** Samples per beta (default 2^17). */
  n?: number;
  seed?: number;
}

/**
 * SQNR and bits/weight of each format on GG(1, beta) samples (one tensor scale, chosen by the
 * empirical-MSE search; the SQNR does not depend on alpha up to the scale grid).
 */
export function ggQuality(formats: readonly EstimateFormat[], opts: GGQualityOptions = {}): GGQualityRow[] {
  const betas = opts.betas ?? [0.5, 1, 2];
  const n = opts.n ?? 1 << 17;
  const seed = opts.seed ?? 7;
  const rows: GGQualityRow[] = [];
  betas.forEach((beta, bi) => {
    const x = Float32Array.from(sampleGG(new Rng(seed + 1000 * bi), 1, beta, n));
    for (const f of formats) rows.push({ beta, ...rateQuality(x, [n], f) });
  });
  return rows;
}
