import { describe, expect, it } from 'vitest';
import { ggQuality, rateQuality, modelRates, engineDesign, parseEstimateFormat, synthKey, getDevice, DEFAULT_FORMATS } from '../../src/estimate/index.js';
import { accWidth } from '../../src/arith/index.js';
import { GG_MODES } from '../../src/format/index.js';
import { sampleGG } from '../../src/gg/index.js';
import { Rng } from '../../src/util/rng.js';

describe('SQNR and rate on GG weights', () => {
  it('seeded: the same seed gives the same numbers', () => {
    const a = ggQuality(['rf8-e3m4', 'int8'], { n: 8192, seed: 5, betas: [1] });
    const b = ggQuality(['rf8-e3m4', 'int8'], { n: 8192, seed: 5, betas: [1] });
    expect(a).toEqual(b);
    expect(ggQuality(['rf8-e3m4'], { n: 8192, seed: 6, betas: [1] })[0]!.sqnrDb).not.toBe(a[0]!.sqnrDb);
  });
  it('the multi-mode unit is the best rf8 mode per tensor', () => {
    const rows = ggQuality(['gg-multi', ...GG_MODES], { n: 16384, seed: 9, betas: [0.5, 2] });
    for (const beta of [0.5, 2]) {
      const r = rows.filter((x) => x.beta === beta);
      const multi = r.find((x) => x.format === 'gg-multi')!;
      const best = Math.max(...r.filter((x) => x.format !== 'gg-multi').map((x) => x.sqnrDb));
      expect(multi.sqnrDb).toBeCloseTo(best, 9);
      expect(r.find((x) => x.format === multi.chosen)!.sqnrDb).toBeCloseTo(multi.sqnrDb, 9);
    }
  });
  it('bits/weight: entropy <= Huffman < entropy + 1, all <= 8 for a Huffman code of bytes', () => {
    const x = Float32Array.from(sampleGG(new Rng(2), 1, 1, 20000));
    for (const f of ['rf8-e3m4', 'ocp-e4m3', 'int8'] as const) {
      const q = rateQuality(x, [x.length], f);
      expect(q.entropyBits).toBeLessThanOrEqual(q.huffmanBits + 1e-12);
      expect(q.huffmanBits).toBeLessThan(q.entropyBits + 1);
      expect(q.huffmanBits).toBeLessThanOrEqual(8);
      expect(q.n).toBe(x.length);
    }
  });
  it('model rates without a file use GG(beta) samples and name them', () => {
    const r = modelRates(['int8'], undefined, 1.5, 7);
    expect(r.source).toMatch(/GG\(beta = 1.5\)/);
    expect(r.rows[0]!.huffmanBits).toBeGreaterThan(4);
  });
});

describe('configurations come from the generator with the exact accumulator width', () => {
  it('W = accWidth of src/arith for every single-format default, across lanes', () => {
    for (const f of DEFAULT_FORMATS) {
      if (f === 'gg-multi') continue;
      for (const n of [1, 16]) {
        const { info, design } = engineDesign({ format: f, lanes: n });
        expect(info.W).toBe(accWidth(f, f, 4096, n).W);
        expect(info.lanes).toBe(n);
        expect(design.sources.length).toBeGreaterThan(3);
        expect(design.sources.some((s) => s.text.includes(`module ${info.top}`))).toBe(true);
        for (const c of info.converters) expect(design.sources.some((s) => s.text.includes(`module ${c}`))).toBe(true);
      }
    }
  });
  it('the multi-mode unit: every rf8 mode on both operands, exact W over the mode pairs, the rf8-e3m4 row\'s outputs', () => {
    const { design, info } = engineDesign({ format: 'gg-multi', lanes: 4 });
    expect(info.format).toBe('gg-multi');
    expect(info.W).toBe(53);
    const top = design.sources.find((s) => s.name === `${info.top}.sv`)!.text;
    expect(top).toMatch(/in_mode_a/);
    expect(top).toMatch(/in_mode_b/);
    expect(info.converters).toEqual(engineDesign({ format: 'rf8-e3m4', lanes: 4 }).info.converters);
    expect(design.sources.filter((s) => /_dec_a_m\d\.sv$/.test(s.name))).toHaveLength(3);
  });
  it("the label is gg-multi; its old names map to it; the label is not a tool input (cache keys unchanged)", () => {
    for (const s of ['gg-multi', 'rf8-multi', 'multi', ' rf8-multi ']) expect(parseEstimateFormat(s)).toBe('gg-multi');
    expect(DEFAULT_FORMATS).toContain('gg-multi');
    expect(DEFAULT_FORMATS).not.toContain('rf8-multi');
    const { design } = engineDesign({ format: 'gg-multi', lanes: 1 });
    expect(design.name).toBe('gg-multi-n1-p2');
    // the design's label (what the old name changed) does not enter the synthesis key: the cached
    // tool results of the rf8-multi runs serve gg-multi
    for (const d of ['hx8k', 'ecp5'] as const) {
      const dev = getDevice(d);
      expect(synthKey({ ...design, name: 'rf8-multi-n1-p2' }, dev, 'yosys x')).toBe(synthKey(design, dev, 'yosys x'));
    }
    for (const s of design.sources) expect(s.text).not.toMatch(/gg-multi|gg_multi/);
  });
});
