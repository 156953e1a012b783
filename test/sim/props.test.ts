import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, generateRtl } from '../../src/rtl/index.js';
import { buildModel, compareSequence, DutSession, MUTANT_BASE, runMacProperty } from '../../src/sim/index.js';
import { rf8Async } from '../helpers/cli.js';
import { haveTools } from './tools.js';

const ok = haveTools('verilator', 'g++');

describe.skipIf(!ok)('fast-check: random MAC sequences on the DUT and the reference side by side', () => {
  it('the clean DUT agrees with the reference (with random stalls)', { timeout: 900_000 }, async () => {
    const g = generateRtl({ ...MUTANT_BASE, faultSchema: true });
    const m = await buildModel(g);
    const s = new DutSession(m.exe, g.cfg);
    try {
      const r = await runMacProperty(s, g.cfg, { runs: 150, seed: 42, stall: [0.2, 0.3] });
      expect(r.pass, r.message).toBe(true);
      expect(r.runs).toBe(150);
    } finally {
      await s.close();
    }
  });

  it('other configurations: small W (below the tree width), W > 64 (wide ports), baselines, pipe 0 and 3 to 6', { timeout: 900_000 }, async () => {
    for (const o of [
      // small W (below the tree width) with the first converter cut (pipe 4)
      { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 4, pipe: 4, W: 20, outs: ['rf8-e3m4', 'int8'] },
      { a: 'ocp-e5m2', b: 'int8', lanes: 3, pipe: 0, outs: ['ocp-e4m3', 'ocp-e5m2', 'int8'] },
      { a: 'rf8-e4m3', b: 'rf8-e2m5', lanes: 2, pipe: 3, W: 70 },
      { a: 'ocp-e4m3', b: 'rf8-e2m5', lanes: 2, pipe: 5, W: 70, outs: ['rf8-e2m5', 'ocp-e5m2'] },
      { a: 'rf8-e3m4', b: 'int8', lanes: 3, pipe: 6, outs: ['rf8-e3m4', 'ocp-e4m3'] },
    ]) {
      const g = generateRtl(o);
      const m = await buildModel(g);
      const s = new DutSession(m.exe, g.cfg);
      try {
        const r = await runMacProperty(s, g.cfg, { runs: 200, seed: 3, stall: [0.2, 0.2] });
        expect(r.pass, `${g.cfg.id}: ${r.message}`).toBe(true);
      } finally {
        await s.close();
      }
    }
  });

  it('a faulty DUT fails, and the failure shrinks to a minimal sequence with a replayable seed', { timeout: 900_000 }, async () => {
    const g = generateRtl({ ...MUTANT_BASE, faultSchema: true });
    const m = await buildModel(g);
    for (const [fault, maxBeats] of [
      ['lane-dropped', 1],
      ['ovf-not-sticky', 3],
      ['clear-keeps-nan', 3],
    ] as [string, number][]) {
      const s = new DutSession(m.exe, g.cfg, { faultSel: 1 << FAULT_NAMES.indexOf(fault as never) });
      try {
        const r = await runMacProperty(s, g.cfg, { runs: 300, seed: 7 });
        expect(r.pass, fault).toBe(false);
        expect(r.counterexample!.length, `${fault}: ${r.message}`).toBeLessThanOrEqual(maxBeats);
        // 1-minimal: dropping any beat makes the failure go away
        for (let i = 0; i < r.counterexample!.length && r.counterexample!.length > 1; i++) {
          const shorter = r.counterexample!.filter((_, j) => j !== i);
          expect(await compareSequence(s, g.cfg, shorter), `${fault}: beat ${i} is needed`).toBeNull();
        }
        expect(r.shrinks).toBeGreaterThan(0);
        expect(r.message).toMatch(/seed/);
        // the reported seed and path replay the same counterexample
        const again = await runMacProperty(s, g.cfg, { runs: 300, seed: r.seed });
        expect(again.counterexample).toEqual(r.counterexample);
      } finally {
        await s.close();
      }
    }
  });

  it('rf8 cosim --props prints the seed and the minimal sequence on failure', { timeout: 900_000 }, async () => {
    const p = await rf8Async(['cosim', '--props', '--runs', '60', '--seed', '3', '--json'], undefined, { timeoutMs: 900_000 });
    expect(p.code, p.stderr.slice(-1000)).toBe(0);
    expect(JSON.parse(p.stdout).pass).toBe(true);
    const f = await rf8Async(['cosim', '--props', '--runs', '200', '--seed', '5', '--inject', 'sign-a-only'], undefined, { timeoutMs: 900_000 });
    expect(f.code).toBe(1);
    expect(f.stdout).toMatch(/property FAILED .*seed 5/);
    expect(f.stdout).toMatch(/minimal sequence \(1 beats\)/);
    expect(f.stdout).toMatch(/replay: rf8 cosim --props --seed 5/);
  });
});
