import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateLayer, type LayerSpec } from '../arith/index.js';
import { fromF32Bits, SPEC_VERSION } from '../format/index.js';
import { emulateLayer, inputWords, layerImages, LAYER_FILES, type LayerOut } from '../rtl/layer.js';
import { writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';

/**
 * Real-layer golden suites (spec section 7, "layers taken from trained models"): for every layer
 * of a network, the $readmemh images rf8_layer loads (weights, per-row scales, bias/init), the
 * input stream of every test image and the expected output of every row from the layer
 * reference (src/arith layerForward). Written on demand into a directory with a manifest
 * (SHA-256 of every file); regeneration from the same inputs is byte-identical.
 *
 * Layout: <dir>/manifest.json, <dir>/l<k>/{rf8_layer_w.hex, rf8_layer_init.hex,
 * rf8_layer_scale.hex, x.hex, expect.txt}. Layer k's x.hex is the reference output of layer
 * k-1 (layer 0's: the images' RF8 codes). expect.txt: one line per output beat
 * 'IMG ROW VAL FLAGS ACC' (hex; VAL = RF8 code or binary32 pattern, FLAGS = nan | ovf << 1,
 * ACC = the W-bit two's-complement accumulator).
 */
export const LAYER_GOLDEN_GENERATOR = 'rf8kit src/golden/layers.ts v1';

export interface NetworkGoldenInput {
  layers: LayerSpec[];
  /** Input scale exponent of every layer (layer 0: the images' scale). */
  xScales: number[];
  /** RF8 codes (layers[0].xFormat at xScales[0]) of every image. */
  inputs: Uint8Array[];
  /** Class labels (optional; the manifest then records the reference accuracy). */
  labels?: number[];
  /** MAC lanes N of the engine the images are laid out for (default 8). */
  lanes?: number;
  /** Provenance written into the manifest. */
  command?: string;
  seed?: number;
  onProgress?: (layer: number, image: number, images: number) => void;
}

export interface LayerGoldenMeta {
  index: number;
  dir: string;
  rows: number;
  cols: number;
  wFormat: string;
  xFormat: string;
  xScale: number;
  W: number;
  lanes: number;
  beats: number;
  out: LayerSpec['out'];
  hasBias: boolean;
  outputs: number;
}

export interface GoldenFile {
  name: string;
  sha256: string;
  bytes: number;
}

export interface NetworkGoldenManifest {
  spec: string;
  generator: string;
  command: string;
  seed: number | null;
  lanes: number;
  images: number;
  layers: LayerGoldenMeta[];
  labels: number[] | null;
  /** argmax of the reference logits of every image. */
  refPredictions: number[];
  refAccuracy: number | null;
  files: GoldenFile[];
}

/** The index of the largest value (first on ties; NaN never wins), as src/nn's argmax. */
export function argmaxLogits(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[b]!) b = i;
  return b;
}

/** Check that the layers chain: hidden layers output RF8 in the next layer's input format and scale. */
export function validateNetwork(layers: LayerSpec[], xScales: number[]): void {
  if (!layers.length) throw new InputError('network: no layers');
  if (xScales.length !== layers.length) throw new InputError(`network: ${xScales.length} input scales for ${layers.length} layers`);
  layers.forEach((l, k) => {
    validateLayer(l);
    if (!Number.isInteger(xScales[k]) || xScales[k]! < -128 || xScales[k]! > 127) throw new InputError(`network: layer ${k} input scale must be int8: ${xScales[k]}`);
    if (k === 0) return;
    const p = layers[k - 1]!;
    if (p.out.kind !== 'rf8') throw new InputError(`network: layer ${k - 1} outputs binary32 but feeds layer ${k}`);
    if (p.rows !== l.cols) throw new InputError(`network: layer ${k - 1} has ${p.rows} outputs, layer ${k} takes ${l.cols}`);
    if (p.out.format !== l.xFormat || p.out.scale !== xScales[k]) throw new InputError(`network: layer ${k - 1} outputs ${p.out.format} at scale ${p.out.scale}; layer ${k} takes ${l.xFormat} at ${xScales[k]}`);
  });
}

const hexAcc = (v: bigint, W: number): string => BigInt.asUintN(W, v).toString(16);

/** expect.txt / actual.txt line of one output. */
export function outLine(img: number, row: number, o: LayerOut, r: number, W: number, rf8: boolean): string {
  return `${img.toString(16)} ${row.toString(16)} ${o.val[r]!.toString(16).padStart(rf8 ? 2 : 8, '0')} ${o.flags[r]!.toString(16)} ${hexAcc(o.acc[r]!, W)}`;
}

export interface ParsedOut {
  img: number;
  row: number;
  val: number;
  flags: number;
  /** Signed accumulator. */
  acc: bigint;
}

/** Parse an expect.txt / actual.txt file (W = accumulator width, for the sign). */
export function parseOutFile(text: string, W: number): ParsedOut[] {
  const out: ParsedOut[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const f = t.split(/\s+/);
    if (f.length !== 5) throw new InputError(`bad output line '${t}'`);
    out.push({ img: parseInt(f[0]!, 16), row: parseInt(f[1]!, 16), val: parseInt(f[2]!, 16) >>> 0, flags: parseInt(f[3]!, 16), acc: BigInt.asIntN(W, BigInt('0x' + f[4]!)) });
  }
  return out;
}

const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Write the golden suite of a network into `dir` (created). Returns the manifest, also written
 * to <dir>/manifest.json.
 */
export function writeNetworkGolden(dir: string, inp: NetworkGoldenInput): NetworkGoldenManifest {
  const { layers, xScales, inputs } = inp;
  validateNetwork(layers, xScales);
  const N = inp.lanes ?? 8;
  if (!Number.isInteger(N) || N < 1 || N > 32) throw new InputError(`lanes must be in [1, 32]: ${N}`);
  if (!inputs.length) throw new InputError('network golden: no input images');
  for (const x of inputs) if (x.length !== layers[0]!.cols) throw new InputError(`network golden: an image has ${x.length} codes; layer 0 takes ${layers[0]!.cols}`);
  if (inp.labels && inp.labels.length !== inputs.length) throw new InputError(`network golden: ${inp.labels.length} labels for ${inputs.length} images`);
  const files: GoldenFile[] = [];
  const put = (name: string, text: string): void => {
    writeFileAtomic(join(dir, name), text);
    files.push({ name, sha256: sha256(text), bytes: Buffer.byteLength(text) });
  };
  const metas: LayerGoldenMeta[] = [];
  let xs: Uint8Array[] = inputs;
  let logits: Float32Array[] = [];
  layers.forEach((spec, k) => {
    const sub = `l${k}`;
    const xScale = xScales[k]!;
    const img = layerImages(spec, xScale, N);
    put(`${sub}/${LAYER_FILES.w}`, img.w);
    put(`${sub}/${LAYER_FILES.init}`, img.init);
    put(`${sub}/${LAYER_FILES.scale}`, img.scale);
    const rf8 = spec.out.kind === 'rf8';
    const head = [
      `# rf8kit real-layer golden vectors, spec ${SPEC_VERSION}, ${LAYER_GOLDEN_GENERATOR}`,
      `# layer ${k}: ${spec.rows} x ${spec.cols}, w ${spec.wFormat} (per-row scales), x ${spec.xFormat} at scale ${xScale}, W ${spec.W}, N ${N}`,
      `# out ${spec.out.kind === 'rf8' ? `${spec.out.format} at scale ${spec.out.scale}${spec.out.relu ? ', fused ReLU' : ''}` : 'binary32'}; seed ${inp.seed ?? '-'}`,
    ];
    const xl: string[] = [`// layer ${k} input stream: ${Math.ceil(spec.cols / N)} words of ${N} codes per image, ${xs.length} images`];
    const el: string[] = [...head, '# IMG ROW VAL FLAGS ACC'];
    const next: Uint8Array[] = [];
    const lg: Float32Array[] = [];
    xs.forEach((x, i) => {
      xl.push(...inputWords(x, spec.cols, N));
      const o = emulateLayer(spec, x, xScale, N);
      for (let r = 0; r < spec.rows; r++) el.push(outLine(i, r, o, r, spec.W, rf8));
      if (rf8) next.push(Uint8Array.from(o.val));
      else lg.push(Float32Array.from(o.val, (b) => fromF32Bits(b)));
      inp.onProgress?.(k, i + 1, xs.length);
    });
    put(`${sub}/x.hex`, xl.join('\n') + '\n');
    put(`${sub}/expect.txt`, el.join('\n') + '\n');
    metas.push({
      index: k,
      dir: sub,
      rows: spec.rows,
      cols: spec.cols,
      wFormat: spec.wFormat,
      xFormat: spec.xFormat,
      xScale,
      W: spec.W,
      lanes: N,
      beats: Math.ceil(spec.cols / N),
      out: spec.out,
      hasBias: !!spec.bias,
      outputs: xs.length * spec.rows,
    });
    xs = next;
    logits = lg;
  });
  const refPredictions = logits.map(argmaxLogits);
  const labels = inp.labels ?? null;
  const refAccuracy = labels && layers[layers.length - 1]!.out.kind === 'f32' ? refPredictions.filter((p, i) => p === labels[i]).length / labels.length : null;
  const m: NetworkGoldenManifest = {
    spec: SPEC_VERSION,
    generator: LAYER_GOLDEN_GENERATOR,
    command: inp.command ?? 'writeNetworkGolden() (src/golden/layers.ts)',
    seed: inp.seed ?? null,
    lanes: N,
    images: inputs.length,
    layers: metas,
    labels,
    refPredictions,
    refAccuracy,
    files,
  };
  writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify(m, null, 1) + '\n');
  return m;
}

export function readNetworkGolden(dir: string): NetworkGoldenManifest {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) throw new InputError(`no golden manifest in ${dir}`, p);
  return JSON.parse(readFileSync(p, 'utf8')) as NetworkGoldenManifest;
}

/** Files whose SHA-256 differs from the manifest (or that are missing). */
export function verifyNetworkGolden(dir: string): string[] {
  const m = readNetworkGolden(dir);
  const bad: string[] = [];
  for (const f of m.files) {
    const p = join(dir, f.name);
    if (!existsSync(p) || sha256(readFileSync(p)) !== f.sha256) bad.push(f.name);
  }
  return bad;
}
