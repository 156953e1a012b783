import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { codeStreamStats, huffmanLengths, histogramEntropyBits, codesToSigned, quantizeTensor, egBitCount } from '../../src/quant/index.js';
import { sampleGG } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';

describe('entropy of code streams', () => {
  it('Huffman lengths satisfy Kraft with equality and H <= L < H + 1', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 256, maxLength: 256 }), (h) => {
        const used = h.filter((c) => c > 0).length;
        const len = huffmanLengths(h);
        let kraft = 0;
        let n = 0;
        let bits = 0;
        for (let i = 0; i < 256; i++) {
          if (h[i]! > 0) {
            kraft += 2 ** -len[i]!;
            n += h[i]!;
            bits += h[i]! * len[i]!;
          } else expect(len[i]).toBe(0);
        }
        if (used >= 2) {
          expect(kraft).toBeCloseTo(1, 12);
          const H = histogramEntropyBits(h);
          expect(bits / n).toBeGreaterThanOrEqual(H - 1e-12);
          expect(bits / n).toBeLessThan(H + 1);
        }
      }),
      { numRuns: 100, seed: 9 },
    );
  });

  it('maps codes to distinct signed integers', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(new Set(codesToSigned(all)).size).toBe(256);
    expect(new Set(codesToSigned(all, true)).size).toBe(256);
    expect(Array.from(codesToSigned(Uint8Array.of(0x00, 0x05, 0x85, 0x80)))).toEqual([0, 5, -5, -128]);
  });

  it('RF8 codes of GG weights entropy-code below 8 bits per weight', () => {
    const x = Float32Array.from(sampleGG(new Rng(3), 0.02, 0.7, 100_000));
    const q = quantizeTensor(x, [x.length], { format: 'rf8-e3m4', scaleMethod: 'gg' });
    const s = codeStreamStats(q.codes);
    expect(s.n).toBe(x.length);
    expect(s.entropyBits).toBeLessThan(8);
    expect(s.huffmanBits).toBeGreaterThanOrEqual(s.entropyBits);
    expect(s.huffmanBits).toBeLessThan(s.entropyBits + 0.05);
    expect(s.huffmanBits).toBeLessThan(8);
    expect(s.egBits * s.n).toBe(egBitCount(codesToSigned(q.codes), s.egOrder));
  });
});
