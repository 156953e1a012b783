import { describe, expect, it } from 'vitest';
import { RF8_MODES } from '../../src/format/index.js';
import { generateRtl } from '../../src/rtl/index.js';
import { getSuite } from '../../src/golden/index.js';
import { defaultRtlFor, iverilogSuite } from '../../src/sim/index.js';
import { haveTools } from './tools.js';

const ok = haveTools('iverilog', 'vvp');
const short = (n: string): string => n.replace(/^rf8-/, '');
// Each of the 9 exhaustive product suites (and its conversion suite) is co-simulated once: Icarus,
// the second simulator of the same RTL, runs 3 pairs (every format once on operand a and once on b,
// so every decoder and every product width), Verilator the other 6 in test/sim/cosim.test.ts;
// RF8_FULL=1 runs all 9 here too (about 45 s more on an idle machine).
const full = process.env.RF8_FULL === '1';
const pairs = RF8_MODES.flatMap((a, i) => RF8_MODES.filter((_, j) => full || j === (i + 1) % RF8_MODES.length).map((b) => [a, b] as const));

describe.skipIf(!ok)('the same RTL under Icarus Verilog (-g2012)', () => {
  for (const [a, b] of pairs)
    it(`exhaustive products (and their conversions) ${a} x ${b}`, { timeout: 1_800_000 }, async () => {
      const d = getSuite(`prod-${short(a)}-${short(b)}`);
      const g = generateRtl(defaultRtlFor(d));
      const r = await iverilogSuite(d, g);
      expect(r.pass, `${d.name}: ${r.mismatch}`).toBe(true);
      expect(r.vectors).toBe(65536);
      expect(r.outputs).toBe(65536);
      const c = getSuite(`cvt-${short(a)}-${short(b)}`);
      const rc = await iverilogSuite(c, g);
      expect(rc.pass, `${c.name}: ${rc.mismatch}`).toBe(true);
      expect(rc.outputs).toBeGreaterThan(256);
    });
  it('conversions and MAC sequences of the default pair', { timeout: 900_000 }, async () => {
    for (const n of ['cvt-e3m4-e3m4', 'mac-e3m4-e3m4-n8']) {
      const d = getSuite(n);
      const r = await iverilogSuite(d, generateRtl(defaultRtlFor(d)));
      expect(r.pass, `${n}: ${r.mismatch}`).toBe(true);
    }
  });
});
