import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.js';
import {
  extractMarkdownSection,
  parseMarkdownTables,
  rtlFingerprint,
  engineDesign,
  ggQuality,
  modelRates,
  mnistMlpWorkload,
  charLmWorkload,
  workloadRate,
  parseEstimateFormat,
  DEVICE_NAMES,
  type EstimateTable as Table,
} from '../../src/estimate/index.js';
import { accWidth } from '../../src/arith/index.js';
import type { FormatName } from '../../src/format/index.js';

// Every number in the generated block of docs/estimates.md is either a tool measurement (LUTs,
// FFs, Fmax...: reproducible, see flow.test.ts) or derived from them; this test recomputes every
// derived number, the GG quality numbers, and checks that the RTL behind the block is still
// what src/rtl generates.
const DOC = readFileSync(join(ROOT, 'docs', 'estimates.md'), 'utf8');

/** "1.23 M" -> 1.23e6 */
function unSi(s: string): number {
  const m = /^(-?[\d.]+(?:e[-+]?\d+)?)(?: ([kMGT]))?$/.exec(s.trim());
  if (!m) throw new Error(`not a number: '${s}'`);
  return Number(m[1]) * (m[2] ? { k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]]! : 1);
}
/** |a - b| within the rounding of a 3-significant-digit display plus a relative slack. */
const near = (shown: string, exact: number, rel = 0.01): void => {
  const v = unSi(shown);
  expect(Math.abs(v - exact) / Math.abs(exact), `${shown} vs ${exact}`).toBeLessThan(rel);
};
const col = (t: Table, name: string): number => {
  const i = t.header.indexOf(name);
  if (i < 0) throw new Error(`no column '${name}' in ${t.header.join(', ')}`);
  return i;
};

describe('docs/estimates.md', () => {
  it('has a generated HX8K block', () => {
    expect(extractMarkdownSection(DOC, 'hx8k')).toBeDefined();
  });
});

for (const device of DEVICE_NAMES) {
  const block = extractMarkdownSection(DOC, device);
  if (!block) continue;
  describe(`docs/estimates.md, generated block for ${device}`, () => {
    const tables = parseMarkdownTables(block);
    const hw = tables.find((t) => t.header.includes('LCs placed'))!;
    const dp = tables.find((t) => t.header.includes('critical path') && !t.header.includes('LCs placed'))!;
    const qt = tables.find((t) => t.header.some((h) => h.startsWith('SQNR dB beta=')))!;
    const rt = tables.find((t) => t.header.includes('Exp-Golomb bits'))!;
    const mt = tables.filter((t) => t.header.includes('compute bound'));
    const pipe = Number(/generator pipe (\d)/.exec(block)![1]);
    const get = (r: string[], name: string): string => r[col(hw, name)]!;

    it('was generated from the RTL src/rtl generates today (else regenerate: see the doc)', () => {
      const rows = hw.rows.filter((r) => !/^(skipped|not generated)/.test(r[r.length - 1]!));
      const fp = rtlFingerprint(rows.map((r) => ({ format: r[0]!, lanes: Number(r[1]), rtlSha256: engineDesign({ format: parseEstimateFormat(r[0]!), lanes: Number(r[1]), pipe }).info.rtlSha256 })));
      expect(block).toContain(`RTL fingerprint \`${fp}\``);
    });

    it('hardware table: W, MAC/s, MAC/s per 1k LUTs, LUTs per MAC follow from the measurements', () => {
      let checked = 0;
      for (const r of hw.rows) {
        const f = r[0]!;
        const n = Number(r[1]);
        if (get(r, 'W') !== '–') expect(Number(get(r, 'W'))).toBe(accWidth(f as FormatName, f as FormatName, 4096, n).W);
        if (get(r, 'Fmax MHz (median)') === '–') continue;
        const fmax = Number(get(r, 'Fmax MHz (median)'));
        const luts = Number(get(r, 'LUTs'));
        const seeds = get(r, 'Fmax seeds').split('/').map(Number);
        expect(seeds).toHaveLength(3);
        const sorted = [...seeds].sort((a, b) => a - b);
        expect(Math.abs(sorted[1]! - fmax)).toBeLessThanOrEqual(0.051); // the median of the shown seeds
        near(get(r, 'MAC/s'), n * fmax * 1e6);
        near(get(r, 'MAC/s per 1k LUTs'), (n * fmax * 1e6) / (luts / 1000));
        expect(Number(get(r, 'LUTs/MAC'))).toBe(Math.round(luts / n));
        expect(Number(get(r, 'LCs placed'))).toBeGreaterThan(luts); // engine + harness on the device
        checked++;
      }
      if (device === 'hx8k') expect(checked).toBeGreaterThanOrEqual(10);
    });

    it.runIf(!!dp)('datapath table: MAC/s, MAC/s per 1k LUTs and LUTs per MAC follow from its measurements', () => {
      expect(dp.rows.length).toBeGreaterThanOrEqual(4);
      for (const r of dp.rows) {
        const n = Number(r[1]);
        const fmax = Number(r[col(dp, 'Fmax MHz (median)')]);
        const luts = Number(r[col(dp, 'LUTs')]);
        expect(fmax).toBeGreaterThan(0);
        // tables written before the datapath runs kept their seeds carry '–' in the seed and
        // MAC/s columns: every derived number that is present must follow from the measurements
        const seeds = r[col(dp, 'Fmax seeds')]!;
        if (seeds !== '–') {
          const sorted = seeds.split('/').map(Number).sort((a, b) => a - b);
          expect(Math.abs(sorted[1]! - fmax)).toBeLessThanOrEqual(0.051);
        }
        if (r[col(dp, 'MAC/s')] !== '–') {
          near(r[col(dp, 'MAC/s')]!, n * fmax * 1e6);
          near(r[col(dp, 'MAC/s per 1k LUTs')]!, (n * fmax * 1e6) / (luts / 1000));
        }
        expect(Number(r[col(dp, 'LUTs/MAC')])).toBe(Math.round(luts / n));
        // the datapath is a part of the engine of the same row
        const e = hw.rows.find((x) => x[0] === r[0] && x[1] === r[1])!;
        expect(luts).toBeLessThan(Number(e[col(hw, 'LUTs')]));
      }
    });

    it('the verdict percentages follow from the table', () => {
      const lines = block.split('\n').filter((l) => /^- rf8-e3m4 costs/.test(l));
      if (device === 'hx8k') expect(lines.length).toBe(2);
      const row = (f: string, n: number) => hw.rows.find((r) => r[0] === f && Number(r[1]) === n)!;
      const drow = (f: string, n: number) => dp.rows.find((r) => r[0] === f && Number(r[1]) === n)!;
      const dget = (r: string[], name: string): string => r[col(dp, name)]!;
      for (const l of lines) {
        const base = /than (\S+) in LUTs/.exec(l)![1]!;
        for (const seg of l.split(/(?=N=\d+:)/).slice(1)) {
          const n = Number(/^N=(\d+):/.exec(seg)![1]);
          const a = row('rf8-e3m4', n);
          const b = row(base, n);
          const pctOf = (label: string): number | undefined => {
            const m = new RegExp(`${label} ([-+]\\d+)%`).exec(seg);
            return m ? Number(m[1]) : undefined;
          };
          const ratio = (c: string) => Number(get(a, c)) / Number(get(b, c));
          expect(pctOf('^N=\\d+: LUTs')).toBe(Number(((ratio('LUTs') - 1) * 100).toFixed(0)));
          const fm = pctOf('Fmax');
          if (fm !== undefined) expect(Math.abs(fm - (ratio('Fmax MHz (median)') - 1) * 100)).toBeLessThanOrEqual(1);
          const mpl = pctOf('MAC/s per LUT');
          if (mpl !== undefined) expect(Math.abs(mpl - ((ratio('Fmax MHz (median)') / ratio('LUTs')) - 1) * 100)).toBeLessThanOrEqual(1);
          const dratio = (c: string) => Number(dget(drow('rf8-e3m4', n), c)) / Number(dget(drow(base, n), c));
          const dl = pctOf('MAC datapath LUTs');
          if (dl !== undefined) expect(dl).toBe(Number(((dratio('LUTs') - 1) * 100).toFixed(0)));
          const df = pctOf('datapath Fmax');
          if (df !== undefined) expect(Math.abs(df - (dratio('Fmax MHz (median)') - 1) * 100)).toBeLessThanOrEqual(1);
        }
        expect(l).toMatch(lr0(l));
      }
      function lr0(l: string): RegExp {
        // "costs more" only if every lane count has more LUTs, "less" only if none does
        const signs = [...l.matchAll(/N=\d+: LUTs ([-+]\d+)%/g)].map((m) => Number(m[1]) > 0);
        return signs.every(Boolean) ? /costs more than/ : signs.some(Boolean) ? /more at some lane counts/ : /costs less than/;
      }
    });

    it('GG quality and rate tables are reproduced by the seeded code', () => {
      const q = qt;
      const formats = q.rows.map((r) => parseEstimateFormat(r[0]!));
      const betas = q.header.filter((h) => h.startsWith('SQNR')).map((h) => Number(h.split('=')[1]));
      const rows = ggQuality(formats, { betas, seed: 7 });
      for (const r of q.rows) {
        for (const beta of betas) {
          const x = rows.find((y) => y.format === parseEstimateFormat(r[0]!) && y.beta === beta)!;
          expect(r[col(q, `SQNR dB beta=${beta}`)]!.split(' ')[0]).toBe(x.sqnrDb.toFixed(2));
          expect(r[col(q, `Huffman bits beta=${beta}`)]).toBe(x.huffmanBits.toFixed(3));
        }
      }
      const rates = modelRates(formats, undefined, 1.5, 7);
      expect(block).toContain(rates.source);
      for (const r of rt.rows) {
        const x = rates.rows.find((y) => y.format === parseEstimateFormat(r[0]!.split(' ')[0]!))!;
        expect(r[col(rt, 'Huffman bits')]).toBe(x.huffmanBits.toFixed(3));
        expect(r[col(rt, 'SQNR dB')]).toBe(x.sqnrDb.toFixed(2));
      }
    });

    it('inferences/s and tokens/s follow from Fmax, N and the model', () => {
      const models = [mnistMlpWorkload(), charLmWorkload()];
      expect(mt).toHaveLength(2);
      if (device === 'hx8k') expect(mt.every((t) => t.rows.length >= 10)).toBe(true);
      mt.forEach((t, k) => {
        const w = models[k]!;
        const bws = t.header.filter((h) => h.endsWith(' raw')).map((h) => Number(h.slice(2, -4)));
        for (const r of t.rows) {
          const n = Number(r[1]);
          const fmax = Number(r[col(t, 'Fmax MHz')]);
          const bits = Number(r[col(t, 'coded bits/w')]);
          const eng = { lanes: n, fmaxMHz: fmax, latency: 3 + pipe };
          for (const b of bws) {
            near(r[col(t, `B=${b} raw`)]!, workloadRate(w, eng, b, 8).perSecond);
            near(r[col(t, `B=${b} coded`)]!, workloadRate(w, eng, b, bits).perSecond);
          }
          near(r[col(t, 'compute bound')]!, workloadRate(w, eng, 1e12, 8).perSecond);
        }
      });
    });
  });
}
