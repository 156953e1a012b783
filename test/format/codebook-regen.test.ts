import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CODEBOOK_TABLES } from '../../src/format/index.js';
import { CODEBOOK_FAMILY, CODEBOOK_TABLES_PATH, codebookEntrySource, codebookTablesSource, makeCodebookEntry, optimizeCodebook, type CodebookEntry } from '../../src/gg/codebook.js';
import { ggGridMse } from '../../src/gg/bounds.js';
import { ggVariance } from '../../src/gg/dist.js';

// docs/rf8-spec.md section 9.2: the committed tables are what `rf8 codebook --family` writes.
// The full regeneration (32 DPs, 15 s of CPU) is `rf8 codebook --family --check`; here one table
// is regenerated and the whole file is checked against the serializer.

const committed = readFileSync(CODEBOOK_TABLES_PATH, 'utf8');
const asEntry = (t: (typeof CODEBOOK_TABLES)[number]): CodebookEntry => ({ ...t, k: [...t.k], sh: [...t.sh] });

describe('committed codebook tables', () => {
  it('the file is byte for byte the serializer output of its own entries, in family order', () => {
    expect(codebookTablesSource(CODEBOOK_TABLES.map(asEntry))).toBe(committed);
    const order = CODEBOOK_FAMILY.betas.flatMap((b) => Array.from({ length: CODEBOOK_FAMILY.phases }, (_, j) => `cb-b${b}-p${j}`));
    expect(CODEBOOK_TABLES.map((t) => t.name)).toEqual(order);
  });

  it('regenerating cb-b2-p0 with the optimizer gives the committed entry byte for byte', () => {
    const e = makeCodebookEntry(2, 0);
    expect(committed).toContain(codebookEntrySource(e));
  });

  it("each table's SQNR, evaluated independently (incomplete-gamma cells of ggGridMse), is the recorded one", () => {
    for (const t of CODEBOOK_TABLES) {
      const alpha = 2 ** (t.phase / t.phases);
      const pts = [0, ...t.k.map((k, i) => k * 2 ** (t.sh[i]! + t.tmin))];
      const db = 10 * Math.log10(ggVariance(alpha, t.beta) / ggGridMse(alpha, t.beta, pts));
      expect(Math.abs(db - t.sqnrDb), t.name).toBeLessThan(0.002);
    }
  });
});

describe('the optimizer is the global optimum on the dyadic grid (brute force, small sizes)', () => {
  it('2 and 3 positive levels, K = 3: the DP equals exhaustive search over every increasing tuple', () => {
    // every positive k * 2^j with k < 8, j in [-8, 4]
    const set = new Set<number>();
    for (let j = -8; j <= 4; j++) for (let k = 1; k < 8; k++) set.add(k * 2 ** j);
    const cand = [...set].sort((a, b) => a - b);
    for (const [beta, L] of [
      [1, 2],
      [0.5, 2],
      [2, 3],
    ] as const) {
      let best = Infinity;
      let arg: number[] = [];
      const rec = (start: number, chosen: number[]): void => {
        if (chosen.length === L) {
          const m = ggGridMse(1, beta, [0, ...chosen]);
          if (m < best) [best, arg] = [m, [...chosen]];
          return;
        }
        for (let i = start; i < cand.length; i++) rec(i + 1, [...chosen, cand[i]!]);
      };
      rec(0, []);
      const r = optimizeCodebook({ K: 3, beta, levels: L });
      expect(r.values, `beta ${beta}, ${L} levels`).toEqual(arg);
      expect(Math.abs(r.mse - best) / best).toBeLessThan(1e-7); // Gauss-Legendre vs incomplete gamma
      expect(Math.abs(r.sqnrDb - 10 * Math.log10(ggVariance(1, beta) / best))).toBeLessThan(1e-6);
    }
  });
});
