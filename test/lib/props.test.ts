/**
 * rf8kit/props (issue 16): the docs/properties.md example runs as is against the built package
 * (self-reference to 'rf8kit/...'), and the arbitraries generate what they document. The
 * expectations come from the spec text (a tie is the exact midpoint of two neighbouring values),
 * checked against an independent enumeration: every code's value computed here from (E, M).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from '../helpers/cli.js';
import {
  arbCode, arbFiniteCode, arbTie, arbBinadeEdge, arbThreshold, arbValue, arbMacBeat, arbMacSequence, arbFormat, arbScaleIn, finiteMagnitudes, nextUp, nextDown,
} from '../../src/props/index.js';

/** OCP E4M3 (E4M3FN) values from the spec text: bias 7, S.1111.111 NaN, subnormals at E = 0. */
function e4m3Magnitudes(): number[] {
  const out = new Set<number>();
  for (let p = 0; p < 0x7f; p++) {
    const E = p >> 3;
    const M = p & 7;
    out.add(E === 0 ? M * 2 ** -9 : (8 + M) * 2 ** (E - 10));
  }
  return [...out].sort((a, b) => a - b);
}

function runNode(code: string): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('close', (k) => res({ code: k, out }));
  });
}

describe('docs/properties.md', () => {
  it('the example runs and its properties hold', async () => {
    const md = readFileSync(join(ROOT, 'docs', 'properties.md'), 'utf8');
    const block = /```js\n([\s\S]*?)```/.exec(md)![1]!;
    expect(block).toContain("from 'rf8kit/props'");
    const r = await runNode(block);
    expect(r.out.trim()).toBe('properties hold');
    expect(r.code).toBe(0);
  });
});

describe('the arbitraries', () => {
  const sample = <T>(a: fc.Arbitrary<T>, n = 2000, seed = 1): T[] => fc.sample(a, { seed, numRuns: n });

  it('finiteMagnitudes matches an independent enumeration; 0 is included', () => {
    expect(finiteMagnitudes('float8_e4m3fn')).toEqual(e4m3Magnitudes());
    expect(finiteMagnitudes('ocp-e4m3', 2)).toEqual(e4m3Magnitudes().map((v) => v * 4));
  });
  it('arbTie: exact midpoints of neighbours, or the double next to one', () => {
    const v = e4m3Magnitudes();
    const mids = new Set<number>();
    for (let i = 0; i + 1 < v.length; i++) mids.add((v[i]! + v[i + 1]!) / 2);
    let exact = 0;
    for (const x of sample(arbTie('ocp-e4m3'))) {
      const a = Math.abs(x);
      const ok = mids.has(a) || mids.has(nextUp(a)) || mids.has(nextDown(a));
      expect(ok, String(x)).toBe(true);
      if (mids.has(a)) exact++;
    }
    expect(exact).toBeGreaterThan(800); // 3 in 5 are the tie itself
  });
  it('arbBinadeEdge: powers of two of the range (or neighbours); arbThreshold: the overflow / underflow points', () => {
    const v = e4m3Magnitudes();
    const pow = new Set(v.filter((x) => x > 0 && Number.isInteger(Math.log2(x))));
    for (const x of sample(arbBinadeEdge('ocp-e4m3'), 500)) expect(pow.has(Math.abs(x)) || pow.has(nextUp(Math.abs(x))) || pow.has(nextDown(Math.abs(x)))).toBe(true);
    const th = sample(arbThreshold('ocp-e4m3'), 2000).map(Math.abs);
    expect(th).toContain(448 + 16); // maxFinite + ulp/2, the RNE overflow threshold
    expect(th).toContain(2 ** -10); // minSubnormal / 2, the underflow threshold
    expect(th).toContain(nextDown(448 + 16));
  });
  it('arbValue covers ties, edges, thresholds, specials and any double', () => {
    const xs = sample(arbValue('rf8-e3m4'), 3000);
    expect(xs.some(Number.isNaN)).toBe(true);
    expect(xs).toContain(Infinity);
    expect(xs).toContain(124 + 2); // rf8-e3m4: maxFinite 124, ulp 4
    expect(xs.some((x) => Math.abs(x) > 1e10 && Number.isFinite(x))).toBe(true);
    const noSpecials = sample(arbValue('rf8-e3m4', { specials: false }), 2000);
    expect(noSpecials.every(Number.isFinite)).toBe(true);
  });
  it('codes and beats: in range, the right lane counts, deterministic per seed', () => {
    expect(sample(arbCode('ocp-e5m2')).every((c) => Number.isInteger(c) && c >= 0 && c <= 255)).toBe(true);
    expect(sample(arbFiniteCode('ocp-e5m2')).every((c) => (c & 0x7c) !== 0x7c)).toBe(true); // E = 11111 is Inf/NaN
    const beats = sample(arbMacBeat({ a: 'rf8-e3m4', b: 'int8', lanes: 5 }), 300);
    expect(beats.every((b) => b.a.length === 5 && b.b.length === 5 && b.mask >= 0 && b.mask < 32)).toBe(true);
    const s1 = sample(arbMacSequence({ a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 2, W: 20 }), 50, 9);
    const s2 = sample(arbMacSequence({ a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 2, W: 20 }), 50, 9);
    expect(s1).toEqual(s2);
    expect(s1.every((s) => s.init >= -(1n << 19n) && s.init < 1n << 19n && s.beats.length >= 1)).toBe(true);
    expect(sample(arbFormat(['float8_e5m2', 'rf8-e2m5']), 100).map((f) => f.name).sort()[0]).toBe('ocp-e5m2');
    expect(sample(arbScaleIn({ min: 100, max: 127 }), 200).every((x) => x >= 100 && x <= 127)).toBe(true);
  });
});
