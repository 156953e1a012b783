import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accWidth, type LayerSpec } from '../arith/index.js';
import { decodeValue, getFormat, type FormatName } from '../format/index.js';
import { emulateLayer, generateLayerRtl, inputWords, layerImages, LAYER_FILES, type GeneratedLayerRtl } from '../rtl/layer.js';
import { buildHarness, type BuiltModel, type HarnessSpec } from '../sim/build.js';
import { layerHarnessSource, layerIoHeader } from '../sim/layer.js';
import { goldenDir } from './golden-api.js';
import { writeFileAtomic } from '../util/atomic.js';
import { InputError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { outcomes, runChunks, summarize, type CampaignReport } from './campaign.js';
import { mutationDesign, type MutationDesign } from './design.js';
import type { EquivResult } from './equiv.js';
import type { LoopEngine } from './cex.js';

/**
 * The mutation campaign of the layer engine rf8_layer (`rf8 mutate --layer`): one fixed, seeded
 * layer (its weights, row scales and biases are $readmemh images that yosys reads at prep, so
 * they are constants of the mutated design and every mutant is relative to that layer), one
 * Verilator model of sim/layer_harness.cpp with every mutant behind mutsel, and seeded layer
 * suites whose expected outputs come from the reference (src/rtl emulateLayer = src/arith
 * layerForward). Every suite run (the harness's campaign mode) starts with a reset held 8 cycles
 * with random in_valid, out_ready and in_data, checks that no output beat appears in the idle
 * cycles after it and after the stream, and compares every output beat in order and its cycle
 * with the unmutated design's (MCY's test benches compare with the original design: a mutant that
 * only delays a beat under back-pressure is a real difference of the engine, not an equivalent).
 *
 * The layer (docs/verification.md, "The layer engine"): rows x cols weights of format a, every
 * lane's weights a seeded walk through all 256 codes (so every decoder lane meets many codes,
 * NaN and the extremes included); row scales mostly in -4..0 with four extreme rows (-128, 127,
 * -100, 90); biases random, in accumulator units (LayerSpec.accInit: one init image serves every input scale); W = the exact bound of cols products minus 4 (so the accumulator
 * clamps on large inputs); output: format `out` with fused ReLU.
 */

export interface LayerCampaignSpec {
  /** Weight format (rf8_dot operand a). */
  a: FormatName;
  /** Input format (operand b). */
  b: FormatName;
  /** Output format (8-bit codes with fused ReLU). */
  out: FormatName;
  lanes: number;
  rows: number;
  cols: number;
  pipe: number;
  /** Seed of the layer's contents and of the suites. */
  layerSeed: number;
}

export interface LayerSuite {
  name: string;
  images: Uint8Array[];
  xb: number;
  xo: number;
  stall: [number, number, number];
}

/** The campaign's layer (deterministic in the spec). */
export function campaignLayer(s: LayerCampaignSpec): LayerSpec {
  const rng = new Rng(s.layerSeed);
  const N = s.lanes;
  const { rows, cols } = s;
  const wCodes = new Uint8Array(rows * cols);
  // lane j of beat k of row r: a walk through a seeded permutation of the 256 codes, one per lane
  const perms = Array.from({ length: N }, () => {
    const p = Array.from({ length: 256 }, (_, i) => i);
    for (let i = 255; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j]!, p[i]!];
    }
    return p;
  });
  const B = Math.ceil(cols / N);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const lane = c % N;
      const k = r * B + Math.floor(c / N);
      wCodes[r * cols + c] = perms[lane]![k % 256]!;
    }
  const extremes = [-128, 127, -100, 90];
  const wScales = new Int8Array(rows);
  for (let r = 0; r < rows; r++) wScales[r] = r >= 2 && r - 2 < extremes.length && rows >= 8 ? extremes[r - 2]! : -4 + rng.int(5);
  const W = Math.max(8, accWidth(s.a, s.b, cols).W - 4);
  // the bias of every row in accumulator units (the init image: the same at every input scale), up to 2^(W-3) in magnitude
  const accInit = Array.from({ length: rows }, () => BigInt(Math.trunc(rng.normal() * 2 ** Math.min(50, W - 5))));
  return { wFormat: s.a, xFormat: s.b, rows, cols, wCodes, wScales, accInit, W, out: { kind: 'rf8', format: s.out, scale: 0, relu: true } };
}

/** The campaign's suites: seeded images, several scales, plain and stalled. */
export function layerSuites(s: LayerCampaignSpec): LayerSuite[] {
  const rng = new Rng(s.layerSeed * 7919 + 1);
  const xf = getFormat(s.b);
  const search = codeSearch(s.b);
  const cols = s.cols;
  const rand = (n: number): Uint8Array[] => Array.from({ length: n }, () => Uint8Array.from({ length: cols }, () => rng.int(256)));
  // every code at every column: image i, column c = (i + 17 c) mod 256
  const codes = Array.from({ length: 256 }, (_, i) => Uint8Array.from({ length: cols }, (_, c) => (i + 17 * c) % 256));
  // magnitude extremes with random signs (the accumulator clamps), and zeros
  const big = Array.from({ length: 16 }, (_, i) => Uint8Array.from({ length: cols }, () => {
    const v = rng.u32();
    const top = Math.min(xf.maxFinite, 2 ** 120);
    return search.top((v & 1 ? -1 : 1) * top * (i < 8 ? 1 : 0.5));
  }));
  const zero = [new Uint8Array(cols)];
  // GG-like data: normal values at a few scales (sums near the output format's ties and rails, not dominated by one huge term)
  const gauss = (n: number, sd: number): Uint8Array[] => Array.from({ length: n }, () => Uint8Array.from({ length: cols }, () => search.near(rng.normal() * sd)));
  const out: LayerSuite[] = [
    { name: 'rand', images: rand(32), xb: -2, xo: 0, stall: [0, 0, 0] },
    { name: 'gauss', images: [...gauss(128, 1), ...gauss(128, 8), ...gauss(128, 0.05)], xb: -3, xo: -2, stall: [0, 0, 0] },
    { name: 'rand2', images: rand(256), xb: 1, xo: 3, stall: [0, 0, 0] },
    { name: 'codes', images: codes, xb: 0, xo: 0, stall: [0, 0, 0] },
    { name: 'big', images: [...big, ...zero], xb: 0, xo: 4, stall: [0, 0, 0] },
  ];
  // the scale extremes, then a sweep of xb - xo over -40..40 (every row's scale difference d of
  // the converter through the range where its output is neither zero nor saturated), xb random
  const scales: [number, number][] = [[-128, -128], [127, 127], [-128, 127], [127, -128], [40, -60], [-60, 40]];
  for (let k = -40; k <= 40; k += 2) {
    const xb = -80 + rng.int(161);
    scales.push([xb, Math.max(-128, Math.min(127, xb - k))]);
  }
  for (const [xb, xo] of scales) out.push({ name: `scale${xb}_${xo}`, images: [...rand(32), ...gauss(16, 2), ...gauss(16, 0.2)], xb, xo, stall: [0, 0, 0] });
  out.push({ name: 'rand+stall', images: rand(32), xb: -2, xo: 0, stall: [1, 0.3, 0.3] });
  out.push({ name: 'codes+stall', images: codes.slice(0, 64), xb: 0, xo: 0, stall: [2, 0.3, 0.3] });
  // heavy back-pressure, heavy bubbles, both
  out.push({ name: 'gauss+backpressure', images: gauss(64, 1), xb: -3, xo: -2, stall: [3, 0.1, 0.7] });
  out.push({ name: 'gauss+bubbles', images: gauss(64, 1), xb: -3, xo: -2, stall: [4, 0.7, 0.1] });
  out.push({ name: 'rand+stall2', images: rand(64), xb: 1, xo: 3, stall: [5, 0.5, 0.5] });
  return out;
}

/**
 * Codes by search over the format's decoded values (no rounding rule involved), the values
 * decoded once: `near(v)` the code whose value is nearest v (ties: the smaller code); `top(v)`
 * the code of the largest finite magnitude <= |v| of v's sign (ties: the larger code).
 */
function codeSearch(fmt: FormatName): { near(v: number): number; top(v: number): number } {
  const f = getFormat(fmt);
  const val = Float64Array.from({ length: 256 }, (_, c) => decodeValue(f, c, 0));
  return {
    near(v) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < 256; c++) {
        const dd = Math.abs(val[c]! - v);
        if (Number.isFinite(val[c]!) && dd < bd) {
          bd = dd;
          best = c;
        }
      }
      return best;
    },
    top(v) {
      let best = 0;
      let bv = 0;
      for (let c = 0; c < 256; c++) {
        const x = val[c]!;
        if (!Number.isFinite(x) || Math.sign(x) !== Math.sign(v) || Math.abs(x) > Math.abs(v)) continue;
        if (Math.abs(x) >= bv) {
          bv = Math.abs(x);
          best = c;
        }
      }
      return best;
    },
  };
}

/** Suite files (x.hex + expect.txt, the reference's outputs) written into `dir`; the harness's --suite arguments. */
export function writeLayerSuites(dir: string, spec: LayerSpec, suites: LayerSuite[], N: number): string[] {
  mkdirSync(join(dir, 'suites'), { recursive: true });
  const args: string[] = [];
  for (const s of suites) {
    const sp: LayerSpec = { ...spec, out: spec.out.kind === 'rf8' ? { ...spec.out, scale: s.xo } : spec.out };
    const x: string[] = [];
    const e: string[] = [`# ${s.name}: ${s.images.length} images, xb ${s.xb}, xo ${s.xo}; expected outputs from the reference (emulateLayer): IMG ROW VAL FLAGS ACC`];
    s.images.forEach((img, i) => {
      x.push(...inputWords(img, spec.cols, N));
      const r = emulateLayer(sp, img, s.xb, N);
      for (let row = 0; row < spec.rows; row++) {
        const m = (1n << BigInt(spec.W)) - 1n;
        e.push(`${i.toString(16)} ${row.toString(16)} ${r.val[row]!.toString(16)} ${r.flags[row]!.toString(16)} ${(r.acc[row]! & m).toString(16)}`);
      }
    });
    const safe = s.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    writeFileAtomic(join(dir, 'suites', `${safe}.hex`), x.join('\n') + '\n');
    writeFileAtomic(join(dir, 'suites', `${safe}.txt`), e.join('\n') + '\n');
    args.push('--suite', `suites/${safe}.hex,suites/${safe}.txt,${s.images.length},${s.xb},${s.xo},${s.stall.join(',')}`);
  }
  return args;
}

// ------------------------------------------------------------------------------ counterexamples

export interface LayerCexFile {
  name: string;
  description: string;
  layer: LayerCampaignSpec;
  sequences: { mutant: number; block: string; mode: string; seed: number; count: number; xb: number; xo: number; images: number[][] }[];
}

export const layerCexName = (s: LayerCampaignSpec): string => `cex-layer-${s.rows}x${s.cols}-${s.a}x${s.b}-o${s.out}-n${s.lanes}-ls${s.layerSeed}`;

function readLayerCex(s: LayerCampaignSpec): LayerCexFile | null {
  const p = join(goldenDir(), 'cex-layer', `${layerCexName(s)}.json`);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as LayerCexFile) : null;
}

/** The committed counterexample sequences of this layer as suites (one per sequence: each has its own scales). */
export function layerCexSuites(s: LayerCampaignSpec): LayerSuite[] {
  const f = readLayerCex(s);
  if (!f) return [];
  return f.sequences.map((q, i) => ({ name: `${f.name}#${i + 1}`, images: q.images.map((x) => Uint8Array.from(x)), xb: q.xb, xo: q.xo, stall: [0, 0, 0] as [number, number, number] }));
}

/**
 * Lift a counterexample of the observer (harness drive: reset in step 1, in_valid = out_ready = 1
 * after it, the cfg_* inputs held at their step-1 values) to input images: the words the
 * unmutated layer accepts (beats words, then rows * beats fetch cycles with in_ready low, ...),
 * the last image padded with zero words.
 */
export function liftLayerCex(spec: LayerSpec, N: number, steps: Map<number, Map<string, bigint>>, upto: number): { xb: number; xo: number; images: number[][] } {
  const B = Math.ceil(spec.cols / N);
  const period = B + spec.rows * B;
  const sx = (v: bigint): number => (Number(v & 0xffn) >= 128 ? Number(v & 0xffn) - 256 : Number(v & 0xffn));
  const s1 = steps.get(1) ?? new Map<string, bigint>();
  const words: bigint[] = [];
  for (let t = 2; t <= upto; t++) if ((t - 2) % period < B) words.push(steps.get(t)?.get('in_data') ?? 0n);
  while (words.length % B || !words.length) words.push(0n);
  const images: number[][] = [];
  for (let i = 0; i < words.length; i += B) {
    const img: number[] = [];
    for (let c = 0; c < spec.cols; c++) img.push(Number((words[i + Math.floor(c / N)]! >> BigInt(8 * (c % N))) & 0xffn));
    images.push(img);
  }
  return { xb: sx(s1.get('cfg_xb') ?? 0n), xo: sx(s1.get('cfg_xo') ?? 0n), images };
}

/** Append counterexample sequences to the layer's cex file (golden/cex-layer/<name>.json). */
export function addLayerCounterexamples(s: LayerCampaignSpec, seqs: LayerCexFile['sequences']): { name: string; added: number; beats: number } {
  const name = layerCexName(s);
  // beside golden/cex (rf8_dot's cex suites, which the suite registry reads), not in it
  const dir = join(goldenDir(), 'cex-layer');
  mkdirSync(dir, { recursive: true });
  const f: LayerCexFile = readLayerCex(s) ?? {
    name,
    description: `counterexamples of the rf8_layer mutation campaign (rf8 mutate --layer --classify): input images and scales found by the formal classification; expected outputs from the reference (emulateLayer) at run time`,
    layer: s,
    sequences: [],
  };
  f.sequences.push(...seqs);
  writeFileAtomic(join(dir, `${name}.json`), JSON.stringify(f, null, 1) + '\n');
  return { name, added: seqs.length, beats: seqs.reduce((n, q) => n + q.images.length * Math.ceil(s.cols / s.lanes), 0) };
}

// ------------------------------------------------------------------------------ campaign

export interface LayerCampaignOptions {
  layer: LayerCampaignSpec;
  count: number;
  seed?: number;
  jobs?: number;
  /** Include the committed counterexample suites (default true). */
  cex?: boolean;
  only?: number[];
  log?: (m: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export function validateLayerCampaign(s: LayerCampaignSpec): void {
  for (const [k, v, lo, hi] of [['--lanes', s.lanes, 1, 32], ['--rows', s.rows, 1, 256], ['--cols', s.cols, 1, 256], ['--pipe', s.pipe, 0, 6], ['--layer-seed', s.layerSeed, 0, 2 ** 31 - 1]] as const)
    if (!Number.isInteger(v) || v < lo || v > hi) throw new InputError(`mutate --layer: ${k} must be an integer in [${lo}, ${hi}]: ${v}`);
  for (const [k, f] of [['-a', s.a], ['-b', s.b], ['--outs', s.out]] as const)
    try {
      getFormat(f);
    } catch {
      throw new InputError(`mutate --layer: ${k}: unknown format ${f}`);
    }
}

/** The layer's mutation design (rf8_layer over the layer's images; cfg.latency counts the fetch stage). */
export async function layerMutationDesign(s: LayerCampaignSpec, count: number, seed: number, log?: (m: string) => void): Promise<{ design: MutationDesign; spec: LayerSpec; g: GeneratedLayerRtl }> {
  validateLayerCampaign(s);
  const spec = campaignLayer(s);
  const gl = generateLayerRtl(spec, { lanes: s.lanes, pipe: s.pipe });
  const img = layerImages(spec, 0, s.lanes);
  const files = [
    { name: LAYER_FILES.w, text: img.w },
    { name: LAYER_FILES.init, text: img.init },
    { name: LAYER_FILES.scale, text: img.scale },
  ];
  // the observer's reset covers the fetch register stage in front of rf8_dot too
  const g = { ...gl, cfg: { ...gl.cfg, latency: gl.cfg.latency + 1 } };
  const design = await mutationDesign({ rtl: {}, g, files, count, seed, ...(log ? { log } : {}) });
  return { design, spec, g: gl };
}

function layerHarnessSpec(g: GeneratedLayerRtl): HarnessSpec {
  return {
    cpp: layerHarnessSource(),
    header: { name: 'layer_io.h', text: layerIoHeader(g.layer, { mutsel: true }) },
    exe: 'layer_harness',
    tag: 'rf8-mcy-layer-v1',
    opt: { model: '-O1', slow: '-O1', harness: '-O2' },
    prune: true,
    idChars: 90,
  };
}

export async function buildLayerMutantModel(d: MutationDesign, g: GeneratedLayerRtl, log?: (m: string) => void): Promise<BuiltModel> {
  return buildHarness({ sources: [{ name: 'mutated.v', text: d.verilog }], top: d.top, id: `mcy-${g.layer.id}-c${d.count}-s${d.seed}` }, layerHarnessSpec(g), { log });
}

const FIELDS = ['acc', 'flags', 'value', 'codes', 'unexpected output beat', 'timeout (no output)', 'cycle of an output beat (the unmutated design gives it in another)'];
const fieldsOf = (f: number): string[] => FIELDS.filter((_, i) => f & (1 << i));

export interface LayerCampaignResult {
  report: CampaignReport;
  design: MutationDesign;
  spec: LayerSpec;
  model: BuiltModel;
  suites: LayerSuite[];
}

/** Every suite (committed counterexamples last) against every mutant, in `jobs` harness processes. */
export async function runLayerCampaign(o: LayerCampaignOptions): Promise<LayerCampaignResult> {
  const t0 = Date.now();
  const seed = o.seed ?? 1;
  const jobs = Math.max(1, o.jobs ?? 2);
  const { design, spec, g } = await layerMutationDesign(o.layer, o.count, seed, o.log);
  const model = await buildLayerMutantModel(design, g, o.log);
  const suites = [...layerSuites(o.layer), ...(o.cex === false ? [] : layerCexSuites(o.layer))];
  const argv = writeLayerSuites(design.dir, spec, suites, o.layer.lanes);
  const pairs: string[][] = [];
  for (let i = 0; i < argv.length; i += 2) pairs.push([argv[i]!, argv[i + 1]!]);
  const base = (await runChunks(model.exe, pairs, [0], 1, () => {}, undefined, [], design.dir)).get(0)!;
  if (base.killedBy !== null) throw new Error(`the unmutated layer (mutsel = 0) fails suite ${suites[base.killedBy]!.name} at output ${base.rep?.mismatch?.line}: fix that before counting kills`);
  const ids = (o.only ?? design.mutations.map((m) => m.id)).slice();
  const t1 = Date.now();
  let done = 0;
  o.log?.(`running ${ids.length} mutants x ${suites.length} layer suites (${suites.map((s) => s.name).join(', ')}), ${jobs} job(s)`);
  const key = createHash('sha256').update(model.hash).update('\0').update(argv.join('\0'));
  for (const s of suites) for (const x of s.images) key.update(x);
  const res = await runChunks(model.exe, pairs, ids, jobs, (n) => {
    done += n;
    o.onProgress?.(done, ids.length);
  }, join(design.dir, `runs-${key.digest('hex').slice(0, 16)}.json`), [], design.dir);
  const simSec = (Date.now() - t1) / 1000;
  const mutants = outcomes(design.mutations, ids, res, suites.map((s) => s.name), fieldsOf);
  const report = summarize({
    config: g.layer.id,
    rtl: {},
    count: design.count,
    seed,
    ctrlWidth: design.ctrlWidth,
    blocks: design.blocks,
    suites: suites.map((s) => s.name),
    props: null,
    mutants,
    times: { yosysSec: design.yosysSec, buildSec: model.seconds, simSec, propsSec: 0, seconds: (Date.now() - t0) / 1000 },
    workDir: design.dir,
    model: model.exe,
    jobs,
  });
  return { report, design, spec, model, suites };
}

/** The bounded-search depth of the layer: one whole vector (load + every row) and the pipeline. */
export function layerDepth(s: LayerCampaignSpec, latency: number): number {
  const B = Math.ceil(s.cols / s.lanes);
  return B + s.rows * B + latency + 4;
}

/** The counterexample sequences of classification results (lifted to images). */
export function layerCexSequences(s: LayerCampaignSpec, spec: LayerSpec, d: MutationDesign, res: EquivResult[]): LayerCexFile['sequences'] {
  return res.map((r) => {
    const m = d.mutations.find((x) => x.id === r.id)!;
    const steps = new Map<number, Map<string, bigint>>((r.inputs ?? []).map((st, i) => [i + 1, new Map(Object.entries(st).map(([k, v]) => [k, BigInt(v)]))]));
    const l = liftLayerCex(spec, s.lanes, steps, r.failStep ?? steps.size);
    return { mutant: r.id, block: m.block, mode: m.mode, seed: d.seed, count: d.count, ...l };
  });
}

/** The layer campaign as an engine of the MCY loop (src/mcy/cex.ts mutationLoop). */
export function layerLoopEngine(o: LayerCampaignOptions): LoopEngine {
  const spec = campaignLayer(o.layer);
  const engine: LoopEngine = {
    async run(only) {
      const r = await runLayerCampaign({ ...o, ...(only ? { only } : {}) });
      engine.equiv = { depth: layerDepth(o.layer, r.design.g.cfg.latency), rawInputs: true, proveFirst: true };
      return r;
    },
    addCex(design, cexs) {
      return addLayerCounterexamples(o.layer, layerCexSequences(o.layer, spec, design, cexs));
    },
    // classify a batch, turn its counterexamples into vectors, re-run the suites on every survivor: a
    // vector found for one converter mutant kills its neighbours before they cost a search
    batch: 4 * Math.max(1, o.jobs ?? 2),
  };
  return engine;
}
