import { describe, expect, it } from 'vitest';
import { CORE_FORMAT_NAMES, getFormat, type FormatName } from '../../src/format/index.js';
import { FAULTS, FAULT_NAMES, faultKinds, generateRtl, lintIverilog, lintVerilator, lintYosys, parseOut, resolveConfig, shiftAddTerms } from '../../src/rtl/index.js';
import { decoderBench, multiplierBench, residualConverterBench } from '../../src/sim/index.js';
import { InputError } from '../../src/util/errors.js';
import { rf8 } from '../helpers/cli.js';
import { haveTools } from '../sim/tools.js';

// The authors' RF8 (the residual kind, docs/rf8-spec.md section 8) through the RTL generator.
// The k row of the spec's table, written here from the spec text (not read from src/format).
const SPEC_K = [16, 24, 20, 12, 18, 14, 17, 15];

/** Strip // and block comments: what remains is Verilog code. */
const code = (t: string): string => t.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

describe('rf8 operands: the generated multiplier has no multiplier', () => {
  it('for every format F, F x rf8 and rf8 x F: the multiplier and the rf8 decoder contain no * at all (not even in comments), the rf8 converters none in their code', () => {
    for (const f of CORE_FORMAT_NAMES) {
      for (const [a, b] of [
        [f, 'rf8'],
        ['rf8', f],
      ] as [FormatName, FormatName][]) {
        const g = generateRtl({ a, b, lanes: 2, outs: ['rf8', 'rf8:nearest'] });
        const mul = g.sources.find((s) => s.name === 'rf8_mul.sv')!;
        expect(mul.text, `${a} x ${b}`).not.toContain('*');
        expect(mul.text).toMatch(/shift-and-add/);
        for (const n of ['rf8_cvt_o0.sv', 'rf8_cvt_o1.sv']) expect(code(g.sources.find((s) => s.name === n)!.text), n).not.toContain('*');
        const dec = g.sources.find((s) => s.name === (b === 'rf8' ? 'rf8_dec_b.sv' : 'rf8_dec_a.sv'))!;
        expect(dec.text).not.toContain('*');
        // and no multiplication anywhere in the code of the design (the top's comments mention A * 2^T)
        for (const s of g.sources) expect(code(s.text), `${a} x ${b} ${s.name}`).not.toMatch(/[^(@]\*[^)]/);
      }
    }
  });
  it('the multiplier of two layout formats still multiplies (the shift-and-add is for the residual kind only)', () => {
    const g = generateRtl({ a: 'rf8-e3m4', b: 'int8', lanes: 1 });
    expect(g.sources.find((s) => s.name === 'rf8_mul.sv')!.text).toMatch(/ka\} \* \{/);
  });
  it('shift-and-add terms: k = 16 +- 2^j for one j or none, from the k table (spec 8.4)', () => {
    const t = shiftAddTerms(SPEC_K);
    expect(t.base).toBe(4);
    for (const k of SPEC_K.slice(1)) {
      const term = t.terms.find((x) => x.k === k)!;
      expect((1 << t.base) + (term.neg ? -1 : 1) * (1 << term.j)).toBe(k);
    }
    expect(() => shiftAddTerms([16, 21])).toThrow();
    expect(() => shiftAddTerms([12, 13])).toThrow();
  });
});

describe('rf8 outputs: name:rounding', () => {
  it('rf8 is greedy by default, rf8:nearest the other converter; both on one engine', () => {
    expect(parseOut('rf8')).toMatchObject({ rounding: 'greedy', label: 'rf8' });
    expect(parseOut('rf8:greedy')).toMatchObject({ rounding: 'greedy', label: 'rf8' });
    expect(parseOut('rf8:nearest')).toMatchObject({ rounding: 'nearest', label: 'rf8:nearest' });
    expect(parseOut('rf8-e3m4')).toMatchObject({ rounding: 'rne', label: 'rf8-e3m4' });
    const c = resolveConfig({ a: 'int8', b: 'rf8', outs: ['rf8', 'rf8:nearest', 'int8'] });
    expect(c.outLabels).toEqual(['rf8', 'rf8:nearest', 'int8']);
    expect(c.outRoundings).toEqual(['greedy', 'nearest', 'rne']);
    expect(c.id).toContain('-orf8.rf8_nearest.int8.f32');
    const g = generateRtl(c);
    expect(g.sources.find((s) => s.name === 'rf8_cvt_o0.sv')!.text).toMatch(/rounding greedy/);
    expect(g.sources.find((s) => s.name === 'rf8_cvt_o1.sv')!.text).toMatch(/rounding nearest/);
  });
  it('roundings the hardware does not have, or repeated outputs, are InputErrors', () => {
    for (const o of [['rf8:rne'], ['rf8:sr'], ['rf8-e3m4:nearest'], ['rf8-e3m4:rtz'], ['rf8', 'rf8:greedy'], ['rf8:bogus']]) expect(() => resolveConfig({ a: 'rf8', outs: o }), o.join(' ')).toThrow(InputError);
  });
  it('rf8 rtl: a bad rounding exits 2 with one line naming it', () => {
    const r = rf8(['rtl', '-a', 'int8', '-b', 'rf8', '--outs', 'rf8:rne']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/rf8:rne/);
  });
  it('rf8 rtl -a F -b rf8 works for every format F and reports W from the spec bound', () => {
    const W: Record<string, number> = { 'rf8-e3m4': 43, int8: 39, rf8: 51 };
    for (const [f, w] of Object.entries(W)) {
      const r = rf8(['rtl', '-a', f, '-b', 'rf8', '--outs', 'rf8', 'rf8:nearest', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.W).toBe(w);
      expect(j.outs).toEqual(['rf8', 'rf8:nearest']);
    }
  });
});

describe('rf8 faults', () => {
  it('each rf8 fault changes only the rf8 block it names, in a DUT with an rf8 operand and both rf8 roundings', () => {
    const base = { a: 'rf8-e3m4', b: 'rf8', lanes: 2, outs: ['rf8', 'rf8:nearest'] };
    const clean = generateRtl(base);
    const rf8Faults = FAULT_NAMES.filter((f) => faultKinds(f).includes('residual'));
    expect(rf8Faults.length).toBeGreaterThanOrEqual(3);
    const blockFile: Record<string, RegExp> = { decoder: /_dec_b\./, multiplier: /_mul\./, converter: /_cvt_o[01]\./ };
    for (const f of rf8Faults) {
      const g = generateRtl({ ...base, faults: [f] });
      const changed = g.sources.filter((s, i) => code(s.text) !== code(clean.sources[i]!.text)).map((s) => s.name);
      expect(changed.length, f).toBeGreaterThan(0);
      for (const n of changed) expect(n, `${f} changed ${n}`).toMatch(blockFile[FAULTS[f].block]!);
    }
  });
});

const lintable = haveTools('verilator', 'iverilog', 'yosys');
describe.skipIf(!lintable)('rf8 configurations are clean under verilator -Wall, iverilog and yosys', () => {
  const configs = [
    { a: 'rf8-e3m4', b: 'rf8', lanes: 8, outs: ['rf8', 'rf8:nearest', 'rf8-e3m4'] },
    { a: 'rf8', b: 'rf8', lanes: 2, pipe: 6, outs: ['rf8:nearest', 'rf8'] },
    { a: 'int8', b: 'rf8', lanes: 3, pipe: 4, outs: ['int8', 'rf8'], W: 12 },
    { a: 'rf8', b: 'ocp-e5m2', lanes: 1, pipe: 0, outs: ['rf8', 'ocp-e4m3'], f32: false },
    { modes: ['rf8', 'rf8-e3m4'], lanes: 2, outs: ['rf8'] },
  ];
  for (const c of configs) {
    it(`${generateRtl(c).cfg.id}`, { timeout: 120_000 }, async () => {
      const g = generateRtl(c);
      const v = await lintVerilator(g);
      expect(v.output).toBe('');
      expect(v.ok).toBe(true);
      const i = await lintIverilog(g);
      expect(i.ok, i.output).toBe(true);
      const y = await lintYosys(g);
      expect(y.ok, y.output).toBe(true);
    });
  }
});

const ok = haveTools('iverilog', 'vvp');
describe.skipIf(!ok)('rf8 blocks against the reference under Icarus Verilog', () => {
  it('the rf8 decoder: all 256 codes (k by R as the spec table, sh = E - 1, E = 0 zero, 0x80 NaN)', { timeout: 120_000 }, async () => {
    const r = await decoderBench('rf8');
    expect(r.vectors).toBe(256);
    expect(r.errors, r.firstError).toBe(0);
    // the reference the bench compares with is the spec's table (independent check)
    const f = getFormat('rf8');
    expect(f.kTable).toEqual(SPEC_K);
  });
  // (every F x rf8 pair passed once: node -e with multiplierBench over CORE_FORMAT_NAMES; CI keeps four)
  it('shift-and-add multipliers rf8 x rf8, rf8-e3m4 x rf8, int8 x rf8, rf8 x ocp-e5m2: all 65536 code pairs', { timeout: 600_000 }, async () => {
    for (const [a, b] of [['rf8', 'rf8'], ['rf8-e3m4', 'rf8'], ['int8', 'rf8'], ['rf8', 'ocp-e5m2']] as [FormatName, FormatName][]) {
      const r = await multiplierBench(a, b);
      expect(r.vectors).toBe(65536);
      expect(r.errors, `${a} x ${b}: ${r.firstError}`).toBe(0);
    }
  });
  it('rf8 converters, greedy and nearest, at W = 39, 51 and 12: thresholds of both terms, midpoints, saturation, underflow, random', { timeout: 600_000 }, async () => {
    for (const W of [39, 51, 12])
      for (const rd of ['greedy', 'nearest'] as const) {
        const r = await residualConverterBench('rf8', rd, W, 800, W);
        expect(r.vectors).toBeGreaterThan(800);
        expect(r.errors, `${rd} W=${W}: ${r.firstError}`).toBe(0);
      }
  });
});
