import { hardwareTable, markdownTable, modelTables, type Table } from '../estimate/report.js';
import type { EstimateReport } from '../estimate/sweep.js';
import type { EstimateFormat } from '../estimate/configs.js';

/** Columns of a table, by header name, in the order given. */
function columns(t: Table, names: string[]): Table {
  const idx = names.map((n) => t.header.indexOf(n)).filter((i) => i >= 0);
  return { header: idx.map((i) => t.header[i]!), rows: t.rows.map((r) => idx.map((i) => r[i] ?? '')) };
}

/**
 * The demo's accelerator estimate as markdown tables: resources, Fmax and MAC rate, and the
 * throughput per model. The raw estimate stays in report.json (`estimate`).
 */
export function estimateMarkdown(e: EstimateReport, engine: readonly EstimateFormat[]): string[] {
  const L: string[] = [];
  const hw = hardwareTable(e);
  L.push(`## Accelerator estimate`, '');
  L.push(
    `The engine the demo co-simulated (${engine.join(', ') || 'see report.json'}), ${e.configs.map((c) => c.lanes).filter((v, i, a) => a.indexOf(v) === i).join(', ')} lanes, on ${e.device.part}; ` +
      `${e.flow.tools.join('; ')}; nextpnr seeds ${e.flow.seeds.join(', ')} (median Fmax), target ${e.flow.freqMHz} MHz, pipe ${e.flow.pipe}. The full estimate is in report.json (\`estimate\`).`,
    '',
  );
  L.push('### Resources', '', markdownTable(columns(hw, ['format', 'N', 'W', 'LUTs', 'carry', 'FFs', 'DSP', 'BRAM', 'LCs placed'])), '');
  L.push('### Fmax and MAC rate', '', markdownTable(columns(hw, ['format', 'N', 'Fmax MHz (median)', 'Fmax seeds', 'MAC/s', 'MAC/s per 1k LUTs', 'LUTs/MAC', 'critical path'])), '');
  const models = modelTables(e);
  if (models.length) {
    L.push('### Throughput per model', '');
    for (const m of models) L.push(`#### ${m.title}`, '', markdownTable(m.table), '');
  }
  return L;
}
