import { describe, expect, it } from 'vitest';
import { RF8_MODES } from '../../src/format/index.js';
import { generateRtl } from '../../src/rtl/index.js';
import { getSuite } from '../../src/golden/index.js';
import { defaultRtlFor, iverilogSuite } from '../../src/sim/index.js';
import { haveTools } from './tools.js';

const ok = haveTools('iverilog', 'vvp');
const short = (n: string): string => n.replace(/^rf8-/, '');

describe.skipIf(!ok)('the same RTL under Icarus Verilog (-g2012)', () => {
  for (const a of RF8_MODES)
    it(`exhaustive products (and their conversions) ${a} x every rf8 format`, { timeout: 1_800_000 }, async () => {
      for (const b of RF8_MODES) {
        const d = getSuite(`prod-${short(a)}-${short(b)}`);
        const r = await iverilogSuite(d, generateRtl(defaultRtlFor(d)));
        expect(r.pass, `${d.name}: ${r.mismatch}`).toBe(true);
        expect(r.vectors).toBe(65536);
        expect(r.outputs).toBe(65536);
      }
    });
  it('conversions and MAC sequences of the default pair', { timeout: 900_000 }, async () => {
    for (const n of ['cvt-e3m4-e3m4', 'mac-e3m4-e3m4-n8']) {
      const d = getSuite(n);
      const r = await iverilogSuite(d, generateRtl(defaultRtlFor(d)));
      expect(r.pass, `${n}: ${r.mismatch}`).toBe(true);
    }
  });
});
