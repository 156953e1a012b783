import { describe, expect, it } from 'vitest';
import { generateRtl } from '../../src/rtl/index.js';
import { getSuite } from '../../src/golden/index.js';
import { buildModel, cosimSuiteOn, defaultRtlFor, DutSession, iverilogSuite, runMacProperty } from '../../src/sim/index.js';
import { haveTools } from './tools.js';

// The authors' RF8 (rf8, the residual kind) through co-simulation: rf8 weights (operand b) with
// rf8, rf8-e3m4 and int8 activations. One DUT per pair (the exhaustive product suite's: N = 1,
// outputs rf8 greedy, rf8 nearest, the activation format, binary32), reused by the conversion
// and MAC suites and the fast-check property, so each pair costs one Verilator build.
const PAIRS: [string, string][] = [
  ['rf8', 'rf8'],
  ['rf8-e3m4', 'rf8'],
  ['int8', 'rf8'],
];
const short = (n: string): string => n.replace(/^rf8-/, '').replace(/-/g, '');

const ok = haveTools('verilator', 'g++');
describe.skipIf(!ok)('rf8 co-simulation on Verilator', () => {
  for (const [a, b] of PAIRS)
    it(`${a} x ${b}: exhaustive products (65536 pairs, both rf8 roundings), conversions / MAC sequences, fast-check sequences`, { timeout: 1_200_000 }, async () => {
      const d = getSuite(`prod-${short(a)}-${short(b)}`);
      const g = generateRtl(defaultRtlFor(d));
      expect(g.cfg.outLabels.slice(0, 2)).toEqual(['rf8', 'rf8:nearest']);
      const m = await buildModel(g);
      const r = await cosimSuiteOn(d, g, { wave: false }, m);
      expect(r.pass, `${d.name}: ${JSON.stringify(r.mismatch)}`).toBe(true);
      expect(r.outputs).toBe(65536);
      // the conversion suite of this pair (rf8-e3m4 x rf8: the committed one), the MAC sequences of rf8 x rf8
      const more = a === 'rf8' ? ['cvt-rf8-rf8', 'mac-rf8-rf8-n1'] : [`cvt-${short(a)}-${short(b)}`];
      for (const n of more) {
        const x = await cosimSuiteOn(getSuite(n), g, { wave: false }, m);
        expect(x.pass, `${n}: ${JSON.stringify(x.mismatch)}`).toBe(true);
      }
      const s = new DutSession(m.exe, g.cfg);
      try {
        const p = await runMacProperty(s, g.cfg, { runs: 60, seed: 12, stall: [0.2, 0.2] });
        expect(p.pass, p.message).toBe(true);
      } finally {
        await s.close();
      }
    });
});

const okIv = haveTools('iverilog', 'vvp');
describe.skipIf(!okIv)('rf8 co-simulation on Icarus Verilog (one run per pair)', () => {
  for (const [a, b] of PAIRS)
    it(`${a} x ${b}: the exhaustive product suite`, { timeout: 1_200_000 }, async () => {
      const d = getSuite(`prod-${short(a)}-${short(b)}`);
      const r = await iverilogSuite(d, generateRtl(defaultRtlFor(d)));
      expect(r.pass, `${d.name}: ${r.mismatch}`).toBe(true);
      expect(r.outputs).toBe(65536);
    });
});
