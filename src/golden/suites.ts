import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../sim/paths.js';
import { CORE_FORMAT_NAMES, SAMPLE_FORMAT_NAMES, FORMATS, FORMAT_NAMES, RF8_MODES, SPEC_VERSION, residualTables, sqrt2FloorBig, decode, decodeValue, encodeFromBits, formatTables, getFormat, type Format, type FormatName } from '../format/index.js';
import { accWidth } from '../arith/index.js';
import { Rng } from '../util/rng.js';
import { InputError } from '../util/errors.js';
import { resolveConfig, TopModel, type Beat, type RtlConfig } from '../rtl/index.js';
import { formatLine, type LineShape } from './line.js';

/**
 * The golden vector suites of spec section 7. Every expected field comes from the reference
 * (src/format, src/arith through TopModel, which is Mac + accToFormat + accToBinary32Bits); the
 * generator only chooses inputs. Deterministic: the same name gives the same bytes.
 */
export const GENERATOR = 'rf8kit golden 1';
export const DEFAULT_SEED = 20240601;

export type SuiteKind = 'prod' | 'cvt' | 'mac' | 'encode' | 'gen' | 'cex';

/** Test levels of a generated suite (`rf8 gen --level`): edge cases (the cvt generator), random MAC sequences, exhaustive products. */
export type GenLevel = 'edge' | 'random' | 'exhaustive';
export const GEN_LEVELS: readonly GenLevel[] = ['edge', 'random', 'exhaustive'];

export interface DotSuiteInfo {
  a: FormatName;
  b: FormatName;
  /** Output labels: a format name (its default rounding) or `name:rounding` (rf8:nearest), src/rtl parseOut. */
  outs: string[];
  f32: boolean;
  W: number;
  lanes: number;
  /** Multi-mode unit: the formats both operands may take (a and b are the first one). */
  modes?: FormatName[];
}

export interface SuiteDef {
  name: string;
  kind: SuiteKind;
  /** Checked in under golden/ (else generated on demand into the cache). */
  committed: boolean;
  description: string;
  seed: number;
  /** Lines of vectors (for dot suites: beats). */
  count: number;
  /** DUT-suite shape (prod/cvt/mac). */
  dot?: DotSuiteInfo;
  /** Counterexample suites (kind 'cex'): the committed input beats (golden/cex/<name>.json, written by src/mcy). */
  cexFile?: string;
  /** Encode suites. */
  encode?: { fmt: FormatName; rounding: 'rne' | 'rtz' | 'sr' | 'greedy' | 'nearest'; overflow: 'sat' | 'nonsat' };
  /** Vectors already written to this file (a shard of a suite, src/verify-hw/shard.ts): read as is. */
  path?: string;
  /** kind 'gen': the levels, in this order (edge, exhaustive, random); `count` is the random level's beats. */
  levels?: GenLevel[];
}

const short = (n: string): string => n.replace(/^rf8-/, '').replace(/-/g, '');
const BASELINE_OUTS: FormatName[] = ['ocp-e4m3', 'ocp-e5m2', 'int8'];

function dotInfo(a: FormatName, b: FormatName, lanes: number, outs: string[]): DotSuiteInfo {
  return { a, b, outs, f32: true, W: accWidth(a, b, 4096).W, lanes };
}

function seedOf(name: string): number {
  const h = createHash('sha256').update(name).digest();
  return (DEFAULT_SEED ^ h.readUInt32LE(0)) >>> 0;
}

let registry: SuiteDef[] | null = null;

/** Forget the suite list (after a counterexample suite was written into golden/cex/). */
export function resetSuiteRegistry(): void {
  registry = null;
}

/** Every suite, committed first. */
export function listSuites(): SuiteDef[] {
  if (registry) return registry;
  const r: SuiteDef[] = [];
  const add = (d: Omit<SuiteDef, 'seed'>): void => {
    r.push({ ...d, seed: seedOf(d.name) });
  };
  const rf8 = RF8_MODES as FormatName[];
  // committed: the default pair's conversions and MAC sequences, and the encode suites
  add({ name: 'cvt-e3m4-e3m4', kind: 'cvt', committed: true, count: 0, description: 'output conversions of the rf8-e3m4 x rf8-e3m4 accumulator: every output code, its ties and neighbours, signs, ReLU, saturation, NaN, binary32 subnormal/overflow boundaries, random', dot: dotInfo('rf8-e3m4', 'rf8-e3m4', 1, rf8) });
  add({ name: 'mac-e3m4-e3m4-n1', kind: 'mac', committed: true, count: 4000, description: 'MAC sequences, N = 1: random, saturation, NaN, clear', dot: dotInfo('rf8-e3m4', 'rf8-e3m4', 1, rf8) });
  add({ name: 'mac-e3m4-e3m4-n8', kind: 'mac', committed: true, count: 4000, description: 'MAC sequences, N = 8: random, saturation, NaN, clear, lane masks', dot: dotInfo('rf8-e3m4', 'rf8-e3m4', 8, ['rf8-e3m4']) });
  for (const f of FORMAT_NAMES) {
    // every rounding of the format, saturating; and RNE non-saturating where that mode differs
    const pol = FORMATS[f].policy;
    const modes: ['rne' | 'rtz' | 'sr', 'sat' | 'nonsat'][] = pol.roundings.map((rd) => [rd as 'rne' | 'rtz' | 'sr', 'sat']);
    if (pol.nonsat) modes.push(['rne', 'nonsat']);
    for (const [rounding, overflow] of modes)
      add({ name: `encode-${short(f)}-${rounding}${overflow === 'nonsat' ? '-nonsat' : ''}`, kind: 'encode', committed: true, count: 0, description: `binary32 -> ${f}, ${rounding}, ${overflow === 'sat' ? 'saturating' : 'non-saturating'}: every code, ties, neighbours, specials, random`, encode: { fmt: f, rounding, overflow } });
  }
  // on demand: exhaustive products (+ their conversions) and conversions for every rf8 pair
  for (const a of rf8)
    for (const b of rf8) {
      add({ name: `prod-${short(a)}-${short(b)}`, kind: 'prod', committed: false, count: 65536, description: `exhaustive products ${a} x ${b} (all 65536 code pairs), each converted to the three rf8 formats and binary32 at per-line scales`, dot: dotInfo(a, b, 1, rf8) });
      if (!(a === 'rf8-e3m4' && b === 'rf8-e3m4')) add({ name: `cvt-${short(a)}-${short(b)}`, kind: 'cvt', committed: false, count: 0, description: `output conversions of the ${a} x ${b} accumulator`, dot: dotInfo(a, b, 1, rf8) });
    }
  // on demand: the baselines through the same generator
  for (const [a, b] of [
    ['ocp-e4m3', 'ocp-e4m3'],
    ['ocp-e5m2', 'ocp-e5m2'],
    ['int8', 'int8'],
    ['ocp-e5m2', 'int8'],
  ] as [FormatName, FormatName][]) {
    add({ name: `prod-${short(a)}-${short(b)}`, kind: 'prod', committed: false, count: 65536, description: `exhaustive products ${a} x ${b}, converted to the baselines and binary32`, dot: dotInfo(a, b, 1, BASELINE_OUTS) });
    add({ name: `cvt-${short(a)}-${short(b)}`, kind: 'cvt', committed: false, count: 0, description: `output conversions of the ${a} x ${b} accumulator to the baselines`, dot: dotInfo(a, b, 1, BASELINE_OUTS) });
  }
  // on demand: the 1e6-beat random MAC runs of the acceptance criteria
  add({ name: 'mac-e3m4-e3m4-n1-1m', kind: 'mac', committed: false, count: 1_000_000, description: '1e6 random MAC beats, N = 1', dot: dotInfo('rf8-e3m4', 'rf8-e3m4', 1, rf8) });
  add({ name: 'mac-e3m4-e3m4-n8-1m', kind: 'mac', committed: false, count: 1_000_000, description: '1e6 random MAC beats, N = 8', dot: dotInfo('rf8-e3m4', 'rf8-e3m4', 8, ['rf8-e3m4']) });
  addResidualSuites(add);
  addSampleSuites(add);
  // committed: counterexample suites of the mutation campaigns (src/mcy): inputs in golden/cex/<name>.json
  const cexDir = join(packageRoot(), 'golden', 'cex');
  if (existsSync(cexDir))
    for (const f of readdirSync(cexDir).filter((x) => x.endsWith('.json')).sort()) {
      const j = JSON.parse(readFileSync(join(cexDir, f), 'utf8')) as { name: string; description: string; dot: DotSuiteInfo; sequences: { beats: unknown[] }[] };
      add({ name: j.name, kind: 'cex', committed: true, count: j.sequences.reduce((n, q) => n + q.beats.length, 0), description: j.description, dot: j.dot, cexFile: join(cexDir, f) });
    }
  registry = r;
  return r;
}

/**
 * The authors' RF8 (the residual kind, spec section 8), appended after the suites above so their
 * order and bytes stay: conversions into rf8 with both roundings, MAC sequences and encode suites
 * (committed); exhaustive products of every core format F (CORE_FORMAT_NAMES; activations, a)
 * with rf8 (weights, b), and rf8 x F, on demand.
 */
function addResidualSuites(add: (d: Omit<SuiteDef, 'seed'>) => void): void {
  const res = CORE_FORMAT_NAMES.filter((f) => FORMATS[f].policy.decoder === 'residual');
  for (const w of res) {
    const rOuts = FORMATS[w].policy.roundings.map((rd) => (rd === FORMATS[w].policy.defaultRounding ? w : `${w}:${rd}`));
    const sw = short(w);
    add({ name: `cvt-e3m4-${sw}`, kind: 'cvt', committed: true, count: 0, description: `output conversions of the rf8-e3m4 x ${w} accumulator into ${rOuts.join(', ')} and rf8-e3m4: every code, the sqrt(2) thresholds of both terms one LSB either side, every midpoint, saturation, underflow, ReLU, NaN, random`, dot: dotInfo('rf8-e3m4', w, 1, [...rOuts, 'rf8-e3m4']) });
    add({ name: `mac-e3m4-${sw}-n8`, kind: 'mac', committed: true, count: 1500, description: `MAC sequences rf8-e3m4 x ${w}, N = 8: random, saturation, NaN, clear, lane masks`, dot: dotInfo('rf8-e3m4', w, 8, [...rOuts, 'rf8-e3m4']) });
    add({ name: `mac-${sw}-${sw}-n1`, kind: 'mac', committed: true, count: 1500, description: `MAC sequences ${w} x ${w}, N = 1: random, saturation, NaN, clear`, dot: dotInfo(w, w, 1, rOuts) });
    for (const rd of FORMATS[w].policy.roundings)
      add({ name: `encode-${sw}-${rd}`, kind: 'encode', committed: true, count: 0, description: `binary32 -> ${w}, ${rd}: every code, the midpoints, every sqrt(2) threshold of both terms one ulp either side, saturation, underflow, specials, random`, encode: { fmt: w, rounding: rd as 'greedy' | 'nearest', overflow: 'sat' } });
    // every core format F (CORE_FORMAT_NAMES: no codebook suites yet)
    for (const f of CORE_FORMAT_NAMES) {
      const outs = f === w ? rOuts : [...rOuts, f];
      add({ name: `prod-${short(f)}-${sw}`, kind: 'prod', committed: false, count: 65536, description: `exhaustive products ${f} x ${w} (all 65536 code pairs), converted to ${outs.join(', ')} and binary32 at per-line scales`, dot: dotInfo(f, w, 1, outs) });
      if (f !== w) {
        add({ name: `prod-${sw}-${short(f)}`, kind: 'prod', committed: false, count: 65536, description: `exhaustive products ${w} x ${f}, converted to ${outs.join(', ')} and binary32`, dot: dotInfo(w, f, 1, outs) });
        if (f !== 'rf8-e3m4') add({ name: `cvt-${short(f)}-${sw}`, kind: 'cvt', committed: false, count: 0, description: `output conversions of the ${f} x ${w} accumulator into ${outs.join(', ')}`, dot: dotInfo(f, w, 1, outs) });
      } else add({ name: `cvt-${sw}-${sw}`, kind: 'cvt', committed: false, count: 0, description: `output conversions of the ${w} x ${w} accumulator into ${outs.join(', ')}`, dot: dotInfo(w, w, 1, outs) });
    }
  }
}

/**
 * The representatives of the format families outside the core (`enumerate: 'sample'`: the GG
 * codebook cb-b1-p0), appended last so the order and bytes above stay: on demand, the exhaustive
 * products of the format with itself and with rf8-e3m4 (both orders), converted into the format,
 * rf8-e3m4 and binary32, the conversions of its own accumulator, and MAC sequences (N = 8) of the
 * format with itself and with rf8-e3m4. The other 31 codebooks have
 * no suites (the same blocks with other constants; `rf8 gen` makes one for any pair).
 */
function addSampleSuites(add: (d: Omit<SuiteDef, 'seed'>) => void): void {
  for (const f of SAMPLE_FORMAT_NAMES) {
    if (FORMATS[f].enumerate !== 'sample') continue;
    const s = short(f);
    const outs = [f, 'rf8-e3m4'];
    add({ name: `prod-${s}-${s}`, kind: 'prod', committed: false, count: 65536, description: `exhaustive products ${f} x ${f} (all 65536 code pairs), converted to ${outs.join(', ')} and binary32 at per-line scales`, dot: dotInfo(f, f, 1, outs) });
    add({ name: `cvt-${s}-${s}`, kind: 'cvt', committed: false, count: 0, description: `output conversions of the ${f} x ${f} accumulator into ${outs.join(', ')}: every code, its midpoints one LSB either side, saturation, underflow, ReLU, NaN, random`, dot: dotInfo(f, f, 1, outs) });
    add({ name: `prod-${s}-e3m4`, kind: 'prod', committed: false, count: 65536, description: `exhaustive products ${f} x rf8-e3m4, converted to ${outs.join(', ')} and binary32`, dot: dotInfo(f, 'rf8-e3m4', 1, outs) });
    add({ name: `prod-e3m4-${s}`, kind: 'prod', committed: false, count: 65536, description: `exhaustive products rf8-e3m4 x ${f}, converted to ${outs.join(', ')} and binary32`, dot: dotInfo('rf8-e3m4', f, 1, outs) });
    // MAC sequences of the family's engines (the accumulator, the tree and the lane masks of a codebook engine: its mutants, src/sim MUTANT_PLAN)
    add({ name: `mac-${s}-${s}-n8`, kind: 'mac', committed: false, count: 1500, description: `MAC sequences ${f} x ${f}, N = 8: random, saturation, NaN, clear, lane masks`, dot: dotInfo(f, f, 8, outs) });
    add({ name: `mac-${s}-e3m4-n8`, kind: 'mac', committed: false, count: 1500, description: `MAC sequences ${f} x rf8-e3m4, N = 8: random, saturation, NaN, clear, lane masks`, dot: dotInfo(f, 'rf8-e3m4', 8, outs) });
  }
}

/** A counterexample suite: the committed beats (after each campaign's reset-free concatenation) through one TopModel. */
function genCex(d: SuiteDef, sink: (l: string) => void): void {
  const j = JSON.parse(readFileSync(d.cexFile!, 'utf8')) as { sequences: { beats: (Omit<Beat, 'init'> & { init: string })[] }[] };
  const shape = lineShape(d);
  const model = new TopModel(suiteRtlConfig(d));
  for (const q of j.sequences)
    for (const b0 of q.beats) {
      const b: Beat = { ...b0, init: BigInt(b0.init) };
      sink(formatLine(shape, b, model.step(b)));
    }
}

export function getSuite(name: string): SuiteDef {
  const s = listSuites().find((d) => d.name === name);
  if (!s) throw new InputError(`unknown suite '${name}' (rf8 golden --list shows them)`);
  return s;
}

/** The RTL configuration a dot suite is written for (W, lanes, outputs). */
export function suiteRtlConfig(d: SuiteDef): RtlConfig {
  if (!d.dot) throw new InputError(`suite ${d.name} is not a DUT suite`);
  return resolveConfig({ ...(d.dot.modes ? { modes: d.dot.modes } : { a: d.dot.a, b: d.dot.b }), lanes: d.dot.lanes, outs: d.dot.outs, f32: d.dot.f32, W: d.dot.W });
}

export function lineShape(d: SuiteDef): LineShape {
  if (!d.dot) throw new InputError(`suite ${d.name} is not a DUT suite`);
  return { W: d.dot.W, lanes: d.dot.lanes, K: d.dot.outs.length, f32: d.dot.f32 };
}

export function suiteHeader(d: SuiteDef): string {
  const h = [`# rf8kit golden vectors (${GENERATOR})`, `# spec: rf8 ${SPEC_VERSION} (docs/rf8-spec.md)`, `# suite: ${d.name}`, `# kind: ${d.kind}`, `# about: ${d.description}`];
  if (d.dot) {
    h.push(`# a: ${d.dot.a}`, `# b: ${d.dot.b}`, `# outs: ${d.dot.outs.join(' ')}`, `# f32: ${d.dot.f32 ? 'yes' : 'no'}`, `# W: ${d.dot.W}`, `# N: ${d.dot.lanes}`);
    if (d.dot.modes) h.push(`# modes: ${d.dot.modes.join(' ')}`, '#   ctl bits 3-4: mode of a, 5-6: mode of b (mode numbers in this order), taken on beats with first');
    if (d.levels) h.push(`# levels: ${d.levels.join(' ')}`);
    h.push('# scales: per line (xa xb xo fields); value(acc) = acc * 2^(tmin_a + tmin_b + xa + xb), codes at scale xo');
    h.push('# fields: ctl xa xb xo init mask a b acc flags f32 out');
    h.push('#   ctl: bit0 first (clear to init), bit1 last (output checked), bit2 relu; flags: bit0 nan, bit1 ovf');
    h.push('#   init/acc: W-bit two\'s complement; a/b: lane N-1 first; out: output K-1 first');
  } else if (d.encode) {
    const e = d.encode;
    h.push(`# format: ${e.fmt}`, `# rounding: ${e.rounding}${e.rounding === 'sr' ? ' (r = 8)' : ''}`, `# overflow: ${e.overflow}`);
    h.push(`# scales: per line (X field)`);
    h.push(`# fields: ${e.rounding === 'sr' ? 'f32 X u code' : 'f32 X code'}  (f32: binary32 bit pattern; X: int8 scale; code = encode(format, value, {scale: X}))`);
  }
  h.push(`# seed: ${d.seed}`);
  h.push(d.kind === 'gen' ? `# command: ${genCommand(d)}` : `# command: rf8 golden --suite ${d.name} --out DIR`);
  return h.join('\n') + '\n';
}

// ------------------------------------------------------------------------------ helpers

const clamp8 = (v: number): number => Math.max(-128, Math.min(127, v));
const log2floor = (v: number): number => Math.floor(Math.log2(v));

/** Smallest positive and largest finite value of a format at scale 0. */
function range(f: Format): { minPos: number; maxF: number } {
  const t = formatTables(f);
  let minPos = Infinity;
  for (let c = 0; c < 256; c++) if (!t.nan[c] && t.value[c]! > 0) minPos = Math.min(minPos, t.value[c]!);
  return { minPos, maxF: f.maxFinite };
}

function nanCodeOf(f: Format): number {
  const t = formatTables(f);
  for (let c = 0; c < 256; c++) if (t.nan[c]) return c;
  return -1;
}

function splitScale(s: number): [number, number] {
  // s = xa + xb with both in int8
  const xa = clamp8(Math.floor(s / 2));
  const xb = s - xa;
  if (xb < -128 || xb > 127) throw new Error(`scale sum ${s} out of range`);
  return [xa, xb];
}

type Emit = (b: Beat) => void;

/**
 * Which beats of a run are written: a shard [lo, hi) of the beat indices, its ends moved forward
 * to the next beat with `first` (a clear), so every shard starts from a known state and the
 * shards of a run partition it exactly. `count` only counts (a dry run for the total).
 */
export interface Gate {
  lo: number;
  hi: number;
  idx: number;
  state: 0 | 1 | 2;
  countOnly?: boolean;
}

/** Thrown by a gated generator once its shard is complete (generation stops early). */
class ShardDone extends Error {}

let gate: Gate | null = null;

function dotRunner(d: SuiteDef, sink: (line: string) => void): { emit: Emit; cfg: RtlConfig } {
  const cfg = suiteRtlConfig(d);
  const model = new TopModel(cfg);
  const shape = lineShape(d);
  const N = cfg.lanes;
  const g = gate;
  // a one-lane generator (prod, cvt) on an N-lane suite: the pair goes to lane 0, the other lanes masked
  const widen = (b: Beat): Beat => (b.a.length >= N ? b : { ...b, a: [...b.a, ...Array<number>(N - b.a.length).fill(0)], b: [...b.b, ...Array<number>(N - b.b.length).fill(0)] });
  if (!g) return { cfg, emit: (b: Beat) => sink(formatLine(shape, widen(b), model.step(widen(b)))) };
  return {
    cfg,
    emit: (b: Beat) => {
      const i = g.idx++;
      if (g.countOnly) return;
      if (g.state === 0 && i >= g.lo && b.first) g.state = 1;
      if (g.state === 1 && i >= g.hi && b.first) g.state = 2;
      if (g.state === 2) throw new ShardDone();
      if (g.state === 1) {
        const w = widen(b);
        sink(formatLine(shape, w, model.step(w)));
      }
    },
  };
}

// ------------------------------------------------------------------------------ prod

function genProd(d: SuiteDef, sink: (l: string) => void): void {
  const { emit, cfg } = dotRunner(d, sink);
  const rng = new Rng(d.seed);
  const fa = cfg.fa;
  const fb = cfg.fb;
  const outsR = cfg.outs.map(range);
  for (let ca = 0; ca < 256; ca++) {
    for (let cb = 0; cb < 256; cb++) {
      // input scales: mostly small, sometimes extreme (binary32 overflow / subnormals)
      const extreme = rng.int(16) === 0;
      const xa = extreme ? rng.int(256) - 128 : rng.int(9) - 4;
      const xb = extreme ? rng.int(256) - 128 : rng.int(9) - 4;
      // output scale: put the product's magnitude into a random regime of a random output
      const va = Math.abs(decodeValue(fa, ca));
      const vb = Math.abs(decodeValue(fb, cb));
      const v = va * vb;
      let xo = rng.int(9) - 4;
      if (v > 0 && Number.isFinite(v) && outsR.length) {
        const r = outsR[rng.int(outsR.length)]!;
        const lo = log2floor(r.minPos) - 2;
        const hi = log2floor(r.maxF) + 2;
        const target = lo + rng.int(hi - lo + 1);
        xo = clamp8(log2floor(v) + xa + xb - target);
      }
      emit({ first: true, last: true, relu: rng.int(4) === 0, xa, xb, xo, init: 0n, mask: 1, a: [ca], b: [cb] });
    }
  }
}

// ------------------------------------------------------------------------------ cvt

function genCvt(d: SuiteDef, sink: (l: string) => void): number {
  const { emit, cfg } = dotRunner(d, sink);
  const rng = new Rng(d.seed);
  const W = cfg.W;
  const hiA = (1n << BigInt(W - 1)) - 1n;
  const loA = -(1n << BigInt(W - 1));
  const tab = cfg.modesA.t + cfg.modesB.t;
  let n = 0;
  const put = (acc: bigint, T: number, xo: number, relu: boolean, nan = false): void => {
    if (acc > hiA) acc = hiA;
    if (acc < loA) acc = loA;
    const s = T - tab;
    if (s < -256 || s > 254) return;
    const [xa, xb] = splitScale(s);
    const nc = nanCodeOf(cfg.fa);
    if (nan && nc < 0) return;
    emit({ first: true, last: true, relu, xa, xb, xo: clamp8(xo), init: acc, mask: nan ? 1 : 0, a: [nan ? nc : 0], b: [0] });
    n++;
  };
  // 1. every code of every output format: exact, ties, neighbours, both signs, with and without ReLU
  // (a format with two outputs, e.g. rf8 and rf8:nearest, once: every line checks every output)
  const outFormats = cfg.outs.filter((f, i) => cfg.outs.findIndex((g) => g.name === f.name) === i);
  for (const fo of outFormats) {
    const vals: number[] = []; // positive finite magnitudes in units of 2^tmin_o, ascending by payload
    for (let c = 0; c < 128; c++) {
      const dd = decode(fo, c);
      if (dd.kind === 'nan' || dd.kind === 'inf') continue;
      vals.push(dd.k * 2 ** dd.sh);
    }
    for (let i = 0; i < vals.length; i++) {
      const g = [1, 2, 3, 4, 6, 9, 13][i % 7]!;
      const xo = (i % 11) - 5;
      const T = fo.tmin + xo - g; // acc LSB = 2^-g quanta of the output's 2^tmin_o
      const v = BigInt(vals[i]!) << BigInt(g);
      const next = i + 1 < vals.length ? BigInt(vals[i + 1]!) << BigInt(g) : v + (v - (i > 0 ? BigInt(vals[i - 1]!) << BigInt(g) : 0n)); // beyond max: one more step
      const mid = (v + next) / 2n; // exact: g >= 1
      // the code itself and its tie with the next code in both signs; the neighbours with a random sign
      for (const x of [v, mid]) {
        put(x, T, xo, rng.int(3) === 0);
        put(-x, T, xo, false);
      }
      put(-v, T, xo, true); // fused ReLU
      for (const x of [v - 1n, v + 1n, mid - 1n, mid + 1n]) {
        if (x < 0n) continue;
        const sgn = rng.int(2) === 0;
        put(sgn ? -x : x, T, xo, rng.int(3) === 0);
      }
    }
    // far beyond maxfinite, and far below the smallest subnormal
    for (let j = 0; j < 24; j++) {
      const acc = BigInt(1 + rng.int(1 << 20)) * (rng.int(2) ? 1n : -1n);
      put(acc, fo.tmin + 40 + j, j % 5, j % 3 === 0);
      put(acc, fo.tmin - 40 - j, -(j % 5), j % 3 === 0);
    }
  }
  // 1b. residual outputs (rf8): both terms' sqrt(2) thresholds one LSB either side, every midpoint, saturation, underflow
  for (const fo of outFormats) {
    if (fo.policy.decoder !== 'residual') continue;
    const RT = residualTables(fo);
    const k0 = BigInt(fo.kTable![0]!);
    const base = k0.toString(2).length - 1;
    const sgn = (v: bigint): bigint => (rng.int(2) ? -v : v);
    // value v * 2^T with T = tmin_o + xo - g: the binade of 2^p at sh = p - g - base
    for (let E = 0; E <= RT.Emax + 1; E++) {
      for (const g of [1, 7, 20]) {
        const p = E - 1 + base + g; // leading one of the accumulator for a value 2^(E - 1) * k0 (units 2^tmin_o)
        if (p < 1 || p > W - 3) continue;
        const xo = rng.int(11) - 5;
        const T = fo.tmin + xo - g;
        for (const dl of [-1n, 0n, 1n]) put(sgn(sqrt2FloorBig(p) + dl), T, xo, rng.int(4) === 0);
        for (let q = Math.max(0, p - 6); q < p; q++)
          for (const dl of [-1n, 0n, 1n]) {
            const t2 = sqrt2FloorBig(q) + dl;
            put(sgn((1n << BigInt(p)) + t2), T, xo, false);
            put(sgn((1n << BigInt(p)) - t2), T, xo, false);
            put(sgn((1n << BigInt(p + 1)) - t2), T, xo, false);
          }
      }
    }
    // every representable magnitude and the exact midpoints to its neighbours (nearest's ties), one LSB either side
    for (let i = 0; i < RT.vals.length; i++) {
      const g = 2 + (i % 9);
      const xo = (i % 7) - 3;
      const T = fo.tmin - 1 + xo - g; // vals are in units of 2^(tmin - 1)
      const v = BigInt(RT.vals[i]!) << BigInt(g);
      const nx = i + 1 < RT.vals.length ? BigInt(RT.vals[i + 1]!) << BigInt(g) : v + v / 4n;
      const mid = (v + nx) / 2n;
      for (const x of [v - 1n, v, v + 1n, mid - 1n, mid, mid + 1n]) if (x > 0n) put(rng.int(3) === 0 ? -x : x, T, xo, rng.int(5) === 0);
    }
  }
  // 2. binary32 boundaries: ties and carries at every exponent from deep subnormal to overflow
  const pats: bigint[] = [1n, 3n, (1n << 24n) - 1n, (1n << 24n) + 1n, (1n << 25n) + 2n, (1n << 25n) + 1n, (1n << 25n) + 3n, (1n << 25n) - 1n, (1n << 26n) + 6n, 0x5555555n, 0xaaaaaaan];
  for (let T = tab - 256; T <= tab + 254; T += 3) {
    for (const p of pats) {
      if (rng.int(3) !== 0) continue;
      put(rng.int(2) ? -p : p, T, rng.int(21) - 10, false);
    }
  }
  // 3. NaN, zero, extremes of the accumulator
  for (let j = 0; j < 32; j++) {
    put(BigInt(rng.int(1000)) - 500n, tab + rng.int(40) - 20, rng.int(41) - 20, rng.int(2) === 0, true);
    put(0n, tab + rng.int(400) - 200, rng.int(256) - 128, rng.int(2) === 0);
    put(rng.int(2) ? hiA : loA, tab + rng.int(400) - 200, rng.int(256) - 128, rng.int(2) === 0);
  }
  // 4. random accumulators at random scales
  for (let j = 0; j < 3000; j++) {
    const bits = 1 + rng.int(W - 1);
    let acc = 0n;
    for (let k = 0; k < bits; k += 30) acc = (acc << 30n) | BigInt(rng.int(1 << 30));
    acc &= (1n << BigInt(bits)) - 1n;
    if (rng.int(2)) acc = -acc;
    const T = tab + rng.int(60) - 30;
    put(acc, T, rng.int(41) - 20 + Math.floor(bits / 2), rng.int(4) === 0);
  }
  return n;
}

// ------------------------------------------------------------------------------ mac

function genMac(d: SuiteDef, sink: (l: string) => void): void {
  const { emit, cfg } = dotRunner(d, sink);
  const rng = new Rng(d.seed);
  const N = cfg.lanes;
  const W = cfg.W;
  const tA = formatTables(cfg.fa);
  const tB = formatTables(cfg.fb);
  const finite = (t: typeof tA): number[] => Array.from({ length: 256 }, (_, c) => c).filter((c) => !t.nan[c]);
  const finA = finite(tA);
  const finB = finite(tB);
  const nanA = Array.from({ length: 256 }, (_, c) => c).filter((c) => tA.nan[c]);
  const nanB = Array.from({ length: 256 }, (_, c) => c).filter((c) => tB.nan[c]);
  const bigA = finA.filter((c) => tA.k[c]! * 2 ** tA.sh[c]! >= 0.5 * maxMag(tA));
  const bigB = finB.filter((c) => tB.k[c]! * 2 ** tB.sh[c]! >= 0.5 * maxMag(tB));
  const hiA = (1n << BigInt(W - 1)) - 1n;
  const tab = cfg.modesA.t + cfg.modesB.t;
  const nModes = cfg.multi ? 4 : 0; // multi-mode: a random 2-bit mode number per operand and dot product
  let ma = 0;
  let mb = 0;
  const r0 = cfg.outs.length ? range(cfg.outs[0]!) : { minPos: 2 ** -149, maxF: 2 ** 127 };
  // the running state, shadowed here only to choose good output scales (not to compute results)
  let shadow = 0;
  let emitted = 0;
  const segKinds = ['random', 'random', 'random', 'saturation', 'nan', 'clear'] as const;
  while (emitted < d.count) {
    const kind = segKinds[rng.int(segKinds.length)]!;
    const len = Math.min(d.count - emitted, kind === 'clear' ? 4 + rng.int(12) : kind === 'saturation' ? 40 + rng.int(200) : 8 + rng.int(120));
    const pNan = kind === 'nan' ? 0.01 : 0.0005;
    const pClear = kind === 'clear' ? 0.4 : kind === 'nan' ? 0.25 : 0.02;
    const xa = rng.int(8) === 0 ? rng.int(256) - 128 : rng.int(11) - 5;
    const xb = rng.int(8) === 0 ? rng.int(256) - 128 : rng.int(11) - 5;
    for (let j = 0; j < len; j++) {
      const first = j === 0 || rng.float() < pClear;
      if (first && nModes) {
        ma = rng.int(nModes);
        mb = rng.int(nModes);
      }
      let init = 0n;
      if (first) {
        const r = rng.int(8);
        if (kind === 'saturation' || r === 0) {
          // near a limit, so the next products clamp
          const off = BigInt(rng.int(1 << 20));
          init = rng.int(2) ? hiA - off : -hiA - 1n + off;
        } else if (r < 3) {
          init = BigInt(rng.int(1 << 30)) - BigInt(1 << 29);
        }
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let l = 0; l < N; l++) {
        const useBig = kind === 'saturation' && rng.int(4) !== 0;
        let ca = useBig ? bigA[rng.int(bigA.length)]! : finA[rng.int(finA.length)]!;
        let cb = useBig ? bigB[rng.int(bigB.length)]! : finB[rng.int(finB.length)]!;
        if (kind === 'saturation' && useBig) {
          // same sign products drive the accumulator towards one rail
          const wantNeg = init < 0n;
          if (((tA.sign[ca]! ^ tB.sign[cb]!) === 1) !== wantNeg) ca = ca ^ 0x80;
          if (tA.nan[ca]) ca = ca ^ 0x80; // never turn a number into NaN here
        }
        if (nanA.length && rng.float() < pNan) ca = nanA[rng.int(nanA.length)]!;
        if (nanB.length && rng.float() < pNan) cb = nanB[rng.int(nanB.length)]!;
        a.push(ca);
        b.push(cb);
      }
      const mask = N === 1 ? (rng.int(16) === 0 ? 0 : 1) : rng.int(4) === 0 ? rng.int(2 ** N) : 2 ** N - 1;
      // track an approximate magnitude to pick an output scale near the value
      if (first) shadow = Number(init);
      for (let l = 0; l < N; l++) if ((mask >> l) & 1 && !tA.nan[a[l]!] && !tB.nan[b[l]!]) shadow += tA.value[a[l]!]! * tB.value[b[l]!]! * 2 ** -tab;
      const last = rng.int(4) !== 0 || j === len - 1;
      let xo = rng.int(11) - 5;
      const v = Math.abs(shadow) * 2 ** (tab + xa + xb);
      if (v > 0 && Number.isFinite(v)) {
        const lo = log2floor(r0.minPos) - 2;
        const hi = log2floor(r0.maxF) + 2;
        xo = clamp8(log2floor(v) - (lo + rng.int(hi - lo + 1)));
      }
      emit({ first, last, relu: rng.int(4) === 0, xa, xb, xo, init, mask, a, b, ...(nModes && first ? { ma, mb } : {}) });
      emitted++;
    }
  }
}

function maxMag(t: ReturnType<typeof formatTables>): number {
  let m = 0;
  for (let c = 0; c < 256; c++) if (!t.nan[c]) m = Math.max(m, t.k[c]! * 2 ** t.sh[c]!);
  return m;
}

// ------------------------------------------------------------------------------ encode

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function bitsOfF32(x: number): number | null {
  f32[0] = x;
  return f32[0] === x ? u32[0]! : null; // exact binary32 only
}

function genEncode(d: SuiteDef, sink: (l: string) => void): number {
  const e = d.encode!;
  const f = getFormat(e.fmt);
  const rng = new Rng(d.seed);
  const sr = e.rounding === 'sr';
  let n = 0;
  const us = [0, 1, 64, 127, 128, 129, 192, 255];
  const put = (bits: number, X: number): void => {
    bits >>>= 0;
    const u = sr ? (rng.int(2) ? us[rng.int(us.length)]! : rng.int(256)) : 0;
    const code = encodeFromBits(f, 'f32', bits, { scale: X, rounding: e.rounding, u, r: 8, overflow: e.overflow });
    const h = (v: number, dg: number): string => (v >>> 0).toString(16).padStart(dg, '0');
    sink(sr ? `${h(bits, 8)} ${h(X & 0xff, 2)} ${h(u, 2)} ${h(code, 2)}` : `${h(bits, 8)} ${h(X & 0xff, 2)} ${h(code, 2)}`);
    n++;
  };
  const around = (x: number, X: number): void => {
    const b = bitsOfF32(x);
    if (b === null) return;
    put(b, X);
    if ((b & 0x7fffffff) !== 0) put(b - 1, X); // one binary32 ulp towards zero
    if ((b & 0x7fffffff) < 0x7f7fffff) put(b + 1, X); // one ulp away from zero
  };
  const t = formatTables(f);
  const pos: number[] = [];
  for (let c = 0; c < 256; c++) if (!t.nan[c] && t.value[c]! >= 0 && !(c !== 0 && t.value[c] === 0)) pos.push(t.value[c]!);
  pos.sort((x, y) => x - y);
  const scales = [0, 0, 3, -5, 17, -29, 100, -120, 127, -128];
  for (let i = 0; i < pos.length; i++) {
    const X = i % 3 === 0 ? scales[rng.int(scales.length)]! : 0;
    const s = 2 ** X;
    const v = pos[i]! * s;
    const sign = rng.int(2) ? -1 : 1;
    around(sign * v, X);
    if (i + 1 < pos.length) around(sign * ((pos[i]! + pos[i + 1]!) / 2) * s, X); // the tie
    else around(sign * (pos[i]! * 1.0625) * s, X); // beyond maxfinite
  }
  if (f.policy.decoder === 'residual') {
    // the greedy rule's thresholds: sqrt(2) 2^e (first term) and 2^e1 +- sqrt(2) 2^(e1 - d) (second term, d = 1..6), one ulp either side, at every binade and several scales
    const RT = residualTables(f);
    for (let e = f.tmin + 2; e <= f.tmin + 4 + RT.Emax + 2; e++) {
      const X = e % 3 === 0 ? scales[rng.int(scales.length)]! : 0;
      const s = 2 ** X;
      const sg = rng.int(2) ? -1 : 1;
      // Math.fround of the double nearest the irrational threshold, then one binary32 ulp either side, straddles it
      around(Math.fround(sg * Math.SQRT2 * 2 ** e * s), X);
      for (let d = 1; d <= 6; d++) {
        around(Math.fround(sg * (2 ** e + Math.SQRT2 * 2 ** (e - d)) * s), X);
        around(Math.fround(sg * (2 ** e - Math.SQRT2 * 2 ** (e - d)) * s), X);
      }
    }
  }
  // specials and extremes
  for (const b of [0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001, 0x00000001, 0x80000001, 0x00800000, 0x7f7fffff, 0xff7fffff])
    for (const X of [0, 127, -128]) put(b, X);
  // random bit patterns and random values in range
  const { maxF } = range(f);
  for (let j = 0; j < 512; j++) put(rng.u32(), rng.int(8) === 0 ? rng.int(256) - 128 : 0);
  for (let j = 0; j < 512; j++) {
    const x = Math.fround((rng.float() * 2 - 1) * maxF * 1.2);
    put(bitsOfF32(x)!, 0);
  }
  return n;
}

// ------------------------------------------------------------------------------ generation

/** A shard I/N of a run (0-based I). */
export interface Shard {
  index: number;
  count: number;
}

/** Parse 'I/N' (1-based I, as a Slurm array index or a CI matrix entry writes it). */
export function parseShard(s: string, what = '--shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) throw new InputError(`${what}: expected I/N (1 <= I <= N): '${s}'`);
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || i < 1 || i > n || n > 1e6) throw new InputError(`${what}: expected I/N with 1 <= I <= N: '${s}'`);
  return { index: i - 1, count: n };
}

function runKind(d: SuiteDef, sink: (l: string) => void): void {
  switch (d.kind) {
    case 'prod':
      genProd(d, sink);
      break;
    case 'cvt':
      genCvt(d, sink);
      break;
    case 'mac':
      genMac(d, sink);
      break;
    case 'encode':
      genEncode(d, sink);
      break;
    case 'gen':
      for (const lv of d.levels ?? []) {
        const sub: SuiteDef = { ...d, kind: lv === 'edge' ? 'cvt' : lv === 'exhaustive' ? 'prod' : 'mac', seed: (d.seed + GEN_LEVELS.indexOf(lv)) >>> 0 };
        if (lv === 'random' && d.count <= 0) continue;
        runKind(sub, sink);
      }
      break;
    case 'cex':
      genCex(d, sink);
      break;
  }
}

/** Number of vector lines of a suite (a dry run of its generator: inputs chosen, nothing computed or written). */
export function suiteLength(d: SuiteDef): number {
  if (d.kind === 'mac') return d.count;
  if (d.kind === 'encode') return generateSuite(d, () => undefined);
  const g: Gate = { lo: 0, hi: 0, idx: 0, state: 0, countOnly: true };
  gate = g;
  try {
    runKind(d, () => undefined);
  } finally {
    gate = null;
  }
  return g.idx;
}

/**
 * Generate a suite, feeding text chunks (header first, unless `header` is false) to `out`.
 * Returns the vector count. With a shard I/N only that part of the beats is written (every
 * shard carries the same header): the bodies of shards 1..N concatenated equal the whole body.
 */
export function generateSuite(d: SuiteDef, out: (chunk: string) => void, opts: { shard?: Shard; header?: boolean } = {}): number {
  if (opts.header !== false) out(suiteHeader(d));
  let buf: string[] = [];
  let count = 0;
  const sink = (l: string): void => {
    buf.push(l);
    count++;
    if (buf.length >= 4096) {
      out(buf.join('\n') + '\n');
      buf = [];
    }
  };
  const sh = opts.shard;
  if (sh && sh.count > 1) {
    const total = suiteLength(d);
    const lo = Math.floor((sh.index * total) / sh.count);
    const hi = Math.floor(((sh.index + 1) * total) / sh.count);
    if (d.kind === 'encode') {
      let i = 0;
      const inner = sink;
      runKind(d, (l) => {
        if (i >= lo && i < hi) inner(l);
        i++;
      });
    } else {
      gate = { lo, hi: sh.index === sh.count - 1 ? Infinity : hi, idx: 0, state: 0 };
      try {
        runKind(d, sink);
      } catch (e) {
        if (!(e instanceof ShardDone)) throw e;
      } finally {
        gate = null;
      }
    }
  } else runKind(d, sink);
  if (buf.length) out(buf.join('\n') + '\n');
  return count;
}

// ------------------------------------------------------------------------------ rf8 gen

export interface GenOptions {
  a?: string;
  b?: string;
  modes?: readonly string[];
  outs?: readonly string[];
  f32?: boolean;
  W?: number;
  lanes?: number;
  levels?: readonly GenLevel[];
  /** Beats of the random level (default 10000). */
  count?: number;
  seed?: number;
}

/** A suite for any configuration (`rf8 gen`): the golden generators with other W, lanes, outputs, modes, seed and count. */
export function customSuite(o: GenOptions): SuiteDef {
  const cfg = resolveConfig({ ...(o.modes ? { modes: o.modes } : { a: o.a ?? 'rf8-e3m4', b: o.b ?? o.a ?? 'rf8-e3m4' }), outs: o.outs, f32: o.f32, W: o.W, lanes: o.lanes ?? 1 });
  const levels = [...(o.levels ?? ['edge', 'random'])];
  for (const l of levels) if (!GEN_LEVELS.includes(l)) throw new InputError(`--level: unknown level '${l}' (one of: ${GEN_LEVELS.join(', ')}, all)`);
  const order = GEN_LEVELS.filter((l) => levels.includes(l));
  const sorted: GenLevel[] = (['edge', 'exhaustive', 'random'] as GenLevel[]).filter((l) => order.includes(l));
  const count = o.count ?? 10000;
  if (!Number.isSafeInteger(count) || count < 0) throw new InputError(`--count: not a non-negative integer: ${count}`);
  const dot: DotSuiteInfo = { a: cfg.fa.name, b: cfg.fb.name, outs: [...cfg.outLabels], f32: cfg.f32, W: cfg.W, lanes: cfg.lanes, ...(cfg.multi ? { modes: cfg.modesA.modes.map((f) => f.name) } : {}) };
  const name = `gen-${cfg.id}-${sorted.join('+')}${sorted.includes('random') ? `-c${count}` : ''}`;
  const seed = o.seed === undefined ? seedOf(name) : o.seed >>> 0;
  return { name, kind: 'gen', committed: false, description: `rf8 gen: ${sorted.join(', ')} (${cfg.id})`, seed, count: sorted.includes('random') ? count : 0, dot, levels: sorted };
}

function genCommand(d: SuiteDef): string {
  const s = d.dot!;
  const parts = ['rf8 gen', ...(s.modes ? ['--modes', s.modes.join(',')] : ['-a', s.a, '-b', s.b]), '-W', String(s.W), '--lanes', String(s.lanes)];
  parts.push(s.outs.length ? `--outs ${s.outs.join(' ')}` : '--outs none');
  if (!s.f32) parts.push('--no-f32');
  parts.push('--level', (d.levels ?? []).join(','));
  if ((d.levels ?? []).includes('random')) parts.push('--count', String(d.count));
  parts.push('--seed', String(d.seed));
  return parts.join(' ');
}
