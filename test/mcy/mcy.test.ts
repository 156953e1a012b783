import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyMutant, parseCex, parseMutateLine, prove, quotas, runCampaign } from '../../src/mcy/index.js';
import { emitReferenceConverter, magnitudeTable } from '../../src/rtl/reference-vlog.js';
import { formatTables, getFormat } from '../../src/format/index.js';
import { haveTools } from '../sim/tools.js';

describe('mutation sampling (pure)', () => {
  it('quotas: largest remainder, sum = count, every block with cells gets one', () => {
    expect(quotas([10, 10, 10], 10)).toEqual([4, 3, 3]);
    expect(quotas([1, 1000], 50).reduce((s, x) => s + x, 0)).toBe(50);
    expect(quotas([1, 1000], 50)[0]).toBe(1);
    expect(quotas([0, 5], 3)).toEqual([0, 3]);
    const q = quotas([23, 86, 88, 5, 5, 91, 11], 1000);
    expect(q.reduce((s, x) => s + x, 0)).toBe(1000);
    // proportional within one mutant
    q.forEach((x, i) => expect(Math.abs(x - (1000 * [23, 86, 88, 5, 5, 91, 11][i]!) / 309)).toBeLessThanOrEqual(1));
  });

  it('parses a mutate -list line (the own source file is the last -src)', () => {
    const m = parseMutateLine('mutate -mode cnot1 -module rf8_dot -cell $flatten\\u_acc.$add$rtl/rf8_acc.sv:22$24 -port Y -portbit 10 -ctrlbit 32 -wire u_acc.sum -wirebit 10 -src rtl/rf8_dot.sv:136.11-136.139 -src rtl/rf8_acc.sv:22.21-22.61');
    expect(m).not.toBeNull();
    expect(m!.mode).toBe('cnot1');
    expect(m!.port).toBe('Y');
    expect(m!.bit).toBe(10);
    expect(m!.src).toBe('rf8_acc.sv:22.21-22.61');
    expect(m!.args.startsWith('-mode cnot1 -module rf8_dot')).toBe(true);
    expect(parseMutateLine('# comment')).toBeNull();
  });

  it('parses an ABC counterexample (write_cex -a) through the AIGER input map: frame t is step t + 1', () => {
    const d = mkdtempSync(join(tmpdir(), 'rf8-cex-'));
    try {
      // 3 inputs: in_in_first (1 bit), in_in_a (2 bits, LSB first); 2 latches; 2 frames
      writeFileSync(join(d, 'c.cex'), '01\n100\n011\n# DONE\n');
      const map = [
        { index: 0, bit: 0, name: 'in_in_first' },
        { index: 1, bit: 0, name: 'in_in_a' },
        { index: 2, bit: 1, name: 'in_in_a' },
      ];
      const s = parseCex(join(d, 'c.cex'), map);
      expect([...s.keys()]).toEqual([1, 2]);
      expect(s.get(1)!.get('in_first')).toBe(1n);
      expect(s.get(1)!.get('in_a')).toBe(0n);
      expect(s.get(2)!.get('in_first')).toBe(0n);
      expect(s.get(2)!.get('in_a')).toBe(3n);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the reference converter thresholds come from the decode table (independent of the emitter traits)', () => {
    for (const n of ['rf8-e3m4', 'ocp-e4m3', 'int8']) {
      const f = getFormat(n);
      const v = magnitudeTable(f);
      const t = formatTables(f);
      // every finite non-negative code value appears once, ascending
      for (let i = 1; i < v.length; i++) expect(v[i]! > v[i - 1]!).toBe(true);
      let finite = 0;
      for (let c = 0; c < 256; c++) if (!t.nan[c] && !t.sign[c]) finite++;
      expect(v.length).toBeLessThanOrEqual(finite);
      expect(v[0]).toBe(0n);
      expect(emitReferenceConverter('r', f, 20)).toMatch(/module r \(/);
    }
  });
});

const ok = haveTools('yosys', 'verilator', 'g++');

describe.skipIf(!ok)('rf8 prove: the decoder against its case table (yosys sat)', () => {
  it('rf8-e3m4 decoder proven; with subnormal-shift injected a counterexample code', { timeout: 300_000 }, async () => {
    const p = await prove({ block: 'decoder', a: 'rf8-e3m4' });
    expect(p.proven).toBe(true);
    const f = await prove({ block: 'decoder', a: 'rf8-e3m4', inject: ['subnormal-shift'] });
    expect(f.proven).toBe(false);
    const code = parseInt(String(f.counterexample!.code), 16);
    // the fault only touches the codes with exponent field 0 (zero and the subnormals)
    expect((code >> 4) & 7).toBe(0);
  });
});

describe.skipIf(!ok)('rf8 mutate: a small campaign (yosys mutate -list, one model behind mutate -ctrl)', () => {
  it('40 mutants over every block, N = 1: each killed (suite, line) or survived; survivors classified', { timeout: 600_000 }, async () => {
    const { report, design } = await runCampaign({ rtl: { a: 'rf8-e3m4', lanes: 1 }, count: 40, seed: 7, jobs: 2 });
    expect(report.total).toBe(40);
    expect(report.killed + report.survivors).toBe(40);
    // every block of the design got mutants, in proportion to its cells
    for (const b of report.blocks) expect(b.quota).toBeGreaterThanOrEqual(1);
    expect(report.blocks.map((b) => b.block)).toEqual(expect.arrayContaining(['rf8_acc', 'rf8_cvt_o0', 'rf8_cvt_f32', 'rf8_mul', 'rf8_dot']));
    for (const m of report.mutants.filter((x) => x.killed)) {
      expect(report.suites).toContain(m.kill!.by);
      expect(m.kill!.line ?? 1).toBeGreaterThan(0);
    }
    expect(report.killRate).toBeGreaterThan(0.6);
    // the survivors of the plain and stalled suites also ran against the handshake contract
    expect(report.suites).toEqual(expect.arrayContaining(['mac-e3m4-e3m4-n1+stall', 'mac-e3m4-e3m4-n1+contract']));
    expect(report.times.contractSec).toBeGreaterThanOrEqual(0);
    // classify one survivor formally (when there is one): equivalent or a counterexample with beats
    const s = report.mutants.find((m) => !m.killed);
    if (s) {
      const r = await classifyMutant(design, s.id, { timeoutSec: 120 });
      expect(['equivalent', 'counterexample', 'unclassified']).toContain(r.status);
      expect(r.version).toBeDefined();
      if (r.status === 'counterexample') expect(r.beats!.length).toBeGreaterThan(0);
      if (r.status === 'equivalent') expect(['any', 'harness']).toContain(r.scope);
    }
  });
});
