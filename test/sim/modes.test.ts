import { describe, expect, it } from 'vitest';
import { RF8_MODES } from '../../src/format/index.js';
import { generateRtl, lintVerilator, modeDecoderDims, resolveConfig } from '../../src/rtl/index.js';
import { buildModel, compareSequence, DutSession, modeDecoderBench, runMacProperty } from '../../src/sim/index.js';
import { InputError } from '../../src/util/errors.js';
import { rf8, rf8Async } from '../helpers/cli.js';
import { haveTools } from './tools.js';

const RF8 = [...RF8_MODES];

describe('multi-mode unit: configuration', () => {
  it('W is the exact bound over every mode pair; a/b must be the first mode; single-format ids are unchanged', () => {
    const c = resolveConfig({ modes: RF8, lanes: 8 });
    expect(c.multi).toBe(true);
    expect(c.fa.name).toBe('rf8-e2m5');
    expect(c.W).toBe(53);
    // docs/rtl.md: 6-bit k (e2m5), offsets +0/+1/+2, a 41-bit product, converter LSB power -10
    expect(c.PW).toBe(41);
    expect(c.modesA.off).toEqual([0, 1, 2]);
    expect(modeDecoderDims(c.modesA).kBits).toBe(6);
    expect(c.modesA.t + c.modesB.t).toBe(-10);
    expect(c.id).toBe('me2m5.e3m4.e4m3xme2m5.e3m4.e4m3-n8-w53-p2-oe2m5.f32');
    expect(resolveConfig({ a: 'rf8-e3m4', lanes: 8 }).id).toBe('e3m4xe3m4-n8-w35-p2-oe3m4.f32');
    expect(() => resolveConfig({ modes: RF8, a: 'rf8-e3m4' })).toThrow(/first mode/);
    expect(() => resolveConfig({ modes: ['rf8-e3m4'] })).toThrow(InputError);
    const g = generateRtl({ modes: RF8, lanes: 2, outs: ['rf8-e3m4'] });
    const top = g.sources.find((f) => f.name === 'rf8_dot.sv')!.text;
    expect(top).toMatch(/input\s+wire \[1:0\] in_mode_a/);
    expect(top).toMatch(/else if \(adv & in_valid & in_first\) ma0 <= in_mode_a;/);
    expect(g.sources.map((f) => f.name)).toContain('rf8_dec_b_m2.sv');
  });
});

const iv = haveTools('iverilog', 'vvp');
describe.skipIf(!iv)('multi-mode decoder block (iverilog, all 256 codes x 4 mode numbers)', () => {
  it.each([[RF8], [['ocp-e4m3', 'int8', 'rf8-e3m4', 'ocp-e5m2']]])('%j', async (modes) => {
    const r = await modeDecoderBench(modes);
    expect(r.errors, r.firstError).toBe(0);
    expect(r.vectors).toBe(1024);
  });
});

const ok = haveTools('verilator', 'g++');
describe.skipIf(!ok)('multi-mode unit: Verilator co-simulation against src/arith ModeMac', () => {
  it('lint clean; random MAC sequences with random modes agree (stalls, clamps, mixed layouts)', { timeout: 900_000 }, async () => {
    for (const o of [
      { modes: RF8, lanes: 2, outs: ['rf8-e3m4', 'rf8-e2m5', 'rf8-e4m3'], runs: 300 },
      { modes: RF8, lanes: 3, pipe: 0, W: 24, outs: ['rf8-e3m4', 'int8'], runs: 200 },
      { modes: ['ocp-e4m3', 'int8'], lanes: 2, pipe: 3, runs: 200 },
      { modes: RF8, lanes: 2, pipe: 6, outs: ['rf8-e3m4'], runs: 150 },
    ]) {
      const { runs, ...rtl } = o;
      const g = generateRtl(rtl);
      const lint = await lintVerilator(g);
      expect(lint.ok && lint.output === '', lint.output).toBe(true);
      const m = await buildModel(g);
      const s = new DutSession(m.exe, g.cfg);
      try {
        const r = await runMacProperty(s, g.cfg, { runs, seed: 21, stall: [0.2, 0.2] });
        expect(r.pass, `${g.cfg.id}: ${r.message}`).toBe(true);
      } finally {
        await s.close();
      }
    }
  });

  it('the property sees the modes: a reference with two modes swapped, or a DUT with a wrong grid offset, fails and shrinks', { timeout: 900_000 }, async () => {
    const g = generateRtl({ modes: RF8, lanes: 2 });
    const m = await buildModel(g);
    const s = new DutSession(m.exe, g.cfg);
    try {
      const swapped = resolveConfig({ modes: ['rf8-e3m4', 'rf8-e2m5', 'rf8-e4m3'], lanes: 2, outs: ['rf8-e2m5'] });
      expect(swapped.W).toBe(g.cfg.W);
      const r = await runMacProperty(s, swapped, { runs: 300, seed: 4 });
      expect(r.pass).toBe(false);
      expect(r.counterexample!.length).toBeLessThanOrEqual(2);
      expect(await compareSequence(s, g.cfg, r.counterexample!)).toBeNull(); // the right reference agrees on it
    } finally {
      await s.close();
    }
    // mutant: mode 2 (rf8-e4m3) placed one bit too low on the shared grid
    const bad = { ...g, sources: g.sources.map((f) => (f.name === 'rf8_dec_a.sv' ? { ...f, text: f.text.replace("+ 5'h2)", "+ 5'h1)") } : f)) };
    expect(bad.sources.find((f) => f.name === 'rf8_dec_a.sv')!.text).toContain("+ 5'h1)");
    const mb = await buildModel(bad);
    const sb = new DutSession(mb.exe, g.cfg);
    try {
      const r = await runMacProperty(sb, g.cfg, { runs: 300, seed: 4 });
      expect(r.pass).toBe(false);
      expect(r.counterexample!.length).toBe(1);
      expect(r.counterexample![0]!.first && (r.counterexample![0]!.ma ?? 0) === 2).toBe(true);
    } finally {
      await sb.close();
    }
  });

  it('rf8 rtl --modes gg-modes and rf8 cosim --props --modes gg-modes (CLI)', { timeout: 600_000 }, async () => {
    const r = rf8(['rtl', '--modes', 'gg-modes', '--lanes', '4', '--outs', 'rf8-e3m4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.modesA).toEqual(RF8);
    expect(j.W).toBe(53);
    const c = await rf8Async(['cosim', '--props', '--modes', 'gg-modes', '--lanes', '2', '--runs', '60', '--seed', '3']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/60 random MAC sequences: DUT == reference \(seed 3, me2m5\.e3m4\.e4m3x/);
    const e = rf8(['rtl', '--modes', 'rf8-e3m4']);
    expect(e.code).toBe(2);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
    expect(e.stderr).toMatch(/--modes: give 2 to 4/);
  });
});
