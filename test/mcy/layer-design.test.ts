import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutationDesign } from '../../src/mcy/index.js';
import { generateLayerRtl, layerImages, LAYER_FILES } from '../../src/rtl/index.js';
import { haveTools } from '../sim/tools.js';
import { randomNet } from '../layer/net.js';

const ok = haveTools('yosys');

/**
 * The first piece of the layer-engine campaign (docs/verification.md, "Not done"): the mutation
 * design of rf8_layer for one fixed layer, its $readmemh images read by yosys at prep (the
 * weights are constants of the design), the count spread over rf8_layer and every rf8_dot block.
 * No harness, suites or classification for it yet.
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
