import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { GeneratedRtl } from '../rtl/index.js';
import { customSuite, type SuiteDef } from '../golden/index.js';
import { buildModel, type BuildOptions } from '../sim/build.js';
import { cosimSuiteOn, type CosimOptions, type CosimResult } from '../sim/cosim.js';
import { iverilogSuite, type IverilogResult } from '../sim/iverilog.js';
import { DutSession } from '../sim/protocol.js';
import { runMacProperty, type PropReport } from '../sim/props.js';
import { ADAPTER, adapterVerilog, checkMask, type DutDesign } from './portmap.js';

/**
 * External designs (rf8 cosim --dut FILE... --top NAME --ports MAP.json): the user's sources plus
 * the generated adapter, shaped like rf8kit's own generated RTL, so the Verilator harness, its
 * cache, the Icarus test bench, the waveform re-run and the fast-check property all work
 * unchanged on it.
 */
export function dutRtl(d: DutDesign): GeneratedRtl {
  const seen = new Map<string, number>();
  const sources = d.files.map((f) => {
    let name = basename(f);
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n) name = `${n}_${name}`;
    return { name, text: readFileSync(f, 'utf8') };
  });
  sources.push({ name: `${ADAPTER}.v`, text: adapterVerilog(d) });
  return { cfg: d.cfg, files: sources, sources, top: ADAPTER };
}

/** The default suite of a design: rf8 gen's edge cases and random MAC sequences for its configuration. */
export function defaultDutSuite(d: DutDesign, count = 20000, seed?: number): SuiteDef {
  const c = d.cfg;
  return customSuite({
    ...(c.multi ? { modes: c.modesA.modes.map((f) => f.name) } : { a: c.fa.name, b: c.fb.name }),
    lanes: c.lanes,
    W: c.W,
    outs: c.outs.length ? c.outs.map((f) => f.name) : [],
    f32: c.f32 || !c.outs.length,
    levels: ['edge', 'random'],
    count,
    ...(seed !== undefined ? { seed } : {}),
  });
}

export async function cosimDut(d: DutDesign, s: SuiteDef, o: CosimOptions = {}): Promise<CosimResult> {
  if (o.stall && d.map.handshake.kind === 'valid') throw new Error('a valid-only design has no backpressure: --stall needs a valid-ready handshake');
  return cosimSuiteOn(s, dutRtl(d), { ...o, extraArgs: ['--check', String(checkMask(d)), ...(o.extraArgs ?? [])] });
}

export async function iverilogDut(d: DutDesign, s: SuiteDef, o: { log?: (m: string) => void; wave?: string | false } = {}): Promise<IverilogResult> {
  return iverilogSuite(s, dutRtl(d), { ...o, check: checkMask(d) });
}

export async function propsDut(d: DutDesign, o: { runs: number; seed: number; maxLength?: number; stall?: [number, number]; build?: BuildOptions; log?: (m: string) => void; faultSel?: number }): Promise<PropReport & { config: string }> {
  if (o.stall && d.map.handshake.kind === 'valid') throw new Error('a valid-only design has no backpressure: --stall needs a valid-ready handshake');
  const g = dutRtl(d);
  const m = await buildModel(g, { ...o.build, log: o.log });
  const s = new DutSession(m.exe, g.cfg, { faultSel: o.faultSel });
  try {
    const r = await runMacProperty(s, g.cfg, {
      runs: o.runs,
      seed: o.seed,
      maxLength: o.maxLength,
      stall: o.stall,
      tie: { relu: !d.inputs.relu, xa: !d.inputs.xa, xb: !d.inputs.xb, xo: !d.inputs.xo, init: !d.inputs.init, mask: !d.inputs.mask, mode: !d.inputs.mode },
      ignore: { acc: !d.has.acc, nan: !d.has.nan, ovf: !d.has.ovf },
    });
    return { config: g.cfg.id, ...r };
  } finally {
    await s.close();
  }
}
