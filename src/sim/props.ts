import fc from 'fast-check';
import { arbCode, arbInit, arbScale } from '../props/arbitraries.js';
import { decodeValue, fromF32Bits, type Format } from '../format/index.js';
import { TopModel, type Beat, type BeatOut, type RtlConfig } from '../rtl/index.js';
import type { DutSession } from './protocol.js';

/**
 * fast-check arbitraries for RTL beats and MAC sequences (codes, scales and inits come from
 * src/props, the public arbitraries), and the co-simulation property: a random MAC sequence gives the same output beats on the DUT and on
 * the reference (TopModel = Mac + accToFormat + accToBinary32Bits). A failure shrinks to a
 * minimal sequence and reports the seed that replays it.
 */

/**
 * Inputs an external design does not have (src/verify-hw: its adapter ties them off): the
 * generator keeps them at the tie value (relu false, scales 0, init 0, mask all lanes, modes 0).
 */
export interface InputTies {
  relu?: boolean;
  xa?: boolean;
  xb?: boolean;
  xo?: boolean;
  init?: boolean;
  mask?: boolean;
  mode?: boolean;
}

/** Outputs an external design does not have: not compared. */
export interface OutputIgnores {
  acc?: boolean;
  nan?: boolean;
  ovf?: boolean;
}

export function arbBeat(cfg: RtlConfig, tie: InputTies = {}): fc.Arbitrary<Beat> {
  const N = cfg.lanes;
  // multi-mode units: any 2-bit mode number (numbers past the list select mode 0); codes biased to every mode's edges
  const modes: { ma?: fc.Arbitrary<number>; mb?: fc.Arbitrary<number> } = cfg.multi && !tie.mode ? { ma: fc.integer({ min: 0, max: 3 }), mb: fc.integer({ min: 0, max: 3 }) } : {};
  const code = (s: RtlConfig['modesA']): fc.Arbitrary<number> => (s.modes.length > 1 ? fc.oneof(...s.modes.map((f) => arbCode(f))) : arbCode(s.modes[0]!));
  return fc.record({
    ...modes,
    first: fc.boolean(),
    last: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    relu: tie.relu ? fc.constant(false) : fc.boolean(),
    xa: tie.xa ? fc.constant(0) : arbScale,
    xb: tie.xb ? fc.constant(0) : arbScale,
    xo: tie.xo ? fc.constant(0) : arbScale,
    init: tie.init ? fc.constant(0n) : arbInit(cfg.W),
    mask: tie.mask ? fc.constant(2 ** N - 1) : fc.oneof({ weight: 3, arbitrary: fc.constant(2 ** N - 1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** N - 1 }) }),
    a: fc.array(code(cfg.modesA), { minLength: N, maxLength: N }),
    b: fc.array(code(cfg.modesB), { minLength: N, maxLength: N }),
  });
}

/** A MAC sequence: the DUT is reset before it, so it starts from A = 0 with clear flags. */
export function arbMacSequence(cfg: RtlConfig, maxLength = 24, tie: InputTies = {}): fc.Arbitrary<Beat[]> {
  return fc.array(arbBeat(cfg, tie), { minLength: 1, maxLength });
}

export function referenceOutputs(cfg: RtlConfig, beats: readonly Beat[]): BeatOut[] {
  const m = new TopModel(cfg);
  const out: BeatOut[] = [];
  for (const b of beats) {
    const o = m.step(b);
    if (b.last) out.push(o);
  }
  return out;
}

export function sameOut(cfg: RtlConfig, a: BeatOut, b: BeatOut, ignore: OutputIgnores = {}): boolean {
  return (ignore.acc || a.acc === b.acc) && (ignore.nan || a.nan === b.nan) && (ignore.ovf || a.ovf === b.ovf) && (!cfg.f32 || a.f32 >>> 0 === b.f32 >>> 0) && a.codes.every((c, k) => c === b.codes[k]);
}

/** Run one sequence on the DUT (after a reset) and on the reference; a description of the first difference, or null. */
export async function compareSequence(s: DutSession, cfg: RtlConfig, beats: readonly Beat[], ignore: OutputIgnores = {}): Promise<string | null> {
  await s.reset();
  const dut = await s.run(beats);
  const ref = referenceOutputs(cfg, beats);
  if (dut.length !== ref.length) return `DUT gave ${dut.length} output beats, the reference ${ref.length}`;
  for (let i = 0; i < ref.length; i++) if (!sameOut(cfg, dut[i]!, ref[i]!, ignore)) return `output ${i}: DUT ${showOut(dut[i]!)} vs reference ${showOut(ref[i]!)}`;
  return null;
}

export function showOut(o: BeatOut): string {
  return `{acc ${o.acc}, nan ${o.nan ? 1 : 0}, ovf ${o.ovf ? 1 : 0}, f32 0x${(o.f32 >>> 0).toString(16)}, codes [${o.codes.map((c) => '0x' + c.toString(16)).join(', ')}]}`;
}

export function showBeat(b: Beat): string {
  return `{${b.first ? 'first ' : ''}${b.first && (b.ma !== undefined || b.mb !== undefined) ? `modes ${b.ma ?? 0},${b.mb ?? 0} ` : ''}${b.last ? 'last ' : ''}${b.relu ? 'relu ' : ''}x=${b.xa},${b.xb},${b.xo} init ${b.init} mask ${b.mask.toString(2)} a [${b.a.map((c) => c.toString(16)).join(' ')}] b [${b.b.map((c) => c.toString(16)).join(' ')}]}`;
}

export interface PropReport {
  pass: boolean;
  runs: number;
  seed: number;
  /** Shrunk counterexample (beats) and the difference it shows. */
  counterexample?: Beat[];
  difference?: string;
  shrinks?: number;
  path?: string;
  /** fast-check's own report (seed, path, counterexample). */
  message?: string;
  /** The failing output beat decoded (codes and values, accumulator value) like a suite mismatch. */
  decoded?: { output: number; beat: number; inputs: Record<string, unknown>; expected: Record<string, unknown>; actual: Record<string, unknown>; fields: string[] };
}

export async function runMacProperty(
  s: DutSession,
  cfg: RtlConfig,
  opts: { runs: number; seed: number; maxLength?: number; stall?: [number, number]; tie?: InputTies; ignore?: OutputIgnores },
): Promise<PropReport> {
  if (opts.stall) await s.setStall(opts.seed, opts.stall[0], opts.stall[1]);
  const ignore = opts.ignore ?? {};
  const prop = fc.asyncProperty(arbMacSequence(cfg, opts.maxLength ?? 24, opts.tie), async (beats) => {
    const d = await compareSequence(s, cfg, beats, ignore);
    if (d) throw new Error(d);
  });
  const r = await fc.check(prop, { numRuns: opts.runs, seed: opts.seed, endOnFailure: false });
  if (!r.failed) return { pass: true, runs: r.numRuns, seed: opts.seed };
  let ce = r.counterexample?.[0] as Beat[] | undefined;
  // fast-check's array shrinker mostly drops leading elements; finish with a greedy pass that
  // drops any beat whose removal keeps the failure (a 1-minimal sequence), deterministically
  if (ce) {
    let cur: Beat[] = ce;
    for (let i = cur.length - 1; i >= 0 && cur.length > 1; i--) {
      const shorter: Beat[] = cur.filter((_, j) => j !== i);
      if (await compareSequence(s, cfg, shorter, ignore)) cur = shorter;
    }
    ce = cur;
  }
  const diff = ce ? await compareSequence(s, cfg, ce, ignore) : null;
  let decoded: PropReport['decoded'];
  if (ce) {
    await s.reset();
    const dut = await s.run(ce);
    const ref = referenceOutputs(cfg, ce);
    const lastIdx = ce.map((b, i) => (b.last ? i : -1)).filter((i) => i >= 0);
    const k = ref.findIndex((r, i) => !dut[i] || !sameOut(cfg, dut[i]!, r, ignore));
    if (k >= 0 && dut[k]) decoded = decodeOutputs(cfg, ce[lastIdx[k]!]!, ref[k]!, dut[k]!, k, lastIdx[k]!, ignore);
  }
  return {
    pass: false,
    runs: r.numRuns,
    seed: r.seed,
    counterexample: ce,
    difference: diff ?? String(r.errorInstance),
    shrinks: r.numShrinks,
    path: r.counterexamplePath ?? undefined,
    message: fc.defaultReportMessage(r) ?? undefined,
    ...(decoded ? { decoded } : {}),
  };
}

/** One output beat of a sequence decoded: the beat's inputs and both sides as codes and values, the accumulator value. */
export function decodeOutputs(cfg: RtlConfig, b: Beat, exp: BeatOut, act: BeatOut, output: number, beat: number, ignore: OutputIgnores = {}): NonNullable<PropReport['decoded']> {
  const T = cfg.modesA.t + cfg.modesB.t + b.xa + b.xb;
  const fa = cfg.multi ? cfg.modesA.modes[b.ma ?? 0] ?? cfg.fa : cfg.fa;
  const fb = cfg.multi ? cfg.modesB.modes[b.mb ?? 0] ?? cfg.fb : cfg.fb;
  const code = (f: Format, c: number, x: number): string => `0x${c.toString(16).padStart(2, '0')} (${decodeValue(f, c, x)})`;
  const side = (o: BeatOut): Record<string, unknown> => ({
    acc: `${o.acc} (value ${Number(o.acc) * 2 ** T}, = acc * 2^${T})`,
    nan: o.nan,
    ovf: o.ovf,
    ...(cfg.f32 ? { f32: `0x${(o.f32 >>> 0).toString(16).padStart(8, '0')} (${fromF32Bits(o.f32 >>> 0)})` } : {}),
    ...Object.fromEntries(cfg.outs.map((f, k) => [f.name, code(f, o.codes[k]!, b.xo)])),
  });
  const fields = [
    ...(!ignore.acc && exp.acc !== act.acc ? ['acc'] : []),
    ...(!ignore.nan && exp.nan !== act.nan ? ['nan'] : []),
    ...(!ignore.ovf && exp.ovf !== act.ovf ? ['ovf'] : []),
    ...(cfg.f32 && exp.f32 >>> 0 !== act.f32 >>> 0 ? ['f32'] : []),
    ...cfg.outs.filter((_, k) => exp.codes[k] !== act.codes[k]).map((f) => f.name),
  ];
  return {
    output,
    beat,
    inputs: { first: b.first, last: b.last, relu: b.relu, xa: b.xa, xb: b.xb, xo: b.xo, init: b.init.toString(), mask: b.mask.toString(2).padStart(cfg.lanes, '0'), a: b.a.map((c) => code(fa, c, b.xa)), b: b.b.map((c) => code(fb, c, b.xb)) },
    expected: side(exp),
    actual: side(act),
    fields,
  };
}
