import { FAULTS, FAULT_NAMES, faultApplies, generateRtl, type FaultName, type RtlConfig, type RtlOptions } from '../rtl/index.js';
import { getSuite, listSuites } from '../golden/index.js';
import { InputError } from '../util/errors.js';
import { buildModel } from './build.js';
import { cosimSuiteOn, type CosimResult } from './cosim.js';
import { iverilogSuite } from './iverilog.js';

/** The DUT the mutants are injected into: the default rtl/ configuration (e3m4 x e3m4, N = 8). */
export const MUTANT_BASE: RtlOptions = { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 8 };
/** Suites run against every mutant, in order, until the first mismatch (committed first). */
export const MUTANT_SUITES = ['cvt-e3m4-e3m4', 'mac-e3m4-e3m4-n8', 'mac-e3m4-e3m4-n1', 'prod-e3m4-e3m4'];

/**
 * The DUT and suites of the faults whose sites exist only in the authors' RF8 blocks (FAULTS
 * kinds 'residual'): rf8 weights (b) with rf8-e3m4 activations, N = 8, both rf8 roundings at the output.
 */
export const MUTANT_BASE_RF8: RtlOptions = { a: 'rf8-e3m4', b: 'rf8', lanes: 8, outs: ['rf8', 'rf8:nearest', 'rf8-e3m4'] };
export const MUTANT_SUITES_RF8 = ['cvt-e3m4-rf8', 'mac-e3m4-rf8-n8', 'prod-e3m4-rf8'];

/**
 * The DUT and suites of the faults whose sites exist only in the GG codebook blocks (kinds
 * 'table'): the sample codebook cb-b1-p0 on both operands, N = 8, outputs cb-b1-p0 and rf8-e3m4,
 * with its on-demand conversion, MAC and exhaustive product suites (pinned in
 * golden/manifest.json). Every other fault is killed on it too (`rf8 cosim --mutants -a cb-b1-p0`).
 */
export const MUTANT_BASE_CB: RtlOptions = { a: 'cb-b1-p0', b: 'cb-b1-p0', lanes: 8, outs: ['cb-b1-p0', 'rf8-e3m4'] };
export const MUTANT_SUITES_CB = ['cvt-cbb1p0-cbb1p0', 'mac-cbb1p0-cbb1p0-n8', 'prod-cbb1p0-cbb1p0'];

/**
 * The default run's DUTs, in order: each fault goes to the first one that has its site
 * (faultApplies), so the generic faults run on the e3m4 engine and each family's own faults on
 * an engine of that family.
 */
export const MUTANT_PLAN: readonly { base: RtlOptions; suites: readonly string[] }[] = [
  { base: MUTANT_BASE, suites: MUTANT_SUITES },
  { base: MUTANT_BASE_RF8, suites: MUTANT_SUITES_RF8 },
  { base: MUTANT_BASE_CB, suites: MUTANT_SUITES_CB },
];

/** The faults whose sites an engine has, in FAULT_NAMES order. */
export function applicableFaults(cfg: RtlConfig): FaultName[] {
  return FAULT_NAMES.filter((f) => faultApplies(f, cfg));
}

/**
 * The suites a mutant run on an engine of operands a x b uses: its plan entry's if it is one of
 * MUTANT_PLAN's, else every DUT suite (committed first, then on demand) written for a x b at the
 * engine's W whose lanes fit (the engine's, or 1: spread over the lanes) and which checks one
 * of its outputs. An InputError when there is none.
 */
export function mutantSuitesFor(base: RtlOptions): string[] {
  const cfg = generateRtl(base).cfg;
  // a plan engine with other pipeline registers or outputs keeps the plan's suites
  const plan = MUTANT_PLAN.find((p) => {
    const c = generateRtl(p.base).cfg;
    return c.fa.name === cfg.fa.name && c.fb.name === cfg.fb.name && c.W === cfg.W && c.lanes === cfg.lanes && !c.multi && !cfg.multi;
  });
  if (plan) return [...plan.suites];
  const labels = new Set(cfg.outLabels);
  const ds = listSuites().filter((d) => {
    const s = d.dot;
    if (!s || s.modes || d.kind === 'cex' || d.kind === 'gen') return false;
    if (s.a !== cfg.fa.name || s.b !== cfg.fb.name || s.W !== cfg.W) return false;
    if (s.lanes !== 1 && s.lanes !== cfg.lanes) return false;
    return s.outs.some((o) => labels.has(o)) || (s.f32 && cfg.f32);
  });
  if (!ds.length) throw new InputError(`mutants: no golden suite is written for ${cfg.fa.name} x ${cfg.fb.name} at W = ${cfg.W} (rf8 golden --list shows them)`);
  return ds.map((d) => d.name);
}

/** A DUT for mutant runs on a x b: the lanes and outputs of the suites written for the pair (unless given). */
export function mutantBaseFor(a: string, b: string, o: { lanes?: number; outs?: string[] } = {}): RtlOptions {
  const probe: RtlOptions = { a, b, lanes: o.lanes ?? 1, ...(o.outs ? { outs: o.outs } : {}) };
  const cfg = generateRtl(probe).cfg;
  const plan = MUTANT_PLAN.find((p) => p.base.a === cfg.fa.name && p.base.b === cfg.fb.name);
  if (plan && o.lanes === undefined && !o.outs) return plan.base;
  if (o.outs && o.lanes !== undefined) return probe;
  // the outputs (and widest lanes) of the suites of this pair
  const ds = listSuites().filter((d) => d.dot && !d.dot.modes && d.kind !== 'cex' && d.kind !== 'gen' && d.dot.a === cfg.fa.name && d.dot.b === cfg.fb.name && d.dot.W === cfg.W);
  if (!ds.length) throw new InputError(`mutants: no golden suite is written for ${cfg.fa.name} x ${cfg.fb.name} at W = ${cfg.W} (rf8 golden --list shows them)`);
  const outs = o.outs ?? [...new Set(ds.flatMap((d) => d.dot!.outs))];
  const lanes = o.lanes ?? Math.max(...ds.map((d) => d.dot!.lanes));
  return { a: cfg.fa.name, b: cfg.fb.name, lanes, outs };
}

export interface MutantResult {
  fault: FaultName;
  block: string;
  text: string;
  killed: boolean;
  /** The suite and line that killed it. */
  by?: string;
  line?: number;
  fields?: string[];
}

export interface MutantReport {
  base: string;
  /** 'schema': one Verilated model holding every fault, picked per run; 'static': one design per fault (as `rf8 rtl --inject` writes it). */
  mode: 'schema' | 'static';
  sim: 'verilator' | 'iverilog';
  suites: string[];
  baseline: { suite: string; pass: boolean }[];
  mutants: MutantResult[];
  killed: number;
  total: number;
  killRate: number;
  buildSec: number;
  seconds: number;
}

export interface MutantOptions {
  base?: RtlOptions;
  suites?: string[];
  faults?: FaultName[];
  mode?: 'schema' | 'static';
  sim?: 'verilator' | 'iverilog';
  log?: (m: string) => void;
  onResult?: (r: MutantResult) => void;
}

/**
 * Inject every fault and run the suites until the first mismatch: the kill rate of the
 * verification. The unmutated design (and, in schema mode, the schema model with no fault
 * selected) must pass every suite first, or a kill would mean nothing.
 */
export async function runMutants(opts: MutantOptions = {}): Promise<MutantReport> {
  // default run: each fault on the first MUTANT_PLAN engine that has its site; one report
  if (!opts.base && !opts.suites) {
    const t0 = Date.now();
    const left = new Set(opts.faults ?? FAULT_NAMES);
    const parts: MutantReport[] = [];
    for (const p of MUTANT_PLAN) {
      const cfg = generateRtl(p.base).cfg;
      const mine = FAULT_NAMES.filter((f) => left.has(f) && faultApplies(f, cfg));
      if (!mine.length) continue;
      for (const f of mine) left.delete(f);
      parts.push(await runMutants({ ...opts, base: p.base, suites: [...p.suites], faults: mine }));
    }
    if (left.size) throw new Error(`no mutant engine has the site of ${[...left].join(', ')}`);
    if (parts.length === 1) return parts[0]!;
    const mutants = parts.flatMap((r) => r.mutants);
    const killed = mutants.filter((m) => m.killed).length;
    return {
      base: parts.map((r) => r.base).join(' + '),
      mode: parts[0]!.mode,
      sim: parts[0]!.sim,
      suites: parts.flatMap((r) => r.suites),
      baseline: parts.flatMap((r) => r.baseline),
      mutants,
      killed,
      total: mutants.length,
      killRate: mutants.length ? killed / mutants.length : 1,
      buildSec: parts.reduce((t, r) => t + r.buildSec, 0),
      seconds: (Date.now() - t0) / 1000,
    };
  }
  const t0 = Date.now();
  const base = opts.base ?? MUTANT_BASE;
  const suites = (opts.suites ?? mutantSuitesFor(base)).map((n) => getSuite(n));
  // by default the faults whose sites the base has (a family's own faults only in an engine with an operand or output of it)
  const faults = opts.faults ?? applicableFaults(generateRtl(base).cfg);
  const mode = opts.mode ?? 'schema';
  const sim = opts.sim ?? 'verilator';
  const log = opts.log;
  if (mode === 'schema' && sim !== 'verilator') throw new Error('the fault schema runs on Verilator; use --mode static with iverilog');
  const mutants: MutantResult[] = [];
  const baseline: { suite: string; pass: boolean }[] = [];
  let buildSec = 0;
  const record = (f: FaultName, killer: { by: string; line?: number; fields?: string[] } | null): void => {
    const res: MutantResult = { fault: f, block: FAULTS[f].block, text: FAULTS[f].text, killed: !!killer, ...(killer ?? {}) };
    log?.(`${f}: ${res.killed ? `killed by ${res.by}${res.line ? ` line ${res.line}` : ''}${res.fields ? ` (${res.fields.join(', ')})` : ''}` : 'SURVIVED'}`);
    opts.onResult?.(res);
    mutants.push(res);
  };
  if (mode === 'schema') {
    const g = generateRtl({ ...base, faultSchema: true });
    const m = await buildModel(g, { log });
    buildSec = m.seconds;
    const runAll = async (sel: number): Promise<CosimResult | null> => {
      for (const d of suites) {
        const r = await cosimSuiteOn(d, g, { wave: false, log: undefined, faultSel: sel }, m);
        if (sel === 0) baseline.push({ suite: d.name, pass: r.pass });
        if (!r.pass) return r;
      }
      return null;
    };
    const b = await runAll(0);
    if (b) throw new Error(`the fault schema with no fault selected fails ${b.suite} at line ${b.mismatch?.line}`);
    for (const f of faults) {
      const r = await runAll(2 ** FAULT_NAMES.indexOf(f)); // (2 ** i: exact past bit 31; the harness takes 64 bits)
      record(f, r ? { by: r.suite, line: r.mismatch?.line, fields: r.mismatch?.fields } : null);
    }
  } else {
    const g0 = generateRtl(base);
    for (const d of suites) {
      const r = sim === 'verilator' ? await cosimSuiteOn(d, g0, { wave: false, log }) : await iverilogSuite(d, g0, log);
      baseline.push({ suite: d.name, pass: r.pass });
      if (!r.pass) throw new Error(`the unmutated DUT fails ${d.name}: fix that before counting kills`);
    }
    for (const f of faults) {
      const g = generateRtl({ ...base, faults: [f] });
      let killer: { by: string; line?: number; fields?: string[] } | null = null;
      if (sim === 'verilator') {
        const m = await buildModel(g, { opt: '-O1', log });
        buildSec += m.seconds;
        for (const d of suites) {
          const r = await cosimSuiteOn(d, g, { wave: false, binary: false }, m);
          if (!r.pass) {
            killer = { by: d.name, line: r.mismatch?.line, fields: r.mismatch?.fields };
            break;
          }
        }
      } else {
        for (const d of suites) {
          const r = await iverilogSuite(d, g);
          if (!r.pass) {
            killer = { by: d.name, ...(typeof r.mismatch === 'object' ? { line: r.mismatch.line, fields: r.mismatch.fields } : { fields: r.mismatch ? [r.mismatch] : undefined }) };
            break;
          }
        }
      }
      record(f, killer);
    }
  }
  const killed = mutants.filter((m) => m.killed).length;
  return {
    base: generateRtl(base).cfg.id,
    mode,
    sim,
    suites: suites.map((d) => d.name),
    baseline,
    mutants,
    killed,
    total: mutants.length,
    killRate: mutants.length ? killed / mutants.length : 1,
    buildSec,
    seconds: (Date.now() - t0) / 1000,
  };
}
