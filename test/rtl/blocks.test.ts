import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES, type FormatName } from '../../src/format/index.js';
import { emitDecoder, emulateDecoder, hwInput } from '../../src/rtl/index.js';
import { converterBench, decoderBench, multiplierBench, runBlockBench } from '../../src/sim/index.js';
import { haveTools } from '../sim/tools.js';

const ok = haveTools('iverilog', 'vvp');

/** Every emitted block against its emulate() (the reference), for every family member, under Icarus Verilog. */
describe.skipIf(!ok)('block test benches (each block against the reference function it mirrors)', () => {
  it('decoders of all six formats, all 256 codes', { timeout: 300_000 }, async () => {
    for (const f of FORMAT_NAMES) {
      const r = await decoderBench(f);
      expect(r.vectors, f).toBe(256);
      expect(r.errors, `${f}: ${r.firstError}`).toBe(0);
    }
  });
  it('multipliers of baseline and mixed pairs, all 65536 code pairs', { timeout: 300_000 }, async () => {
    for (const [a, b] of [
      ['int8', 'int8'],
      ['ocp-e4m3', 'ocp-e5m2'],
      ['ocp-e5m2', 'int8'],
      ['rf8-e3m4', 'int8'],
    ] as [FormatName, FormatName][]) {
      const r = await multiplierBench(a, b);
      expect(r.vectors).toBe(65536);
      expect(r.errors, `${a} x ${b}: ${r.firstError}`).toBe(0);
    }
  });
  it('output converters to all six formats and binary32', { timeout: 300_000 }, async () => {
    for (const f of [...FORMAT_NAMES, 'binary32'] as const) {
      const r = await converterBench(f, 40, 3000, 11);
      expect(r.vectors).toBe(3000);
      expect(r.errors, `${f}: ${r.firstError}`).toBe(0);
    }
  });
  it('the bench does fail: the rf8-e3m4 decoder checked against ocp-e4m3 expectations', { timeout: 120_000 }, async () => {
    const hw = hwInput('rf8-e3m4');
    const vectors = Array.from({ length: 256 }, (_, c) => {
      const e = emulateDecoder(hwInput('ocp-e4m3').fmt, c);
      return { ins: [BigInt(c)], outs: [BigInt(e.sign), BigInt(e.k), BigInt(e.sh), BigInt(e.nan)] };
    });
    const r = await runBlockBench('wrong', [{ name: 'd.sv', text: emitDecoder('d', hw.fmt) }], 'd', [{ name: 'code', w: 8 }], [
      { name: 'sign', w: 1 },
      { name: 'k', w: 5 },
      { name: 'sh', w: 3 },
      { name: 'nan', w: 1 },
    ], vectors);
    expect(r.errors).toBeGreaterThan(0);
    expect(r.firstError).toMatch(/^FIRST index/);
  });
});
