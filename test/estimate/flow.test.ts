import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  engineDesign,
  haveEdaTool,
  runFlow,
  synthKey,
  getDevice,
  edaToolVersion,
  median,
  Limiter,
  parseYosysStatJson,
  classifyCells,
  cpuTimes,
  runTool,
  type DesignInput,
} from '../../src/estimate/index.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const tiny: DesignInput = { name: 'tiny_mac', top: 'tiny_mac', sources: [{ name: 'tiny_mac.v', text: readFileSync(join(FIX, 'tiny_mac.v'), 'utf8') }] };

// Live EDA tests: they skip locally when yosys / nextpnr-ice40 are missing, and FAIL under CI
// (process.env.CI set): then the tests run and requireEdaTool throws naming the package.
const live = haveEdaTool('yosys') && haveEdaTool('nextpnr-ice40');
const runLive = live || !!process.env.CI;

describe('cache keys', () => {
  it('change with the RTL text, the device, the removed cells and the yosys version; not with the label', () => {
    const hx = getDevice('hx8k');
    const k = synthKey(tiny, hx, 'Yosys 0.23');
    expect(synthKey({ ...tiny, name: 'other label' }, hx, 'Yosys 0.23')).toBe(k);
    expect(synthKey({ ...tiny, sources: [{ name: 'tiny_mac.v', text: tiny.sources[0]!.text + '// comment\n' }] }, hx, 'Yosys 0.23')).not.toBe(k);
    expect(synthKey(tiny, getDevice('up5k'), 'Yosys 0.23')).not.toBe(k);
    expect(synthKey({ ...tiny, removeCells: ['x'] }, hx, 'Yosys 0.23')).not.toBe(k);
    expect(synthKey(tiny, hx, 'Yosys 0.24')).not.toBe(k);
  });
  it.runIf(process.platform === 'linux')('CPU accounting sees the CPU time of finished tool runs', async () => {
    const a = cpuTimes()!;
    const r = await runTool('/bin/sh', ['-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'], tmpdir());
    expect(r.code).toBe(0);
    const b = cpuTimes()!;
    expect(b.childSeconds - a.childSeconds).toBeGreaterThan(0.05);
    expect(b.childSeconds - a.childSeconds).toBeLessThan(r.seconds * 2 + 0.05); // one single-threaded child
  });
  it('median over seeds', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe.runIf(runLive)('live flow on the installed yosys + nextpnr-ice40', () => {
  it('small synthesis + place and route: parsed, reproducible without the cache, served by the cache', async () => {
    const opts = { device: 'hx8k' as const, seeds: [1, 2], cacheDir: null, limiter: new Limiter(2) };
    const a = await runFlow(tiny, opts);
    // real numbers from the tools: 8x8 multiplier + 20-bit accumulator, registered
    expect(a.synth.resources.luts).toBeGreaterThan(20);
    expect(a.synth.resources.carries).toBeGreaterThanOrEqual(19); // the 20-bit adder's carry chain
    expect(a.synth.resources.ffs).toBeGreaterThanOrEqual(52);
    expect(a.synth.tool).toBe(edaToolVersion('yosys'));
    expect(a.pnr?.fits).toBe(true);
    expect(a.pnr!.seeds.map((s) => s.seed)).toEqual([1, 2]);
    for (const s of a.pnr!.seeds) {
      expect(s.fmaxMHz).toBeGreaterThan(10);
      expect(s.fmaxMHz).toBeLessThan(1000);
      expect(s.utilization.ICESTORM_LC!.used).toBeGreaterThan(a.synth.resources.luts); // + harness cells
    }
    expect(a.pnr!.fmaxMHz).toBe(median(a.pnr!.seeds.map((s) => s.fmaxMHz)));
    expect(a.toolRuns).toBe(4); // synth, harness, 2 x nextpnr
    // second run into an empty cache: every tool runs again and gives identical numbers
    // (reproducible run to run for the same RTL); a third run is served by the cache
    const dir = mkdtempSync(join(tmpdir(), 'rf8est-cache-test-'));
    const c1 = await runFlow(tiny, { ...opts, cacheDir: dir });
    const c2 = await runFlow(tiny, { ...opts, cacheDir: dir });
    expect(c1.toolRuns).toBe(4);
    expect(c1.synth.cells).toEqual(a.synth.cells);
    expect(c1.pnr!.seeds.map((s) => [s.fmaxMHz, s.utilization, s.critical])).toEqual(a.pnr!.seeds.map((s) => [s.fmaxMHz, s.utilization, s.critical]));
    expect(c2.toolRuns).toBe(0);
    expect(c2.synth).toEqual(c1.synth);
    expect(c2.pnr).toEqual(c1.pnr);
    expect(readdirSync(dir).some((f) => f.startsWith('synth-'))).toBe(true);
    // one more seed: only that seed runs (synthesis and harness come back from the cache's netlist)
    const c3 = await runFlow(tiny, { ...opts, cacheDir: dir, seeds: [1, 2, 3] });
    expect(c3.toolRuns).toBe(2);
    expect(c3.pnr!.seeds.slice(0, 2)).toEqual(c1.pnr!.seeds);
    rmSync(dir, { recursive: true, force: true });
  });

  it('UP5K with -dsp maps the multiplier to SB_MAC16; 7-series and ECP5 synthesize without place and route', async () => {
    const up = await runFlow(tiny, { device: 'up5k', cacheDir: null, synthOnly: true });
    expect(up.synth.resources.dsps).toBe(1);
    expect(up.pnr).toBeUndefined();
    const ecp5 = await runFlow(tiny, { device: 'ecp5', cacheDir: null });
    expect(ecp5.pnr).toBeUndefined(); // no nextpnr-ecp5 in the flow
    expect(ecp5.synth.resources.ffs + ecp5.synth.resources.dsps).toBeGreaterThan(0);
    // the live counts equal the captured ones (same yosys, same RTL)
    const captured = classifyCells(parseYosysStatJson(readFileSync(join(FIX, 'captured', 'tiny-ice40dsp.stat.json'), 'utf8')), 'ice40');
    expect(up.synth.resources).toEqual(captured);
  });

  it('a generated engine (src/rtl): the converters are most of an N=1 engine; deleting them keeps the datapath', async () => {
    const full = engineDesign({ format: 'int8', lanes: 1 });
    const dp = engineDesign({ format: 'int8', lanes: 1 }, 'datapath');
    expect(dp.design.removeCells).toEqual(full.info.converters);
    expect(full.info.W).toBe(28); // accWidth(int8, int8, 4096): 15 product bits + sign + 12
    const lim = new Limiter(2);
    const [f, d] = await Promise.all([
      runFlow(full.design, { device: 'hx8k', cacheDir: null, synthOnly: true, limiter: lim }),
      runFlow(dp.design, { device: 'hx8k', cacheDir: null, synthOnly: true, limiter: lim }),
    ]);
    expect(d.synth.resources.luts).toBeGreaterThan(50); // multiplier, adder, accumulator remain
    expect(d.synth.resources.luts).toBeLessThan(f.synth.resources.luts);
    // the accumulator register (W bits) and the output register of acc survive
    expect(d.synth.resources.ffs).toBeGreaterThanOrEqual(2 * full.info.W);
  });
});

describe('missing tools', () => {
  it('a clear error naming the Debian package', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(runFlow(tiny, { device: 'hx8k', cacheDir: null })).rejects.toThrow(/yosys not found on PATH; install it: sudo apt-get install -y yosys/);
    } finally {
      process.env.PATH = path;
    }
  });
});
