import { describe, expect, it } from 'vitest';
import { generateRtl } from '../../src/rtl/index.js';
import { getSuite } from '../../src/golden/index.js';
import { cosimSuiteOn, defaultRtlFor } from '../../src/sim/index.js';
import { haveTools } from './tools.js';

const ok = haveTools('verilator', 'g++');

describe.skipIf(!ok)('1e6 random MAC beats (acceptance)', () => {
  for (const n of ['mac-e3m4-e3m4-n1-1m', 'mac-e3m4-e3m4-n8-1m']) {
    it(`${n} passes bit-exactly`, { timeout: 1_200_000 }, async () => {
      const d = getSuite(n);
      const r = await cosimSuiteOn(d, generateRtl(defaultRtlFor(d)), { wave: false });
      expect(r.pass, JSON.stringify(r.mismatch)).toBe(true);
      expect(r.vectors).toBe(1_000_000);
      expect(r.outputs).toBeGreaterThan(700_000); // 'last' on about three beats in four
    });
  }
});
