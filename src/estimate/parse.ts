/**
 * Parsers for the reports of the installed tools:
 * - yosys `stat -json` (Yosys >= 0.10; 0.23 here) and, as a fallback, the text `stat` table;
 * - nextpnr `--report FILE` JSON (nextpnr >= 0.4) and, as a fallback, its log
 *   ("Max frequency for clock ..." and the "Device utilisation" block).
 * Cell counts are then classified per FPGA family into LUTs, carries, FFs, DSPs, BRAMs.
 * The tests feed these functions real outputs of the installed tools (test/estimate).
 */
import type { Family } from './devices.js';

/** Cells by type of the synthesized top (the whole flattened design). */
export interface CellCounts {
  cells: number;
  byType: Record<string, number>;
}

export class ReportParseError extends Error {
  override readonly name = 'ReportParseError';
}

const stripName = (s: string): string => s.replace(/^\\/, '');

/** Parse the output of yosys `stat -json` (as written by `tee -o FILE stat -json`). */
export function parseYosysStatJson(text: string, top?: string): CellCounts {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new ReportParseError(`yosys stat -json: not JSON (${(e as Error).message})`);
  }
  const o = j as { modules?: Record<string, StatBlock>; design?: StatBlock };
  let blk: StatBlock | undefined;
  if (o.design && o.design.num_cells_by_type) blk = o.design;
  else if (o.modules) {
    const mods = Object.entries(o.modules);
    const hit = top ? mods.find(([n]) => stripName(n) === top) : mods.length === 1 ? mods[0] : undefined;
    blk = hit?.[1];
  }
  if (!blk || typeof blk.num_cells !== 'number' || typeof blk.num_cells_by_type !== 'object') {
    throw new ReportParseError('yosys stat -json: no design totals (expected a "design" block or a single module)');
  }
  const byType: Record<string, number> = {};
  for (const [k, v] of Object.entries(blk.num_cells_by_type)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ReportParseError(`yosys stat -json: bad count for ${k}`);
    byType[stripName(k)] = v;
  }
  return { cells: blk.num_cells, byType };
}

interface StatBlock {
  num_cells: number;
  num_cells_by_type: Record<string, number>;
}

/**
 * Parse the text `stat` output of yosys (the last "=== top ===" block, or the
 * "design hierarchy" block when present). Fallback for yosys without `stat -json`.
 */
export function parseYosysStatText(text: string): CellCounts {
  const lines = text.split(/\r?\n/);
  // the hierarchy totals come last when present; else the last module block
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^===\s*design hierarchy\s*===/.test(lines[i]!.trim())) {
      start = i;
      break;
    }
  }
  if (start < 0) {
    for (let i = lines.length - 1; i >= 0; i--) {
      if (/^===\s*\S+\s*===$/.test(lines[i]!.trim())) {
        start = i;
        break;
      }
    }
  }
  if (start < 0) throw new ReportParseError('yosys stat: no "=== module ===" block');
  let cells: number | undefined;
  const byType: Record<string, number> = {};
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^===/.test(l.trim())) break;
    const mc = /^\s*Number of cells:\s+(\d+)/.exec(l);
    if (mc) {
      cells = Number(mc[1]);
      // the per-type lines follow, indented deeper, until a blank line
      for (let k = i + 1; k < lines.length; k++) {
        const t = /^\s{5,}(\S+)\s+(\d+)\s*$/.exec(lines[k]!);
        if (!t) break;
        byType[stripName(t[1]!)] = Number(t[2]);
      }
      break;
    }
  }
  if (cells === undefined) throw new ReportParseError('yosys stat: no "Number of cells" line');
  return { cells, byType };
}

/** Resources in the units a designer compares. */
export interface Resources {
  /** LUTs (SB_LUT4 / LUT1..6 and INV (a LUT1 after implementation) / LUT4; ecp5 carry cells CCU2C count 2 LUT4 each here too). */
  luts: number;
  /** Carry cells (SB_CARRY, CARRY4, CCU2C). */
  carries: number;
  ffs: number;
  /** Hard multipliers (SB_MAC16, DSP48E1, MULT18X18D). */
  dsps: number;
  /** Block RAMs (SB_RAM40_4K*, RAMB18/36, DP16KD) and large single-port RAMs (SB_SPRAM256KA). */
  brams: number;
  /** LUT RAMs, shift registers, wide muxes and anything else. */
  other: number;
}

const matchers: Record<Family, { luts: RegExp; carries: RegExp; ffs: RegExp; dsps: RegExp; brams: RegExp; io: RegExp }> = {
  ice40: {
    luts: /^SB_LUT4$/,
    carries: /^SB_CARRY$/,
    ffs: /^SB_DFF/,
    dsps: /^SB_MAC16$/,
    brams: /^(SB_RAM40_4K|SB_SPRAM256KA)/,
    io: /^(SB_IO|SB_GB)/,
  },
  xc7: {
    luts: /^(LUT[1-6]|INV)$/,
    carries: /^CARRY[48]$/,
    ffs: /^(FD[RSCP]E|FD[RSCP]E_1|LD[CP]E)$/,
    dsps: /^DSP48/,
    brams: /^RAMB(18|36)/,
    io: /^(IBUF|OBUF|BUFG|IOBUF|OBUFT|IBUFG)$/,
  },
  ecp5: {
    luts: /^LUT4$/,
    carries: /^CCU2[CD]?$/,
    ffs: /^TRELLIS_FF$/,
    dsps: /^(MULT18X18D|ALU54B|MULT9X9D)$/,
    brams: /^(DP16KD|PDPW16KD)$/,
    io: /^(TRELLIS_IO|\$_TBUF_)$/,
  },
};

/** Classify synthesized cells for a family. */
export function classifyCells(counts: CellCounts, family: Family): Resources {
  const m = matchers[family];
  const r: Resources = { luts: 0, carries: 0, ffs: 0, dsps: 0, brams: 0, other: 0 };
  for (const [type, n] of Object.entries(counts.byType)) {
    if (m.luts.test(type)) r.luts += n;
    else if (m.carries.test(type)) r.carries += n;
    else if (m.ffs.test(type)) r.ffs += n;
    else if (m.dsps.test(type)) r.dsps += n;
    else if (m.brams.test(type)) r.brams += n;
    else if (m.io.test(type)) continue;
    else r.other += n;
  }
  // an ECP5 CCU2C is two LUT4s with their carry logic: count its LUTs like iCE40 counts the sum LUT
  if (family === 'ecp5') r.luts += 2 * r.carries;
  return r;
}

/** What nextpnr reports after routing. */
export interface PnrReport {
  /** Achieved Fmax per clock (MHz) and the constraint it was asked for. */
  fmax: Record<string, { achievedMHz: number; constraintMHz?: number }>;
  /** Resource use per bel type: used / available. */
  utilization: Record<string, { used: number; available: number }>;
  /** The worst intra-clock path: its delay (ns) and the design hierarchy it mostly runs through. */
  critical?: { delayNs: number; hops: number; through: string; from: string; to: string };
}

interface NpPathHop {
  delay?: number;
  type?: string;
  from?: { cell?: string };
  to?: { cell?: string };
}

/** Parse a nextpnr `--report` JSON file. */
export function parseNextpnrReport(text: string): PnrReport {
  let j: {
    fmax?: Record<string, { achieved?: number; constraint?: number }>;
    utilization?: Record<string, { used?: number; available?: number }>;
    critical_paths?: { from?: string; to?: string; path?: NpPathHop[] }[];
  };
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new ReportParseError(`nextpnr report: not JSON (${(e as Error).message})`);
  }
  if (!j || typeof j.fmax !== 'object' || typeof j.utilization !== 'object') throw new ReportParseError('nextpnr report: no "fmax" / "utilization" objects');
  const fmax: PnrReport['fmax'] = {};
  for (const [clk, v] of Object.entries(j.fmax)) {
    if (typeof v?.achieved !== 'number' || !(v.achieved > 0)) throw new ReportParseError(`nextpnr report: bad fmax for ${clk}`);
    fmax[clk] = { achievedMHz: v.achieved, ...(typeof v.constraint === 'number' ? { constraintMHz: v.constraint } : {}) };
  }
  const utilization: PnrReport['utilization'] = {};
  for (const [bel, v] of Object.entries(j.utilization)) {
    if (typeof v?.used !== 'number' || typeof v?.available !== 'number') throw new ReportParseError(`nextpnr report: bad utilization for ${bel}`);
    utilization[bel] = { used: v.used, available: v.available };
  }
  const rep: PnrReport = { fmax, utilization };
  // the worst clock-to-same-clock path
  const intra = (j.critical_paths ?? []).filter((p) => p.from && p.to && p.from === p.to && p.from !== '<async>');
  if (intra.length) {
    const p = intra[0]!;
    const hops = p.path ?? [];
    const delayNs = hops.reduce((s, h) => s + (typeof h.delay === 'number' ? h.delay : 0), 0);
    const where = new Map<string, number>();
    for (const h of hops) {
      if (h.type !== 'logic') continue;
      const cell = h.to?.cell ?? '';
      const scope = hierarchyOf(cell);
      where.set(scope, (where.get(scope) ?? 0) + 1);
    }
    let through = '';
    let best = -1;
    for (const [k, v] of where) if (v > best) [through, best] = [k, v];
    rep.critical = {
      delayNs,
      hops: hops.filter((h) => h.type === 'logic').length,
      through,
      from: hierarchyOf(hops[0]?.from?.cell ?? ''),
      to: hierarchyOf(hops[hops.length - 1]?.to?.cell ?? ''),
    };
  }
  return rep;
}

/** The instance path of a flattened cell name ("u.u_cvtf.lead_SB_LUT4_O_5_LC" -> "u.u_cvtf"). */
export function hierarchyOf(cell: string): string {
  const parts = cell.split('.');
  if (parts.length <= 1) return '(top)';
  const scope: string[] = [];
  for (const p of parts.slice(0, -1)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) || /SB_|\$/.test(p)) break;
    scope.push(p);
  }
  return scope.length ? scope.join('.') : '(top)';
}

/**
 * Parse a nextpnr log: the last "Max frequency for clock" line per clock (the post-route
 * figure) and the "Device utilisation" block. Fallback for nextpnr without `--report`.
 */
export function parseNextpnrLog(text: string): PnrReport {
  const fmax: PnrReport['fmax'] = {};
  const re = /Max frequency for clock\s+'([^']+)':\s+([\d.]+)\s+MHz\s+\((?:PASS|FAIL)\s+at\s+([\d.]+)\s+MHz\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) fmax[m[1]!] = { achievedMHz: Number(m[2]), constraintMHz: Number(m[3]) };
  const utilization: PnrReport['utilization'] = {};
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => /Device utili[sz]ation:/.test(l));
  if (at >= 0) {
    for (let i = at + 1; i < lines.length; i++) {
      const m = /^([A-Za-z0-9_]+):\s+(\d+)\/\s*(\d+)\s+\d+%/.exec(lines[i]!.replace(/^Info:\s*/, '').trim());
      if (!m) break;
      utilization[m[1]!] = { used: Number(m[2]), available: Number(m[3]) };
    }
  }
  if (!Object.keys(fmax).length) throw new ReportParseError('nextpnr log: no "Max frequency for clock" line');
  if (!Object.keys(utilization).length) throw new ReportParseError('nextpnr log: no "Device utilisation" block');
  return { fmax, utilization };
}

/**
 * nextpnr's reason for not fitting a design, when that is why it failed
 * (e.g. "Unable to place cell ..., no BELs remaining to implement cell type 'SB_MAC16'").
 */
export function nextpnrFitFailure(log: string): string | undefined {
  const pats = [/no BELs remaining to implement cell type/i, /Failed to expand region .* of \d+ \w+/i, /Unable to (find a placement location|place cell)/i, /Design uses \d+ .* but device only has/i, /Failed to place/i, /Too many /i];
  for (const line of log.split(/\r?\n/)) {
    if (pats.some((p) => p.test(line))) return line.replace(/^\s*(ERROR|Error):\s*/, '').trim();
  }
  return undefined;
}
