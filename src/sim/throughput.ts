import { generateRtl, type RtlOptions } from '../rtl/index.js';
import { getSuite } from '../golden/index.js';
import { cosimSuiteOn, defaultRtlFor, type CosimResult } from './cosim.js';

export interface ThroughputReport {
  suite: string;
  config: string;
  vectors: number;
  /** File mode: binary vector file -> DUT -> compare in C++ (best of `repeat`). */
  vectorsPerSec: number;
  /** Same run, including reading the file. */
  endToEndPerSec: number;
  /** Same process, same model, clocked with no I/O. */
  rawCyclesPerSec: number;
  ratio: number;
  /** Text parse rate of the harness (one-time conversion to the binary file). */
  textParsePerSec: number | null;
  runs: CosimResult[];
}

/**
 * File-mode co-simulation throughput against the raw cycle rate of the same Verilated model
 * (measured in the same harness run). Best of `repeat` runs (the machine is shared).
 */
export async function measureThroughput(
  suite = 'mac-e3m4-e3m4-n1-1m',
  repeat = 3,
  log?: (m: string) => void,
  rtl?: RtlOptions,
  /** Stop repeating once this rate is reached. */
  enough = Infinity,
): Promise<ThroughputReport> {
  const d = getSuite(suite);
  const g = generateRtl(rtl ?? defaultRtlFor(d));
  const runs: CosimResult[] = [];
  let parse: number | null = null;
  for (let i = 0; i < repeat; i++) {
    const r = await cosimSuiteOn(d, g, { rawCycles: Math.max(d.count, 1_000_000), wave: false, log });
    if (!r.pass) throw new Error(`${suite} failed at line ${r.mismatch?.line}`);
    parse ??= r.textParsePerSec;
    runs.push(r);
    if (r.vectorsPerSec >= enough && r.vectorsPerSec >= 0.5 * r.rawCyclesPerSec) break;
  }
  const best = runs.reduce((a, b) => (b.vectorsPerSec > a.vectorsPerSec ? b : a));
  return {
    suite,
    config: g.cfg.id,
    vectors: best.vectors,
    vectorsPerSec: best.vectorsPerSec,
    endToEndPerSec: best.endToEndPerSec,
    rawCyclesPerSec: best.rawCyclesPerSec,
    ratio: best.vectorsPerSec / best.rawCyclesPerSec,
    textParsePerSec: parse,
    runs,
  };
}
