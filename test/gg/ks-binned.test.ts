// The binned KS (src/gg/ks-binned.ts): the Float32Array fast path (a table over the top 16 bits
// of the float pattern) counts exactly the bins the plain binary search gives, and the estimate
// brackets the exact KS distance within its certified error.
import { describe, expect, it } from 'vitest';
import { ggKsBinned, ggKsEdges, ksBinnedAt } from '../../src/gg/ks-binned.js';
import { ggKsDistance } from '../../src/gg/gof.js';
import { sampleGG } from '../../src/gg/sample.js';
import { Rng } from '../../src/util/rng.js';

describe('binned KS', () => {
  it('Float32Array fast path = binary search on the same values (several shapes, specials, ties at the edges)', () => {
    for (const [beta, seed] of [[0.3, 1], [0.7, 2], [1, 3], [2, 4], [4, 5]] as const) {
      const x32 = Float32Array.from(sampleGG(new Rng(seed), 0.02, beta, 200_000));
      const { edges, Fe } = ggKsEdges(0.02, beta, 1024);
      // values exactly on edges (rounded to float32), both zeros, subnormals, NaN and infinities
      for (let k = 0; k < 500; k++) x32[k] = edges[(k * 37) % edges.length]!;
      x32.set([0, -0, 1e-45, -1e-45, 1.2e-38, -1.2e-38, NaN, Infinity, -Infinity, 3.4e38, -3.4e38], 600);
      let n = 0;
      for (const v of x32) if (v - v === 0) n++;
      const fast = ksBinnedAt(x32, edges, Fe, n);
      const plain = ksBinnedAt(Float64Array.from(x32), edges, Fe, n);
      expect(fast, `beta ${beta}`).toEqual(plain);
    }
  });

  it('brackets the exact KS distance: lo <= D <= hi, |ks - D| <= error <= ~1/(2B)', () => {
    for (const beta of [0.5, 1.5]) {
      const x = Float32Array.from(sampleGG(new Rng(7), 1, beta, 100_000));
      const d = ggKsDistance(x, 1.05, beta * 0.97);
      const e = ggKsBinned(x, 1.05, beta * 0.97, { bins: 512, exactBelow: 0 });
      expect(e.lo).toBeLessThanOrEqual(d + 1e-12);
      expect(e.hi).toBeGreaterThanOrEqual(d - 1e-12);
      expect(Math.abs(e.ks - d)).toBeLessThanOrEqual(e.error + 1e-12);
      expect(e.error).toBeLessThanOrEqual(1 / (2 * 512) + 1e-9);
    }
  });
});
