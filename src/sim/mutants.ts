import { FAULTS, FAULT_NAMES, generateRtl, isRf8Fault, type FaultName, type RtlOptions } from '../rtl/index.js';
import { getSuite } from '../golden/index.js';
import { buildModel } from './build.js';
import { cosimSuiteOn, type CosimResult } from './cosim.js';
import { iverilogSuite } from './iverilog.js';

/** The DUT the mutants are injected into: the default rtl/ configuration (e3m4 x e3m4, N = 8). */
export const MUTANT_BASE: RtlOptions = { a: 'rf8-e3m4', b: 'rf8-e3m4', lanes: 8 };
/** Suites run against every mutant, in order, until the first mismatch (committed first). */
export const MUTANT_SUITES = ['cvt-e3m4-e3m4', 'mac-e3m4-e3m4-n8', 'mac-e3m4-e3m4-n1', 'prod-e3m4-e3m4'];

/**
 * The DUT and suites of the faults whose sites exist only in the authors' RF8 blocks (src/rtl
 * isRf8Fault): rf8 weights (b) with rf8-e3m4 activations, N = 8, both rf8 roundings at the output.
 */
export const MUTANT_BASE_RF8: RtlOptions = { a: 'rf8-e3m4', b: 'rf8', lanes: 8, outs: ['rf8', 'rf8:nearest', 'rf8-e3m4'] };
export const MUTANT_SUITES_RF8 = ['cvt-e3m4-rf8', 'mac-e3m4-rf8-n8', 'prod-e3m4-rf8'];

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
  // default run: the rf8 faults go to the rf8 DUT, every other fault to the default one; one report
  if (!opts.base && !opts.suites) {
    const all = opts.faults ?? FAULT_NAMES;
    const rf8f = all.filter(isRf8Fault);
    if (rf8f.length) {
      const t0 = Date.now();
      const rest = all.filter((f) => !isRf8Fault(f));
      const a = rest.length ? await runMutants({ ...opts, base: MUTANT_BASE, suites: MUTANT_SUITES, faults: rest }) : null;
      const b = await runMutants({ ...opts, base: MUTANT_BASE_RF8, suites: MUTANT_SUITES_RF8, faults: rf8f });
      const mutants = [...(a?.mutants ?? []), ...b.mutants];
      const killed = mutants.filter((m) => m.killed).length;
      return {
        base: [a?.base, b.base].filter(Boolean).join(' + '),
        mode: b.mode,
        sim: b.sim,
        suites: [...(a?.suites ?? []), ...b.suites],
        baseline: [...(a?.baseline ?? []), ...b.baseline],
        mutants,
        killed,
        total: mutants.length,
        killRate: mutants.length ? killed / mutants.length : 1,
        buildSec: (a?.buildSec ?? 0) + b.buildSec,
        seconds: (Date.now() - t0) / 1000,
      };
    }
  }
  const t0 = Date.now();
  const base = opts.base ?? MUTANT_BASE;
  const suites = (opts.suites ?? MUTANT_SUITES).map((n) => getSuite(n));
  // by default the faults whose sites the base has (the rf8 ones only in a DUT with an rf8 operand or output)
  const bc = generateRtl(base).cfg;
  const hasRf8 = [bc.fa, bc.fb, ...bc.outs].some((f) => f.policy.decoder === 'residual');
  const faults = opts.faults ?? FAULT_NAMES.filter((f) => hasRf8 || !isRf8Fault(f));
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
      const r = await runAll(1 << FAULT_NAMES.indexOf(f));
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
            killer = { by: d.name, fields: r.mismatch ? [r.mismatch] : undefined };
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
