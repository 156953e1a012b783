import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Beat, RtlConfig } from '../rtl/index.js';
import { getSuite, goldenDir, manifestEntry, readManifest, resetSuiteRegistry, suitePath, writeManifest, writeSuite, type DotSuiteInfo, type FormatName } from './golden-api.js';
import { writeFileAtomic } from '../util/atomic.js';
import { runCampaign, summarize, type CampaignOptions, type CampaignReport, type MutantOutcome } from './campaign.js';
import { cachedClassification, classifyMutant, type EquivOptions, type EquivResult } from './equiv.js';
import type { MutationDesign } from './design.js';

/**
 * Counterexamples become golden vectors: the input beats of a counterexample (found by the SAT
 * search at engine level, so no lifting from a block's ports is needed) are stored in
 * golden/cex/<suite>.json and the committed suite golden/<suite>.txt is generated from them by
 * the reference (src/golden genCex: one TopModel over every sequence), with its manifest entry.
 */

/** The counterexample suite of a configuration: pipe depth does not change the beats' meaning. */
export function cexSuiteName(cfg: RtlConfig): string {
  return 'cex-' + cfg.id.replace(/-p\d+-/, '-');
}

export interface CexFile {
  name: string;
  description: string;
  dot: DotSuiteInfo;
  sequences: { config: string; mutant: number; block: string; mode: string; seed: number; count: number; beats: (Omit<Beat, 'init'> & { init: string })[] }[];
}

/** Append counterexample sequences to a configuration's cex suite and regenerate it (file + manifest). */
export function addCounterexamples(cfg: RtlConfig, seqs: { mutant: number; block: string; mode: string; seed: number; count: number; beats: Beat[] }[]): { name: string; added: number; beats: number } {
  const name = cexSuiteName(cfg);
  const dir = join(goldenDir(), 'cex');
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, CexFile>();
  const touched = new Set<string>();
  const load = (n: string): CexFile => {
    if (files.has(n)) return files.get(n)!;
    const p = join(dir, `${n}.json`);
    const f: CexFile = existsSync(p)
      ? (JSON.parse(readFileSync(p, 'utf8')) as CexFile)
      : {
          name: n,
          description: `counterexamples of the mutation campaigns (rf8 mutate --classify) on ${cfg.id.replace(/-p\d+-/, '-')}${n === name ? '' : ' that start from the reset state (one per file)'}: beats found by the formal classification, expected outputs from the reference`,
          dot: { a: cfg.fa.name as FormatName, b: cfg.fb.name as FormatName, outs: cfg.outs.map((o) => o.name as FormatName), f32: cfg.f32, W: cfg.W, lanes: cfg.lanes },
          sequences: [],
        };
    files.set(n, f);
    return f;
  };
  const fromReset = (b: { first: boolean }[]): boolean => b.length > 0 && !b[0]!.first;
  let beats = 0;
  for (const q of seqs) {
    const seq = { config: cfg.id, mutant: q.mutant, block: q.block, mode: q.mode, seed: q.seed, count: q.count, beats: q.beats.map((b) => ({ ...b, init: b.init.toString() })) };
    if (fromReset(q.beats)) {
      // a sequence whose first beat does not clear sees the reset state: it goes first in a file (the
      // harness resets before every suite); one such sequence per file: the main one, then -r1, -r2, ...
      let k = 0;
      for (;;) {
        const n = k === 0 ? name : `${name}-r${k}`;
        const f = load(n);
        if (!f.sequences.length || !fromReset(f.sequences[0]!.beats)) {
          f.sequences.unshift(seq);
          touched.add(n);
          break;
        }
        k++;
      }
    } else {
      load(name).sequences.push(seq);
      touched.add(name);
    }
    beats += q.beats.length;
  }
  for (const n of touched) writeFileAtomic(join(dir, `${n}.json`), JSON.stringify(files.get(n)!, null, 1) + '\n');
  resetSuiteRegistry();
  const m = readManifest();
  const entries = (m?.suites ?? []).filter((e) => !touched.has(e.name));
  for (const n of touched) {
    const d = getSuite(n);
    entries.push(manifestEntry(d, writeSuite(d, suitePath(d))));
  }
  writeManifest(entries);
  return { name: [...touched].sort().join(', '), added: seqs.length, beats };
}

export interface LoopReport extends CampaignReport {
  /** The kill rate of the suites before this loop's counterexamples (committed suites, on-demand suites, props; earlier cex suites count as committed). */
  before: {
    killed: number;
    killRate: number;
    killedByOriginal: number;
    killRateOriginal: number;
    /** By stage (each a superset of the one before; order: suites, stalled runs, handshake contract): killed by the suites without cex suites, stalls or contract; + the stalled runs; + the contract runs. */
    stages: { suites: number; stall: number; contract: number };
  };
  equivalent: number;
  /** Equivalent mutants by method and scope ('correspondence any', 'induction harness', ...). */
  equivalentBy: { by: string; mutants: number }[];
  counterexamples: number;
  unclassified: number;
  rounds: number;
  vectorsAdded: { suite: string; sequences: number; beats: number }[];
  classifySec: number;
  classification: EquivResult[];
}

/**
 * A design other than rf8_dot (rf8_layer: src/mcy/layer.ts) in the loop: its campaign (all
 * mutants, or `only`), how its counterexamples become committed vectors, and classification
 * options of its own (bounded-search depth, raw observer inputs).
 */
export interface LoopEngine {
  run(only?: number[]): Promise<{ report: CampaignReport; design: MutationDesign }>;
  addCex(design: MutationDesign, cexs: EquivResult[]): { name: string; added: number; beats: number };
  equiv?: EquivOptions;
  /** Survivors classified per round (default: all); after each round with counterexamples the suites re-run on every survivor. */
  batch?: number;
}

export interface LoopOptions extends CampaignOptions {
  /** Default: the rf8_dot campaign of `rtl` (runCampaign) and its cex suites (addCounterexamples). */
  engine?: LoopEngine;
  /** Write counterexamples into golden/ (else they are only reported). */
  update?: boolean;
  maxRounds?: number;
  equiv?: EquivOptions;
  /** Wall-clock budget of the classification in seconds: survivors not started by then stay unclassified ('not attempted'); the vectors found so far are still written and re-run. */
  budgetSec?: number;
}

async function pool<T, R>(xs: T[], jobs: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(jobs, xs.length)) }, async () => {
      while (next < xs.length) {
        const i = next++;
        out[i] = await f(xs[i]!);
      }
    }),
  );
  return out;
}

/**
 * The MCY loop: campaign; every survivor classified formally; counterexamples become golden
 * vectors (with `update`) and the campaign re-runs on the survivors; until no survivor has a
 * counterexample. Finally killed + equivalent + unclassified = total.
 */
export async function mutationLoop(o: LoopOptions): Promise<LoopReport> {
  const t0 = Date.now();
  const first = o.engine ? await o.engine.run() : await runCampaign(o);
  const equiv: EquivOptions = { ...o.equiv, ...o.engine?.equiv };
  const rep = first.report;
  const design: MutationDesign = first.design;
  const byId = new Map<number, MutantOutcome>(rep.mutants.map((m) => [m.id, m]));
  const killedBefore = rep.mutants.filter((m) => m.killed).length;
  // the suites without any counterexample suite (the kill rate of the hand-written suites and props alone)
  const killedByOriginal = rep.mutants.filter((m) => m.killed && !m.kill!.by.startsWith('cex-')).length;
  const origBy = (ok: (by: string) => boolean): number => rep.mutants.filter((m) => m.killed && !m.kill!.by.startsWith('cex-') && ok(m.kill!.by)).length;
  const stages = {
    suites: origBy((by) => !by.endsWith('+stall') && !by.endsWith('+contract')),
    stall: origBy((by) => !by.endsWith('+contract')),
    contract: origBy(() => true),
  };
  const classification: EquivResult[] = [];
  const vectorsAdded: LoopReport['vectorsAdded'] = [];
  let rounds = 0;
  let classifySec = 0;
  const jobs = Math.max(1, o.jobs ?? 2);
  for (;;) {
    const batch = o.engine?.batch;
    const open = [...byId.values()].filter((m) => !m.killed && m.status !== 'equivalent' && m.status !== 'unclassified');
    const todo = batch ? open.slice(0, batch) : open;
    if (!todo.length || (!batch && rounds >= (o.maxRounds ?? 4))) break;
    rounds++;
    o.log?.(`round ${rounds}: classifying ${todo.length} survivor(s) formally (${jobs} job(s))`);
    const t1 = Date.now();
    let n = 0;
    const res = await pool(todo, jobs, async (m) => {
      if (o.budgetSec !== undefined && (Date.now() - t0) / 1000 > o.budgetSec) {
        const cached = cachedClassification(design, m.id, equiv);
        if (cached) return cached;
        return { id: m.id, status: 'unclassified', method: 'none', seconds: 0, note: 'not attempted (--budget spent)' } satisfies EquivResult;
      }
      const r = await classifyMutant(design, m.id, equiv);
      o.log?.(`  [${++n}/${todo.length}] mutant ${m.id} (${m.block} ${m.mode}): ${r.status} by ${r.method} in ${r.seconds.toFixed(1)} s`);
      return r;
    });
    classifySec += (Date.now() - t1) / 1000;
    classification.push(...res);
    const cexs = res.filter((r) => r.status === 'counterexample');
    for (const r of res) {
      const m = byId.get(r.id)!;
      m.status = r.status;
      m.proof = { method: r.method, seconds: r.seconds, ...(r.scope ? { scope: r.scope } : {}), ...(r.note ? { note: r.note } : {}) };
    }
    if (!cexs.length || !o.update) {
      if (batch && open.length > todo.length) continue;
      break;
    }
    const add = o.engine
      ? o.engine.addCex(design, cexs)
      : addCounterexamples(
          design.g.cfg,
          cexs.map((r) => {
            const m = byId.get(r.id)!;
            return { mutant: r.id, block: m.block, mode: m.mode, seed: design.seed, count: design.count, beats: r.beats! };
          }),
        );
    const prev = vectorsAdded.find((v) => v.suite === add.name);
    if (prev) {
      prev.sequences += add.added;
      prev.beats += add.beats;
    } else vectorsAdded.push({ suite: add.name, sequences: add.added, beats: add.beats });
    // re-run the suites (now with the new vectors) on the mutants that had a counterexample
    // batches: every survivor not yet decided too (the new vectors may kill it before its search)
    const rerun = [...new Set([...cexs.map((r) => r.id), ...(batch ? open.filter((m) => !m.status).map((m) => m.id) : [])])];
    const isCex = new Set(cexs.map((r) => r.id));
    const again = o.engine ? await o.engine.run(rerun) : await runCampaign({ ...o, only: rerun, propsRuns: 0 });
    for (const m2 of again.report.mutants) {
      const m = byId.get(m2.id)!;
      if (m2.killed) {
        m.killed = true;
        m.kill = m2.kill;
      } else if (isCex.has(m2.id)) {
        m.status = 'unclassified';
        m.proof = { method: 'bmc', seconds: m.proof?.seconds ?? 0, note: 'its counterexample did not kill it inside the suite' };
      }
    }
  }
  const mutants = [...byId.values()].sort((a, b) => a.id - b.id);
  const final = summarize({ ...rep, mutants, times: { ...rep.times, seconds: (Date.now() - t0) / 1000 } });
  return {
    ...final,
    before: { killed: killedBefore, killRate: mutants.length ? killedBefore / mutants.length : 1, killedByOriginal, killRateOriginal: mutants.length ? killedByOriginal / mutants.length : 1, stages },
    equivalent: mutants.filter((m) => !m.killed && m.status === 'equivalent').length,
    equivalentBy: [...mutants.filter((m) => !m.killed && m.status === 'equivalent').reduce((acc, m) => {
      const k = `${m.proof?.method ?? '?'} ${m.proof?.scope ?? '?'}`;
      acc.set(k, (acc.get(k) ?? 0) + 1);
      return acc;
    }, new Map<string, number>())].map(([by, n]) => ({ by, mutants: n })),
    counterexamples: classification.filter((r) => r.status === 'counterexample').length,
    unclassified: mutants.filter((m) => !m.killed && m.status !== 'equivalent').length,
    rounds,
    vectorsAdded,
    classifySec,
    classification: classification.map((r) => ({ ...r, beats: undefined, inputs: undefined })),
  };
}
