import { describe, expect, it } from 'vitest';
import { FAULT_NAMES } from '../../src/rtl/index.js';
import { MUTANT_BASE, runMutants } from '../../src/sim/index.js';
import { rf8Async } from '../helpers/cli.js';
import { haveTools } from './tools.js';

const ok = haveTools('verilator', 'g++');
const okIv = haveTools('iverilog', 'vvp');

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

  it('rf8 cosim --mutants --json reports the kill rate', { timeout: 1_200_000 }, async () => {
    const r = await rf8Async(['cosim', '--mutants', '--json'], undefined, { timeoutMs: 1_200_000 });
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.killRate).toBe(1);
    expect(j.killed).toBe(FAULT_NAMES.length);
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
});
