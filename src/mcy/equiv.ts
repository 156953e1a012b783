import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../util/atomic.js';
import { join } from 'node:path';
import type { Beat } from '../rtl/index.js';
import { fromTwos } from '../golden/line.js';
import type { MutationDesign, PortInfo } from './design.js';
import { runYosys } from './yosys.js';

const execFileP = promisify(execFile);

/**
 * Formal classification of a surviving mutant against the unmutated design (gold = the flattened
 * unmutated design, gate = a copy with the one mutation applied):
 *
 * 1. 'correspondence' (yosys sat, combinational, exact for every state): every flip-flop turned
 *    into a shared input (its Q) and an output (its D) with `expose -evert-dff`;
 *    `sat -prove trigger 0` on `miter -equiv` (no -ignore_gold_x) proves that from the same state,
 *    with the same inputs, both designs give the same outputs and the same next state: by
 *    induction from the common reset state they are equivalent forever (sufficient, not necessary).
 * 2. 'bmc' (yosys-abc bmc3): both designs inside an observer that drives them like the
 *    co-simulation harness (reset in cycle 1 with in_valid = 0 and every data input 0, then
 *    in_valid = out_ready = 1, every other input free)
 *    and compares what the harness compares: out_valid, in_ready and, when out_valid, the output
 *    fields. The observer miter goes to AIGER (techmap, aigmap); a failing frame is a
 *    counterexample = a beat sequence from reset (lifted to a golden vector by src/mcy/cex.ts).
 * 3. 'dprove' (ABC's sequential equivalence checker: forward retiming, latch correspondence by
 *    induction, fraiging, then its own engines), else 'pdr' (ABC's IC3: unbounded, finds its own
 *    inductive invariant), on the observer miter with in_valid / out_ready free too and the reset
 *    held latency + 2 cycles with every input free (so every stage's data registers hold arbitrary
 *    data after reset, not their power-up zeros): equivalent for every input sequence, stall
 *    pattern and data during reset (scope 'any'; flip-flops power up 0 as write_aiger -zinit).
 * 4. 'dprove' / 'pdr' under the harness's drive (scope 'harness'); a difference PDR found with stalls is
 *    never called equivalent; a PDR counterexample deeper than the bounded search re-runs bmc3 to
 *    that depth for its beats.
 * A mutant none of them decides is 'unclassified'. Results are cached per mutant, keyed on
 * EQUIV_METHOD (an undecided one is retried with a longer timeout). Gold and gate cells with the
 * same inputs are merged (`opt -fast` on the miter) before every check: what is left is the
 * mutation's fanout cone.
 */

/** The classification method's version: the cache key of the results (bump when a check changes). */
export const EQUIV_METHOD = 'v7-abc';
/**
 * v7 changed only the free observer (the reset held latency + 2 cycles with free inputs): results of
 * v6 that do not use it (register correspondence: every state and input; a bmc counterexample
 * under the harness observer) are reused.
 */
const REUSE_FROM = 'v6-abc';

function readResult(dir: string): EquivResult | undefined {
  const rev = (k: string, v: unknown): unknown => (k === 'init' && typeof v === 'string' ? BigInt(v) : v);
  const f = join(dir, `result-${EQUIV_METHOD}.json`);
  if (existsSync(f)) return JSON.parse(readFileSync(f, 'utf8'), rev) as EquivResult;
  const g = join(dir, `result-${REUSE_FROM}.json`);
  if (!existsSync(g)) return undefined;
  const c = JSON.parse(readFileSync(g, 'utf8'), rev) as EquivResult;
  return c.method === 'correspondence' || c.status === 'counterexample' ? c : undefined;
}

export interface EquivResult {
  id: number;
  status: 'equivalent' | 'counterexample' | 'unclassified';
  method: 'correspondence' | 'bmc' | 'dprove' | 'pdr' | 'none';
  /** The classification method's version (EQUIV_METHOD) and the timeout per solver call it ran with. */
  version?: string;
  timeoutSec?: number;
  pdrTimeoutSec?: number;
  /** For an equivalence: 'any' = for every input sequence and stall pattern; 'harness' = under the harness's drive (in_valid = out_ready = 1). */
  scope?: 'any' | 'harness';
  seconds: number;
  /** The beats of a counterexample (after the reset cycle), and the cycle the outputs differ. */
  beats?: Beat[];
  /** The observer's inputs of a counterexample at steps 1..failStep (name -> value, decimal): what a non-rf8_dot design (rf8_layer) lifts from. */
  inputs?: Record<string, string>[];
  failStep?: number;
  note?: string;
}

const DRIVEN = new Set(['clk', 'rst', 'in_valid', 'out_ready', 'mutsel']);
/** Configuration inputs (rf8_layer's cfg_xb, cfg_xo): the harness holds them for a whole run, so the observer holds them at their first-cycle values. */
const isStatic = (p: PortInfo): boolean => p.dir === 'input' && /^cfg_/.test(p.name);

/** The observer: drives the DUT like the harness (no stalls) and exposes what the harness compares. */
function observer(name: string, dut: string, ports: PortInfo[], free = false, latency = 0): string {
  // free: in_valid and out_ready are inputs of the observer (any stall pattern), else tied to 1 as the campaign harness drives them
  const driven = free ? new Set([...DRIVEN].filter((n) => n !== 'in_valid' && n !== 'out_ready')) : DRIVEN;
  const ins = ports.filter((p) => p.dir === 'input' && !driven.has(p.name));
  const outs = ports.filter((p) => p.dir === 'output' && p.name !== 'out_valid' && p.name !== 'in_ready');
  const ow = outs.reduce((s, p) => s + p.width, 0);
  const r = (w: number): string => (w > 1 ? `[${w - 1}:0] ` : '');
  const L: string[] = [];
  L.push(`module ${name} (`);
  L.push(['  input wire clk', ...ins.map((p) => `  input wire ${r(p.width)}${p.name}`), '  output wire ov', '  output wire ir', `  output wire ${r(ow)}od`].join(',\n'));
  L.push(');');
  // free: the reset is held for R cycles with every input free, so every pipeline stage's data
  // registers hold arbitrary data after it (not their power-up zeros), as the contract harness drives it
  const R = latency + 2;
  const cw = Math.max(1, Math.ceil(Math.log2(R + 1)));
  if (free) {
    L.push(`  reg [${cw - 1}:0] rc = ${cw}'d0;`);
    L.push(`  wire started = rc >= ${cw}'d${R};`);
    L.push(`  always @(posedge clk) if (!started) rc <= rc + 1'b1;`);
  } else {
    L.push('  reg started = 1\'b0;');
    L.push('  always @(posedge clk) started <= 1\'b1;');
  }
  for (const p of outs) L.push(`  wire ${r(p.width)}w_${p.name};`);
  // configuration inputs: the value of the first cycle, held
  const first = free ? `rc == ${cw}'d0` : '!started';
  for (const p of ins.filter(isStatic)) {
    L.push(`  reg ${r(p.width)}h_${p.name} = ${p.width}'d0;`);
    L.push(`  always @(posedge clk) if (${first}) h_${p.name} <= ${p.name};`);
    L.push(`  wire ${r(p.width)}s_${p.name} = ${first} ? ${p.name} : h_${p.name};`);
  }
  const conn = ports.filter((p) => p.name !== 'mutsel').map((p) => {
    if (p.name === 'clk') return '.clk(clk)';
    if (p.name === 'rst') return '.rst(~started)';
    // the harness's reset: in_valid = 0, out_ready = 1 and every data input 0 (free: anything during reset)
    if (!free && p.name === 'in_valid') return `.in_valid(started)`;
    if (!free && p.name === 'out_ready') return `.out_ready(1'b1)`;
    if (p.name === 'out_valid') return '.out_valid(ov)';
    if (p.name === 'in_ready') return '.in_ready(ir)';
    if (p.dir === 'output') return `.${p.name}(w_${p.name})`;
    if (isStatic(p)) return `.${p.name}(s_${p.name})`;
    return free ? `.${p.name}(${p.name})` : `.${p.name}(started ? ${p.name} : ${p.width}'d0)`;
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
  /** Bounded search depth in cycles (default latency + 3: one beat after reset and its output, with slack). */
  depth?: number;
  /** Seconds per PDR call (default timeoutSec). */
  pdrTimeoutSec?: number;
  /** Seconds per solver call (default 600). */
  timeoutSec?: number;
  /** The design is not an rf8_dot (rf8_layer): a counterexample keeps only the observer's raw inputs (`inputs`), no beats. */
  rawInputs?: boolean;
  /**
   * Try ABC dprove on the free observer before the bounded search (rf8_layer: its bounded search
   * is deep, dprove is a few seconds); the verdicts are the same, only the order of the checks.
   */
  proveFirst?: boolean;
}

/** A cached classification of this method (undefined when there is none). */
export function cachedClassification(d: MutationDesign, id: number, o: EquivOptions = {}): EquivResult | undefined {
  const c = readResult(join(d.dir, 'equiv', String(id)));
  if (!c) return undefined;
  const t = o.timeoutSec ?? 600;
  if (c.status !== 'unclassified' || ((c.timeoutSec ?? 0) >= t && (c.pdrTimeoutSec ?? 0) >= (o.pdrTimeoutSec ?? t))) return c;
  return undefined;
}

/** Classify one mutant (see the file comment). */
export async function classifyMutant(d: MutationDesign, id: number, o: EquivOptions = {}): Promise<EquivResult> {
  const dir = join(d.dir, 'equiv', String(id));
  mkdirSync(dir, { recursive: true });
  // results are cached beside the design (they do not depend on the suites)
  // keyed on the method (an earlier method used miter -ignore_gold_x: its results are not reused)
  const cacheFile = join(dir, `result-${EQUIV_METHOD}.json`);
  const timeoutSec = o.timeoutSec ?? 600;
  const c = readResult(dir);
  if (c) {
    // an undecided result is retried with a longer timeout
    if (c.status !== 'unclassified' || ((c.timeoutSec ?? 0) >= timeoutSec && (c.pdrTimeoutSec ?? 0) >= (o.pdrTimeoutSec ?? timeoutSec))) return c;
  }
  const res: EquivResult = { ...(await classifyUncached(d, id, dir, o)), version: EQUIV_METHOD, timeoutSec, pdrTimeoutSec: o.pdrTimeoutSec ?? timeoutSec };
  writeFileAtomic(cacheFile, JSON.stringify(res, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
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
      // memories (rf8_layer's ROMs and input buffer) as flip-flops and logic: sat imports no $mem cell
      'memory_map',
      'opt_clean',
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
  const corrSkipped = /ERROR: No matching port in gate module|ERROR: .*\bport\b/.test(r1.log);
  if (!corrSkipped) bad(r1, 'correspondence check');
  if (/SAT proof finished - no model found: SUCCESS!/.test(r1.log)) return { id, status: 'equivalent', method: 'correspondence', scope: 'any', seconds: secs() };
  // 2.-4. sequential checks on the observer miter, as AIGER through yosys-abc (bmc3, pdr: much faster than sat -seq here)
  const lat = d.g.cfg.latency;
  const depth = o.depth ?? lat + 3;
  const pdrSec = o.pdrTimeoutSec ?? timeoutSec;
  const obHarness = observer('gold_o', 'dut_gold', d.ports) + observer('gate_o', 'dut_gate', d.ports);
  const obFree = observer('gold_o', 'dut_gold', d.ports, true, d.g.cfg.latency) + observer('gate_o', 'dut_gate', d.ports, true, d.g.cfg.latency);
  writeFileSync(join(dir, 'obs.v'), obHarness);
  writeFileSync(join(dir, 'obs-free.v'), obFree);
  const prep = (obs: string): string[] => [...pair('dut_gold', 'dut_gate'), `read_verilog ${obs}`, 'proc', 'flatten gold_o gate_o', 'delete dut_gold dut_gate', 'opt_clean', 'miter -equiv -flatten gold_o gate_o miter', 'hierarchy -top miter', 'opt -fast'];
  const harness = await buildAig(dir, 'harness', prep('obs.v'), timeoutSec);
  const runs: { log: string }[] = [r1, harness.run];
  const lift = (a: AbcResult, note: string): EquivResult => {
    const steps = parseCex(join(dir, a.cexFile!), harness.map);
    const failStep = a.frame! + 1;
    const inputs = Array.from({ length: failStep }, (_, i) => Object.fromEntries([...(steps.get(i + 1) ?? new Map<string, bigint>())].map(([k, v]) => [k, v.toString()])));
    return { id, status: 'counterexample', method: 'bmc', seconds: secs(), beats: o.rawInputs ? [] : liftBeats(d, steps, failStep), inputs, failStep, note };
  };
  const free = await buildAig(dir, 'free', prep('obs-free.v'), timeoutSec);
  runs.push(free.run);
  const dproveFree = async (): Promise<AbcResult> => {
    // dprove (ABC's sequential equivalence: forward retiming, latch correspondence by induction, fraiging, then its own engines)
    const r = await abc(dir, 'dprove-free', free.aig, 'dprove', timeoutSec);
    runs.push(r);
    return r;
  };
  let df: AbcResult | null = null;
  if (o.proveFirst) {
    df = await dproveFree();
    if (df.verdict === 'proven') return { id, status: 'equivalent', method: 'dprove', scope: 'any', seconds: secs() };
  }
  // 2. bounded search under the harness's drive (reset in cycle 1, in_valid = out_ready = 1): a model is a beat sequence
  const b = await abc(dir, 'bmc', harness.aig, `bmc3 -F ${depth} -T ${timeoutSec}`, timeoutSec);
  runs.push(b);
  if (b.verdict === 'cex') return lift(b, `ABC bmc3, frame ${b.frame}`);
  // 3. dprove, then PDR, with in_valid / out_ready free: equivalent for every stall pattern
  if (!df) {
    df = await dproveFree();
    if (df.verdict === 'proven') return { id, status: 'equivalent', method: 'dprove', scope: 'any', seconds: secs() };
  }
  const pf: AbcResult = df.verdict === 'cex' ? df : await abc(dir, 'pdr-free', free.aig, `pdr -T ${pdrSec}`, pdrSec);
  runs.push(pf);
  if (pf.verdict === 'proven') return { id, status: 'equivalent', method: 'pdr', scope: 'any', seconds: secs() };
  // 4. dprove and PDR under the harness's drive
  const dh = await abc(dir, 'dprove', harness.aig, 'dprove', timeoutSec);
  runs.push(dh);
  const ph: AbcResult = dh.verdict === 'proven' ? dh : await abc(dir, 'pdr', harness.aig, `pdr -T ${pdrSec}`, pdrSec);
  runs.push(ph);
  if (ph.verdict === 'proven') {
    // a difference PDR found with stalls is a real one (the suites without stalls cannot see it): not equivalent
    if (pf.verdict === 'cex') return { id, status: 'unclassified', method: 'none', seconds: secs(), note: `not equivalent: equivalent under the campaign harness's drive (its reset, no stalls), but differs with stalls or other inputs during reset (ABC, frame ${pf.frame})` };
    return { id, status: 'equivalent', method: dh.verdict === 'proven' ? 'dprove' : 'pdr', scope: 'harness', seconds: secs(), note: `with stalls: PDR ${pf.verdict}` };
  }
  if (ph.verdict === 'cex') {
    // deeper than the bounded search: search again to that depth for the beats
    const deep = await abc(dir, 'bmc-deep', harness.aig, `bmc3 -F ${ph.frame! + 2} -T ${timeoutSec}`, timeoutSec);
    runs.push(deep);
    if (deep.verdict === 'cex') return lift(deep, `ABC bmc3 after PDR, frame ${deep.frame}`);
  }
  const timedOut = runs.some((r) => /Interrupted SAT solver: TIMEOUT|TIMEOUT: yosys|Reached timeout|timeout/i.test(r.log));
  return { id, status: 'unclassified', method: 'none', seconds: secs(), note: `${timedOut ? 'a solver call timed out; ' : ''}no difference within ${depth} cycles; PDR ${pf.verdict} (free), ${ph.verdict} (harness)` };
}

interface AbcResult {
  verdict: 'proven' | 'cex' | 'undecided';
  frame?: number;
  /** The counterexample (write_cex -a), relative to the mutant's directory. */
  cexFile?: string;
  log: string;
}

/**
 * The observer miter as AIGER (yosys: techmap, aigmap; every flip-flop initialised to 0, as
 * `sat -set-init-zero`) with its input map. The miter's one output is the trigger.
 */
async function buildAig(dir: string, name: string, prep: string[], timeoutSec: number): Promise<{ aig: string; map: AigInput[]; run: { log: string } }> {
  const aig = `${name}.aig`;
  const run = await runYosys(
    dir,
    `${name}-aig`,
    [...prep, 'memory_map', 'opt -fast', 'techmap', 'opt -fast', 'async2sync', 'dffunmap', 'setundef -zero -init', 'aigmap', 'opt_clean', `write_aiger -zinit -map ${name}.map ${aig}`, ''].join('\n'),
    // the export is no solver call (a few seconds of CPU on an idle machine): a generous wall bound,
    // not the solver timeout (a loaded machine once took over 160 s and stopped a whole campaign)
    { timeoutSec: Math.max(900, timeoutSec + 120) },
  );
  const map: AigInput[] = [];
  for (const l of readFileSync(join(dir, `${name}.map`), 'utf8').split('\n')) {
    const m = /^input (\d+) (\d+) (\S+)$/.exec(l.trim());
    if (m) map.push({ index: Number(m[1]), bit: Number(m[2]), name: m[3]! });
  }
  return { aig, map, run };
}

interface AigInput {
  index: number;
  bit: number;
  name: string;
}

/** One yosys-abc command on an AIGER miter: 'proven' (pdr), or a counterexample frame (written with write_cex -a). */
async function abc(dir: string, name: string, aig: string, cmd: string, timeoutSec: number): Promise<AbcResult> {
  const cexFile = `${name}.cex`;
  const script = `read_aiger ${aig}; strash; ${cmd}; write_cex -a ${cexFile}`;
  const t0 = Date.now();
  let out = '';
  try {
    const r = await execFileP('yosys-abc', ['-c', script], { cwd: dir, maxBuffer: 64 << 20, timeout: (timeoutSec + 60) * 1000 });
    out = r.stdout + r.stderr;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; killed?: boolean };
    out = `${x.stdout ?? ''}${x.stderr ?? ''}${x.killed ? '\nTIMEOUT: yosys-abc killed' : ''}`;
  }
  writeFileSync(join(dir, `${name}.log`), `${script}\n${out}\n(wall ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  if (/Property proved|Networks are equivalent/i.test(out)) return { verdict: 'proven', log: out };
  const m = /was asserted in frame (\d+)/.exec(out);
  if (m && existsSync(join(dir, cexFile))) return { verdict: 'cex', frame: Number(m[1]), cexFile, log: out };
  return { verdict: 'undecided', log: out };
}

/**
 * Parse write_cex -a (AIGER 1.9 witness): the first line the initial flip-flop values, then one
 * line of input bits per frame (the inputs in AIGER order). Frame t is sat's step t + 1. Returns
 * step -> signal (the observer's input name, as parseSatInputs) -> value.
 */
export function parseCex(path: string, map: AigInput[]): Map<number, Map<string, bigint>> {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => /^[01x]+$/.test(l));
  const out = new Map<number, Map<string, bigint>>();
  lines.slice(1).forEach((l, t) => {
    const sig = new Map<string, bigint>();
    for (const inp of map) {
      const name = inp.name.replace(/^\\/, '').replace(/^in_/, '');
      if (l[inp.index] === '1') sig.set(name, (sig.get(name) ?? 0n) | (1n << BigInt(inp.bit)));
      else if (!sig.has(name)) sig.set(name, 0n);
    }
    out.set(t + 1, sig);
  });
  return out;
}

