/**
 * The demo's authors'-RF8 rows (src/demo/authors.ts) on a tiny MLP, without running the demo:
 * the configuration row carries the layers' formats, SQNRs, code entropy and counters, and the
 * markdown section shows both configurations and the per-layer SQNR table.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { buildRf8Mlp, evalRf8Mlp, initValues, mlpLayerSpecs, mlpSpecs } from '../../src/nn/index.js';
import { codeStreamStats } from '../../src/quant/index.js';
import { authorsRf8Markdown, configRow } from '../../src/demo/authors.js';

describe("demo: the authors' RF8 rows", () => {
  const sizes = [20, 10, 4];
  const specs = mlpSpecs(sizes);
  const values = initValues(specs, { dist: 'gg', beta0: 1 }, new Rng(8));
  const rng = new Rng(9);
  const n = 30;
  const x = Float32Array.from({ length: n * sizes[0]! }, () => rng.float());
  const set = { x, y: Uint8Array.from({ length: n }, (_, i) => i % 4), n };
  const entropy = (c: Uint8Array): number => codeStreamStats(c).entropyBits;
  const row = (opts: Parameters<typeof buildRf8Mlp>[4], name: string) => {
    const pack = buildRf8Mlp(sizes, specs, values, { x, n }, opts);
    const m = mlpLayerSpecs(sizes, values, pack);
    return configRow(name, pack, m, evalRf8Mlp(m, set), entropy);
  };
  const best = row({}, 'best float mode');
  const authors = row({ wFormat: 'rf8', aFormat: 'rf8-e3m4' }, "authors' RF8 x e3m4");

  it('rows carry formats, per-layer SQNR, entropy and zero counters', () => {
    expect(authors.weights).toBe('rf8 (greedy)');
    expect(authors.activations).toBe('rf8-e3m4');
    expect(authors.layers.map((l) => [l.name, l.format, l.rows, l.cols])).toEqual([['fc1', 'rf8', 10, 20], ['fc2', 'rf8', 4, 10]]);
    for (const l of authors.layers) expect(l.sqnrDb).toBeGreaterThan(20);
    // rf8 (about 28 dB) below the best GG float mode (about 37 dB) on every layer
    authors.layers.forEach((l, i) => expect(best.layers[i]!.sqnrDb - l.sqnrDb).toBeGreaterThan(5));
    expect(authors.bitsPerWeightEntropy).toBeGreaterThan(0);
    expect(authors.bitsPerWeightEntropy).toBeLessThan(8);
    expect([authors.ovf, authors.nan, authors.images]).toEqual([0, 0, n]);
  });

  it('the markdown section has both rows, the hardware result and the SQNR table', () => {
    const md = authorsRf8Markdown({ best: { ...best, hardware: { vectors: 42, mismatches: 0, images: 3, rtlAccuracy: 1, refAccuracy: 1, predictionsEqual: true } }, layerRef: { ...authors, hardwareNote: 'no RTL here' }, weightOnlyNote: 'not in this test' });
    expect(md).toMatch(/^## The authors' RF8 beside rf8kit's best float mode/);
    expect(md).toContain(`| best float mode | ${best.weights} | ${best.activations} |`);
    expect(md).toContain("| authors' RF8 x e3m4 | rf8 (greedy) | rf8-e3m4 |");
    expect(md).toContain('| 0 of 42 (3 images) |');
    expect(md).toContain('not run: no RTL here');
    expect(md).toContain('not run: not in this test');
    expect(md).toMatch(/\| fc1 \| fc2 \|/);
    expect(md).toContain(`${authors.layers[0]!.sqnrDb.toFixed(2)} (rf8)`);
  });
});
