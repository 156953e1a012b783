/**
 * The rf8 columns of the SQNR sweep (greedy and nearest) against an independent computation
 * written here from docs/rf8-spec.md section 8: the authors' greedy algorithm with BigInt
 * squares for round_log2, the nearest rounding as a nearest-neighbour search over the 256
 * decoded values of the spec's code table, the amax rule E <= 15, and the expected SQNR under
 * the law by quadrature. Small n, seeded; nothing hard-coded but the spec's table.
 */
import { describe, expect, it } from 'vitest';
import { runSqnrSweep } from '../../src/quant/index.js';
import { sampleGG, ggPdf, ggVariance } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';
import { exactMagnitude, modelGreedyValue, roundLog2Of } from '../format/rf8-model.js';

// the independent spec model of test/format/rf8-model.ts
const exact = exactMagnitude;
const roundLog2 = roundLog2Of;
const greedy = modelGreedyValue;

/** The 256 codes of spec 8.2, as magnitudes (NaN left out), ascending, distinct. */
const K_ROW = [16, 24, 20, 12, 18, 14, 17, 15];
const VALUES: number[] = (() => {
  const s = new Set<number>([0]);
  for (let E = 1; E <= 15; E++) for (let R = 0; R < 8; R++) s.add(K_ROW[R]! * 2 ** (E - 12));
  return [...s].sort((a, b) => a - b);
})();
/** Nearest (spec 8.3 step 3): the nearest magnitude, ties to the smaller. */
function nearest(y: number): number {
  let best = 0;
  for (const v of VALUES) if (Math.abs(y - v) < Math.abs(y - best)) best = v;
  return best;
}

/** Smallest X with round_log2(amax 2^-X) + 8 <= 15. */
function amaxX(amax: number): number {
  const { M, s } = exact(amax);
  let X = -200;
  while (roundLog2(M, s - X) + 8 > 15) X++;
  return X;
}

function sqnrAt(x: Float32Array, q: (y: number) => number, X: number): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const d = Math.abs(v) - q(Math.abs(v) * 2 ** -X) * 2 ** X;
    s += v * v;
    e += d * d;
  }
  return 10 * Math.log10(s / e);
}

describe('rf8 sweep columns', () => {
  const betas = [0.5, 1, 2];
  const n = 2000;
  const seed = 7;
  const res = runSqnrSweep({ betas, n, seed, formats: ['rf8', 'rf8-e3m4'] });

  it('has the rf8 greedy and nearest columns beside the others', () => {
    expect(res.columns.map((c) => c.key)).toEqual(['rf8', 'rf8:nearest', 'rf8-e3m4']);
    expect(res.columns.map((c) => c.rounding)).toEqual(['greedy', 'nearest', 'rne']);
    for (const r of res.rows) {
      expect(r.formats.rf8).toBeDefined();
      expect(r.variants['rf8:nearest']).toBeDefined();
      expect(r.variants['rf8-e3m4:nearest']).toBeUndefined();
      expect(r.lloydMaxDb).toBeGreaterThan(r.variants['rf8:nearest']!.best.sqnrDb);
    }
  });

  it('every rf8 cell equals the independent computation (best scale, amax, mse, gg at its X)', () => {
    res.rows.forEach((row, i) => {
      const x = Float32Array.from(sampleGG(new Rng(seed), 1, betas[i]!, n));
      let amax = 0;
      for (const v of x) amax = Math.max(amax, Math.abs(v));
      const xa = amaxX(amax);
      for (const [q, cell] of [
        [greedy, row.formats.rf8!],
        [nearest, row.variants['rf8:nearest']!],
      ] as const) {
        const at = new Map<number, number>();
        for (let X = xa - 24; X <= xa + 2; X++) at.set(X, sqnrAt(x, q, X));
        const best = Math.max(...at.values());
        expect(cell.best.sqnrDb).toBeCloseTo(best, 9);
        expect(cell.methods.amax!.X).toBe(xa);
        expect(cell.methods.amax!.sqnrDb).toBeCloseTo(at.get(xa)!, 9);
        let mse = -Infinity;
        for (let X = xa - 8; X <= xa + 2; X++) mse = Math.max(mse, at.get(X)!);
        expect(cell.methods.mse!.sqnrDb).toBeCloseTo(mse, 9);
        const gX = cell.methods.gg!.X;
        expect(cell.methods.gg!.sqnrDb).toBeCloseTo(at.get(gX)!, 9);
        expect(best - cell.methods.gg!.sqnrDb).toBeLessThan(0.15);
      }
      // nearest never loses to greedy in the same value set
      expect(row.variants['rf8:nearest']!.best.sqnrDb).toBeGreaterThan(row.formats.rf8!.best.sqnrDb);
    });
  });

  it('the law column: expected SQNR at lawX equals a quadrature of the greedy error', () => {
    const row = res.rows[1]!; // beta 1
    const X = row.formats.rf8!.lawX;
    // integrate (x - q(x))^2 f(x) over x > 0 on a log grid (midpoint rule on each cell of
    // constant q is fine: q is piecewise constant and the grid is fine)
    let err = 0;
    const lo = -40;
    const hi = 6;
    const steps = 60_000;
    for (let k = 0; k < steps; k++) {
      const u0 = lo + ((hi - lo) * k) / steps;
      const u1 = lo + ((hi - lo) * (k + 1)) / steps;
      const a = 2 ** u0;
      const b = 2 ** u1;
      const m = (a + b) / 2;
      const d = m - greedy(m * 2 ** -X) * 2 ** X;
      err += 2 * d * d * ggPdf(m, 1, 1) * (b - a);
    }
    const law = 10 * Math.log10(ggVariance(1, 1) / err);
    expect(Math.abs(row.formats.rf8!.lawDb - law)).toBeLessThan(0.02);
  });
});
