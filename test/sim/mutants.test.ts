import { describe, expect, it } from 'vitest';
import { FAULT_NAMES, FAULTS, faultApplies, faultKinds, generateRtl } from '../../src/rtl/index.js';
import { applicableFaults, MUTANT_BASE, MUTANT_BASE_CB, MUTANT_PLAN, MUTANT_SUITES_CB, mutantBaseFor, mutantSuitesFor, runMutants } from '../../src/sim/index.js';
import { rf8, rf8Async } from '../helpers/cli.js';
import { haveTools } from './tools.js';

const ok = haveTools('verilator', 'g++');
const okIv = haveTools('iverilog', 'vvp');
const cbFaults = FAULT_NAMES.filter((f) => faultKinds(f).includes('table'));

describe('the mutant plan: every fault on an engine that has its site', () => {
  it('each fault has a site in some plan engine; the generic ones in the first, each family\'s in its own', () => {
    const cfgs = MUTANT_PLAN.map((p) => generateRtl(p.base).cfg);
    for (const f of FAULT_NAMES) {
      const i = cfgs.findIndex((c) => faultApplies(f, c));
      expect(i, f).toBeGreaterThanOrEqual(0);
      const want = faultKinds(f).includes('residual') ? 1 : faultKinds(f).includes('table') ? 2 : 0;
      expect(i, f).toBe(want);
    }
    // the codebook engine has the site of every fault but the authors' rf8 ones and the float decoder's
    expect(applicableFaults(cfgs[2]!)).toEqual(FAULT_NAMES.filter((f) => !faultKinds(f).includes('residual') && f !== 'subnormal-shift'));
    // with rf8-e3m4 on operand b it has the float decoder's too
    expect(applicableFaults(generateRtl(mutantBaseFor('cb-b1-p0', 'rf8-e3m4')).cfg)).toEqual(FAULT_NAMES.filter((f) => !faultKinds(f).includes('residual')));
  });
  it('an engine of a x b runs the suites written for a x b (committed first), with their lanes and outputs', () => {
    expect(mutantSuitesFor(MUTANT_BASE_CB)).toEqual(MUTANT_SUITES_CB);
    expect(mutantBaseFor('cb-b1-p0', 'cb-b1-p0')).toEqual(MUTANT_BASE_CB);
    const b = mutantBaseFor('cb-b1-p0', 'rf8-e3m4');
    expect(b).toEqual({ a: 'cb-b1-p0', b: 'rf8-e3m4', lanes: 8, outs: ['cb-b1-p0', 'rf8-e3m4'] });
    expect(mutantSuitesFor(b)).toEqual(['prod-cbb1p0-e3m4', 'mac-cbb1p0-e3m4-n8']);
    // a plan engine with other pipeline registers keeps the plan's suites
    expect(mutantSuitesFor({ ...MUTANT_BASE, pipe: 6 })).toEqual(MUTANT_PLAN[0]!.suites);
    expect(() => mutantBaseFor('cb-b2-p1', 'rf8-e3m4')).toThrow(/no golden suite is written for cb-b2-p1 x rf8-e3m4/);
  });
  it('rf8 cosim --mutants: an operand without a suite, or a fault without a site, is a one-line error (exit 2)', () => {
    for (const [args, re] of [
      [['-a', 'cb-b3-p0', '-b', 'rf8-e3m4'], /no golden suite is written for cb-b3-p0 x rf8-e3m4/],
      [['-a', 'cb-b1-p0', '-b', 'rf8-e3m4', '--inject', 'rf8-no-drop'], /has no site of rf8-no-drop/],
      [['-b', 'rf8-e3m4'], /give the engine's operand a too/],
    ] as const) {
      const r = rf8(['cosim', '--mutants', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
  });
});

describe.skipIf(!ok)('codebook faults are killed by the codebook suites (CI slice: a small Verilated schema model)', () => {
  // codebook weights with rf8-e3m4 activations, N = 1 (a small model) and its exhaustive product
  // suite; cb-b1-p0 x cb-b1-p0 is the plan's codebook engine (the whole-plan test below); the full
  // N = 8 runs are `rf8 cosim --mutants [-a cb-b1-p0 [-b rf8-e3m4]]`
  it('every cb-* fault on cb-b1-p0 x rf8-e3m4 (N = 1), each seen where its block acts', { timeout: 600_000 }, async () => {
    expect(cbFaults.length).toBeGreaterThanOrEqual(6);
    const base = { a: 'cb-b1-p0', b: 'rf8-e3m4', lanes: 1, outs: ['cb-b1-p0', 'rf8-e3m4'] };
    const r = await runMutants({ mode: 'schema', base, suites: ['prod-cbb1p0-e3m4'], faults: cbFaults });
    const survivors = r.mutants.filter((m) => !m.killed).map((m) => m.fault);
    expect(survivors, `${r.base} survived: ${survivors.join(', ')}`).toEqual([]);
    expect(r.baseline.every((b) => b.pass)).toBe(true);
    for (const m of r.mutants) {
      expect(m.line, m.fault).toBeGreaterThan(0);
      // a decoder-table fault shows in the exact accumulator (acc); a converter fault in the output codes only
      if (FAULTS[m.fault].block === 'decoder') expect(m.fields, m.fault).toContain('acc');
      else expect(m.fields, m.fault).not.toContain('acc');
    }
  });
});

describe.skipIf(!ok)('fault injection: every injected fault is killed by the suites', () => {
  it('kill rate 100% over all faults (mutant schemata, one Verilated model)', { timeout: 1_200_000 }, async () => {
    const r = await runMutants({ mode: 'schema' });
    const survivors = r.mutants.filter((m) => !m.killed).map((m) => m.fault);
    expect(survivors, `survived: ${survivors.join(', ')}`).toEqual([]);
    expect(r.total).toBe(FAULT_NAMES.length);
    expect(r.total).toBeGreaterThanOrEqual(8);
    expect(r.baseline.every((b) => b.pass)).toBe(true);
    for (const m of r.mutants) expect(m.line, m.fault).toBeGreaterThan(0);
  });

  it('with the pipelined converters (pipe 6: every converter cut) every fault is killed too', { timeout: 1_200_000 }, async () => {
    const r = await runMutants({ mode: 'schema', base: { ...MUTANT_BASE, pipe: 6 } });
    const survivors = r.mutants.filter((m) => !m.killed).map((m) => m.fault);
    expect(survivors, `survived: ${survivors.join(', ')}`).toEqual([]);
    expect(r.base).toMatch(/-p6-/);
    expect(r.baseline.every((b) => b.pass)).toBe(true);
  });

  it('rf8 cosim --mutants --json reports the kill rate (three faults of two plan engines; the whole plan is the test above)', { timeout: 1_200_000 }, async () => {
    const r = await rf8Async(['cosim', '--mutants', '--inject', 'sticky-lost', 'lane-dropped', 'rf8-no-drop', '--json'], undefined, { timeoutMs: 1_200_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.killRate).toBe(1);
    expect(j.killed).toBe(3);
  });
});

describe.skipIf(!okIv)('static mutants (as rf8 rtl --inject writes them) are killed under Icarus Verilog too', () => {
  it('three faults of three blocks', { timeout: 1_200_000 }, async () => {
    const r = await runMutants({ mode: 'static', sim: 'iverilog', faults: ['sticky-lost', 'lane-dropped', 'ovf-not-sticky'], suites: ['cvt-e3m4-e3m4', 'mac-e3m4-e3m4-n8'] });
    expect(r.mutants.map((m) => [m.fault, m.killed])).toEqual([
      ['sticky-lost', true],
      ['lane-dropped', true],
      ['ovf-not-sticky', true],
    ]);
  });
  it('two codebook converter faults (ties up, saturation code) by the codebook conversion suite', { timeout: 600_000 }, async () => {
    const r = await runMutants({ mode: 'static', sim: 'iverilog', base: { ...MUTANT_BASE_CB, lanes: 1 }, faults: ['cb-tie-up', 'cb-sat-code'], suites: ['cvt-cbb1p0-cbb1p0'] });
    expect(r.mutants.map((m) => [m.fault, m.killed])).toEqual([
      ['cb-tie-up', true],
      ['cb-sat-code', true],
    ]);
  });
});
