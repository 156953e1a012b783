import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RtlConfig, RtlOptions } from '../rtl/index.js';
import { ensureSuite, listSuites, type SuiteDef } from '../golden/index.js';
import { buildHarness, type BuiltModel, type HarnessSpec } from '../sim/build.js';
import { suiteArgs, runHarness, type HarnessReport } from '../sim/cosim.js';
import { dutIoHeader } from '../sim/dutio.js';
import { writeFileAtomic } from '../util/atomic.js';
import { packageRoot } from '../sim/paths.js';
import { DutSession } from '../sim/protocol.js';
import { runMacProperty } from '../sim/props.js';
import { mutationDesign, type BlockInfo, type Mutation, type MutationDesign } from './design.js';

const execFileP = promisify(execFile);

/** The Verilator harness of a mutation design: sim/mutant_harness.cpp (which includes sim/harness.cpp) with mutsel driven by dut_fault(). */
export function mutantHarnessSpec(cfg: RtlConfig): HarnessSpec {
  const root = packageRoot();
  const base = dutIoHeader(cfg);
  const line = 'static inline void dut_fault(Vdut* t, uint64_t m) { (void)t; (void)m; }';
  if (!base.includes(line)) throw new Error('dut_io.h: the dut_fault line changed; update src/mcy/campaign.ts');
  const text = base.replace(line, 'static inline void dut_fault(Vdut* t, uint64_t m) { t->mutsel = m; }');
  const inner = readFileSync(join(root, 'sim', 'harness.cpp'));
  return {
    cpp: join(root, 'sim', 'mutant_harness.cpp'),
    header: { name: 'dut_io.h', text },
    exe: 'mutant_harness',
    tag: 'rf8-mcy-v1-' + createHash('sha256').update(inner).digest('hex').slice(0, 16),
    // a flattened netlist with every mutant: -O1 builds in a fraction of -O2's time
    opt: { model: '-O1', slow: '-O1', harness: '-O2' },
    prune: true,
  };
}

export async function buildMutantModel(d: MutationDesign, log?: (m: string) => void): Promise<BuiltModel> {
  return buildHarness({ sources: [{ name: 'mutated.v', text: d.verilog }], top: d.top, id: `mcy-${d.g.cfg.id}-c${d.count}-s${d.seed}` }, mutantHarnessSpec(d.g.cfg), { log });
}

/** The suites a configuration runs, in order: committed first, then the on-demand prod/cvt of its pair, counterexample suites ('cex-*') last. */
export function campaignSuites(cfg: RtlConfig, o: { cex?: boolean } = {}): SuiteDef[] {
  const fits = (d: SuiteDef): boolean => {
    if (!d.dot || d.count >= 1_000_000) return false;
    try {
      suiteArgs(d, cfg);
      return true;
    } catch {
      return false;
    }
  };
  const all = listSuites().filter(fits);
  const isCex = (d: SuiteDef): boolean => d.name.startsWith('cex-');
  const committed = all.filter((d) => d.committed && !isCex(d));
  const onDemand = all.filter((d) => !d.committed && !isCex(d));
  const cex = o.cex === false ? [] : all.filter(isCex);
  return [...committed, ...onDemand, ...cex];
}

export interface Kill {
  /** Suite name, or 'props'. */
  by: string;
  line?: number;
  fields?: string[];
  /** props: the seed and the difference. */
  seed?: number;
  difference?: string;
}

export interface MutantOutcome extends Mutation {
  killed: boolean;
  kill?: Kill;
  /** Set by the formal classification of survivors. */
  status?: 'equivalent' | 'counterexample' | 'unclassified';
  proof?: { method: string; seconds: number; scope?: string; note?: string };
}

export interface RowStats {
  key: string;
  total: number;
  killed: number;
  survivors: number;
  equivalent?: number;
}

export interface CampaignReport {
  config: string;
  rtl: RtlOptions;
  count: number;
  seed: number;
  ctrlWidth: number;
  blocks: BlockInfo[];
  suites: string[];
  props: { runs: number; seed: number } | null;
  mutants: MutantOutcome[];
  total: number;
  killed: number;
  survivors: number;
  killRate: number;
  byBlock: RowStats[];
  byMode: RowStats[];
  byBlockMode: RowStats[];
  byKiller: { by: string; killed: number }[];
  times: { yosysSec: number; buildSec: number; simSec: number; stallSec?: number; contractSec?: number; propsSec: number; seconds: number };
  workDir: string;
  model: string;
  jobs: number;
}

export interface CampaignOptions {
  rtl: RtlOptions;
  count: number;
  seed?: number;
  jobs?: number;
  /** Run the fast-check property on every suite survivor (runs per mutant); 0 = no props. */
  propsRuns?: number;
  /** Include the counterexample suites (default true). */
  cex?: boolean;
  /** Re-run the MAC suites with random stalls on every suite survivor (default seed 1, p 0.3 / 0.3); false = off. */
  stall?: { seed: number; pIn: number; pOut: number } | false;
  /**
   * The handshake-contract runs of the MAC suites on every survivor after the stalled runs
   * (sim/mutant_harness.cpp --contract: random data during reset, in_ready = ~out_valid | out_ready
   * every cycle, latency, one output beat per accepted last beat); false = off (the suites as
   * committed before the contract check).
   */
  contract?: { seed: number; pIn: number; pOut: number } | false;
  /** Only these mutant ids (default: all). */
  only?: number[];
  log?: (m: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface RunOut {
  id: number;
  killedBy: number | null;
  rep?: HarnessReport;
}

/**
 * Run a campaign harness (sim/mutant_harness.cpp, sim/layer_harness.cpp --mutants) over mutant ids
 * in chunks, `jobs` processes at once (in `cwd` when given). Each prints "M ID SUITE" and a JSON
 * report per suite run.
 */
export async function runChunks(exe: string, suiteArgv: string[][], ids: number[], jobs: number, onChunk: (n: number) => void, cacheFile?: string, pre: string[] = [], cwd?: string): Promise<Map<number, RunOut>> {
  const out = new Map<number, RunOut>();
  // resumable: results already in the cache file (same model, same suite files) are taken as they are
  const cached = new Map<number, RunOut>();
  if (cacheFile && existsSync(cacheFile)) for (const r of JSON.parse(readFileSync(cacheFile, 'utf8')) as RunOut[]) cached.set(r.id, r);
  for (const id of ids) if (cached.has(id)) out.set(id, cached.get(id)!);
  const save = (): void => {
    if (cacheFile) writeFileAtomic(cacheFile, JSON.stringify([...new Map([...cached, ...out]).values()]));
  };
  const todo = ids.filter((id) => !out.has(id));
  if (todo.length < ids.length) onChunk(ids.length - todo.length);
  const chunk = Math.max(1, Math.min(50, Math.ceil(todo.length / (jobs * 4))));
  const chunks: number[][] = [];
  for (let i = 0; i < todo.length; i += chunk) chunks.push(todo.slice(i, i + chunk));
  let next = 0;
  const argv = suiteArgv.flat();
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const c = chunks[next++]!;
      const { stdout } = await execFileP(exe, ['--mutants', c.join(','), ...pre, ...argv], { maxBuffer: 256 << 20, ...(cwd ? { cwd } : {}) });
      const lines = stdout.split('\n');
      for (let i = 0; i + 1 < lines.length; i++) {
        const m = /^M (\d+) (\d+)$/.exec(lines[i]!);
        if (!m) continue;
        const id = Number(m[1]);
        const s = Number(m[2]);
        const rep = JSON.parse(lines[i + 1]!) as HarnessReport;
        if (!rep.pass) out.set(id, { id, killedBy: s, rep });
        else if (!out.has(id) || out.get(id)!.killedBy === null) out.set(id, { id, killedBy: null });
        i++;
      }
      for (const id of c) if (!out.has(id)) throw new Error(`mutant harness gave no result for mutant ${id}`);
      save();
      onChunk(c.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return out;
}

/** The outcome of every mutant id from the harness runs: killed by which suite, output line and fields. */
export function outcomes(mutations: Mutation[], ids: number[], res: Map<number, RunOut>, suiteNames: string[], fields: (f: number) => string[]): MutantOutcome[] {
  const byId = new Map(mutations.map((m) => [m.id, m]));
  return ids.map((id) => {
    const m = byId.get(id)!;
    const r = res.get(id)!;
    if (r.killedBy === null) return { ...m, killed: false };
    return { ...m, killed: true, kill: { by: suiteNames[r.killedBy]!, line: r.rep?.mismatch?.line, fields: fields(r.rep?.mismatch?.fields ?? 0) } };
  });
}

const FIELD_NAMES = ['acc', 'flags', 'f32', 'codes', 'unexpected output beat', 'timeout (no output)', 'in_ready != ~out_valid | out_ready', 'latency'];
const fieldsOf = (f: number): string[] => FIELD_NAMES.filter((_, i) => f & (1 << i));

function stats(ms: MutantOutcome[], key: (m: MutantOutcome) => string): RowStats[] {
  const rows = new Map<string, RowStats>();
  for (const m of ms) {
    const k = key(m);
    const r = rows.get(k) ?? { key: k, total: 0, killed: 0, survivors: 0, equivalent: 0 };
    r.total++;
    if (m.killed) r.killed++;
    else r.survivors++;
    if (m.status === 'equivalent') r.equivalent!++;
    rows.set(k, r);
  }
  return [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function summarize(r: Omit<CampaignReport, 'total' | 'killed' | 'survivors' | 'killRate' | 'byBlock' | 'byMode' | 'byBlockMode' | 'byKiller'>): CampaignReport {
  const ms = r.mutants;
  const killed = ms.filter((m) => m.killed).length;
  const killers = new Map<string, number>();
  for (const m of ms) if (m.kill) killers.set(m.kill.by, (killers.get(m.kill.by) ?? 0) + 1);
  return {
    ...r,
    total: ms.length,
    killed,
    survivors: ms.length - killed,
    killRate: ms.length ? killed / ms.length : 1,
    byBlock: stats(ms, (m) => m.block),
    byMode: stats(ms, (m) => m.mode),
    byBlockMode: stats(ms, (m) => `${m.block} ${m.mode}`),
    byKiller: [...killers.entries()].map(([by, killed]) => ({ by, killed })),
  };
}

/** Convert a suite to this model's binary vector file (once per suite version and model). */
async function suiteBin(m: BuiltModel, dir: string, d: SuiteDef, cfg: RtlConfig, log?: (s: string) => void): Promise<string[]> {
  const args = suiteArgs(d, cfg);
  const path = ensureSuite(d, log);
  const key = createHash('sha256').update(readFileSync(path)).update(args.join(' ')).update(m.hash).digest('hex').slice(0, 16);
  mkdirSync(join(dir, 'vectors'), { recursive: true });
  const bin = join(dir, 'vectors', `${d.name}-${key}.bin`);
  if (!existsSync(bin)) {
    const c = await runHarness(m.exe, [path, ...args, '--write-bin', bin, '--convert-only']);
    if (c.code !== 0) throw new Error(`mutant harness could not convert ${path}: ${c.stderr.trim().split('\n')[0] ?? ''}`);
  }
  return ['--suite', bin, ...args];
}

/**
 * The mutation campaign: the mutation design, one Verilated model holding every mutant, every
 * suite against every mutant (stop at the first kill; `jobs` harness processes at once), then
 * the fast-check property on the survivors.
 */
export async function runCampaign(o: CampaignOptions): Promise<{ report: CampaignReport; design: MutationDesign; model: BuiltModel; suites: SuiteDef[] }> {
  const t0 = Date.now();
  const log = o.log;
  const seed = o.seed ?? 1;
  const jobs = Math.max(1, o.jobs ?? 2);
  const design = await mutationDesign({ rtl: o.rtl, count: o.count, seed, log });
  const cfg = design.g.cfg;
  const model = await buildMutantModel(design, log);
  const suites = campaignSuites(cfg, { cex: o.cex });
  const argv: string[][] = [];
  for (const d of suites) argv.push(await suiteBin(model, design.dir, d, cfg, log));
  // the unmutated design (mutsel = 0) must pass every suite, or a kill means nothing
  const base = await runChunks(model.exe, argv, [0], 1, () => {});
  const b0 = base.get(0)!;
  if (b0.killedBy !== null) throw new Error(`the unmutated design (mutsel = 0) fails ${suites[b0.killedBy]!.name} at line ${b0.rep?.mismatch?.line}: fix that before counting kills`);
  const ids = (o.only ?? design.mutations.map((m) => m.id)).slice();
  const t1 = Date.now();
  let done = 0;
  log?.(`running ${ids.length} mutants x ${suites.length} suites (${suites.map((s) => s.name).join(', ')}), ${jobs} job(s)`);
  const runKey = createHash('sha256').update(model.hash).update('\0').update(argv.flat().join('\0')).digest('hex').slice(0, 16);
  const res = await runChunks(
    model.exe,
    argv,
    ids,
    jobs,
    (n) => {
      done += n;
      o.onProgress?.(done, ids.length);
    },
    join(design.dir, `runs-${runKey}.json`),
  );
  const simSec = (Date.now() - t1) / 1000;
  const mutants = outcomes(design.mutations, ids, res, suites.map((s) => s.name), fieldsOf);
  // the MAC suites again with random stalls (valid/ready back-pressure) on every survivor: the
  // handshake and pipeline-enable mutants only show under stalls (the harness's file mode, --stall)
  const stall = o.stall === false ? null : (o.stall ?? { seed: 1, pIn: 0.3, pOut: 0.3 });
  const tS = Date.now();
  if (stall) {
    const macs = suites.map((d, i) => ({ d, a: argv[i]! })).filter((x) => x.d.kind === 'mac');
    const surv = mutants.filter((m) => !m.killed);
    log?.(`stalled runs (--stall ${stall.seed},${stall.pIn},${stall.pOut}) of ${macs.map((x) => x.d.name).join(', ')} on ${surv.length} survivors`);
    let next = 0;
    await Promise.all(
      Array.from({ length: jobs }, async () => {
        while (next < surv.length) {
          const m = surv[next++]!;
          for (const x of macs) {
            const [, bin, ...rest] = x.a;
            const r = await runHarness(model.exe, [bin!, '--bin', ...rest, '--stall', `${stall.seed},${stall.pIn},${stall.pOut}`, '--fault-sel', String(m.id)]);
            if (r.code === 2 || !r.report) throw new Error(`mutant harness (stalled ${x.d.name}, mutant ${m.id}): ${r.stderr.trim().split('\n')[0] ?? ''}`);
            if (!r.report.pass) {
              m.killed = true;
              m.kill = { by: `${x.d.name}+stall`, line: r.report.mismatch?.line, fields: fieldsOf(r.report.mismatch?.fields ?? 0) };
              break;
            }
          }
        }
      }),
    );
  }
  const stallSec = (Date.now() - tS) / 1000;
  // the cycle-level handshake contract on the remaining survivors (one harness process per chunk)
  const contract = o.contract === false ? null : (o.contract ?? { seed: 1, pIn: 0.3, pOut: 0.3 });
  const tC = Date.now();
  if (contract) {
    const macIdx = suites.map((d, i) => i).filter((i) => suites[i]!.kind === 'mac');
    const surv = mutants.filter((m) => !m.killed);
    if (macIdx.length && surv.length) {
      log?.(`handshake-contract runs (--contract ${contract.seed},${contract.pIn},${contract.pOut}) of ${macIdx.map((i) => suites[i]!.name).join(', ')} on ${surv.length} survivors`);
      const cargv = macIdx.map((i) => argv[i]!);
      const pre = ['--contract', `${contract.seed},${contract.pIn},${contract.pOut}`];
      const ckey = createHash('sha256').update(model.hash).update('\0contract\0').update(pre.join(' ')).update('\0').update(cargv.flat().join('\0')).digest('hex').slice(0, 16);
      const c0 = (await runChunks(model.exe, cargv, [0], 1, () => {}, undefined, pre)).get(0)!;
      if (c0.killedBy !== null) throw new Error(`the unmutated design (mutsel = 0) breaks the handshake contract on ${suites[macIdx[c0.killedBy]!]!.name} (fields ${fieldsOf(c0.rep?.mismatch?.fields ?? 0).join(', ')}): fix that before counting kills`);
      const cres = await runChunks(model.exe, cargv, surv.map((m) => m.id), jobs, () => {}, join(design.dir, `contract-${ckey}.json`), pre);
      for (const m of surv) {
        const r = cres.get(m.id)!;
        if (r.killedBy === null) continue;
        m.killed = true;
        m.kill = { by: `${suites[macIdx[r.killedBy]!]!.name}+contract`, line: r.rep?.mismatch?.line, fields: fieldsOf(r.rep?.mismatch?.fields ?? 0) };
      }
    }
  }
  const contractSec = (Date.now() - tC) / 1000;
  // fast-check on the survivors
  const t2 = Date.now();
  const propsRuns = o.propsRuns ?? 0;
  if (propsRuns > 0) {
    const surv = mutants.filter((m) => !m.killed);
    log?.(`fast-check property (${propsRuns} runs, seed ${seed}) on ${surv.length} survivors`);
    for (const m of surv) {
      const s = new DutSession(model.exe, cfg, { faultSel: m.id });
      try {
        const r = await runMacProperty(s, cfg, { runs: propsRuns, seed });
        if (!r.pass) {
          m.killed = true;
          m.kill = { by: 'props', seed: r.seed, difference: r.difference };
        }
      } finally {
        await s.close();
      }
    }
  }
  const propsSec = (Date.now() - t2) / 1000;
  const report = summarize({
    config: cfg.id,
    rtl: o.rtl,
    count: design.count,
    seed,
    ctrlWidth: design.ctrlWidth,
    blocks: design.blocks,
    suites: [...suites.map((s) => s.name), ...(stall ? suites.filter((d) => d.kind === 'mac').map((d) => `${d.name}+stall`) : []), ...(contract ? suites.filter((d) => d.kind === 'mac').map((d) => `${d.name}+contract`) : []), ...(propsRuns > 0 ? ['props'] : [])],
    props: propsRuns > 0 ? { runs: propsRuns, seed } : null,
    mutants,
    times: { yosysSec: design.yosysSec, buildSec: model.seconds, simSec, stallSec, contractSec, propsSec, seconds: (Date.now() - t0) / 1000 },
    workDir: design.dir,
    model: model.exe,
    jobs,
  });
  return { report, design, model, suites };
}
