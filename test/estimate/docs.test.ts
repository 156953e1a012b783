import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
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
  estimateOperands,
  DEVICE_NAMES,
  markdownSectionIds,
  workloadFromWeights,
  macsOf,
  weightsOf,
  type EstimateTable as Table,
} from '../../src/estimate/index.js';
import { accWidth, accWidthModes, modeSet } from '../../src/arith/index.js';
import { GG_MODES, type FormatName } from '../../src/format/index.js';

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

// The seeded GG quality and rate rows of one format (the same in every block that lists it):
// computed once per format for the whole file (each is seconds of quantization).
// (the samples of beta i use seed + 1000 i: the key holds the whole beta list)
const qualityMemo = new Map<string, ReturnType<typeof ggQuality>>();
function ggQualityOf(f: ReturnType<typeof parseEstimateFormat>, betas: number[]): ReturnType<typeof ggQuality> {
  const k = `${f}|${betas.join(',')}`;
  if (!qualityMemo.has(k)) qualityMemo.set(k, ggQuality([f], { betas, seed: 7 }));
  return qualityMemo.get(k)!;
}
const ratesMemo = new Map<string, ReturnType<typeof modelRates>>();
function ggRatesOf(f: ReturnType<typeof parseEstimateFormat>): ReturnType<typeof modelRates> {
  if (!ratesMemo.has(f)) ratesMemo.set(f, modelRates([f], undefined, 1.5, 7));
  return ratesMemo.get(f)!;
}

describe('docs/estimates.md', () => {
  it('has a generated HX8K block', () => {
    expect(extractMarkdownSection(DOC, 'hx8k')).toBeDefined();
  });
});

for (const device of [...DEVICE_NAMES, 'hx8k pipe=6', ...DEVICE_NAMES.map((d) => `${d} rf8-weights`), ...DEVICE_NAMES.map((d) => `${d} codebook`)]) {
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
    const flowSeeds = /nextpnr seeds ([\d, ]+) \(median/.exec(block)![1]!.split(',').length;
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
        const ops = estimateOperands(parseEstimateFormat(f));
        const exactW = f === 'gg-multi' ? accWidthModes(modeSet(GG_MODES), modeSet(GG_MODES), 4096, n).W : accWidth(ops!.a, ops!.b, 4096, n).W;
        if (get(r, 'W') !== '–') expect(Number(get(r, 'W'))).toBe(exactW);
        if (get(r, 'Fmax MHz (median)') === '–') continue;
        const fmax = Number(get(r, 'Fmax MHz (median)'));
        const luts = Number(get(r, 'LUTs'));
        const seeds = get(r, 'Fmax seeds').split('/').map(Number);
        expect(seeds).toHaveLength(flowSeeds);
        const sorted = [...seeds].sort((a, b) => a - b);
        expect(sorted[(sorted.length - 1) / 2]).toBe(fmax); // the median of the shown seeds
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
          expect(sorted[(sorted.length - 1) / 2]).toBe(fmax);
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

    it.runIf(!!dp)('the converter findings follow from the two tables', () => {
      const l = block.split('\n').find((x) => x.startsWith('- The output converters set Fmax'))!;
      expect(l).toBeDefined();
      const m = /in (\d+) of (\d+) placed engines.*clocks ([\d.]+)x to ([\d.]+)x faster\. At N=(\d+) the converters are (.*) of the engine's LUTs\./.exec(l)!;
      const placed = dp.rows.filter((r) => r[col(dp, 'Fmax MHz (median)')] !== '–');
      expect(Number(m[2])).toBe(placed.length);
      const eng = (r: string[]) => hw.rows.find((x) => x[0] === r[0] && x[1] === r[1])!;
      expect(Number(m[1])).toBe(placed.filter((r) => /cvt/.test(eng(r)[col(hw, 'critical path')]!)).length);
      const ratios = placed.map((r) => Number(r[col(dp, 'Fmax MHz (median)')]) / Number(get(eng(r), 'Fmax MHz (median)')));
      expect(Math.abs(Number(m[3]) - Math.min(...ratios))).toBeLessThan(0.02);
      expect(Math.abs(Number(m[4]) - Math.max(...ratios))).toBeLessThan(0.02);
      for (const part of m[6]!.split(', ')) {
        const [f, p] = part.split(' ');
        const r = placed.find((x) => x[0] === f && x[1] === m[5])!;
        expect(Number(p!.replace('%', ''))).toBe(Number(((1 - Number(r[col(dp, 'LUTs')]) / Number(get(eng(r), 'LUTs'))) * 100).toFixed(0)));
      }
    });

    it('the verdict percentages follow from the table', () => {
      const lines = block.split('\n').filter((l) => /^- \S+ costs/.test(l));
      if (device === 'hx8k') expect(lines.length).toBe(5);
      const row = (f: string, n: number) => hw.rows.find((r) => r[0] === f && Number(r[1]) === n)!;
      const drow = (f: string, n: number) => dp.rows.find((r) => r[0] === f && Number(r[1]) === n)!;
      const dget = (r: string[], name: string): string => r[col(dp, name)]!;
      for (const l of lines) {
        const base = /than (\S+) in LUTs/.exec(l)![1]!;
        const fmt = /^- (\S+) costs/.exec(l)![1]!;
        for (const seg of l.split(/(?=N=\d+:)/).slice(1)) {
          const n = Number(/^N=(\d+):/.exec(seg)![1]);
          const a = row(fmt, n);
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
          const dratio = (c: string) => Number(dget(drow(fmt, n), c)) / Number(dget(drow(base, n), c));
          const dl = pctOf('MAC datapath LUTs');
          if (dl !== undefined) expect(dl).toBe(Number(((dratio('LUTs') - 1) * 100).toFixed(0)));
          const df = pctOf('datapath Fmax');
          if (df !== undefined) expect(Math.abs(df - (dratio('Fmax MHz (median)') - 1) * 100)).toBeLessThanOrEqual(1);
        }
        expect(l).toMatch(lr0(l));
      }
      function lr0(l: string): RegExp {
      // "costs more" only if every lane count has more LUTs, "less" only if none does, else both lists
      const segs = [...l.matchAll(/N=(\d+): LUTs ([-+]\d+)%/g)].map((m) => ({ n: m[1]!, more: m[2]!.startsWith('+') && m[2] !== '+0' }));
      const more = segs.filter((x) => x.more).map((x) => x.n);
      const less = segs.filter((x) => !x.more).map((x) => x.n);
      if (!less.length) return /costs more than/;
      if (!more.length) return /costs less than/;
      return new RegExp(`costs more at N=${more.join(', ')} and less at N=${less.join(', ')} than`);
    }
  });

    it('GG quality and rate tables are reproduced by the seeded code', () => {
      const q = qt;
      const formats = q.rows.map((r) => parseEstimateFormat(r[0]!));
      const betas = q.header.filter((h) => h.startsWith('SQNR')).map((h) => Number(h.split('=')[1]));
      const rows = formats.flatMap((f) => ggQualityOf(f, betas));
      for (const r of q.rows) {
        for (const beta of betas) {
          const x = rows.find((y) => y.format === parseEstimateFormat(r[0]!) && y.beta === beta)!;
          expect(r[col(q, `SQNR dB beta=${beta}`)]!.split(' ')[0]).toBe(x.sqnrDb.toFixed(2));
          expect(r[col(q, `Huffman bits beta=${beta}`)]).toBe(x.huffmanBits.toFixed(3));
        }
      }
      const rates = { source: ggRatesOf(formats[0]!).source, rows: formats.flatMap((f) => ggRatesOf(f).rows) };
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

// The numbers and comparisons stated in the prose of docs/estimates.md ("In one paragraph"),
// checked against the generated HX8K tables.
describe('docs/estimates.md prose claims', () => {
  const block = extractMarkdownSection(DOC, 'hx8k')!;
  const tables = block ? parseMarkdownTables(block) : [];
  const hw = tables.find((t) => t.header.includes('LCs placed'))!;
  const dp = tables.find((t) => t.header.includes('critical path') && !t.header.includes('LCs placed'))!;
  const qt = tables.find((t) => t.header.some((h) => h.startsWith('SQNR dB beta=')))!;
  const rt = tables.find((t) => t.header.includes('Exp-Golomb bits'))!;
  const mt = tables.filter((t) => t.header.includes('compute bound'));
  const cell = (t: Table, f: string, n: number | undefined, c: string): string => t.rows.find((r) => r[0]!.split(' ')[0] === f && (n === undefined || Number(r[1]) === n))![col(t, c)]!;
  const num = (t: Table, f: string, n: number | undefined, c: string): number => Number(cell(t, f, n, c));
  const lanes = [1, 4, 8, 16];
  const prose = DOC.slice(0, DOC.indexOf('<!-- rf8 estimate: begin'));

  const hwOf = (device: string): Table | undefined => {
    const bl = extractMarkdownSection(DOC, device);
    return bl ? parseMarkdownTables(bl).find((t) => t.header.includes('LCs placed')) : undefined;
  };
  // rows the comparisons use: synthesized, and placed or synthesis-only (not "does not fit")
  const has = (t: Table, f: string, n: number): boolean => t.rows.some((r) => r[0] === f && Number(r[1]) === n && /^\d/.test(r[col(t, 'LUTs')]!) && !/^does not fit/.test(r[r.length - 1]!));
  const pctOf = (t: Table, f: string, g: string, n: number, c = 'LUTs'): number => Number(((num(t, f, n, c) / num(t, g, n, c) - 1) * 100).toFixed(0));

  it('vs OCP E4M3: fewer LUTs on every device at every N (8-33 %); on the iCE40s same or higher Fmax, more MAC/s per LUT', () => {
    expect(prose).toContain('**Against OCP E4M3, RF8 e3m4 costs less on every device and at every lane count**: 8-33 % fewer\nLUTs');
    const savings: number[] = [];
    for (const d of DEVICE_NAMES) {
      const t = hwOf(d);
      expect(t, d).toBeDefined();
      for (const n of lanes) {
        if (!has(t!, 'rf8-e3m4', n) || !has(t!, 'ocp-e4m3', n)) continue;
        savings.push(-pctOf(t!, 'rf8-e3m4', 'ocp-e4m3', n));
        expect([num(t!, 'rf8-e3m4', n, 'W'), num(t!, 'ocp-e4m3', n, 'W')]).toEqual([35, 49]);
        if (d === 'hx8k' || d === 'up5k') {
          if (cell(t!, 'ocp-e4m3', n, 'Fmax MHz (median)') === '–') continue;
          expect(num(t!, 'rf8-e3m4', n, 'Fmax MHz (median)') / num(t!, 'ocp-e4m3', n, 'Fmax MHz (median)')).toBeGreaterThan(0.97);
          expect(unSi(cell(t!, 'rf8-e3m4', n, 'MAC/s per 1k LUTs'))).toBeGreaterThan(unSi(cell(t!, 'ocp-e4m3', n, 'MAC/s per 1k LUTs')));
        }
      }
    }
    expect([Math.min(...savings), Math.max(...savings)]).toEqual([8, 33]);
  });
  it('vs INT8 on the HX8K: +5 % at N=1, -6 to -15 % from N=4, Fmax 5-7 % lower, MAC/s per LUT -9 % to +10 %', () => {
    const t = hwOf('hx8k')!;
    expect(pctOf(t, 'rf8-e3m4', 'int8', 1)).toBe(5);
    const more = [4, 8, 16].map((n) => pctOf(t, 'rf8-e3m4', 'int8', n));
    expect([Math.max(...more), Math.min(...more)]).toEqual([-6, -15]);
    // Fmax percentages: those of the generated bullet (tested against the table above, whose Fmax is rounded)
    const bullet = extractMarkdownSection(DOC, 'hx8k')!.split('\n').find((l) => /^- rf8-e3m4 costs .* than int8/.test(l))!;
    const f = [...bullet.matchAll(/N=\d+: LUTs [-+]\d+%, Fmax ([-+]\d+)%/g)].map((m) => Number(m[1]));
    expect(f).toHaveLength(4);
    expect(Math.max(...f)).toBe(-5);
    expect(Math.min(...f)).toBe(-7);
    const mpl = (n: number) => Number(((unSi(cell(t, 'rf8-e3m4', n, 'MAC/s per 1k LUTs')) / unSi(cell(t, 'int8', n, 'MAC/s per 1k LUTs')) - 1) * 100).toFixed(0));
    expect(Math.abs(mpl(1) - -9)).toBeLessThanOrEqual(1);
    expect(Math.abs(mpl(16) - 10)).toBeLessThanOrEqual(1);
    // the datapath alone: fewer LUTs than INT8 at every N, by more than the whole engine ("larger margins")
    for (const n of lanes) expect(num(dp, 'rf8-e3m4', n, 'LUTs') / num(dp, 'int8', n, 'LUTs')).toBeLessThan(num(hw, 'rf8-e3m4', n, 'LUTs') / num(hw, 'int8', n, 'LUTs'));
  });
  it('vs INT8 where there are hard multipliers: more LUTs (UP5K +17..+41, 7-series +7..+40, ECP5 +15..+81 %), INT8 one DSP per lane', () => {
    const want: Record<string, [number, number, number]> = { up5k: [17, 41, 0], xc7: [7, 40, 1], ecp5: [15, 81, 1] };
    for (const [d, [lo, hi, rf8DspPerLane]] of Object.entries(want)) {
      const t = hwOf(d)!;
      const ps: number[] = [];
      for (const n of lanes) {
        if (!has(t, 'rf8-e3m4', n) || !has(t, 'int8', n)) continue;
        ps.push(pctOf(t, 'rf8-e3m4', 'int8', n));
        expect(num(t, 'int8', n, 'DSP')).toBe(n);
        expect(num(t, 'rf8-e3m4', n, 'DSP')).toBe(rf8DspPerLane * n);
      }
      expect([Math.min(...ps), Math.max(...ps)], d).toEqual([lo, hi]);
      expect(prose).toContain(`+${lo} to +${hi} %`);
    }
    expect(prose).toContain('costs more LUTs than INT8, 7-81 %');
  });
  it('RF8 e3m4 vs OCP E4M3 on the HX8K: W 35 vs 49 at every N', () => {
    for (const n of lanes) expect([num(hw, 'rf8-e3m4', n, 'W'), num(hw, 'ocp-e4m3', n, 'W')]).toEqual([35, 49]);
  });
  it('the multi-mode unit: +31..+61 % LUTs vs RF8 e3m4, +6..+31 % vs OCP E4M3 over the devices; HX8K ranges; widths; SQNR gain', () => {
    const range = (g: string, devices: readonly string[]): [number, number] => {
      const ps: number[] = [];
      for (const d of devices) {
        const t = hwOf(d)!;
        for (const n of lanes) if (has(t, 'gg-multi', n) && has(t, g, n)) ps.push(pctOf(t, 'gg-multi', g, n));
      }
      return [Math.min(...ps), Math.max(...ps)];
    };
    expect(range('rf8-e3m4', DEVICE_NAMES)).toEqual([31, 61]);
    expect(range('ocp-e4m3', DEVICE_NAMES)).toEqual([6, 31]);
    expect(range('rf8-e3m4', ['hx8k'])).toEqual([37, 59]);
    expect(range('ocp-e4m3', ['hx8k'])).toEqual([11, 31]);
    expect(prose).toContain('**costs 31-61 %\nmore LUTs than the single-mode RF8 e3m4 engine and 6-31 % more than OCP E4M3**');
    expect(prose).toContain('(HX8K: +37 to +59 % and +11 to +31 % at N = 1, 4, 8; N = 16 does not fit the HX8K)');
    expect(cell(hw, 'gg-multi', 16, 'critical path')).toMatch(/^does not fit/);
    // "about the same Fmax": within 6 % of e3m4 where both are placed
    for (const n of [1, 4, 8]) expect(Math.abs(num(hw, 'gg-multi', n, 'Fmax MHz (median)') / num(hw, 'rf8-e3m4', n, 'Fmax MHz (median)') - 1)).toBeLessThan(0.06);
    // widths stated: product 41 / W 53 (e3m4: 23 / 35), 6x6 multiplier; UP5K: one SB_MAC16 per lane
    const { info } = engineDesign({ format: 'gg-multi', lanes: 1 });
    expect(info.W).toBe(53);
    expect(num(hw, 'gg-multi', 1, 'W')).toBe(53);
    const up = hwOf('up5k')!;
    for (const n of lanes) if (has(up, 'gg-multi', n)) expect([num(up, 'gg-multi', n, 'DSP'), num(up, 'rf8-e3m4', n, 'DSP')]).toEqual([n, 0]);
    // SQNR: +4.5 dB at beta 2 (42.08 vs 37.55), e3m4's SQNR at beta 0.5
    const sq = (f: string, beta: number) => Number(cell(qt, f, undefined, `SQNR dB beta=${beta}`).split(' ')[0]);
    expect(prose).toContain('(42.08 against 37.55 dB)');
    expect([sq('gg-multi', 2), sq('rf8-e3m4', 2)]).toEqual([42.08, 37.55]);
    expect((sq('gg-multi', 2) - sq('rf8-e3m4', 2)).toFixed(1)).toBe('4.5');
    expect(sq('gg-multi', 0.5)).toBe(sq('rf8-e3m4', 0.5));
  });
  it('the pipelined converters (hx8k pipe=6 block): Fmax 2.08x to 2.54x, 35-40 MHz, +367..764 FFs, LUTs -10..+1 %', () => {
    const b6 = extractMarkdownSection(DOC, 'hx8k pipe=6')!;
    expect(b6).toContain('generator pipe 6');
    const h6 = parseMarkdownTables(b6).find((t) => t.header.includes('LCs placed'))!;
    const ratios: number[] = [];
    const f6: number[] = [];
    const dl: number[] = [];
    const dff: number[] = [];
    for (const r of hw.rows) {
      const [f, n] = [r[0]!, Number(r[1])];
      dl.push(Number(((num(h6, f, n, 'LUTs') / num(hw, f, n, 'LUTs') - 1) * 100).toFixed(0)));
      dff.push(num(h6, f, n, 'FFs') - num(hw, f, n, 'FFs'));
      if (cell(hw, f, n, 'Fmax MHz (median)') === '–' || cell(h6, f, n, 'Fmax MHz (median)') === '–') continue;
      ratios.push(num(h6, f, n, 'Fmax MHz (median)') / num(hw, f, n, 'Fmax MHz (median)'));
      f6.push(num(h6, f, n, 'Fmax MHz (median)'));
    }
    expect(ratios.length).toBeGreaterThanOrEqual(17);
    expect([Math.min(...ratios).toFixed(2), Math.max(...ratios).toFixed(2)]).toEqual(['2.08', '2.54']);
    expect([Math.floor(Math.min(...f6)), Math.floor(Math.max(...f6))]).toEqual([35, 39]);
    expect(Math.max(...f6)).toBeGreaterThan(39.5); // "35-40 MHz"
    expect([Math.min(...dff), Math.max(...dff)]).toEqual([367, 764]);
    expect([Math.min(...dl), Math.max(...dl)]).toEqual([-10, 1]);
    expect([cell(h6, 'rf8-e3m4', 16, 'MAC/s'), cell(hw, 'rf8-e3m4', 16, 'MAC/s')]).toEqual(['588 M', '267 M']);
    expect(prose).toContain("raises every placed engine's Fmax 2.08x to 2.54x** on the HX8K, to\n35-40 MHz (RF8 e3m4 at N = 16: 588 M MAC/s instead of 267 M), for 367-764 more flip-flops and\nthe same or fewer LUTs (-10 % to +1 %)");
    // LUT comparisons keep their sign; the Fmax gap to INT8: -5..-7 % at pipe 2, -8..+1 % at pipe 6
    for (const g of ['int8', 'ocp-e4m3']) for (const n of lanes) expect(Math.sign(pctOf(h6, 'rf8-e3m4', g, n))).toBe(Math.sign(pctOf(hw, 'rf8-e3m4', g, n)));
    const fm = (blk: string) => [...blk.split('\n').find((l) => /^- rf8-e3m4 costs .* than int8/.test(l))!.matchAll(/N=\d+: LUTs [-+]\d+%, Fmax ([-+]\d+)%/g)].map((m) => Number(m[1]));
    expect([Math.min(...fm(block)), Math.max(...fm(block))]).toEqual([-7, -5]);
    expect([Math.min(...fm(b6)), Math.max(...fm(b6))]).toEqual([-8, 1]);
    expect(prose).toContain('goes from\n-5..-7 % to -8..+1 %');
  });
  it('OCP E5M2 is the most expensive and does not fit N=16; the Fmax ranges', () => {
    for (const n of [1, 4, 8]) {
      const l = num(hw, 'ocp-e5m2', n, 'LUTs');
      for (const f of ['rf8-e3m4', 'ocp-e4m3', 'int8']) expect(l).toBeGreaterThan(num(hw, f, n, 'LUTs'));
    }
    expect(num(hw, 'ocp-e5m2', 16, 'W')).toBe(77);
    expect(cell(hw, 'ocp-e5m2', 16, 'critical path')).toMatch(/^does not fit/);
    const eng = hw.rows.filter((r) => r[col(hw, 'Fmax MHz (median)')] !== '–').map((r) => Number(r[col(hw, 'Fmax MHz (median)')]));
    const dpf = dp.rows.map((r) => Number(r[col(dp, 'Fmax MHz (median)')]));
    expect(prose).toContain('14-18 MHz on the HX8K (medians)');
    expect(Math.min(...eng)).toBeGreaterThanOrEqual(14);
    expect(Math.max(...eng)).toBeLessThanOrEqual(18.5);
    expect(prose).toContain('clocks at 40-61 MHz');
    expect(Math.min(...dpf)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...dpf)).toBeLessThanOrEqual(61.4);
    const conv = block.split('\n').find((x) => x.startsWith('- The output converters set Fmax'))!;
    const [, lo, hi] = /clocks ([\d.]+)x to ([\d.]+)x faster/.exec(conv)!;
    expect(prose).toContain('limit is 2.4x to 3.6x\nthe unpipelined engine');
    expect(Number(lo)).toBeGreaterThanOrEqual(2.4);
    expect(Number(hi)).toBeLessThanOrEqual(3.6);
  });
  it('quality per area: best single-format SQNR at beta <= 1, lowest LUTs per MAC from N=4', () => {
    for (const beta of [0.5, 1]) {
      const s = (f: string) => Number(cell(qt, f, undefined, `SQNR dB beta=${beta}`).split(' ')[0]);
      for (const f of ['ocp-e4m3', 'ocp-e5m2', 'int8']) expect(s('rf8-e3m4')).toBeGreaterThan(s(f));
    }
    for (const n of [4, 8, 16]) {
      for (const f of ['ocp-e4m3', 'int8']) expect(num(hw, 'rf8-e3m4', n, 'LUTs/MAC')).toBeLessThan(num(hw, f, n, 'LUTs/MAC'));
    }
  });
  it('entropy coding: about 7.5 bits for RF8 e3m4, the fewest for OCP E5M2; memory bound at 1 byte/cycle from N=4', () => {
    const b = (f: string) => num(rt, f, undefined, 'Huffman bits');
    expect(Math.abs(b('rf8-e3m4') - 7.5)).toBeLessThan(0.1);
    for (const f of ['rf8-e3m4', 'ocp-e4m3', 'int8']) expect(b('ocp-e5m2')).toBeLessThan(b(f));
    for (const t of mt) {
      for (const r of t.rows) {
        if (Number(r[1]) < 4) continue;
        expect(unSi(r[col(t, 'B=1 raw')]!)).toBeLessThan(unSi(r[col(t, 'compute bound')]!));
      }
    }
  });
});

// Blocks made with --model CKPT: the workload and the coded rate come from the weight file. The
// files live under runs/ (not in git): where the file is absent (CI) the rates cannot be
// recomputed, and the shapes are checked against the stated workload of the same kind instead.
for (const id of markdownSectionIds(DOC).filter((x) => x.includes(' model='))) {
  const block = extractMarkdownSection(DOC, id)!;
  const file = id.slice(id.indexOf(' model=') + 7);
  describe(`docs/estimates.md, generated block for ${id}`, () => {
    const tables = parseMarkdownTables(block);
    const rt = tables.find((t) => t.header.includes('Exp-Golomb bits'))!;
    const mt = tables.filter((t) => t.header.includes('compute bound'));
    const pipe = Number(/generator pipe (\d)/.exec(block)![1]);
    const flowSeeds = /nextpnr seeds ([\d, ]+) \(median/.exec(block)![1]!.split(',').length;
    const device = id.split(' ')[0]!;
    const dev = extractMarkdownSection(DOC, device);
    it('one model table whose engines and Fmax are those of the device block', () => {
      expect(mt).toHaveLength(1);
      expect(dev).toBeDefined();
      const hw = parseMarkdownTables(dev!).find((t) => t.header.includes('LCs placed'))!;
      for (const r of mt[0]!.rows) {
        const e = hw.rows.find((x) => x[0] === r[0] && x[1] === r[1])!;
        expect(r[col(mt[0]!, 'Fmax MHz')]).toBe(e[col(hw, 'Fmax MHz (median)')]);
      }
    });
    it('inferences/s or tokens/s follow from Fmax, N, the shapes and the coded bits', () => {
      const t = mt[0]!;
      const token = /tokens\/s/.test(block);
      const w = existsSync(file) ? workloadFromWeights(file) : token ? charLmWorkload() : mnistMlpWorkload();
      const title = block.split('\n').find((l) => l.startsWith('#### ') && /per (inference|token)/.test(l))!;
      const [, macs, weights] = /\(([\d.]+ k) MAC and ([\d.]+ k) weights per/.exec(title)!;
      near(macs!, macsOf(w));
      near(weights!, weightsOf(w));
      const bws = t.header.filter((h) => h.endsWith(' raw')).map((h) => Number(h.slice(2, -4)));
      for (const r of t.rows) {
        const eng = { lanes: Number(r[1]), fmaxMHz: Number(r[col(t, 'Fmax MHz')]), latency: 3 + pipe };
        const bits = Number(r[col(t, 'coded bits/w')]);
        for (const b of bws) {
          near(r[col(t, `B=${b} raw`)]!, workloadRate(w, eng, b, 8).perSecond);
          near(r[col(t, `B=${b} coded`)]!, workloadRate(w, eng, b, bits).perSecond);
        }
      }
    });
    it.runIf(existsSync(file))('the rates are those of the weight file', () => {
      const formats = rt.rows.map((r) => parseEstimateFormat(r[0]!.split(' ')[0]!));
      const rates = modelRates(formats, file, 1.5, 7);
      for (const r of rt.rows) {
        const x = rates.rows.find((y) => y.format === parseEstimateFormat(r[0]!.split(' ')[0]!))!;
        expect(r[col(rt, 'Huffman bits')]).toBe(x.huffmanBits.toFixed(3));
        expect(r[col(rt, 'SQNR dB')]).toBe(x.sqnrDb.toFixed(2));
      }
    });
  });
}

describe('docs/estimates.md prose claims on the checkpoints', () => {
  const prose = DOC.slice(0, DOC.indexOf('<!-- rf8 estimate: begin'));
  const tablesOf = (file: string): Table[] => {
    const b = extractMarkdownSection(DOC, `hx8k model=${file}`);
    expect(b, file).toBeDefined();
    return parseMarkdownTables(b!);
  };
  const rate = (file: string, f: string, c: string): number => {
    const rt = tablesOf(file).find((t) => t.header.includes('Exp-Golomb bits'))!;
    return Number(rt.rows.find((r) => r[0]!.split(' ')[0] === f)![col(rt, c)]);
  };
  it('plainly trained weights: RF8 e3m4 about 7.5 bits per weight', () => {
    for (const f of ['runs/experiments/mlp-base/model.safetensors', 'runs/lm-base/model.safetensors']) expect(Math.abs(rate(f, 'rf8-e3m4', 'Huffman bits') - 7.5)).toBeLessThan(0.1);
  });
  it('BackSlash-trained MLP: the stated rates, SQNRs and the 72 -> 122 inferences/s', () => {
    const f = 'runs/experiments/bs-0.1/model.safetensors';
    expect(prose).toContain('98.0 % test accuracy');
    if (existsSync('runs/experiments/bs-0.1/run.json')) {
      const run = JSON.parse(readFileSync('runs/experiments/bs-0.1/run.json', 'utf8'));
      expect(run.train.lambda).toBe(0.1);
      expect((run.metrics.final.test.acc * 100).toFixed(1)).toBe('98.0');
    }
    expect(rate(f, 'rf8-e3m4', 'Huffman bits').toFixed(1)).toBe('4.7');
    expect(rate(f, 'int8', 'Huffman bits').toFixed(1)).toBe('3.7');
    expect(rate(f, 'int8', 'SQNR dB').toFixed(1)).toBe('40.0');
    expect(rate(f, 'rf8-e3m4', 'SQNR dB').toFixed(1)).toBe('37.5');
    expect(rate(f, 'gg-multi', 'SQNR dB').toFixed(1)).toBe('42.6');
    expect(rate(f, 'gg-multi', 'Huffman bits').toFixed(1)).toBe('3.9');
    expect(rate(f, 'ocp-e4m3', 'Huffman bits')).toBeGreaterThan(7);
    const rt = tablesOf(f).find((t) => t.header.includes('Exp-Golomb bits'))!;
    expect(rt.rows.find((r) => r[0]!.startsWith('gg-multi'))![0]).toBe('gg-multi (rf8-e2m5)');
    const mt = tablesOf(f).find((t) => t.header.includes('compute bound'))!;
    const row = mt.rows.find((r) => r[0] === 'rf8-e3m4' && r[1] === '4')!;
    expect([row[col(mt, 'B=1 raw')], row[col(mt, 'B=1 coded')]]).toEqual(['72.2', '122']);
    for (const m of ['runs/experiments/mlp-base/model.safetensors', f, 'runs/lm-base/model.safetensors']) expect(prose).toContain(m.replace('/model.safetensors', ''));
  });
});

// The plain statement of issue 12 (section "rf8 weights: the multiplier-free product"): its table
// of rf8-weight engines against their baselines restates the `<device> rf8-weights` blocks; every
// cell (both sides, the percentages) is recomputed from the block's tables here.
describe('docs/estimates.md: what the multiplier-free product buys (rf8-weights blocks)', () => {
  const start = DOC.indexOf('### rf8 weights: the multiplier-free product');
  const section = DOC.slice(start, DOC.indexOf('\n### ', start + 10));
  const table = parseMarkdownTables(section).find((t) => t.header.includes('engine vs baseline'))!;
  const FABRIC: Record<string, string> = { 'HX8K (no DSP)': 'hx8k', 'UP5K (SB_MAC16)': 'up5k', 'ECP5 (MULT18)': 'ecp5', 'xc7 (DSP48E1)': 'xc7' };
  const blocks = DEVICE_NAMES.filter((d) => extractMarkdownSection(DOC, `${d} rf8-weights`));
  const tablesOf = (d: string) => {
    const ts = parseMarkdownTables(extractMarkdownSection(DOC, `${d} rf8-weights`)!);
    return { hw: ts.find((t) => t.header.includes('LCs placed'))!, dp: ts.find((t) => t.header.includes('critical path') && !t.header.includes('LCs placed')) };
  };
  const pctText = (a: number, b: number): string => {
    const p = Number(((a / b - 1) * 100).toFixed(0));
    return `${p >= 0 ? '+' : ''}${p} %`;
  };

  it('has the table, with every measured device and the three pairs at N = 1 and 8', () => {
    expect(table).toBeDefined();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const d of blocks) {
      const rows = table.rows.filter((r) => FABRIC[r[0]!] === d);
      expect(rows.map((r) => `${r[1]} ${r[2]}`), d).toEqual(['int8/rf8 vs int8 1', 'int8/rf8 vs int8 8', 'rf8-e3m4/rf8 vs rf8-e3m4 1', 'rf8-e3m4/rf8 vs rf8-e3m4 8', 'rf8 vs ocp-e4m3 1', 'rf8 vs ocp-e4m3 8']);
    }
    expect(new Set(table.rows.map((r) => FABRIC[r[0]!]))).toEqual(new Set(blocks));
  });

  it('every cell is the two engines of the block (and their ratio)', () => {
    for (const r of table.rows) {
      const d = FABRIC[r[0]!]!;
      const { hw, dp } = tablesOf(d);
      const [f, g] = r[1]!.split(' vs ') as [string, string];
      const n = r[2]!;
      const cell = (t: Table, fmt: string, c: string): string => t.rows.find((x) => x[0] === fmt && x[1] === n)![col(t, c)]!;
      const check = (shown: string, t: Table | undefined, c: string, withPct: boolean): void => {
        if (!t || cell(t, f, c) === '–') {
          expect(shown, `${d} ${f} N=${n} ${c}`).toBe('–');
          return;
        }
        const [x, y] = [cell(t, f, c), cell(t, g, c)];
        expect(shown, `${d} ${f} N=${n} ${c}`).toBe(`${x} vs ${y}${withPct ? ` (${pctText(Number(x), Number(y))})` : ''}`);
      };
      check(r[col(table, 'LUTs')]!, hw, 'LUTs', true);
      check(r[col(table, 'DSPs')]!, hw, 'DSP', false);
      check(r[col(table, 'FFs')]!, hw, 'FFs', true);
      check(r[col(table, 'Fmax MHz')]!, hw, 'Fmax MHz (median)', false);
      check(r[col(table, 'MAC/s per 1k LUTs')]!, hw, 'MAC/s per 1k LUTs', false);
      check(r[col(table, 'datapath LUTs')]!, dp, 'LUTs', true);
      check(r[col(table, 'datapath Fmax MHz')]!, dp, 'Fmax MHz (median)', false);
    }
  });

  it('the per-fabric statement: every "`F` +a % / +b % LUTs over `G`" (N = 1 / 8) and the HX8K ranges follow from the blocks', () => {
    const flat = section.replace(/\s+/g, ' ');
    const FAB: Record<string, string> = { HX8K: 'hx8k', UP5K: 'up5k', ECP5: 'ecp5', xc7: 'xc7' };
    const bullets = [...flat.matchAll(/- \*\*(HX8K|UP5K|ECP5|xc7) \((.*?)(?= - \*\*| The flip-flop counts)/g)];
    expect(bullets.map((m) => FAB[m[1]!]).sort()).toEqual([...blocks].sort());
    let claims = 0;
    for (const m of bullets) {
      const d = FAB[m[1]!]!;
      const { hw } = tablesOf(d);
      const luts = (f: string, n: number) => Number(hw.rows.find((r) => r[0] === f && r[1] === String(n))![col(hw, 'LUTs')]);
      for (const c of m[2]!.matchAll(/`(\S+)` ([-+]\d+) % \/ ([-+]\d+) % LUTs over `(\S+)`/g)) {
        const [, f, p1, p8, g] = c as unknown as [string, string, string, string, string];
        expect([`${p1} %`, `${p8} %`], `${d} ${f} vs ${g}`).toEqual([pctText(luts(f, 1), luts(g, 1)), pctText(luts(f, 8), luts(g, 8))]);
        claims++;
      }
    }
    expect(claims).toBe(3 * blocks.length); // the three pairs on every fabric
    // HX8K: the datapath range, the flip-flops, the Fmax, the datapath clocks, the MAC/s per LUT example
    const { hw, dp } = tablesOf('hx8k');
    const pairs = [['int8/rf8', 'int8'], ['rf8-e3m4/rf8', 'rf8-e3m4'], ['rf8', 'ocp-e4m3']] as const;
    const v = (t: Table, f: string, n: number, c: string) => Number(t.rows.find((r) => r[0] === f && r[1] === String(n))![col(t, c)]);
    const dl: number[] = [], ff: number[] = [], fm: number[] = [], mine: number[] = [], base: number[] = [];
    for (const [f, g] of pairs) {
      for (const n of [1, 8]) {
        dl.push(Number(((v(dp!, f, n, 'LUTs') / v(dp!, g, n, 'LUTs') - 1) * 100).toFixed(0)));
        ff.push(Number(((v(hw, f, n, 'FFs') / v(hw, g, n, 'FFs') - 1) * 100).toFixed(0)));
        fm.push(v(hw, f, n, 'Fmax MHz (median)') / v(hw, g, n, 'Fmax MHz (median)'));
        expect(v(hw, f, n, 'LUTs')).toBeGreaterThan(v(hw, g, n, 'LUTs'));
        expect(unSi(hw.rows.find((r) => r[0] === f && r[1] === String(n))![col(hw, 'MAC/s per 1k LUTs')]!)).toBeLessThan(unSi(hw.rows.find((r) => r[0] === g && r[1] === String(n))![col(hw, 'MAC/s per 1k LUTs')]!));
        mine.push(v(dp!, f, n, 'Fmax MHz (median)'));
        base.push(v(dp!, g, n, 'Fmax MHz (median)'));
      }
    }
    expect([Math.min(...dl), Math.max(...dl)]).toEqual([7, 22]);
    expect(flat).toContain('the MAC datapath alone too (+7 % to +22 %)');
    expect([Math.min(...ff), Math.max(...ff)]).toEqual([3, 29]);
    expect(flat).toContain('It has 3-29 % more flip-flops');
    for (const r of fm) expect(Math.abs(r - 1)).toBeLessThan(0.1);
    expect([Math.min(...mine), Math.max(...mine), Math.min(...base), Math.max(...base)].map(Math.round)).toEqual([44, 50, 54, 61]);
    expect(flat).toContain('the datapath alone clocks lower (44-50 MHz against 54-61 MHz)');
    expect(flat).toContain(`int8/rf8 at N = 8: ${hw.rows.find((r) => r[0] === 'int8/rf8' && r[1] === '8')![col(hw, 'MAC/s per 1k LUTs')]} against ${hw.rows.find((r) => r[0] === 'int8' && r[1] === '8')![col(hw, 'MAC/s per 1k LUTs')]}`);
    // UP5K: int8/rf8 against int8, Fmax and MAC/s per 1k LUTs as stated
    if (blocks.includes('up5k')) {
      const u = tablesOf('up5k').hw;
      const s = (f: string, n: number, c: string) => u.rows.find((r) => r[0] === f && r[1] === String(n))![col(u, c)]!;
      const fm = 'Fmax MHz (median)', ml = 'MAC/s per 1k LUTs';
      expect(flat).toContain(`Fmax (${s('int8/rf8', 1, fm)} / ${s('int8/rf8', 8, fm)} against ${s('int8', 1, fm)} / ${s('int8', 8, fm)} MHz) and ${s('int8/rf8', 1, ml)} / ${s('int8/rf8', 8, ml)} MAC/s per 1k LUTs against ${s('int8', 1, ml)} / ${s('int8', 8, ml)}`);
      expect(Math.abs(Number(s('int8/rf8', 8, fm)) / Number(s('int8', 8, fm)) - 1)).toBeLessThan(0.03); // "the same Fmax"
      const ud = tablesOf('up5k').dp;
      if (ud) {
        const t = (f: string, n: number, c: string) => ud.rows.find((r) => r[0] === f && r[1] === String(n))![col(ud, c)]!;
        const pc = (n: number) => pctText(Number(t('int8/rf8', n, 'LUTs')), Number(t('int8', n, 'LUTs'))).replace(' %', '');
        expect(flat).toContain(`The MAC datapath alone shows the trade more: ${t('int8/rf8', 1, 'LUTs')} / ${t('int8/rf8', 8, 'LUTs')} LUTs against ${t('int8', 1, 'LUTs')} / ${t('int8', 8, 'LUTs')} (${pc(1)} % / ${pc(8)} %), ${t('int8/rf8', 1, fm)} / ${t('int8/rf8', 8, fm)} MHz against ${t('int8', 1, fm)} / ${t('int8', 8, fm)} MHz.`);
      }
    }
    // the flip-flops over every block: 3-34 % more than the baseline
    const ffAll: number[] = [];
    for (const d of blocks) {
      const t = tablesOf(d).hw;
      for (const [f, g] of pairs) for (const n of [1, 8]) ffAll.push(Number(((v(t, f, n, 'FFs') / v(t, g, n, 'FFs') - 1) * 100).toFixed(0)));
    }
    expect([Math.min(...ffAll), Math.max(...ffAll)]).toEqual([3, 34]);
    expect(flat).toContain('the rf8-weight engines 3-34 % above their baselines everywhere');
    expect(flat).toContain(`(W = ${pairs.map(([f]) => v(hw, f, 1, 'W')).join(' / ')} against ${pairs.map(([, g]) => v(hw, g, 1, 'W')).join(' / ')})`);
  });

  it('the rf8-weight engines use no DSP block on any fabric; the baselines one per lane where the fabric has MULT18 / DSP48E1', () => {
    for (const d of blocks) {
      const { hw } = tablesOf(d);
      for (const r of hw.rows) {
        const dsp = Number(r[col(hw, 'DSP')]);
        if (r[0]!.endsWith('/rf8') || r[0] === 'rf8') expect(dsp, `${d} ${r[0]} N=${r[1]}`).toBe(0);
        // xc7: OCP E4M3's product stays in LUTs
        else if (d === 'ecp5' || d === 'xc7') expect(dsp, `${d} ${r[0]} N=${r[1]}`).toBe(d === 'xc7' && r[0] === 'ocp-e4m3' ? 0 : Number(r[1]));
        else if (d === 'hx8k') expect(dsp).toBe(0);
        // UP5K: only INT8's 8x8 product reaches yosys's SB_MAC16 threshold
        else if (d === 'up5k') expect(dsp, `${d} ${r[0]} N=${r[1]}`).toBe(r[0] === 'int8' ? Number(r[1]) : 0);
      }
    }
  });
});

// The plain statement of issue 17 (section "GG codebooks: what the accuracy costs"): every
// percentage, MHz, block RAM count and SQNR it states is recomputed from the `<device> codebook`
// blocks here.
describe('docs/estimates.md: what the codebook\'s accuracy costs (codebook blocks)', () => {
  const start = DOC.indexOf('### GG codebooks: what the accuracy costs');
  const section = DOC.slice(start, DOC.indexOf('\n### ', start + 10));
  const flat = section.replace(/\s+/g, ' ');
  const blocks = DEVICE_NAMES.filter((d) => extractMarkdownSection(DOC, `${d} codebook`));
  const tablesOf = (d: string) => {
    const ts = parseMarkdownTables(extractMarkdownSection(DOC, `${d} codebook`)!);
    return {
      hw: ts.find((t) => t.header.includes('LCs placed'))!,
      dp: ts.find((t) => t.header.includes('critical path') && !t.header.includes('LCs placed')),
      qt: ts.find((t) => t.header.some((h) => h.startsWith('SQNR dB beta=')))!,
    };
  };
  const v = (t: Table, f: string, n: number, c: string): string => t.rows.find((r) => r[0] === f && r[1] === String(n))![col(t, c)]!;
  const pct = (a: number, b: number): string => {
    const p = Number(((a / b - 1) * 100).toFixed(0));
    return `${p >= 0 ? '+' : ''}${p} %`;
  };
  const FAB: Record<string, string> = { HX8K: 'hx8k', UP5K: 'up5k', ECP5: 'ecp5', xc7: 'xc7' };
  const bullets = [...flat.matchAll(/- \*\*(HX8K|UP5K|ECP5|xc7)\b(.*?)(?= - \*\*| In short)/g)];

  it('exists, with a bullet for every device that has a codebook block', () => {
    expect(start).toBeGreaterThan(0);
    expect(blocks.length).toBeGreaterThanOrEqual(1);
    expect(bullets.map((m) => FAB[m[1]!]).sort()).toEqual([...blocks].sort());
  });

  it('every "`F` +a % / +b % LUTs over `G`" (N = 1 / 8) follows from its device\'s block', () => {
    let claims = 0;
    for (const m of bullets) {
      const { hw } = tablesOf(FAB[m[1]!]!);
      // "`F` +a % / +b % LUTs over `G`, +c % / +d % LUTs over `H` and ..." (the later ones of F too)
      for (const chain of m[2]!.matchAll(/`(\S+)`((?:,? (?:and )?[-+]\d+ % \/ [-+]\d+ % LUTs over `\S+`)+)/g)) {
        const f = chain[1]!;
        for (const c of chain[2]!.matchAll(/([-+]\d+) % \/ ([-+]\d+) % LUTs over `(\S+)`/g)) {
          const [, p1, p8, g] = c as unknown as [string, string, string, string];
          expect([`${p1} %`, `${p8} %`], `${m[1]} ${f} vs ${g}`).toEqual([1, 8].map((n) => pct(Number(v(hw, f, n, 'LUTs')), Number(v(hw, g, n, 'LUTs')))));
          claims++;
        }
      }
    }
    expect(claims).toBeGreaterThanOrEqual(4 * bullets.length);
  });

  it('every "`F` at x / y MHz against `G` at z / w MHz" (engine, or the datapath alone) is the block\'s Fmax', () => {
    let claims = 0;
    for (const m of bullets) {
      const { hw, dp } = tablesOf(FAB[m[1]!]!);
      for (const c of m[2]!.matchAll(/(datapath )?`(\S+)` at ([\d.]+) \/ ([\d.]+) MHz against `(\S+)` at ([\d.]+) \/ ([\d.]+) MHz/g)) {
        const [, d, f, a1, a8, g, b1, b8] = c as unknown as string[];
        const t = d ? dp! : hw;
        expect([a1, a8, b1, b8], `${m[1]} ${d ?? ''}${f} vs ${g}`).toEqual([v(t, f!, 1, 'Fmax MHz (median)'), v(t, f!, 8, 'Fmax MHz (median)'), v(t, g!, 1, 'Fmax MHz (median)'), v(t, g!, 8, 'Fmax MHz (median)')]);
        claims++;
      }
    }
    if (blocks.includes('hx8k')) expect(claims).toBeGreaterThanOrEqual(2);
  });

  it('the block RAM counts ("`F` uses a / b block RAMs") hold in every block; no other engine uses one', () => {
    const claims = [...flat.matchAll(/`(\S+)` uses (\d+) \/ (\d+) block RAMs/g)];
    expect(claims.length).toBeGreaterThanOrEqual(2);
    for (const d of blocks) {
      const { hw } = tablesOf(d);
      for (const c of claims) expect([c[2], c[3]], `${d} ${c[1]}`).toEqual([v(hw, c[1]!, 1, 'BRAM'), v(hw, c[1]!, 8, 'BRAM')]);
      for (const r of hw.rows) if (!r[0]!.includes('cb-')) expect(r[col(hw, 'BRAM')], `${d} ${r[0]}`).toBe('0');
    }
  });

  it('the summary: the LUT ranges over the blocks, the HX8K Fmax and datapath claims, the binary32 converter on every critical path', () => {
    const range = (f: string, g: string): string => {
      const ps: number[] = [];
      for (const d of blocks) for (const n of [1, 8]) ps.push(Number(((Number(v(tablesOf(d).hw, f, n, 'LUTs')) / Number(v(tablesOf(d).hw, g, n, 'LUTs')) - 1) * 100).toFixed(0)));
      const s = (p: number) => (p > 0 ? `+${p}` : `${p}`);
      return [Math.min(...ps), Math.max(...ps)].map((p, i) => (i === 0 && p > 0 ? `${p}` : s(p))).join(' % to ');
    };
    expect(range('cb-b1-p0', 'rf8-e3m4').replace(' % to +', '-')).toBe('33-67');
    expect(flat).toContain('33-67 % more LUTs for codebook x codebook against rf8-e3m4 x rf8-e3m4');
    expect(range('rf8-e3m4/cb-b1-p0', 'rf8-e3m4')).toBe('-4 % to +17');
    expect(flat).toContain('-4 % to +17 % for codebook weights with rf8-e3m4 activations');
    // ECP5: "most of the codebook engine's extra LUTs are its output converter"
    if (blocks.includes('ecp5')) {
      const e = tablesOf('ecp5').hw;
      const L = (f: string, n: number) => Number(v(e, f, n, 'LUTs'));
      for (const n of [1, 8]) expect(L('cb-b1-p0/rf8-e3m4', n) - L('rf8-e3m4/cb-b1-p0', n), `N=${n}`).toBeGreaterThan(0.5 * (L('cb-b1-p0', n) - L('rf8-e3m4', n)));
      expect(flat).toContain("Most of the codebook engine's extra LUTs are its output converter");
    }
    if (!blocks.includes('hx8k')) return;
    const { hw, dp } = tablesOf('hx8k');
    for (const r of hw.rows) expect(r[col(hw, 'critical path')], r[0]).toBe('u_dut.u_cvtf');
    expect(flat).toContain('critical path `u_cvtf`');
    for (const f of ['cb-b1-p0', 'rf8-e3m4/cb-b1-p0'])
      for (const n of [1, 8]) expect(Math.abs(Number(v(hw, f, n, 'Fmax MHz (median)')) / Number(v(hw, 'rf8-e3m4', n, 'Fmax MHz (median)')) - 1), `${f} N=${n}`).toBeLessThan(0.065);
    expect(flat).toContain('stays within 6 % of rf8-e3m4\'s');
    const slow = [1, 8].map((n) => Number(((1 - Number(v(dp!, 'cb-b1-p0', n, 'Fmax MHz (median)')) / Number(v(dp!, 'rf8-e3m4', n, 'Fmax MHz (median)'))) * 100).toFixed(0)));
    expect(flat).toContain(`the MAC datapath alone clocks ${Math.min(...slow)}-${Math.max(...slow)} % slower with two codebook operands`);
  });

  it('the SQNRs ("`F` a / b / c dB" at beta = 0.5 / 1 / 2) are the blocks\' quality table', () => {
    const claims = [...flat.matchAll(/`(\S+)` ([\d.]+) \/ ([\d.]+) \/ ([\d.]+)(?: dB)?/g)];
    expect(claims.length).toBeGreaterThanOrEqual(4);
    const sq = (t: Table, f: string, b: number) => Number(t.rows.find((r) => r[0] === f)![col(t, `SQNR dB beta=${b}`)]!.split(' ')[0]);
    const q0 = tablesOf(blocks[0]!).qt;
    expect(flat).toContain(`${[0.5, 1, 2].map((b) => `+${(sq(q0, 'cb-b1-p0', b) - sq(q0, 'rf8-e3m4', b)).toFixed(1)}`).join(' / ')} dB over rf8-e3m4`);
    for (const d of blocks) {
      const { qt } = tablesOf(d);
      for (const c of claims) {
        const row = qt.rows.find((r) => r[0] === c[1])!;
        expect([c[2], c[3], c[4]], `${d} ${c[1]}`).toEqual([0.5, 1, 2].map((b) => row[col(qt, `SQNR dB beta=${b}`)]!.split(' ')[0]));
      }
    }
  });
});
