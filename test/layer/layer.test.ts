import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layerForward } from '../../src/arith/index.js';
import { lintVerilator } from '../../src/rtl/lint.js';
import {
  cosimLayer,
  cosimNetwork,
  emulateLayer,
  generateLayerRtl,
  layerImages,
  readNetworkGolden,
  validateNetwork,
  verifyNetworkGolden,
  writeNetworkGolden,
} from '../../src/sim/index.js';
import { toolVersion } from '../../src/sim/tools.js';
import { haveTools } from '../sim/tools.js';
import { randomNet } from './net.js';

const N = 4;
const IMAGES = 120;
const net = randomNet(6, IMAGES);
const tmp = (): string => mkdtempSync(join(tmpdir(), 'rf8-layer-test-'));

describe('rf8_layer images and golden suites (no EDA tools)', () => {
  it('weight words hold lane i in bits [8i+7:8i], rows padded with masked zero lanes', () => {
    const l = net.layers[0]!; // 20 x 30, N = 4: 8 words a row, the last with 2 lanes
    const img = layerImages(l, net.xScales[0]!, N);
    const w = img.w.trim().split('\n');
    expect(w.length).toBe(20 * 8);
    const code = (r: number, c: number): string => l.wCodes[r * 30 + c]!.toString(16).padStart(2, '0');
    expect(w[3 * 8 + 1]).toBe(code(3, 7) + code(3, 6) + code(3, 5) + code(3, 4));
    expect(w[3 * 8 + 7]).toBe('0000' + code(3, 29) + code(3, 28));
    const s = img.scale.trim().split('\n');
    expect(s.map((h) => (parseInt(h, 16) << 24) >> 24)).toEqual(Array.from(l.wScales));
  });

  it('the golden suite is deterministic, chained by the reference, and its manifest hashes verify', () => {
    const a = tmp();
    const b = tmp();
    try {
      const ma = writeNetworkGolden(a, { ...net, lanes: N, seed: 6 });
      const mb = writeNetworkGolden(b, { ...net, lanes: N, seed: 6 });
      expect(ma.files.map((f) => f.sha256)).toEqual(mb.files.map((f) => f.sha256));
      expect(ma.files.length).toBe(2 * 5);
      expect(verifyNetworkGolden(a)).toEqual([]);
      writeFileSync(join(a, 'l1', 'expect.txt'), readFileSync(join(a, 'l1', 'expect.txt'), 'utf8') + '# edited\n');
      expect(verifyNetworkGolden(a)).toEqual(['l1/expect.txt']);
      expect(readNetworkGolden(b).images).toBe(IMAGES);
      // reference predictions = argmax of layerForward chained by hand
      for (const i of [0, 17, IMAGES - 1]) {
        const h = layerForward(net.layers[0]!, net.inputs[i]!, net.xScales[0]!).out as Uint8Array;
        const z = layerForward(net.layers[1]!, h, net.xScales[1]!).out as Float32Array;
        expect(mb.refPredictions[i]).toBe(z.indexOf(Math.max(...z)));
      }
      const hits = mb.refPredictions.filter((p, i) => p === net.labels[i]).length;
      expect(mb.refAccuracy).toBe(hits / IMAGES);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  it('a network whose layers do not chain is refused', () => {
    expect(() => validateNetwork(net.layers, [net.xScales[0]!, net.xScales[1]! + 1])).toThrow(/scale/);
    expect(() => validateNetwork([net.layers[1]!, net.layers[0]!], [0, 0])).toThrow();
  });
});

const ok = haveTools('verilator', 'g++');

describe.skipIf(!ok)('rf8_layer co-simulation (Verilator)', () => {
  it('rf8_layer is Verilator -Wall lint clean (hidden RF8+ReLU and binary32 layers) and yosys-readable', async () => {
    for (const l of net.layers) {
      const g = generateLayerRtl(l, { lanes: N });
      const r = await lintVerilator(g);
      expect(r.ok, r.output).toBe(true);
      expect(r.output).toBe('');
      if (toolVersion('yosys')) {
        const d = tmp();
        try {
          const files = g.sources.map((s) => {
            writeFileSync(join(d, s.name), s.text);
            return join(d, s.name);
          });
          const img = layerImages(l, 0, N);
          writeFileSync(join(d, 'rf8_layer_w.hex'), img.w);
          writeFileSync(join(d, 'rf8_layer_init.hex'), img.init);
          writeFileSync(join(d, 'rf8_layer_scale.hex'), img.scale);
          execFileSync('yosys', ['-q', '-p', `${files.map((f) => `read_verilog ${f}`).join('; ')}; hierarchy -check -top ${g.top}; proc; opt; check -assert`], { cwd: d });
        } finally {
          rmSync(d, { recursive: true, force: true });
        }
      }
    }
  });

  it('a random 2-layer network co-simulates bit-exactly; RTL predictions and accuracy equal the reference', { timeout: 600_000 }, async () => {
    const d = tmp();
    try {
      const r = await cosimNetwork({ ...net, lanes: N, workDir: d });
      expect(r.firstMismatch?.message ?? '').toBe('');
      expect(r.mismatches).toBe(0);
      expect(r.vectors).toBe(IMAGES * (20 + 10));
      expect(r.layers.map((l) => l.outputs)).toEqual([IMAGES * 20, IMAGES * 10]);
      expect(r.rtlPredictions).toEqual(r.refPredictions);
      expect(r.rtlAccuracy).toBe(r.refAccuracy);
      expect(r.pass).toBe(true);
      // the hidden codes are not degenerate (the comparison means something)
      const hidden = readFileSync(join(r.goldenDir, 'l0', 'actual.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')[2]);
      expect(new Set(hidden).size).toBeGreaterThan(10);
      // no stalls: rows * beats cycles of issue + beats cycles of input load per image (+ reset and pipeline fill)
      expect(r.layers[0]!.cycles).toBeGreaterThanOrEqual(IMAGES * (20 * 8 + 8));
      expect(r.layers[0]!.cycles).toBeLessThanOrEqual(IMAGES * (20 * 8 + 8) + 16);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('one layer co-simulates bit-exactly under random input bubbles and output backpressure', { timeout: 600_000 }, async () => {
    const d = tmp();
    try {
      const r = await cosimLayer({ layer: net.layers[0]!, xScale: net.xScales[0]!, inputs: net.inputs, lanes: N, workDir: d, stall: [3, 0.3, 0.5] });
      expect(r.firstMismatch?.message ?? '').toBe('');
      expect(r.vectors).toBe(IMAGES * 20);
      expect(r.layers[0]!.cycles).toBeGreaterThan(IMAGES * (20 * 8 + 8) + 1000);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('an injected fault (init-ignored) is caught at the first differing output: layer, neuron, image', { timeout: 600_000 }, async () => {
    const d = tmp();
    const l = net.layers[0]!;
    try {
      const r = await cosimLayer({ layer: l, xScale: net.xScales[0]!, inputs: net.inputs, lanes: N, workDir: d, faults: ['init-ignored'] });
      expect(r.pass).toBe(false);
      expect(r.mismatches).toBeGreaterThan(0);
      // what the faulty engine computes: the same layer without its bias
      let want: { image: number; neuron: number; acc: bigint } | null = null;
      for (let i = 0; i < IMAGES && !want; i++) {
        const e = emulateLayer(l, net.inputs[i]!, net.xScales[0]!, N);
        const f = emulateLayer({ ...l, bias: undefined }, net.inputs[i]!, net.xScales[0]!, N);
        for (let k = 0; k < l.rows && !want; k++) if (e.acc[k] !== f.acc[k] || e.val[k] !== f.val[k]) want = { image: i, neuron: k, acc: f.acc[k]! };
      }
      expect(want).not.toBeNull();
      const m = r.firstMismatch!;
      expect({ layer: m.layer, neuron: m.neuron, image: m.image }).toEqual({ layer: 0, neuron: want!.neuron, image: want!.image });
      expect(m.actual.acc).toBe(want!.acc.toString());
      expect(m.message).toMatch(new RegExp(`^layer 0 \\(20x30\\), neuron ${want!.neuron}, image ${want!.image}: expected rf8-e3m4 code`));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
