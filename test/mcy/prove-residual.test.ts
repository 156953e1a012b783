import { describe, expect, it } from 'vitest';
import { dSplitCases, prove, proveUnsupported } from '../../src/mcy/index.js';
import { decodeValue, getFormat } from '../../src/format/index.js';
import { haveTools } from '../sim/tools.js';

const ok = haveTools('yosys');

describe('rf8 prove: converter targets', () => {
  it('the residual converter has a model for both roundings (greedy, nearest); float and int formats and binary32 have one; codebooks none', () => {
    expect(proveUnsupported('converter', 'rf8')).toBeNull();
    expect(proveUnsupported('converter', 'rf8:greedy')).toBeNull();
    expect(proveUnsupported('converter', 'rf8:nearest')).toBeNull();
    expect(proveUnsupported('converter', 'cb-b0.3-p0')).toMatch(/no independent model of the table converter/);
    for (const f of ['rf8-e3m4', 'ocp-e5m2', 'int8', 'binary32']) expect(proveUnsupported('converter', f)).toBeNull();
    expect(() => proveUnsupported('converter', 'rf8-e3m4:nearest')).toThrow(/rf8-e3m4/);
  });
});

describe('rf8 prove: the case split on d', () => {
  it('partitions every signed 12-bit d: one case per d in [lo, hi], aligned prefix blocks for the rest', () => {
    const c = dSplitCases(-79, 34); // ocp-e5m2 at W = 77
    expect(c.length).toBe(130);
    const hits = new Map<number, number>();
    for (const x of c) for (let d = x.lo; d <= x.hi; d++) hits.set(d, (hits.get(d) ?? 0) + 1);
    for (let d = -2048; d < 2048; d++) expect(hits.get(d)).toBe(1);
    for (const x of c) {
      expect(x.hi - x.lo + 1).toBe(2 ** x.lowFree);
      if (x.lo >= -79 && x.hi <= 34) expect(x.lowFree).toBe(0);
    }
    expect(c.find((x) => x.lo === 1024)!.set).toBe("in_d[11:10] 2'b01");
    expect(c.find((x) => x.lo === -5)!.set).toBe("in_d 12'b111111111011");
    expect(() => dSplitCases(5, 4)).toThrow(/empty/);
  });
  it('--split takes none or d', async () => {
    await expect(prove({ block: 'converter', a: 'int8', W: 8, split: 'auto' as never })).rejects.toThrow(/--split must be none or d/);
  });
});

/** A residual-converter counterexample: the model's code equals the TypeScript reference's; the expected and actual magnitudes. */
function cexMagnitudes(x: unknown): { c: { acc: string; d: number }; e: number; a: number; rf8: ReturnType<typeof getFormat> } {
  const c = x as { expected: string; actual: string; referenceTs: string; acc: string; d: number };
  const code = (s: string): number => parseInt(s.slice(2, 4), 16);
  const rf8 = getFormat('rf8');
  expect(code(c.expected)).toBe(code(c.referenceTs));
  return { c, e: Math.abs(decodeValue(rf8, code(c.expected), 0)), a: Math.abs(decodeValue(rf8, code(c.actual), 0)), rf8 };
}

describe.skipIf(!ok)('rf8 prove: the rf8 (residual) converter, rounding nearest, against the threshold model (yosys sat)', () => {
  it('W = 10: proven; with rf8-nearest-tie-up injected a counterexample at a tie', { timeout: 300_000 }, async () => {
    const p = await prove({ block: 'converter', a: 'rf8:nearest', W: 10 });
    expect(p.proven).toBe(true);
    const f = await prove({ block: 'converter', a: 'rf8:nearest', W: 16, inject: ['rf8-nearest-tie-up'] });
    expect(f.proven).toBe(false);
    // the model agrees with the TypeScript reference, and the fault rounds away from it: up, at a tie
    const { c, e, a, rf8 } = cexMagnitudes(f.counterexample);
    expect(a).toBeGreaterThan(e);
    const x = Math.abs(Number(c.acc)) * 2 ** (c.d + rf8.tmin);
    expect(x - e).toBe(a - x); // exactly halfway: ties go to the smaller magnitude
  });
});

describe.skipIf(!ok)('rf8 prove: the rf8 (residual) converter, rounding greedy (its default), against the greedy threshold model (yosys sat)', () => {
  it('W = 10: proven (one problem and split on d); with rf8-residual-sign injected a counterexample with the second term of the wrong sign', { timeout: 600_000 }, async () => {
    const p = await prove({ block: 'converter', a: 'rf8', W: 10, split: 'none' });
    expect(p.proven).toBe(true);
    expect(p.target).toBe('rf8');
    expect(p.split).toBeUndefined();
    const q = await prove({ block: 'converter', a: 'rf8', W: 10, split: 'd' });
    expect(q.proven).toBe(true);
    // constants d in [-12, 21] (the largest rf8 magnitude, 24 << 14, has 19 bits), the rest on the high bits of d
    expect(q.split?.constants).toEqual([-12, 21]);
    expect(q.split?.problems).toBe(34 + q.split!.blocks.length);
    const f = await prove({ block: 'converter', a: 'rf8', W: 12, inject: ['rf8-residual-sign'] });
    expect(f.proven).toBe(false);
    const { c, e, a, rf8 } = cexMagnitudes(f.counterexample);
    // the same first term 2^e1, the second term of the other sign: e = 2^e1 (1 - 2^-t), a = 2^e1 (1 + 2^-t)
    expect(a).toBeGreaterThan(e);
    expect(Math.log2(a + e) % 1).toBe(0);
    const x = Math.abs(Number(c.acc)) * 2 ** (c.d + rf8.tmin);
    expect(x).toBeLessThan(((a + e) / 2)); // the value lies below its first term: the residual is negative
  });
});
