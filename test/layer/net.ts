import { accWidth, layerForward, type LayerSpec } from '../../src/arith/index.js';
import { encode, getFormat, type FormatName } from '../../src/format/index.js';
import { Rng } from '../../src/util/rng.js';

/** A random layer: GG-ish weights (normal), per-row scales, binary32 biases. */
export function randomLayer(rng: Rng, o: { rows: number; cols: number; wFormat: FormatName; xFormat: FormatName; xScale: number; out: LayerSpec['out'] }): LayerSpec {
  const wf = getFormat(o.wFormat);
  const wCodes = new Uint8Array(o.rows * o.cols);
  const wScales = new Int8Array(o.rows);
  const bias = new Float32Array(o.rows);
  for (let r = 0; r < o.rows; r++) {
    wScales[r] = -4 + rng.int(5);
    for (let c = 0; c < o.cols; c++) {
      let code = encode(wf, rng.normal() * 0.3 * wf.maxFinite * 2 ** wScales[r]!, { scale: wScales[r]! });
      if (code === wf.nanCode) code = 0;
      wCodes[r * o.cols + c] = code;
    }
    bias[r] = Math.fround(rng.normal() * 2 ** (wScales[r]! + o.xScale + 4));
  }
  // W: the exact bound for cols terms plus 8 bits of headroom for the bias
  const W = accWidth(o.wFormat, o.xFormat, o.cols).W + 8;
  return { wFormat: o.wFormat, rows: o.rows, cols: o.cols, wCodes, wScales, bias, xFormat: o.xFormat, W, out: o.out };
}

/** Output scale that puts the largest |output| of the given inputs near the format's top (a calibration). */
export function calibrateOut(spec: LayerSpec, xs: Uint8Array[], xScale: number, fo: FormatName): number {
  let amax = 0;
  for (const x of xs) {
    const r = layerForward({ ...spec, out: { kind: 'f32' } }, x, xScale);
    for (const v of r.out as Float32Array) if (Number.isFinite(v)) amax = Math.max(amax, Math.abs(v));
  }
  return Math.ceil(Math.log2(Math.max(amax, 2 ** -60) / getFormat(fo).maxFinite));
}

export function randomInputs(rng: Rng, n: number, cols: number, fmt: FormatName, nanImage = -1): Uint8Array[] {
  const f = getFormat(fmt);
  const xs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const x = new Uint8Array(cols);
    for (let c = 0; c < cols; c++) {
      let code = encode(f, rng.normal() * f.maxFinite * 0.25);
      if (code === f.nanCode) code = 0;
      x[c] = code;
    }
    if (i === nanImage) x[rng.int(cols)] = f.nanCode;
    xs.push(x);
  }
  return xs;
}

/** A random 2-layer MLP: cols0 -> hidden (RF8, ReLU) -> classes (binary32), with n images and labels. */
export function randomNet(seed: number, n: number, o: { cols: number; hidden: number; classes: number } = { cols: 30, hidden: 20, classes: 10 }) {
  const rng = new Rng(seed);
  const x0: FormatName = 'rf8-e2m5';
  const h: FormatName = 'rf8-e3m4';
  const xScale0 = -2;
  const inputs = randomInputs(rng, n, o.cols, x0);
  const l0 = randomLayer(rng, { rows: o.hidden, cols: o.cols, wFormat: 'rf8-e3m4', xFormat: x0, xScale: xScale0, out: { kind: 'rf8', format: h, scale: 0, relu: true } });
  const s1 = calibrateOut(l0, inputs, xScale0, h);
  l0.out = { kind: 'rf8', format: h, scale: s1, relu: true };
  const l1 = randomLayer(rng, { rows: o.classes, cols: o.hidden, wFormat: 'rf8-e4m3', xFormat: h, xScale: s1, out: { kind: 'f32' } });
  const labels = Array.from({ length: n }, () => rng.int(o.classes));
  return { layers: [l0, l1], xScales: [xScale0, s1], inputs, labels };
}
