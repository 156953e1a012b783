import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic.js';
import { join } from 'node:path';
import type { Beat } from '../rtl/index.js';
import { fromTwos } from '../golden/line.js';
import type { MutationDesign, PortInfo } from './design.js';
import { runYosys } from './yosys.js';

/**
 * Formal classification of a surviving mutant against the unmutated design (both are the one
 * mutated netlist: mutsel = 0 is the original, mutsel = id the mutant), with yosys `miter -equiv`
 * and `sat`:
 *
 * 1. 'correspondence' (combinational, exact for every state): every flip-flop turned into a
 *    shared input (its Q) and an output (its D) with `expose -evert-dff`; `sat -prove trigger 0`
 *    on the miter proves that from the same state, with the same inputs, both designs give the
 *    same outputs and the same next state: by induction from the common reset state they are
 *    equivalent forever (sufficient, not necessary).
 * 2. 'bmc' (sequential, the harness's observation): the designs inside an observer that drives
 *    them like the co-simulation harness (reset in cycle 1, in_valid = out_ready = 1, the first
 *    beat clears with init 0) and compares what the harness compares: out_valid, in_ready and,
 *    when out_valid, the output fields. `sat -seq K -prove trigger 0`: a model is a
 *    counterexample = a beat sequence (lifted to a golden vector by src/mcy/cex.ts).
 * 3. 'induction': the observer miter with `sat -tempinduct` (k-induction up to K steps): proven
 *    equivalent under the harness's observation.
 * A mutant none of them decides is 'unclassified'.
 */

export interface EquivResult {
  id: number;
  status: 'equivalent' | 'counterexample' | 'unclassified';
  method: 'correspondence' | 'bmc' | 'induction' | 'none';
  seconds: number;
  /** The beats of a counterexample (after the reset cycle), and the cycle the outputs differ. */
  beats?: Beat[];
  failStep?: number;
  note?: string;
}

const DRIVEN = new Set(['clk', 'rst', 'in_valid', 'out_ready', 'mutsel']);

/** The observer: drives the DUT like the harness (no stalls) and exposes what the harness compares. */
function observer(name: string, dut: string, ports: PortInfo[]): string {
  const ins = ports.filter((p) => p.dir === 'input' && !DRIVEN.has(p.name));
  const outs = ports.filter((p) => p.dir === 'output' && p.name !== 'out_valid' && p.name !== 'in_ready');
  const ow = outs.reduce((s, p) => s + p.width, 0);
  const r = (w: number): string => (w > 1 ? `[${w - 1}:0] ` : '');
  const L: string[] = [];
  L.push(`module ${name} (`);
  L.push(['  input wire clk', ...ins.map((p) => `  input wire ${r(p.width)}${p.name}`), '  output wire ov', '  output wire ir', `  output wire ${r(ow)}od`].join(',\n'));
  L.push(');');
  L.push('  reg started = 1\'b0;');
  L.push('  always @(posedge clk) started <= 1\'b1;');
  for (const p of outs) L.push(`  wire ${r(p.width)}w_${p.name};`);
  const conn = ports.filter((p) => p.name !== 'mutsel').map((p) => {
    if (p.name === 'clk') return '.clk(clk)';
    if (p.name === 'rst') return '.rst(~started)';
    if (p.name === 'in_valid' || p.name === 'out_ready') return `.${p.name}(1'b1)`;
    if (p.name === 'out_valid') return '.out_valid(ov)';
    if (p.name === 'in_ready') return '.in_ready(ir)';
    if (p.dir === 'output') return `.${p.name}(w_${p.name})`;
    return `.${p.name}(${p.name})`;
  });
  L.push(`  ${dut} u (${conn.join(', ')});`);
  L.push(`  assign od = ov ? {${outs.map((p) => `w_${p.name}`).join(', ')}} : ${ow}'d0;`);
  L.push('endmodule');
  return L.join('\n') + '\n';
}

/** Parse `sat -show-inputs` tables: step -> signal -> value (BigInt, from the binary column). */
export function parseSatInputs(log: string): Map<number, Map<string, bigint>> {
  const out = new Map<number, Map<string, bigint>>();
  const re = /^\s+(\d+)\s+\\(\S+)\s+(\S+)\s+(\S+)\s+([01xz-]+)\s*$/;
  const comb = /^\s+()\\(\S+)\s+(\S+)\s+(\S+)\s+([01xz-]+)\s*$/; // combinational tables have no time column
  for (const l of log.split('\n')) {
    const m = re.exec(l) ?? comb.exec(l);
    if (!m) continue;
    const step = m[1] ? Number(m[1]) : 1;
    const bits = m[5]!.replace(/[xz-]/g, '0');
    if (!out.has(step)) out.set(step, new Map());
    // miter inputs are the observer's, prefixed 'in_'
    const name = m[2]!.startsWith('in_') ? m[2]!.slice(3) : m[2]!;
    out.get(step)!.set(name, BigInt('0b' + (bits || '0')));
  }
  return out;
}

/** Lift the observer's input values at steps 2..k into beats (step 1 is the reset cycle). */
export function liftBeats(d: MutationDesign, steps: Map<number, Map<string, bigint>>, upto: number): Beat[] {
  const cfg = d.g.cfg;
  const N = cfg.lanes;
  const sx = (v: bigint): number => (Number(v & 0xffn) >= 128 ? Number(v & 0xffn) - 256 : Number(v & 0xffn));
  const beats: Beat[] = [];
  for (let t = 2; t <= upto; t++) {
    const s = steps.get(t) ?? new Map<string, bigint>();
    const g = (n: string): bigint => s.get(n) ?? 0n;
    const lanes = (v: bigint): number[] => Array.from({ length: N }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    const b: Beat = {
      first: g('in_first') === 1n,
      last: g('in_last') === 1n,
      relu: g('in_relu') === 1n,
      xa: sx(g('in_xa')),
      xb: sx(g('in_xb')),
      xo: sx(g('in_xo')),
      init: fromTwos(g('in_init'), cfg.W),
      mask: Number(g('in_mask')),
      a: lanes(g('in_a')),
      b: lanes(g('in_b')),
    };
    if (cfg.multi) {
      b.ma = Number(g('in_mode_a'));
      b.mb = Number(g('in_mode_b'));
    }
    beats.push(b);
  }
  return beats;
}

export interface EquivOptions {
  /** BMC depth (default latency + 4). */
  depth?: number;
  /** k-induction limit (default depth). */
  inductSteps?: number;
  timeoutSec?: number;
}

/** Classify one mutant (see the file comment). */
export async function classifyMutant(d: MutationDesign, id: number, o: EquivOptions = {}): Promise<EquivResult> {
  const dir = join(d.dir, 'equiv', String(id));
  mkdirSync(dir, { recursive: true });
  // results are cached beside the design (they do not depend on the suites)
  const cacheFile = join(dir, 'result.json');
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8'), (k, v) => (k === 'init' && typeof v === 'string' ? BigInt(v) : v)) as EquivResult;
  const res = await classifyUncached(d, id, dir, o);
  if (res.status !== 'unclassified') writeFileAtomic(cacheFile, JSON.stringify(res, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
  return res;
}

async function classifyUncached(d: MutationDesign, id: number, dir: string, o: EquivOptions): Promise<EquivResult> {
  const t0 = Date.now();
  const top = d.top;
  const timeoutSec = o.timeoutSec ?? 600;
  const secs = (): number => (Date.now() - t0) / 1000;
  const m = d.mutations.find((x) => x.id === id);
  if (!m) throw new Error(`no mutant ${id}`);
  // gold: the unmutated flattened design; gate: a copy with this one mutation applied (no mutsel)
  const pair = (g: string, x: string): string[] => [`read_rtlil ${d.designIl}`, `copy ${top} ${g}`, `mutate ${m.args}`, `rename ${top} ${x}`];
  // 1. register correspondence
  const r1 = await runYosys(
    dir,
    'corr',
    [
      ...pair('gold_w', 'gate_w'),
      'dffunmap',
      'expose -evert-dff gold_w/t:$dff gate_w/t:$dff',
      'opt_clean',
      'miter -equiv -flatten -make_outputs gold_w gate_w miter',
      'hierarchy -top miter',
      // structural hashing: gold and gate cells with the same inputs merge, leaving the mutation's fanout cone
      'opt -fast',
      `sat -prove trigger 0 -timeout ${timeoutSec} miter`,
      '',
    ].join('\n'),
    { okFail: true, timeoutSec: timeoutSec + 60 },
  );
  const bad = (r: { log: string }, what: string): void => {
    const e = r.log.split('\n').find((l) => /^ERROR/.test(l));
    if (e) throw new Error(`yosys ${what} for mutant ${id} (${dir}): ${e}`);
  };
  // a mutation on a flip-flop's own port leaves it un-everted on one side: the interfaces differ, go on to 2.
  const corrSkipped = /ERROR: No matching port in gate module|ERROR: .*port/.test(r1.log);
  if (!corrSkipped) bad(r1, 'correspondence check');
  if (/SAT proof finished - no model found: SUCCESS!/.test(r1.log)) return { id, status: 'equivalent', method: 'correspondence', seconds: secs() };
  // 2. bounded search under the harness's observation
  const depth = o.depth ?? d.g.cfg.latency + 4;
  const ob = observer('gold_o', 'dut_gold', d.ports) + observer('gate_o', 'dut_gate', d.ports);
  writeFileSync(join(dir, 'obs.v'), ob);
  const prep = [...pair('dut_gold', 'dut_gate'), 'read_verilog obs.v', 'proc', 'flatten gold_o gate_o', 'delete dut_gold dut_gate', 'opt_clean', 'miter -equiv -flatten -make_outputs gold_o gate_o miter', 'hierarchy -top miter', 'opt -fast'];
  const first = d.ports.some((p) => p.name === 'in_first') ? '-set-at 2 in_in_first 1 -set-at 2 in_in_init 0 ' : '';
  // 2a. one beat (clear, last) right after reset, every later beat idle: the cheap search that finds most datapath counterexamples
  const lat = d.g.cfg.latency;
  const one = d.ports.some((p) => p.name === 'in_first' && d.ports.some((q) => q.name === 'in_last'))
    ? ['-set-at 2 in_in_first 1 -set-at 2 in_in_last 1', ...Array.from({ length: lat }, (_, i) => `-set-at ${i + 3} in_in_first 0 -set-at ${i + 3} in_in_last 0`)].join(' ')
    : '';
  if (one) {
    const r2a = await runYosys(dir, 'beat', [...prep, `sat -seq ${lat + 2} -prove trigger 0 -set-init-zero ${one} -show-inputs -show trigger -timeout ${timeoutSec} miter`, ''].join('\n'), { okFail: true, timeoutSec: timeoutSec + 60 });
    bad(r2a, 'one-beat check');
    if (/model found: FAIL!/.test(r2a.log)) {
      const failStep = firstTrigger(r2a.log) ?? lat + 2;
      return { id, status: 'counterexample', method: 'bmc', seconds: secs(), beats: liftBeats(d, parseSatInputs(r2a.log), failStep), failStep, note: 'one beat' };
    }
  }
  const r2 = await runYosys(dir, 'bmc', [...prep, `sat -seq ${depth} -prove trigger 0 -set-init-zero ${first}-show-inputs -show trigger -timeout ${timeoutSec} miter`, ''].join('\n'), { okFail: true, timeoutSec: timeoutSec + 60 });
  bad(r2, 'bounded check');
  if (/model found: FAIL!/.test(r2.log)) {
    const steps = parseSatInputs(r2.log);
    // the first step whose trigger is 1: re-read from the outputs table if present; else the depth
    const failStep = firstTrigger(r2.log) ?? depth;
    return { id, status: 'counterexample', method: 'bmc', seconds: secs(), beats: liftBeats(d, steps, failStep), failStep };
  }
  // 3. k-induction on the observer miter
  const k = o.inductSteps ?? depth;
  const r3 = await runYosys(dir, 'induct', [...prep, `sat -tempinduct -prove trigger 0 -set-init-zero -seq 1 -maxsteps ${k} -timeout ${timeoutSec} miter`, ''].join('\n'), { okFail: true, timeoutSec: timeoutSec + 60 });
  bad(r3, 'induction');
  if (/Induction step proven: SUCCESS!/.test(r3.log)) return { id, status: 'equivalent', method: 'induction', seconds: secs() };
  const timedOut = [r1, r2, r3].some((r) => /Interrupted SAT solver: TIMEOUT|timeout/i.test(r.log));
  return { id, status: 'unclassified', method: 'none', seconds: secs(), note: timedOut ? 'a SAT call timed out' : `no counterexample within ${depth} cycles and not ${k}-inductive` };
}

/** The first step at which the miter's trigger is 1 (from the -show trigger column). */
function firstTrigger(log: string): number | null {
  const steps = parseSatInputs(log);
  const hits = [...steps.entries()].filter(([, m]) => m.get('trigger') === 1n).map(([t]) => t);
  return hits.length ? Math.min(...hits) : null;
}
