import { describe, expect, it } from 'vitest';
import { CODEBOOK_TABLES, getFormat } from '../../src/format/index.js';
import { codebookBinades, FAULTS, FAULT_NAMES, faultApplies, faultKinds, generateRtl, hwInput, lintVerilator } from '../../src/rtl/index.js';
import { codebookConverterBench, decoderBench, multiplierBench } from '../../src/sim/index.js';
import { haveTools } from '../sim/tools.js';

// The GG codebooks in the generated engine (docs/rf8-spec.md section 9.5): a 256-entry decoder
// table into (k, sh), the output converter as comparisons against the table's midpoints. Each
// block under Icarus against the reference (the decoder exhaustively, the converter on a sample
// with every midpoint one LSB either side); one engine through verilator -Wall.

/** The midpoints of a codebook in units of 2^(tmin - 2), from the committed table (spec text: (v_p + v_{p+1}) / 2). */
function specMids(name: string): number[] {
  const t = CODEBOOK_TABLES.find((e) => e.name === name)!;
  const v = [0, ...t.k.map((k, i) => k * 2 ** (t.sh[i]! + 2))]; // units of 2^(tmin - 2): k 2^(sh + tmin) = k 2^(sh + 2) units
  return v.slice(0, -1).map((x, i) => (x + v[i + 1]!) / 2);
}

describe('codebook converter constants: every midpoint of the table, once, in its binade', () => {
  it('the binade thresholds rebuild the 127 midpoints of the spec', () => {
    for (const name of ['cb-b1-p0', 'cb-b0.3-p1', 'cb-b4-p3']) {
      const { FB, binades } = codebookBinades(getFormat(name));
      const got: number[] = [];
      // threshold t in binade eb: mid = t 2^(eb - FB) in units of 2^tmin, i.e. t 2^(eb - FB + 2) in units of 2^(tmin - 2)
      for (const b of binades) for (const t of b.thr) got.push(t * 2 ** (b.eb - FB + 2));
      expect(got, name).toEqual(specMids(name));
      // the payload below a binade's first threshold is the number of midpoints below the binade
      let n = 0;
      for (const b of binades) {
        expect(b.first, `${name} binade ${b.eb}`).toBe(n);
        n += b.thr.length;
      }
    }
  });
});

describe('codebook faults (src/rtl/faults.ts kinds "table")', () => {
  const code = (t: string): string => t.replace(/^\/\/.*\n/gm, '');
  const cbFaults = FAULT_NAMES.filter((f) => faultKinds(f).includes('table'));
  it('each changes only the codebook block it names (operand a decoder, output 0 converter), and the clean engine has no marker', () => {
    expect(cbFaults.length).toBeGreaterThanOrEqual(6);
    const base = { a: 'cb-b1-p0', b: 'rf8-e3m4', lanes: 2, outs: ['cb-b1-p0', 'rf8-e3m4'] };
    const clean = generateRtl(base);
    for (const s of clean.sources) expect(s.text).not.toMatch(/FAULT/);
    const blockFile: Record<string, RegExp> = { decoder: /_dec_a\./, converter: /_cvt_o0\./ };
    for (const f of cbFaults) {
      const g = generateRtl({ ...base, faults: [f] });
      const changed = g.sources.filter((s, i) => code(s.text) !== code(clean.sources[i]!.text)).map((s) => s.name);
      expect(changed.length, f).toBeGreaterThan(0);
      for (const n of changed) expect(n, `${f} changed ${n}`).toMatch(blockFile[FAULTS[f].block]!);
    }
  });
  it('a site exists where the engine has a codebook operand (decoder faults) or a codebook output (converter faults), and nowhere else', () => {
    const cfg = (o: object) => generateRtl(o as never).cfg;
    const e3 = cfg({ a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 1 });
    const cbOut = cfg({ a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 1, outs: ['cb-b2-p1'] });
    const cbIn = cfg({ a: 'rf8-e3m4', b: 'cb-b2-p1', lanes: 1, outs: ['rf8-e3m4'] });
    for (const f of cbFaults) {
      expect(faultApplies(f, e3), f).toBe(false);
      expect(faultApplies(f, cbOut), f).toBe(FAULTS[f].block === 'converter');
      expect(faultApplies(f, cbIn), f).toBe(FAULTS[f].block === 'decoder');
    }
    // the float-converter faults have no site in an engine whose only converters are a codebook's and none for binary32
    const onlyCb = cfg({ a: 'cb-b1-p0', b: 'cb-b1-p0', lanes: 1, outs: ['cb-b1-p0'], f32: false });
    expect(FAULT_NAMES.filter((f) => faultApplies(f, onlyCb) && FAULTS[f].block === 'converter').sort()).toEqual([...cbFaults.filter((f) => FAULTS[f].block === 'converter'), 'nan-not-propagated', 'zero-sign'].sort());
  });
  it('the schema engine holds every codebook fault site (one selectable bit each)', () => {
    const g = generateRtl({ a: 'cb-b1-p0', b: 'cb-b1-p0', lanes: 1, outs: ['cb-b1-p0'], faultSchema: true });
    const text = g.sources.map((s) => s.text).join('\n');
    for (const f of cbFaults) expect(text, f).toContain(`fault_sel[${FAULT_NAMES.indexOf(f)}]`);
  });
});

const ok = haveTools('iverilog', 'vvp');

describe.skipIf(!ok)('codebook blocks under Icarus against the reference', () => {
  it('decoder: all 256 codes of two codebooks (the widest sh and the sample one)', { timeout: 120_000 }, async () => {
    for (const name of ['cb-b0.3-p3', 'cb-b1-p0']) {
      expect(hwInput(name).shBits).toBe(32 - Math.clz32(getFormat(name).shMax));
      const r = await decoderBench(name);
      expect(r.vectors).toBe(256);
      expect(r.errors, `${name}: ${r.firstError}`).toBe(0);
    }
  });
  it('output converter: every value and midpoint +-1 LSB, the zero and saturation edges, random (two codebooks)', { timeout: 120_000 }, async () => {
    for (const [name, W] of [
      ['cb-b1-p0', 43],
      ['cb-b0.3-p3', 53],
    ] as const) {
      const r = await codebookConverterBench(name, W, 600, 3);
      expect(r.vectors).toBeGreaterThan(1500);
      expect(r.errors, `${name}: ${r.firstError}`).toBe(0);
    }
  });
  it('decoders + multiplier cb-b1-p0 x rf8-e3m4: all 65536 code pairs', { timeout: 120_000 }, async () => {
    const r = await multiplierBench('cb-b1-p0', 'rf8-e3m4');
    expect(r.vectors).toBe(65536);
    expect(r.errors, r.firstError).toBe(0);
  });
});

describe.skipIf(!haveTools('verilator'))('a codebook engine is clean under verilator -Wall', () => {
  it('cb-b1-p0 x rf8 weights, outputs the codebook, rf8-e3m4 and binary32, pipelined', { timeout: 120_000 }, async () => {
    const g = generateRtl({ a: 'cb-b1-p0', b: 'rf8', lanes: 2, pipe: 4, outs: ['cb-b1-p0', 'rf8-e3m4'] });
    expect(g.sources.find((s) => s.name === 'rf8_dec_a.sv')!.text).toMatch(/case \(code\)/);
    const v = await lintVerilator(g);
    expect(v.output).toBe('');
    expect(v.ok).toBe(true);
  });
});
