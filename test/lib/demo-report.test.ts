/**
 * Issue 16, the demo report: the estimate renders as tables (resources, Fmax and MAC rate,
 * throughput per model), never as a JSON dump, and the engine estimated is the one the demo
 * co-simulated (the formats of its layers).
 */
import { describe, it, expect } from 'vitest';
import { demoEngineFormats } from '../../src/demo/index.js';
import { estimateMarkdown } from '../../src/demo/estimate-md.js';
import type { EstimateReport } from '../../src/estimate/sweep.js';

describe('demo estimate', () => {
  it('estimates the engine of the co-simulated layers', () => {
    expect(demoEngineFormats([{ wFormat: 'rf8-e2m5', xFormat: 'rf8-e2m5' }, { wFormat: 'rf8-e2m5', xFormat: 'rf8-e2m5' }])).toEqual(['rf8-e2m5']);
    expect(demoEngineFormats([{ wFormat: 'rf8-e2m5', xFormat: 'rf8-e3m4' }])).toEqual(['gg-multi']);
    expect(demoEngineFormats([{ wFormat: 'int8', xFormat: 'ocp-e4m3' }])).toEqual(['int8', 'ocp-e4m3']);
  });

  it('renders resources, Fmax and throughput per model as markdown tables, no JSON', () => {
    const rate = (perSecond: number) => ({ perSecond }) as never;
    const rep: EstimateReport = {
      device: { name: 'hx8k', part: 'iCE40 HX8K (ct256)', pnr: true },
      flow: { seeds: [1], freqMHz: 100, pipe: 2, jobs: 2, tools: ['yosys 0.x', 'nextpnr-ice40 0.x'] },
      configs: [
        {
          format: 'rf8-e2m5', lanes: 8, status: 'ok', info: { W: 30 } as never, resources: { luts: 1234, carries: 210, ffs: 321, dsps: 0, brams: 0 } as never,
          placedCells: 1500, fmaxMHz: 41.5, seedFmaxMHz: [41.5], macPerSecond: 332e6, macPerSecondPer1kLuts: 269e6, lutsPerMac: 154,
          critical: { through: 'u_dut.conv', from: 'a', to: 'b', delayNs: 24, hops: 30 }, toolRuns: 2, seconds: 60,
        },
      ],
      quality: [],
      rates: { source: 'x', rows: [] },
      models: [
        {
          workload: 'mnist-mlp', unit: 'inference', source: 'the demo MLP', macs: 101_000, weights: 101_000,
          rows: [{ format: 'rf8-e2m5', lanes: 8, fmaxMHz: 41.5, codedBits: 4.1, perBandwidth: [{ bandwidth: 1, raw: rate(410), coded: rate(800) }], computeBoundPerSecond: 3300, curve: [] }],
        },
      ],
      seconds: 60,
      toolRuns: 2,
    };
    const md = estimateMarkdown(rep, ['rf8-e2m5']).join('\n');
    expect(md).not.toContain('```');
    expect(md).toContain('### Resources');
    expect(md).toContain('### Fmax and MAC rate');
    expect(md).toContain('### Throughput per model');
    expect(md).toMatch(/\| format \| N \| W \| LUTs \| carry \| FFs \| DSP \| BRAM \| LCs placed \|\n\|---\|/);
    expect(md).toMatch(/\| rf8-e2m5 \| 8 \| 30 \| 1234 \| 210 \| 321 \| 0 \| 0 \| 1500 \|/);
    expect(md).toMatch(/\| rf8-e2m5 \| 8 \| 41\.5\d* \|/);
    expect(md).toContain('The engine the demo co-simulated (rf8-e2m5)');
    expect(md.split('\n').length).toBeLessThan(40);
  });
});
