/**
 * Co-simulation numbers for an MNIST-shaped network (random weights): 784-128-64-10, 100 images,
 * N = 8. Run: npx vite-node test/layer/bench-mnist-shape.ts [workDir]   (prints one JSON document)
 */
import { layerForward } from '../../src/arith/index.js';
import { cosimNetwork } from '../../src/sim/index.js';
import { Rng } from '../../src/util/rng.js';
import { calibrateOut, randomInputs, randomLayer } from './net.js';

const rng = new Rng(11);
const n = 100;
const inputs = randomInputs(rng, n, 784, 'rf8-e3m4');
const x0 = -3;
const l0 = randomLayer(rng, { rows: 128, cols: 784, wFormat: 'rf8-e3m4', xFormat: 'rf8-e3m4', xScale: x0, out: { kind: 'rf8', format: 'rf8-e3m4', scale: 0, relu: true } });
const s1 = calibrateOut(l0, inputs, x0, 'rf8-e3m4');
l0.out = { kind: 'rf8', format: 'rf8-e3m4', scale: s1, relu: true };
const h1 = inputs.map((x) => layerForward(l0, x, x0).out as Uint8Array);
const l1 = randomLayer(rng, { rows: 64, cols: 128, wFormat: 'rf8-e2m5', xFormat: 'rf8-e3m4', xScale: s1, out: { kind: 'rf8', format: 'rf8-e3m4', scale: 0, relu: true } });
const s2 = calibrateOut(l1, h1, s1, 'rf8-e3m4');
l1.out = { kind: 'rf8', format: 'rf8-e3m4', scale: s2, relu: true };
const l2 = randomLayer(rng, { rows: 10, cols: 64, wFormat: 'rf8-e3m4', xFormat: 'rf8-e3m4', xScale: s2, out: { kind: 'f32' } });
const labels = Array.from({ length: n }, () => rng.int(10));
const t = Date.now();
const r = await cosimNetwork({
  layers: [l0, l1, l2],
  xScales: [x0, s1, s2],
  inputs,
  labels,
  lanes: 8,
  workDir: process.argv[2] ?? '/tmp/rf8-layer-bench',
  onProgress: (e) => console.error(((Date.now() - t) / 1000).toFixed(1), e.stage, e.layer, e.message),
});
const { manifest: _m, rtlPredictions: _a, refPredictions: _b, ...rest } = r;
console.log(JSON.stringify(rest, null, 1));
