/**
 * Throughput model of one N-lane dot-product engine streaming weights from memory.
 *
 * Peak: MAC/s = lanes x Fmax. A matrix-vector product of `rows` outputs over `cols` inputs takes
 * rows * ceil(cols / N) beats (one dot product at a time, N operand pairs per beat) plus the
 * pipeline latency once; its weights arrive at B bytes per cycle, each weight costing
 * `bitsPerWeight / 8` bytes (8 for raw RF8, the entropy-coded rate otherwise; activations and
 * KV cache operands are on-chip or raw bytes). Per product the engine is compute bound or
 * memory bound (a roofline per layer): cycles = max(compute, memory). Layers run in sequence.
 * Batch 1: every weight is read once per inference / token (the MNIST MLP's 235k weights and the
 * char-LM's 404k do not fit the 16 kB of HX8K block RAM, nor UP5K's 143 kB of RAM even coded).
 *
 * Assumption stated plainly: an entropy decoder that delivers N weights per cycle at Fmax.
 */
import type { Workload } from './models.js';

export interface EngineRate {
  lanes: number;
  fmaxMHz: number;
  /** Pipeline latency in cycles (paid once per product). */
  latency: number;
}

export interface OpCycles {
  name: string;
  compute: number;
  memory: number;
  cycles: number;
  bound: 'compute' | 'memory';
}

export interface WorkloadRate {
  workload: string;
  unit: Workload['unit'];
  lanes: number;
  fmaxMHz: number;
  bandwidthBytesPerCycle: number;
  bitsPerWeight: number;
  macs: number;
  weights: number;
  computeCycles: number;
  memoryCycles: number;
  /** Sum over products of max(compute, memory). */
  cycles: number;
  /** Share of cycles in memory-bound products. */
  memoryBoundShare: number;
  /** Inferences (or tokens) per second. */
  perSecond: number;
  /** Achieved MAC/s and the peak lanes x Fmax. */
  macPerSecond: number;
  peakMacPerSecond: number;
  ops: OpCycles[];
}

export function workloadRate(w: Workload, e: EngineRate, bandwidthBytesPerCycle: number, bitsPerWeight: number): WorkloadRate {
  if (!(bandwidthBytesPerCycle > 0)) throw new RangeError(`bandwidth must be > 0 bytes/cycle: ${bandwidthBytesPerCycle}`);
  if (!(bitsPerWeight > 0 && bitsPerWeight <= 32)) throw new RangeError(`bits per weight out of range: ${bitsPerWeight}`);
  if (!(e.fmaxMHz > 0) || !Number.isInteger(e.lanes) || e.lanes < 1) throw new RangeError('engine: lanes >= 1 and Fmax > 0');
  const ops: OpCycles[] = [];
  let compute = 0;
  let memory = 0;
  let cycles = 0;
  let memBound = 0;
  let macs = 0;
  let weights = 0;
  for (const o of w.ops) {
    const c = o.rows * Math.ceil(o.cols / e.lanes) + e.latency;
    const m = ((o.weights * bitsPerWeight) / 8 + o.otherBytes) / bandwidthBytesPerCycle;
    const cy = Math.max(c, m);
    ops.push({ name: o.name, compute: c, memory: m, cycles: cy, bound: m > c ? 'memory' : 'compute' });
    compute += c;
    memory += m;
    cycles += cy;
    if (m > c) memBound += cy;
    macs += o.rows * o.cols;
    weights += o.weights;
  }
  const hz = e.fmaxMHz * 1e6;
  return {
    workload: w.name,
    unit: w.unit,
    lanes: e.lanes,
    fmaxMHz: e.fmaxMHz,
    bandwidthBytesPerCycle,
    bitsPerWeight,
    macs,
    weights,
    computeCycles: compute,
    memoryCycles: memory,
    cycles,
    memoryBoundShare: cycles > 0 ? memBound / cycles : 0,
    perSecond: hz / cycles,
    macPerSecond: (macs * hz) / cycles,
    peakMacPerSecond: e.lanes * hz,
    ops,
  };
}

/** Bandwidth (bytes/cycle) at which a workload turns compute bound at N lanes for a rate in bits/weight (batch 1: 8/bits weights per byte). */
export function ridgeBandwidth(lanes: number, bitsPerWeight: number): number {
  return (lanes * bitsPerWeight) / 8;
}
