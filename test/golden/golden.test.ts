import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { SPEC_VERSION, decodeValue, encode, f32Bits, fromF32Bits, getFormat, productTable, type FormatName } from '../../src/index.js';
import {
  formatLine,
  generateSuite,
  getSuite,
  hashSuite,
  lineShape,
  listSuites,
  parseLine,
  readManifest,
  suitePath,
  suiteHeader,
  hashFileSync,
  type SuiteDef,
} from '../../src/golden/index.js';
import { rf8Async } from '../helpers/cli.js';
import { modelGreedy, modelGreedyDy, modelNearest, modelNearestDy } from '../format/rf8-model.js';

function suiteLines(d: SuiteDef): string[] {
  const chunks: string[] = [];
  generateSuite(d, (c) => chunks.push(c));
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
}

describe('golden suites', () => {
  it('every suite header names the spec version, formats/format, W and N, and the seed', () => {
    for (const d of listSuites()) {
      const first = suiteHeader(d);
      expect(first).toContain(`# spec: rf8 ${SPEC_VERSION}`);
      expect(first).toMatch(/# seed: \d+/);
      if (d.dot) {
        expect(first).toMatch(new RegExp(`# a: ${d.dot.a}`));
        expect(first).toMatch(new RegExp(`# W: ${d.dot.W}\\n`));
        expect(first).toMatch(new RegExp(`# N: ${d.dot.lanes}\\n`));
      } else expect(first).toMatch(/# format: /);
    }
  });

  it('the committed suites and the manifest agree, and regenerate byte-identically', () => {
    const m = readManifest();
    expect(m).not.toBeNull();
    expect(m!.spec).toBe(SPEC_VERSION);
    let committedBytes = 0;
    for (const d of listSuites()) {
      const e = m!.suites.find((s) => s.name === d.name);
      expect(e, d.name).toBeDefined();
      expect(e!.command).toMatch(/^rf8 golden --suite /);
      if (!d.committed) continue;
      const dg = hashSuite(d);
      expect(dg.sha256, d.name).toBe(e!.sha256);
      expect(hashFileSync(suitePath(d)), d.name).toBe(e!.sha256);
      committedBytes += e!.bytes;
    }
    // "commit only a few MB"
    expect(committedBytes).toBeLessThan(4e6);
  });

  it('rf8 golden --check passes on the committed suites', async () => {
    const r = await rf8Async(['golden', '--check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.failed).toBe(0);
    expect(j.checked).toBe(listSuites().filter((d) => d.committed).length);
  });

  it('vector lines round-trip through formatLine / parseLine', () => {
    const shape = { W: 35, lanes: 3, K: 2, f32: true };
    const arb = fc.record({
      first: fc.boolean(),
      last: fc.boolean(),
      relu: fc.boolean(),
      xa: fc.integer({ min: -128, max: 127 }),
      xb: fc.integer({ min: -128, max: 127 }),
      xo: fc.integer({ min: -128, max: 127 }),
      init: fc.bigInt({ min: -(1n << 34n), max: (1n << 34n) - 1n }),
      mask: fc.integer({ min: 0, max: 7 }),
      a: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 }),
      b: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 3, maxLength: 3 }),
    });
    const out = fc.record({
      acc: fc.bigInt({ min: -(1n << 34n), max: (1n << 34n) - 1n }),
      nan: fc.boolean(),
      ovf: fc.boolean(),
      f32: fc.integer({ min: 0, max: 0xffffffff }),
      codes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 2 }),
    });
    fc.assert(
      fc.property(arb, out, (b, o) => {
        const p = parseLine(shape, formatLine(shape, b, o));
        expect(p.beat).toEqual(b);
        expect(p.out).toEqual(o);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

/** Cross-checks of the vectors against a second path through the reference (encode, productTable), not the generator's. */
describe('golden vectors agree with independent reference paths', () => {
  const outsOf = (d: SuiteDef): FormatName[] => d.dot!.outs as FormatName[];
  it('prod-e3m4-e3m4 (exhaustive): acc = productTable, f32 = RNE of the exact value, codes = encode() at xo', () => {
    const d = getSuite('prod-e3m4-e3m4');
    const shape = lineShape(d);
    const pt = productTable('rf8-e3m4', 'rf8-e3m4');
    const lines = suiteLines(d);
    expect(lines).toHaveLength(65536);
    const seen = new Set<number>();
    for (const l of lines) {
      const { beat, out } = parseLine(shape, l);
      const idx = (beat.a[0]! << 8) | beat.b[0]!;
      seen.add(idx);
      const p = pt[idx]!;
      if (p !== p) {
        expect(out.nan).toBe(true);
        continue;
      }
      expect(out.acc).toBe(BigInt(p));
      // exact in double; an integer zero product is +0 (no -0 in accumulator units)
      const v = p === 0 ? 0 : decodeValue('rf8-e3m4', beat.a[0]!, beat.xa) * decodeValue('rf8-e3m4', beat.b[0]!, beat.xb);
      expect(out.f32 >>> 0).toBe(f32Bits(v) >>> 0);
      outsOf(d).forEach((fo, k) => expect(out.codes[k], `${l} -> ${fo}`).toBe(encode(fo, beat.relu && v < 0 ? 0 : v, { scale: beat.xo })));
    }
    expect(seen.size).toBe(65536);
  });
  it('cvt-e3m4-e3m4: codes = encode() of the exact accumulator value, f32 = RNE; every output code is hit', () => {
    const d = getSuite('cvt-e3m4-e3m4');
    const shape = lineShape(d);
    const hit = outsOf(d).map(() => new Set<number>());
    let checked = 0;
    for (const l of suiteLines(d)) {
      const { beat, out } = parseLine(shape, l);
      if (out.nan) {
        expect(out.f32 >>> 0).toBe(0x7fc00000);
        continue;
      }
      const T = -8 + beat.xa + beat.xb;
      const v = Number(out.acc) * 2 ** T;
      if (Math.abs(Number(out.acc)) >= 2 ** 53 || !Number.isFinite(v) || v === 0 && out.acc !== 0n) continue; // not exact as a double
      expect(out.f32 >>> 0, l).toBe(f32Bits(v) >>> 0);
      outsOf(d).forEach((fo, k) => {
        expect(out.codes[k], `${l} -> ${fo}`).toBe(encode(fo, beat.relu && v < 0 ? 0 : v, { scale: beat.xo }));
        hit[k]!.add(out.codes[k]!);
      });
      checked++;
    }
    expect(checked).toBeGreaterThan(5000);
    for (const h of hit) expect(h.size).toBe(255); // every rf8 code but the NaN (NaN lines are checked separately)
  });
  it('encode suites obey the rounding rules: rne is nearest, rtz never grows, sr with u = 0 equals rtz', () => {
    for (const fmt of ['rf8-e3m4', 'rf8-e2m5', 'ocp-e4m3', 'int8'] as FormatName[]) {
      const f = getFormat(fmt);
      const s = fmt.replace(/^rf8-/, '').replace(/-/g, '');
      const rne = readFileSync(suitePath(getSuite(`encode-${s}-rne`)), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      expect(rne.length).toBeGreaterThan(1500);
      for (const l of rne) {
        const [bx, Xh, ch] = l.split(' ');
        const x = fromF32Bits(parseInt(bx!, 16));
        const X = ((parseInt(Xh!, 16) + 128) & 0xff) - 128;
        const code = parseInt(ch!, 16);
        if (!Number.isFinite(x)) continue;
        const y = decodeValue(f, code, X);
        const yMax = decodeValue(f, f.maxPayload, X);
        if (Math.abs(x) > yMax) {
          expect(Math.abs(y), l).toBe(yMax); // saturates
          continue;
        }
        // nearest: no code is strictly closer
        for (let c = 0; c < 256; c++) {
          const z = decodeValue(f, c, X);
          if (Number.isFinite(z)) expect(Math.abs(z - x) >= Math.abs(y - x), `${fmt} ${l}: code ${c} is closer`).toBe(true);
        }
      }
      const rtz = readFileSync(suitePath(getSuite(`encode-${s}-rtz`)), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      for (const l of rtz) {
        const [bx, Xh, ch] = l.split(' ');
        const x = fromF32Bits(parseInt(bx!, 16));
        if (!Number.isFinite(x)) continue;
        const X = ((parseInt(Xh!, 16) + 128) & 0xff) - 128;
        expect(Math.abs(decodeValue(f, parseInt(ch!, 16), X)) <= Math.abs(x), l).toBe(true);
      }
      const sr = readFileSync(suitePath(getSuite(`encode-${s}-sr`)), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      let zeros = 0;
      for (const l of sr) {
        const [bx, Xh, uh, ch] = l.split(' ');
        if (parseInt(uh!, 16) !== 0) continue;
        zeros++;
        const X = ((parseInt(Xh!, 16) + 128) & 0xff) - 128;
        expect(parseInt(ch!, 16), l).toBe(encode(f, fromF32Bits(parseInt(bx!, 16)), { scale: X, rounding: 'rtz' }));
      }
      expect(zeros).toBeGreaterThan(20);
    }
  });
});

/**
 * The authors' RF8 suites against the independent model of the spec text (test/format/rf8-model.ts,
 * BigInt dyadics, no src/format code): every rf8 code of a conversion, MAC or product suite equals
 * the model's greedy / nearest encoding of the exact accumulator value A * 2^(T - xo).
 */
describe('rf8 golden vectors agree with the independent model of spec section 8', () => {
  const tminOf = (f: string): number => getFormat(f as FormatName).tmin;
  const check = (name: string, minLines: number): { lines: number; hit: Set<number>[] } => {
    const d = getSuite(name);
    const shape = lineShape(d);
    const outs = d.dot!.outs;
    const hit = outs.map(() => new Set<number>());
    let lines = 0;
    for (const l of suiteLines(d)) {
      const { beat, out } = parseLine(shape, l);
      if (!beat.last) continue;
      const T = tminOf(d.dot!.a) + tminOf(d.dot!.b) + beat.xa + beat.xb;
      outs.forEach((lab, k) => {
        const [fmt, rd] = lab.split(':');
        if (fmt !== 'rf8') return;
        const acc = beat.relu && out.acc < 0n ? 0n : out.acc;
        const want = out.nan ? 0x80 : (rd ?? 'greedy') === 'nearest' ? modelNearestDy({ num: acc, exp: T - beat.xo }) : modelGreedyDy({ num: acc, exp: T - beat.xo });
        expect(out.codes[k], `${name}: ${l} -> ${lab}`).toBe(want);
        hit[k]!.add(out.codes[k]!);
      });
      lines++;
    }
    expect(lines).toBeGreaterThan(minLines);
    return { lines, hit };
  };
  it('cvt-e3m4-rf8 (committed): both roundings; every positive and negative code is hit', () => {
    const { hit } = check('cvt-e3m4-rf8', 8000);
    // greedy emits every nonzero code with E >= 1 (120 per sign), the zero and the NaN; nearest one code per distinct value
    expect(hit[0]!.size).toBe(2 * 15 * 8 + 2);
    expect(hit[1]!.size).toBeGreaterThan(200);
  });
  it('MAC sequences (committed) and rf8 x rf8 conversions (on demand)', () => {
    check('mac-e3m4-rf8-n8', 500);
    check('mac-rf8-rf8-n1', 500);
    check('cvt-rf8-rf8', 8000);
  });
  it('prod-int8-rf8 (exhaustive): acc = productTable, rf8 codes = the model', () => {
    const d = getSuite('prod-int8-rf8');
    const pt = productTable('int8', 'rf8');
    const shape = lineShape(d);
    for (const l of suiteLines(d)) {
      const { beat, out } = parseLine(shape, l);
      const p = pt[(beat.a[0]! << 8) | beat.b[0]!]!;
      if (p !== p) expect(out.nan).toBe(true);
      else expect(out.acc).toBe(BigInt(p));
    }
    check('prod-int8-rf8', 65000);
  });
  it('encode suites: greedy = the model of the authors\' algorithm, nearest = the nearest-neighbour model, at every line', () => {
    for (const rd of ['greedy', 'nearest'] as const) {
      const lines = readFileSync(suitePath(getSuite(`encode-rf8-${rd}`)), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      expect(lines.length).toBeGreaterThan(2000);
      for (const l of lines) {
        const [bx, Xh, ch] = l.split(' ');
        const x = fromF32Bits(parseInt(bx!, 16) >>> 0);
        const X = parseInt(Xh!, 16) >= 128 ? parseInt(Xh!, 16) - 256 : parseInt(Xh!, 16);
        expect(parseInt(ch!, 16), l).toBe(rd === 'greedy' ? modelGreedy(x, X) : modelNearest(x, X));
      }
    }
  });
});
