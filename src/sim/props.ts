import fc from 'fast-check';
import { arbCode, arbInit, arbScale } from '../props/arbitraries.js';
import { TopModel, type Beat, type BeatOut, type RtlConfig } from '../rtl/index.js';
import type { DutSession } from './protocol.js';

/**
 * fast-check arbitraries for RTL beats and MAC sequences (codes, scales and inits come from
 * src/props, the public arbitraries), and the co-simulation property: a random MAC sequence gives the same output beats on the DUT and on
 * the reference (TopModel = Mac + accToFormat + accToBinary32Bits). A failure shrinks to a
 * minimal sequence and reports the seed that replays it.
 */

export function arbBeat(cfg: RtlConfig): fc.Arbitrary<Beat> {
  const N = cfg.lanes;
  // multi-mode units: any 2-bit mode number (numbers past the list select mode 0); codes biased to every mode's edges
  const modes: { ma?: fc.Arbitrary<number>; mb?: fc.Arbitrary<number> } = cfg.multi ? { ma: fc.integer({ min: 0, max: 3 }), mb: fc.integer({ min: 0, max: 3 }) } : {};
  const code = (s: RtlConfig['modesA']): fc.Arbitrary<number> => (s.modes.length > 1 ? fc.oneof(...s.modes.map((f) => arbCode(f))) : arbCode(s.modes[0]!));
  return fc.record({
    ...modes,
    first: fc.boolean(),
    last: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    relu: fc.boolean(),
    xa: arbScale,
    xb: arbScale,
    xo: arbScale,
    init: arbInit(cfg.W),
    mask: fc.oneof({ weight: 3, arbitrary: fc.constant(2 ** N - 1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** N - 1 }) }),
    a: fc.array(code(cfg.modesA), { minLength: N, maxLength: N }),
    b: fc.array(code(cfg.modesB), { minLength: N, maxLength: N }),
  });
}

/** A MAC sequence: the DUT is reset before it, so it starts from A = 0 with clear flags. */
export function arbMacSequence(cfg: RtlConfig, maxLength = 24): fc.Arbitrary<Beat[]> {
  return fc.array(arbBeat(cfg), { minLength: 1, maxLength });
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

export function sameOut(cfg: RtlConfig, a: BeatOut, b: BeatOut): boolean {
  return a.acc === b.acc && a.nan === b.nan && a.ovf === b.ovf && (!cfg.f32 || a.f32 >>> 0 === b.f32 >>> 0) && a.codes.every((c, k) => c === b.codes[k]);
}

/** Run one sequence on the DUT (after a reset) and on the reference; a description of the first difference, or null. */
export async function compareSequence(s: DutSession, cfg: RtlConfig, beats: readonly Beat[]): Promise<string | null> {
  await s.reset();
  const dut = await s.run(beats);
  const ref = referenceOutputs(cfg, beats);
  if (dut.length !== ref.length) return `DUT gave ${dut.length} output beats, the reference ${ref.length}`;
  for (let i = 0; i < ref.length; i++) if (!sameOut(cfg, dut[i]!, ref[i]!)) return `output ${i}: DUT ${showOut(dut[i]!)} vs reference ${showOut(ref[i]!)}`;
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
}

export async function runMacProperty(s: DutSession, cfg: RtlConfig, opts: { runs: number; seed: number; maxLength?: number; stall?: [number, number] }): Promise<PropReport> {
  if (opts.stall) await s.setStall(opts.seed, opts.stall[0], opts.stall[1]);
  const prop = fc.asyncProperty(arbMacSequence(cfg, opts.maxLength ?? 24), async (beats) => {
    const d = await compareSequence(s, cfg, beats);
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
      if (await compareSequence(s, cfg, shorter)) cur = shorter;
    }
    ce = cur;
  }
  const diff = ce ? await compareSequence(s, cfg, ce) : null;
  return {
    pass: false,
    runs: r.numRuns,
    seed: r.seed,
    counterexample: ce,
    difference: diff ?? String(r.errorInstance),
    shrinks: r.numShrinks,
    path: r.counterexamplePath ?? undefined,
    message: fc.defaultReportMessage(r) ?? undefined,
  };
}
