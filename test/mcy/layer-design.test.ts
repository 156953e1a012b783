import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { layerForward } from '../../src/arith/index.js';
import { campaignLayer, liftLayerCex, layerSuites, mutationDesign, runLayerCampaign, validateLayerCampaign, type LayerCampaignSpec } from '../../src/mcy/index.js';
import { generateLayerRtl, layerImages, LAYER_FILES } from '../../src/rtl/index.js';
import { haveTools } from '../sim/tools.js';
import { rf8 } from '../helpers/cli.js';
import { randomNet } from '../layer/net.js';

const ok = haveTools('yosys');
const okSim = haveTools('yosys', 'verilator', 'g++');

const SPEC: LayerCampaignSpec = { a: 'rf8-e3m4', b: 'rf8-e3m4', out: 'rf8-e3m4', lanes: 4, rows: 16, cols: 16, pipe: 2, layerSeed: 1 };

describe('the layer campaign: its layer, suites and counterexample lifting (no tools)', () => {
  it('every lane of the weight memory walks through distinct codes; four extreme row scales; W below the exact bound', () => {
    const l = campaignLayer(SPEC);
    const B = 4;
    for (let lane = 0; lane < 4; lane++) {
      const seen = new Set<number>();
      for (let r = 0; r < 16; r++) for (let b = 0; b < B; b++) seen.add(l.wCodes[r * 16 + b * 4 + lane]!);
      expect(seen.size).toBe(64); // rows * beats = 64 slots, all distinct codes of the lane's permutation
    }
    expect([...l.wScales.slice(2, 6)]).toEqual([-128, 127, -100, 90]);
    expect(l.accInit).toHaveLength(16);
    expect(l.bias).toBeUndefined();
    // deterministic in the seed
    expect(campaignLayer(SPEC).wCodes).toEqual(l.wCodes);
    expect(campaignLayer({ ...SPEC, layerSeed: 2 }).wCodes).not.toEqual(l.wCodes);
  });

  it('the suites: every code at every column, saturating images, the scale extremes, stalled runs', () => {
    const s = layerSuites(SPEC);
    const codes = s.find((x) => x.name === 'codes')!;
    for (let c = 0; c < 16; c++) expect(new Set(codes.images.map((x) => x[c]!)).size).toBe(256);
    expect(s.map((x) => `${x.xb},${x.xo}`)).toEqual(expect.arrayContaining(['-128,-128', '127,127', '-128,127', '127,-128']));
    expect(s.filter((x) => x.stall[1]! > 0).length).toBeGreaterThanOrEqual(2);
    // some row of the big images clamps (the accumulator's ovf flag), as W is 4 bits below the exact bound
    const l = campaignLayer(SPEC);
    const big = s.find((x) => x.name === 'big')!;
    const ovf = big.images.some((x) => layerForward({ ...l, lanes: 4, out: { kind: 'rf8', format: 'rf8-e3m4', scale: big.xo, relu: true } }, x, big.xb).ovf.some((v) => v === 1));
    expect(ovf).toBe(true);
  });

  it('accInit: the init image, the same at every input scale; checked like bias', () => {
    const l = campaignLayer(SPEC);
    const x = layerSuites(SPEC)[0]!.images[0]!;
    const a = layerForward({ ...l, out: { kind: 'f32' } }, x, -2);
    const zero = layerForward({ ...l, accInit: l.accInit!.map(() => 0n), out: { kind: 'f32' } }, x, -2);
    for (let r = 0; r < 16; r++) if (!a.ovf[r] && !zero.ovf[r] && !a.nan[r]) expect(a.acc[r]! - zero.acc[r]!).toBe(l.accInit![r]!);
    expect(() => layerForward({ ...l, accInit: [1n] }, x, 0)).toThrow(/1 accumulator inits for 16 rows/);
    expect(() => layerForward({ ...l, accInit: l.accInit!.map(() => 1n << 40n) }, x, 0)).toThrow(/outside the 23-bit range/);
    expect(() => layerForward({ ...l, bias: new Float32Array(16) }, x, 0)).toThrow(/bias or accInit, not both/);
  });

  it('liftLayerCex: the words the unmutated layer accepts (beats words, then rows * beats fetch cycles), cfg from step 1', () => {
    const l = campaignLayer({ ...SPEC, rows: 2, cols: 8, lanes: 4 });
    // B = 2, period = 2 + 2 * 2 = 6: accepted steps 2, 3, then 8, 9
    const steps = new Map<number, Map<string, bigint>>();
    steps.set(1, new Map([['cfg_xb', 0xfen], ['cfg_xo', 5n], ['in_data', 0n]]));
    for (let t = 2; t <= 9; t++) steps.set(t, new Map([['in_data', BigInt(t) * 0x01010101n]]));
    const r = liftLayerCex(l, 4, steps, 9);
    expect(r.xb).toBe(-2);
    expect(r.xo).toBe(5);
    expect(r.images).toEqual([
      [2, 2, 2, 2, 3, 3, 3, 3],
      [8, 8, 8, 8, 9, 9, 9, 9],
    ]);
    // a failure in the middle of a load: the image is padded with zero words
    expect(liftLayerCex(l, 4, steps, 8).images[1]).toEqual([8, 8, 8, 8, 0, 0, 0, 0]);
  });

  it('rf8 mutate --layer: bad options are a one-line error naming the option (exit 2)', () => {
    for (const [args, msg] of [
      [['--layer', '--rows', '0'], /--rows/],
      [['--layer', '--modes', 'rf8'], /--layer takes/],
      [['--layer', '-a', 'rf8-e9m9'], /-a: unknown format rf8-e9m9/],
    ] as const) {
      const r = rf8(['mutate', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
  });

  it('bad campaign options name the option', () => {
    expect(() => validateLayerCampaign({ ...SPEC, rows: 0 })).toThrow(/--rows must be an integer in \[1, 256\]: 0/);
    expect(() => validateLayerCampaign({ ...SPEC, a: 'rf8-e9m9' as never })).toThrow(/-a: unknown format rf8-e9m9/);
  });
});

/**
 * The mutation design of rf8_layer for one fixed layer: its $readmemh images read by yosys at
 * prep (the weights are constants of the design), the count spread over rf8_layer and every
 * rf8_dot block.
 */
describe.skipIf(!ok)('rf8 mutate: the mutation design of rf8_layer (one fixed layer, images read by yosys)', () => {
  it('100 mutants over rf8_layer and the blocks of its rf8_dot, behind mutsel', { timeout: 300_000 }, async () => {
    const net = randomNet(6, 4);
    const l = net.layers[0]!;
    const N = 4;
    const g = generateLayerRtl(l, { lanes: N });
    const img = layerImages(l, net.xScales[0]!, N);
    const files = [
      { name: LAYER_FILES.w, text: img.w },
      { name: LAYER_FILES.init, text: img.init },
      { name: LAYER_FILES.scale, text: img.scale },
    ];
    const d = await mutationDesign({ rtl: {}, g, files, count: 100, seed: 3 });
    expect(d.top).toBe(g.top);
    expect(d.mutations.length).toBe(100);
    const blocks = d.blocks.map((b) => b.block);
    expect(blocks).toContain(g.top);
    expect(blocks).toEqual(expect.arrayContaining(['rf8_dot', 'rf8_acc', 'rf8_mul', 'rf8_tree', 'rf8_cvt_o0']));
    for (const b of d.blocks) expect(b.quota).toBeGreaterThanOrEqual(1);
    expect(d.ports.find((p) => p.name === 'mutsel')!.width).toBe(d.ctrlWidth);
    // the weights came from the image: the design log shows yosys reading it, and the memory is initialised
    const prep = readFileSync(join(d.dir, 'prep.log'), 'utf8');
    expect(prep).not.toMatch(/Can not open file/i);
    expect(d.verilog).toMatch(/mutsel/);
  });
});

describe.skipIf(!okSim)('rf8 mutate --layer: a small campaign on the Verilated mutation model', () => {
  it('40 mutants x the layer suites: the unmutated layer passes every suite, the kills name a suite and an output', { timeout: 600_000 }, async () => {
    const r = await runLayerCampaign({ layer: SPEC, count: 40, seed: 7, jobs: 2, cex: false });
    const rep = r.report;
    expect(rep.total).toBe(40);
    expect(rep.blocks.map((b) => b.block)).toEqual(expect.arrayContaining(['rf8_layer', 'rf8_dot', 'rf8_cvt_o0', 'rf8_dec_a', 'rf8_mul']));
    const names = new Set(r.suites.map((s) => s.name));
    for (const m of rep.mutants.filter((x) => x.killed)) {
      expect(names.has(m.kill!.by)).toBe(true);
      expect(m.kill!.line).toBeGreaterThanOrEqual(1);
      expect(m.kill!.fields!.length).toBeGreaterThan(0);
    }
    // every rf8_layer (sequencer) mutant of this sample dies; most of the rest too (measured: 34 of 40)
    expect(rep.byBlock.find((b) => b.key === 'rf8_layer')!.survivors).toBe(0);
    expect(rep.killed).toBeGreaterThanOrEqual(30);
    expect(rep.killed).toBeLessThan(40);
  });
});
