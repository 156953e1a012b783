import { describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { RF8_MODES } from '../../src/format/index.js';
import { FAULT_NAMES, generateRtl } from '../../src/rtl/index.js';
import { getSuite } from '../../src/golden/index.js';
import { buildModel, cosimSuiteOn, defaultRtlFor, MUTANT_BASE } from '../../src/sim/index.js';
import { rf8Async } from '../helpers/cli.js';
import { haveTools } from './tools.js';

const ok = haveTools('verilator', 'g++');
const short = (n: string): string => n.replace(/^rf8-/, '');

describe.skipIf(!ok)('co-simulation against the golden vectors (Verilator)', () => {
  it('the committed suites pass on their own DUTs and on the default rtl/ DUT (N = 8, lanes rotated)', { timeout: 900_000 }, async () => {
    for (const n of ['cvt-e3m4-e3m4', 'mac-e3m4-e3m4-n1', 'mac-e3m4-e3m4-n8']) {
      const d = getSuite(n);
      const r = await cosimSuiteOn(d, generateRtl(defaultRtlFor(d)), { wave: false });
      expect(r.pass, JSON.stringify(r.mismatch)).toBe(true);
      expect(r.vectors).toBe(d.count || r.vectors);
      const r8 = await cosimSuiteOn(d, generateRtl({ a: 'rf8-e3m4', lanes: 8 }), { wave: false });
      expect(r8.pass, JSON.stringify(r8.mismatch)).toBe(true);
      expect(r8.outputs).toBe(r.outputs);
    }
  });

  // every pair is co-simulated exhaustively once: here (Verilator) the pairs test/sim/iverilog.test.ts
  // leaves to it (Icarus runs b = the next format after a; RF8_FULL=1 runs all nine there)
  it('exhaustive products and conversions are bit-exact for every pair of rf8 formats (Icarus: the other three)', { timeout: 1_800_000 }, async () => {
    let vectors = 0;
    for (const [i, a] of RF8_MODES.entries())
      for (const [j, b] of RF8_MODES.entries()) {
        if (j === (i + 1) % RF8_MODES.length) continue;
        const g = generateRtl(defaultRtlFor(getSuite(`prod-${short(a)}-${short(b)}`)));
        for (const kind of ['prod', 'cvt']) {
          const d = getSuite(`${kind}-${short(a)}-${short(b)}`);
          const r = await cosimSuiteOn(d, g, { wave: false });
          expect(r.pass, `${d.name}: ${JSON.stringify(r.mismatch)}`).toBe(true);
          if (kind === 'prod') expect(r.outputs).toBe(65536);
          vectors += r.vectors;
        }
      }
    expect(vectors).toBeGreaterThan(6 * 65536);
  });

  it('random input bubbles and output backpressure change nothing (valid/ready)', { timeout: 600_000 }, async () => {
    const d = getSuite('mac-e3m4-e3m4-n8');
    const g = generateRtl({ a: 'rf8-e3m4', lanes: 8 });
    for (const stall of [
      [1, 0.3, 0.3],
      [2, 0.05, 0.7],
      [3, 0.7, 0.05],
    ] as [number, number, number][]) {
      const r = await cosimSuiteOn(d, g, { wave: false, stall });
      expect(r.pass, JSON.stringify(r.mismatch)).toBe(true);
    }
    // pipeline depths 0, 3, 4, 5 and 6 too (4-6: registers inside the converters); without
    // stalls the measured latency is the generator's 3 + pipe
    for (const pipe of [0, 3, 4, 5, 6]) {
      const g = generateRtl({ a: 'rf8-e3m4', lanes: 8, pipe });
      const r = await cosimSuiteOn(d, g, { wave: false, stall: [4, 0.2, 0.2] });
      expect(r.pass, `pipe ${pipe}: ${JSON.stringify(r.mismatch)}`).toBe(true);
      const q = await cosimSuiteOn(d, g, { wave: false });
      expect(q.pass).toBe(true);
      expect(q.latency).toBe(3 + pipe);
      expect(q.designLatency).toBe(3 + pipe);
    }
  });

  it('a mismatch reports the vector, expected and actual decoded to values, and an FST waveform of the window', { timeout: 900_000 }, async () => {
    const g = generateRtl({ ...MUTANT_BASE, faultSchema: true });
    const m = await buildModel(g);
    const d = getSuite('cvt-e3m4-e3m4');
    const r = await cosimSuiteOn(d, g, { faultSel: 1 << FAULT_NAMES.indexOf('carry-lost') }, m);
    expect(r.pass).toBe(false);
    const mm = r.mismatch!;
    expect(mm.line).toBeGreaterThan(0);
    expect(mm.fields).toContain('codes');
    expect(String(mm.expected['rf8-e3m4'])).toMatch(/^0x[0-9a-f]{2} \(-?[0-9.e+-]+\)$/);
    expect(mm.expected['rf8-e3m4']).not.toBe(mm.actual['rf8-e3m4']);
    expect(String(mm.expected.acc)).toMatch(/value/);
    expect(mm.wave).toBeDefined();
    expect(existsSync(mm.wave!)).toBe(true);
    expect(statSync(mm.wave!).size).toBeGreaterThan(500);
  });

  it('rf8 cosim (CLI) reports pass and throughput, and exits 1 with the decoded mismatch on a fault', { timeout: 900_000 }, async () => {
    const r = await rf8Async(['cosim', '--suite', 'mac-e3m4-e3m4-n8', '--raw', '200000', '--json'], undefined, { timeoutMs: 900_000 });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.pass).toBe(true);
    expect(j.results[0].vectors).toBe(4000);
    expect(j.results[0].vectorsPerSec).toBeGreaterThan(0);
    expect(j.results[0].rawCyclesPerSec).toBeGreaterThan(0);
    const f = await rf8Async(['cosim', '--suite', 'cvt-e3m4-e3m4', '--inject', 'zero-sign', '--outs', 'rf8-e3m4'], undefined, { timeoutMs: 900_000 });
    expect(f.code).toBe(1);
    expect(f.stdout).toMatch(/first mismatch in cvt-e3m4-e3m4, line \d+/);
    expect(f.stdout).toMatch(/expected: .*"rf8-e3m4":"0x00 \(0\)"/);
    expect(f.stdout).toMatch(/actual: .*"rf8-e3m4":"0x80 \(NaN\)"/);
    expect(f.stdout).toMatch(/waveform: .*\.fst/);
  });
});
