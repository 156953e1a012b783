import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  classifyCells,
  hierarchyOf,
  nextpnrFitFailure,
  parseNextpnrLog,
  parseNextpnrReport,
  parseYosysStatJson,
  parseYosysStatText,
  ReportParseError,
} from '../../src/estimate/index.js';

// Real outputs of the installed yosys 0.23 / nextpnr-ice40 0.4 on test/estimate/fixtures/*.v,
// captured by test/estimate/fixtures/capture.sh (the live tests in flow.test.ts rerun the tools).
const CAP = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'captured');
const cap = (f: string): string => readFileSync(join(CAP, f), 'utf8');

describe('yosys stat parsers on captured real output', () => {
  for (const fam of ['ice40', 'ice40dsp', 'xilinx', 'ecp5']) {
    it(`stat -json and the text table agree (${fam})`, () => {
      const j = parseYosysStatJson(cap(`tiny-${fam}.stat.json`), 'tiny_mac');
      const t = parseYosysStatText(cap(`tiny-${fam}.stat.txt`));
      expect(j.cells).toBeGreaterThan(0);
      expect(t).toEqual(j);
      // the per-type counts add up to the total
      expect(Object.values(j.byType).reduce((a, b) => a + b, 0)).toBe(j.cells);
    });
  }
  it('classifies iCE40 cells: LUT4, carries, every SB_DFF variant, SB_MAC16 with -dsp', () => {
    const plain = parseYosysStatJson(cap('tiny-ice40.stat.json'));
    const r = classifyCells(plain, 'ice40');
    expect(r.luts).toBe(plain.byType.SB_LUT4);
    expect(r.carries).toBe(plain.byType.SB_CARRY);
    const ffs = Object.entries(plain.byType).filter(([k]) => k.startsWith('SB_DFF')).reduce((s, [, v]) => s + v, 0);
    expect(r.ffs).toBe(ffs);
    // ra, rb (16), p (16), acc (20) registers: at least 52 FFs, no DSP without -dsp
    expect(r.ffs).toBeGreaterThanOrEqual(52);
    expect(r.dsps).toBe(0);
    expect(r.other).toBe(0);
    const dsp = classifyCells(parseYosysStatJson(cap('tiny-ice40dsp.stat.json')), 'ice40');
    expect(dsp.dsps).toBe(1); // the 8x8 product in one SB_MAC16
    expect(dsp.luts).toBeLessThan(r.luts);
  });
  it('classifies 7-series (IO buffers ignored) and ECP5 (CCU2C = 2 LUT4) cells', () => {
    const x = parseYosysStatJson(cap('tiny-xilinx.stat.json'));
    const rx = classifyCells(x, 'xc7');
    expect(rx.dsps).toBe(x.byType.DSP48E1 ?? 0);
    expect(rx.dsps).toBeGreaterThanOrEqual(1);
    expect(rx.other).toBe(0);
    const e = parseYosysStatJson(cap('tiny-ecp5.stat.json'));
    const re = classifyCells(e, 'ecp5');
    expect(re.carries).toBe(e.byType.CCU2C ?? 0);
    expect(re.luts).toBe((e.byType.LUT4 ?? 0) + 2 * (e.byType.CCU2C ?? 0));
    expect(re.ffs).toBe(e.byType.TRELLIS_FF ?? 0);
    expect(re.dsps).toBeGreaterThanOrEqual(1);
  });
  it('rejects what is not a stat report', () => {
    expect(() => parseYosysStatJson('not json')).toThrow(ReportParseError);
    expect(() => parseYosysStatJson('{"modules":{}}')).toThrow(ReportParseError);
    expect(() => parseYosysStatJson('{"design":{"num_cells":1,"num_cells_by_type":{"SB_LUT4":-1}}}')).toThrow(ReportParseError);
    expect(() => parseYosysStatText('nothing here')).toThrow(ReportParseError);
    expect(() => parseYosysStatText('=== top ===\n\n   Number of wires: 3\n')).toThrow(ReportParseError);
  });
});

describe('nextpnr parsers on captured real output', () => {
  it('the --report JSON and the log give the same Fmax and utilization', () => {
    const rep = parseNextpnrReport(cap('tiny-hx8k.report.json'));
    const log = parseNextpnrLog(cap('tiny-hx8k.nextpnr.log'));
    const clocks = Object.keys(rep.fmax);
    expect(clocks).toHaveLength(1);
    expect(clocks[0]).toMatch(/^clk/);
    expect(Object.keys(log.fmax)).toEqual(clocks);
    const a = rep.fmax[clocks[0]!]!;
    const b = log.fmax[clocks[0]!]!;
    // the log prints two decimals; the last "Max frequency" line is the post-route one
    expect(Math.abs(a.achievedMHz - b.achievedMHz)).toBeLessThan(0.006);
    expect(a.constraintMHz).toBe(100);
    expect(b.constraintMHz).toBe(100);
    expect(rep.utilization.ICESTORM_LC!.available).toBe(7680);
    for (const [bel, u] of Object.entries(log.utilization)) expect(rep.utilization[bel]).toEqual(u);
    expect(rep.utilization.ICESTORM_LC!.used).toBeGreaterThan(0);
  });
  it('the critical path: its delay is the clock period at Fmax', () => {
    const rep = parseNextpnrReport(cap('tiny-hx8k.report.json'));
    const f = Object.values(rep.fmax)[0]!.achievedMHz;
    expect(rep.critical).toBeDefined();
    expect(rep.critical!.hops).toBeGreaterThan(0);
    // nextpnr's Fmax is 1 / (worst path delay incl. setup); allow for rounding of the per-hop delays
    expect(Math.abs(1000 / rep.critical!.delayNs - f) / f).toBeLessThan(0.01);
  });
  it('finds the "does not fit" line of a real failed run, and none in a good run', () => {
    const msg = nextpnrFitFailure(cap('many-mul-up5k.nextpnr.log'));
    expect(msg).toMatch(/no BELs remaining to implement cell type 'ICESTORM_DSP'/);
    expect(msg).not.toMatch(/^ERROR/);
    expect(nextpnrFitFailure(cap('tiny-hx8k.nextpnr.log'))).toBeUndefined();
  });
  it("the heap placer's overflow is a fit failure too (the line of a real run: ocp-e5m2 N=16 on HX8K)", () => {
    const log = 'Info: Creating initial analytic placement for 9000 cells\nERROR: Failed to expand region (0, 0) |_> (33, 33) of 8942 ICESTORM_LCs\n0 warnings, 1 error\n';
    expect(nextpnrFitFailure(log)).toBe('Failed to expand region (0, 0) |_> (33, 33) of 8942 ICESTORM_LCs');
  });
  it('rejects incomplete reports', () => {
    expect(() => parseNextpnrReport('{}')).toThrow(ReportParseError);
    expect(() => parseNextpnrReport('{"fmax":{"clk":{"achieved":0}},"utilization":{}}')).toThrow(ReportParseError);
    expect(() => parseNextpnrLog('Info: nothing')).toThrow(ReportParseError);
  });
  it('hierarchy of flattened cell names', () => {
    expect(hierarchyOf('u_dut.u_cvtf.lead_SB_LUT4_O_5_LC')).toBe('u_dut.u_cvtf');
    expect(hierarchyOf('$nextpnr_ICESTORM_LC_9')).toBe('(top)');
    expect(hierarchyOf('u_dut.rA_SB_LUT4_I0_LC')).toBe('u_dut');
  });
});
