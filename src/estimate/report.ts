/**
 * Presentation of an estimate: text / markdown tables, the RF8-vs-baseline comparison in words,
 * and SVG plots (src/util/plot: vega-lite -> SVG).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './flow.js';
import { lineChart, renderSvg, type TopLevelSpec } from '../util/plot.js';
import { writeFileAtomic } from '../util/atomic.js';
import { GG_MULTI, type EstimateFormat } from './configs.js';
import type { ConfigResult, EstimateReport } from './sweep.js';

export const fmtNum = (x: number | undefined, digits = 1): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
/** Fmax in MHz with 3 significant digits at least (6.35, 16.7, 58.4). */
export const fmtMHz = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(x < 10 ? 2 : 1));

/** 1.23e6 -> "1.23 M" */
export function si(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [v, u] of units) if (Math.abs(x) >= v) return `${(x / v).toPrecision(digits)} ${u}`;
  return x.toPrecision(digits);
}

export interface Table {
  header: string[];
  rows: string[][];
}

export function hardwareTable(rep: EstimateReport): Table {
  const header = ['format', 'N', 'W', 'LUTs', 'carry', 'FFs', 'DSP', 'BRAM', 'LCs placed', 'Fmax MHz (median)', 'Fmax seeds', 'MAC/s', 'MAC/s per 1k LUTs', 'LUTs/MAC', 'critical path'];
  const rows = rep.configs.map((c) => {
    const r = c.resources;
    if (c.status === 'skipped') {
      return [c.format, String(c.lanes), ...Array(header.length - 3).fill('–'), c.status === 'skipped' ? `skipped (${c.reason})` : 'not generated'];
    }
    const seeds = c.seedFmaxMHz ? c.seedFmaxMHz.map(fmtMHz).join('/') : '–';
    const note =
      c.status === 'does-not-fit' ? `does not fit: ${c.reason}` : c.status === 'error' ? `error: ${c.reason}` : c.status === 'synth-only' ? 'synthesis only' : (c.critical?.through ?? '');
    return [
      c.format,
      String(c.lanes),
      String(c.info?.W ?? '–'),
      String(r?.luts ?? '–'),
      String(r?.carries ?? '–'),
      String(r?.ffs ?? '–'),
      String(r?.dsps ?? '–'),
      String(r?.brams ?? '–'),
      String(c.placedCells ?? '–'),
      fmtMHz(c.fmaxMHz),
      seeds,
      si(c.macPerSecond),
      si(c.macPerSecondPer1kLuts),
      fmtNum(c.lutsPerMac, 0),
      note,
    ];
  });
  return { header, rows };
}

/** The MAC datapath alone (output converters deleted): the arithmetic each format costs. */
export function datapathTable(rep: EstimateReport): Table {
  const header = ['format', 'N', 'LUTs', 'carry', 'FFs', 'DSP', 'Fmax MHz (median)', 'Fmax seeds', 'MAC/s', 'MAC/s per 1k LUTs', 'LUTs/MAC', 'critical path'];
  const rows = rep.configs
    .filter((c) => c.datapath)
    .map((c) => {
      const d = c.datapath!;
      return [
        c.format,
        String(c.lanes),
        String(d.resources.luts),
        String(d.resources.carries),
        String(d.resources.ffs),
        String(d.resources.dsps),
        fmtMHz(d.fmaxMHz),
        d.seedFmaxMHz ? d.seedFmaxMHz.map(fmtMHz).join('/') : '–',
        si(d.macPerSecond),
        si(d.macPerSecondPer1kLuts),
        fmtNum(d.resources.luts / c.lanes, 0),
        d.critical?.through ?? '',
      ];
    });
  return { header, rows };
}

export function qualityTable(rep: EstimateReport): Table {
  const betas = [...new Set(rep.quality.map((q) => q.beta))];
  const formats = [...new Set(rep.quality.map((q) => q.format))];
  const header = ['format', ...betas.map((b) => `SQNR dB beta=${b}`), ...betas.map((b) => `Huffman bits beta=${b}`)];
  const rows = formats.map((f) => {
    const q = (b: number) => rep.quality.find((x) => x.format === f && x.beta === b)!;
    return [f, ...betas.map((b) => q(b).sqnrDb.toFixed(2) + (f === GG_MULTI ? ` (${q(b).chosen.replace('rf8-', '')})` : '')), ...betas.map((b) => q(b).huffmanBits.toFixed(3))];
  });
  return { header, rows };
}

export function rateTable(rep: EstimateReport): Table {
  return {
    header: ['format', 'SQNR dB', 'entropy bits', 'Huffman bits', 'Exp-Golomb bits'],
    rows: rep.rates.rows.map((r) => [r.format + (r.format === GG_MULTI ? ` (${r.chosen})` : ''), r.sqnrDb.toFixed(2), r.entropyBits.toFixed(3), r.huffmanBits.toFixed(3), r.egBits.toFixed(3)]),
  };
}

export function modelTables(rep: EstimateReport): { title: string; table: Table }[] {
  return rep.models.map((m) => {
    const bws = m.rows[0]?.perBandwidth.map((p) => p.bandwidth) ?? [];
    const unit = m.unit === 'token' ? 'tokens/s' : 'inferences/s';
    const header = ['format', 'N', 'Fmax MHz', 'coded bits/w', ...bws.flatMap((b) => [`B=${b} raw`, `B=${b} coded`]), 'compute bound'];
    const rows = m.rows.map((r) => [
      r.format,
      String(r.lanes),
      fmtMHz(r.fmaxMHz),
      r.codedBits.toFixed(2),
      ...r.perBandwidth.flatMap((p) => [si(p.raw.perSecond), si(p.coded.perSecond)]),
      si(r.computeBoundPerSecond),
    ]);
    return { title: `${m.workload}: ${unit} (${si(m.macs)} MAC and ${si(m.weights)} weights per ${m.unit}; B = weight bandwidth in bytes/cycle; ${m.source})`, table: { header, rows } };
  });
}

export function textTable(t: Table): string {
  const cells = [t.header, ...t.rows];
  const w = t.header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ')).join('\n');
}

export function markdownTable(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${t.header.map(esc).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export interface Comparison {
  lanes: number;
  baseline: EstimateFormat;
  format: EstimateFormat;
  lutRatio: number;
  ffRatio: number;
  fmaxRatio?: number;
  macPerLutRatio?: number;
  datapathLutRatio?: number;
  datapathFmaxRatio?: number;
}

/** `format` against each baseline at every lane count both fit. Ratios are format / baseline. */
export function compare(rep: EstimateReport, format: EstimateFormat, baselines: readonly EstimateFormat[] = ['int8', 'ocp-e4m3']): Comparison[] {
  const by = (f: EstimateFormat, n: number): ConfigResult | undefined => rep.configs.find((c) => c.format === f && c.lanes === n && (c.status === 'ok' || c.status === 'synth-only'));
  const out: Comparison[] = [];
  for (const b of baselines) {
    for (const n of [...new Set(rep.configs.map((c) => c.lanes))]) {
      const x = by(format, n);
      const y = by(b, n);
      if (!x?.resources || !y?.resources) continue;
      const c: Comparison = { lanes: n, baseline: b, format, lutRatio: x.resources.luts / y.resources.luts, ffRatio: x.resources.ffs / y.resources.ffs };
      if (x.fmaxMHz && y.fmaxMHz) c.fmaxRatio = x.fmaxMHz / y.fmaxMHz;
      if (x.macPerSecondPer1kLuts && y.macPerSecondPer1kLuts) c.macPerLutRatio = x.macPerSecondPer1kLuts / y.macPerSecondPer1kLuts;
      if (x.datapath && y.datapath) {
        c.datapathLutRatio = x.datapath.resources.luts / y.datapath.resources.luts;
        if (x.datapath.fmaxMHz && y.datapath.fmaxMHz) c.datapathFmaxRatio = x.datapath.fmaxMHz / y.datapath.fmaxMHz;
      }
      out.push(c);
    }
  }
  return out;
}

const pct = (r: number): string => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(0)}%`;

/** Plain sentences: does RF8 cost more or less than each baseline, and by how much. */
export function verdict(rep: EstimateReport, format: EstimateFormat = 'rf8-e3m4', baselines?: readonly EstimateFormat[]): string[] {
  const lines: string[] = [];
  const cmp = compare(rep, format, baselines);
  for (const b of [...new Set(cmp.map((c) => c.baseline))]) {
    const cs = cmp.filter((c) => c.baseline === b);
    const parts = cs.map(
      (c) =>
        `N=${c.lanes}: LUTs ${pct(c.lutRatio)}` +
        (c.fmaxRatio !== undefined ? `, Fmax ${pct(c.fmaxRatio)}` : '') +
        (c.macPerLutRatio !== undefined ? `, MAC/s per LUT ${pct(c.macPerLutRatio)}` : '') +
        (c.datapathLutRatio !== undefined ? `; MAC datapath LUTs ${pct(c.datapathLutRatio)}` : '') +
        (c.datapathFmaxRatio !== undefined ? `, datapath Fmax ${pct(c.datapathFmaxRatio)}` : ''),
    );
    const more = cs.filter((c) => c.lutRatio > 1).map((c) => c.lanes);
    const less = cs.filter((c) => c.lutRatio <= 1).map((c) => c.lanes);
    const word = !less.length ? 'more' : !more.length ? 'less' : `more at N=${more.join(', ')} and less at N=${less.join(', ')}`;
    lines.push(`${format} costs ${word} than ${b} in LUTs (${format.includes('/') ? `[${format}]` : format}/${b} - 1): ${parts.join('; ')}.`);
  }
  return lines;
}

/** RF8 e3m4 against INT8 and OCP E4M3; with the multi-mode GG float unit measured, it against RF8 e3m4 and the same two. */
export function allVerdicts(rep: EstimateReport): string[] {
  const out = verdict(rep);
  if (rep.configs.some((c) => c.format === GG_MULTI && c.resources)) out.push(...verdict(rep, GG_MULTI, ['rf8-e3m4', 'int8', 'ocp-e4m3']));
  // pairs A/B (e.g. rf8 weights with A activations): against A/A, and the residual pair against every single-format engine measured
  for (const f of [...new Set(rep.configs.filter((c) => c.resources && c.format.includes('/')).map((c) => c.format))]) {
    const a = f.slice(0, f.indexOf('/')) as EstimateFormat;
    out.push(...verdict(rep, f, [a]));
  }
  const self = rep.configs.filter((c) => c.resources && c.format === 'rf8').map((c) => c.format);
  if (self.length) out.push(...verdict(rep, 'rf8', ['int8', 'rf8-e3m4', 'ocp-e4m3']));
  return out;
}

/** Generated observations on the converters (only with the datapath variant measured). */
export function findings(rep: EstimateReport): string[] {
  const out: string[] = [];
  const both = rep.configs.filter((c) => c.status === 'ok' && c.fmaxMHz && c.datapath?.fmaxMHz && c.resources);
  if (!both.length) return out;
  const n0 = Math.min(...both.map((c) => c.lanes));
  const viaCvt = both.filter((c) => /cvt/.test(c.critical?.through ?? '')).length;
  const ratios = both.map((c) => c.datapath!.fmaxMHz! / c.fmaxMHz!);
  const shares = both
    .filter((c) => c.lanes === n0)
    .map((c) => `${c.format} ${((1 - c.datapath!.resources.luts / c.resources!.luts) * 100).toFixed(0)}%`);
  out.push(
    `The output converters set Fmax: the critical path runs through a converter in ${viaCvt} of ${both.length} placed engines, and without them the MAC datapath clocks ` +
      `${Math.min(...ratios).toFixed(2)}x to ${Math.max(...ratios).toFixed(2)}x faster. At N=${n0} the converters are ${shares.join(', ')} of the engine's LUTs.`,
  );
  return out;
}

/** Write the plots; returns the file paths. */
export async function writePlots(rep: EstimateReport, dir: string): Promise<string[]> {
  const files: string[] = [];
  const formats = [...new Set(rep.configs.map((c) => c.format))];
  const placed = rep.configs.filter((c) => c.resources && (c.status === 'ok' || c.status === 'synth-only' || c.status === 'does-not-fit'));
  // 1. LUTs vs lanes, per format (does-not-fit points included: synthesis still counts them)
  const series = formats
    .map((f) => {
      const cs = placed.filter((c) => c.format === f);
      return { name: f, x: cs.map((c) => c.lanes), y: cs.map((c) => c.resources!.luts) };
    })
    .filter((s) => s.x.length);
  const lanes = [...new Set(rep.configs.map((c) => c.lanes))];
  const capLuts = rep.device.name === 'hx8k' ? 7680 : rep.device.name === 'up5k' ? 5280 : undefined;
  if (capLuts && lanes.length) series.push({ name: `${rep.device.name} capacity`, x: [Math.min(...lanes), Math.max(...lanes)], y: [capLuts, capLuts], dashed: true } as never);
  const p1 = join(dir, `luts-vs-lanes-${rep.device.name}.svg`);
  const lanesDomain: [number, number] = [Math.min(...lanes), Math.max(...lanes)];
  writeFileAtomic(p1, await renderSvg(lineChart({ title: `LUTs vs lanes (${rep.device.part.split(' (')[0]}, yosys)`, x: { title: 'lanes N', log: true, domain: lanesDomain }, y: { title: 'LUTs', log: true }, series })));
  files.push(p1);
  // 2. SQNR on GG weights vs LUTs per MAC
  const pts: { format: string; lanes: number; lutsPerMac: number; sqnr: number; beta: string }[] = [];
  for (const c of placed) {
    for (const q of rep.quality.filter((x) => x.format === c.format)) pts.push({ format: c.format, lanes: c.lanes, lutsPerMac: c.lutsPerMac!, sqnr: q.sqnrDb, beta: `beta = ${q.beta}` });
  }
  if (pts.length) {
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Quality per area: SQNR on GG weights vs LUTs per MAC (N lanes as size)',
      data: { values: pts },
      facet: { column: { field: 'beta', type: 'nominal', title: null } },
      spec: {
        width: 220,
        height: 260,
        mark: { type: 'point', filled: true },
        encoding: {
          x: { field: 'lutsPerMac', type: 'quantitative', title: 'LUTs per MAC (engine LUTs / N)', scale: { type: 'log', nice: false } },
          y: { field: 'sqnr', type: 'quantitative', title: 'SQNR (dB)', scale: { zero: false } },
          color: { field: 'format', type: 'nominal', title: 'format' },
          size: { field: 'lanes', type: 'ordinal', title: 'lanes', scale: { range: [30, 300] } },
          tooltip: [{ field: 'format' }, { field: 'lanes' }, { field: 'lutsPerMac' }, { field: 'sqnr' }],
        },
      },
    } as unknown as TopLevelSpec;
    const p2 = join(dir, `sqnr-vs-luts-per-mac-${rep.device.name}.svg`);
    writeFileAtomic(p2, await renderSvg(spec));
    files.push(p2);
  }
  // 3. throughput vs bandwidth (roofline of each model at the largest fitting N per format)
  for (const m of rep.models) {
    const ser = [];
    for (const f of formats) {
      const rows = m.rows.filter((r) => r.format === f);
      if (!rows.length) continue;
      const r = rows.reduce((a, b) => (b.lanes > a.lanes ? b : a));
      ser.push({ name: `${f} N=${r.lanes} raw`, x: r.curve.map((p) => p.bandwidth), y: r.curve.map((p) => p.raw) });
      ser.push({ name: `${f} N=${r.lanes} coded`, x: r.curve.map((p) => p.bandwidth), y: r.curve.map((p) => p.coded), dashed: true });
    }
    if (!ser.length) continue;
    const p3 = join(dir, `roofline-${m.unit}-${rep.device.name}-${m.workload.split(' ')[0]!.replace(/[^A-Za-z0-9_.-]/g, '_')}.svg`);
    writeFileAtomic(
      p3,
      await renderSvg(lineChart({ title: `${m.workload}: ${m.unit}s/s vs weight bandwidth (raw 8 bits/weight solid, entropy coded dashed)`, points: false, x: { title: 'weight bandwidth (bytes/cycle)', log: true, domain: [0.25, 64] }, y: { title: `${m.unit}s per second`, log: true }, series: ser })),
    );
    files.push(p3);
  }
  return files;
}

/** The whole report as text (CLI). */
export function reportText(rep: EstimateReport): string {
  const out: string[] = [];
  out.push(`device: ${rep.device.part}; tools: ${rep.flow.tools.join('; ')}; nextpnr seeds ${rep.flow.seeds.join(',')} (median), target ${rep.flow.freqMHz} MHz; pipe ${rep.flow.pipe}`);
  out.push('');
  out.push(textTable(hardwareTable(rep)));
  if (rep.configs.some((c) => c.datapath)) {
    out.push('');
    out.push('MAC datapath alone (output converters deleted before synthesis):');
    out.push(textTable(datapathTable(rep)));
  }
  out.push('');
  for (const v of [...allVerdicts(rep), ...findings(rep)]) out.push(v);
  out.push('');
  out.push('SQNR and entropy-coded rate on GG weights:');
  out.push(textTable(qualityTable(rep)));
  out.push('');
  out.push(`bits per weight for the coded stream (${rep.rates.source}):`);
  out.push(textTable(rateTable(rep)));
  for (const m of modelTables(rep)) {
    out.push('');
    out.push(m.title);
    out.push(textTable(m.table));
  }
  out.push('');
  out.push(`${rep.toolRuns} tool runs, ${rep.seconds.toFixed(1)} s` + (rep.cpu ? ` (CPU: tools ${rep.cpu.toolSeconds.toFixed(1)} s, rf8 ${rep.cpu.selfSeconds.toFixed(1)} s)` : ''));
  return out.join('\n');
}

/** One fingerprint of the RTL behind every configuration of a report: which generator output the numbers describe. */
export function rtlFingerprint(rows: readonly { format: string; lanes: number; rtlSha256: string }[]): string {
  const items = rows.map((r) => `${r.format}/${r.lanes}/${r.rtlSha256}`).sort();
  return sha256(items.join('\n')).slice(0, 16);
}

export function reportFingerprint(rep: EstimateReport): string {
  return rtlFingerprint(rep.configs.filter((c) => c.info).map((c) => ({ format: c.format, lanes: c.lanes, rtlSha256: c.info!.rtlSha256 })));
}

const beginMark = (id: string): string => `<!-- rf8 estimate: begin ${id} -->`;
const endMark = (id: string): string => `<!-- rf8 estimate: end ${id} -->`;

/** The id of a report's markdown block: the device, the generator pipe when not the default 2, and the weight file when one was given. */
export function sectionId(rep: EstimateReport): string {
  let dev = rep.flow.pipe !== 2 ? `${rep.device.name} pipe=${rep.flow.pipe}` : rep.device.name;
  if (rep.flow.tag) dev += ` ${rep.flow.tag}`;
  return rep.model ? `${dev} model=${rep.model}` : dev;
}

/**
 * The generated markdown block of a report (between markers, so it can be replaced in place).
 * With a weight file the block holds only what the file changes: the rates and the model table.
 */
export function markdownSection(rep: EstimateReport, command: string): string {
  const id = sectionId(rep);
  const md: string[] = [beginMark(id)];
  md.push(`Generated by \`${command}\`. Device: ${rep.device.part}. Tools: ${rep.flow.tools.join('; ')}. nextpnr seeds ${rep.flow.seeds.join(', ')} (median Fmax), target ${rep.flow.freqMHz} MHz, generator pipe ${rep.flow.pipe}. RTL fingerprint \`${reportFingerprint(rep)}\`.`, '');
  if (!rep.model) {
    md.push('#### Resources, Fmax and MAC rate', '');
    md.push(markdownTable(hardwareTable(rep)), '');
    if (rep.configs.some((c) => c.datapath)) md.push('#### The MAC datapath alone (output converters deleted before synthesis)', '', markdownTable(datapathTable(rep)), '');
    for (const v of allVerdicts(rep)) md.push(`- ${v}`);
    for (const v of findings(rep)) md.push(`- ${v}`);
    md.push('', '#### SQNR and entropy-coded rate on GG weights', '', markdownTable(qualityTable(rep)), '');
  }
  md.push(`Bits per weight of the coded stream used below (${rep.rates.source}):`, '', markdownTable(rateTable(rep)));
  for (const m of modelTables(rep)) md.push('', `#### ${m.title}`, '', markdownTable(m.table));
  md.push(endMark(id));
  return md.join('\n') + '\n';
}

/** Replace the block `id` in `path` (or append it, or create the file). */
export function upsertMarkdown(path: string, id: string, block: string): void {
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const b = text.indexOf(beginMark(id));
  const e = text.indexOf(endMark(id));
  if (b >= 0 && e > b) text = text.slice(0, b) + block.trimEnd() + text.slice(e + endMark(id).length);
  else text = (text ? text.trimEnd() + '\n\n' : '') + block;
  writeFileAtomic(path, text.endsWith('\n') ? text : text + '\n');
}

/** Extract a generated block from a markdown file (undefined when absent). */
export function extractMarkdownSection(text: string, id: string): string | undefined {
  const b = text.indexOf(beginMark(id));
  const e = text.indexOf(endMark(id));
  return b >= 0 && e > b ? text.slice(b, e + endMark(id).length) : undefined;
}

/** Ids of the generated blocks in a markdown file, in order. */
export function markdownSectionIds(text: string): string[] {
  return [...text.matchAll(/<!-- rf8 estimate: begin (.+?) -->/g)].map((m) => m[1]!);
}

/** Parse the markdown tables of a block: each as header + rows of cell strings. */
export function parseMarkdownTables(block: string): Table[] {
  const out: Table[] = [];
  const lines = block.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('| ') || !lines[i + 1]?.startsWith('|---')) continue;
    const cells = (l: string): string[] => l.slice(2, -2).split(' | ').map((c) => c.replace(/\\\|/g, '|'));
    const header = cells(lines[i]!);
    const rows: string[][] = [];
    let k = i + 2;
    for (; k < lines.length && lines[k]!.startsWith('| '); k++) rows.push(cells(lines[k]!));
    out.push({ header, rows });
    i = k;
  }
  return out;
}
