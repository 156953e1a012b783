/**
 * The demo's authors'-RF8 section: the authors' residual RF8 (`rf8`, docs/rf8-spec.md section 8)
 * on the demo's trained MLP, reported beside rf8kit's best float-mode configuration (`auto`
 * among the GG float modes):
 * - through the bit-exact layer reference: rf8 weights (greedy, gg scale per row) x an 8-bit
 *   activation format (default rf8-e3m4), every product exact, hidden layers converted with
 *   fused ReLU (src/nn rf8.ts with Rf8Options);
 * - on the generated RTL (co-simulation of every layer, when the caller asks for it);
 * - weights only (every parameter in rf8, float activations; src/nn/rf8-weight-only.ts, when
 *   the caller supplies it).
 * Kept apart from index.ts so the report rendering there stays the other engineers'.
 */
import type { Rounding } from '../format/index.js';
import type { Rf8Eval, Rf8Mlp, Rf8Pack } from '../nn/rf8.js';

export interface Rf8ConfigRow {
  /** What this row is. */
  name: string;
  /** Weight format(s) / activation format(s), as the layers hold them. */
  weights: string;
  activations: string;
  testAcc: number;
  images: number;
  /** Per layer: weight format, rounding, SQNR of the weight tensor (dB), shape. */
  layers: { name: string; format: string; rounding?: Rounding; sqnrDb: number; rows: number; cols: number }[];
  /** Zero-order entropy of the weight codes (bits/weight; the stored code is 8 bits). */
  bitsPerWeightEntropy: number;
  /** Accumulator clamps and NaN outputs in the layer reference (both 0 by construction). */
  ovf: number;
  nan: number;
  /** Co-simulation of the RTL: outputs compared and mismatches (absent: not run, see `hardwareNote`). */
  hardware?: { vectors: number; mismatches: number; images: number; rtlAccuracy: number | null; refAccuracy: number | null; predictionsEqual: boolean };
  hardwareNote?: string;
  /** Estimated cost of the engine (absent: not run, see `costNote`). */
  cost?: Record<string, unknown>;
  costNote?: string;
}

export interface WeightOnlyRow {
  name: string;
  testAcc: number;
  tensors: { name: string; n: number; scale: number; zeros: number; sqnrDb: number }[];
}

export interface AuthorsRf8Report {
  /** rf8kit's best float-mode configuration (the demo's main RF8 row). */
  best: Rf8ConfigRow;
  /** The authors' RF8 weights through the bit-exact layer reference (and the RTL). */
  layerRef: Rf8ConfigRow;
  /** The authors' RF8, weights only, float activations (absent: see `weightOnlyNote`). */
  weightOnly?: WeightOnlyRow;
  weightOnlyNote?: string;
}

/** One configuration row from a pack, its layer specs and its evaluation. */
export function configRow(name: string, pack: Rf8Pack, m: Rf8Mlp, ev: Rf8Eval, entropyOf: (codes: Uint8Array) => number): Rf8ConfigRow {
  let bits = 0;
  let count = 0;
  for (const l of m.layers) {
    bits += entropyOf(l.wCodes) * l.wCodes.length;
    count += l.wCodes.length;
  }
  const layers = m.layers.map((l, i) => {
    const w = pack.weights[`fc${i + 1}.weight`]!;
    return { name: `fc${i + 1}`, format: l.wFormat, ...(w.rounding ? { rounding: w.rounding } : {}), sqnrDb: w.sqnrDb, rows: l.rows, cols: l.cols };
  });
  const uniq = (a: string[]): string => [...new Set(a)].join(' / ');
  return {
    name,
    weights: uniq(layers.map((l) => (l.rounding && l.format === 'rf8' ? `${l.format} (${l.rounding})` : l.format))),
    activations: uniq(m.inputs.map((q) => (q.rounding ? `${q.format} (${q.rounding})` : q.format))),
    testAcc: ev.acc!,
    images: ev.n,
    layers,
    bitsPerWeightEntropy: count ? bits / count : NaN,
    ovf: ev.counters.ovf,
    nan: ev.counters.nan,
  };
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${(x * 100).toFixed(2)}%`);

/** The markdown section of the report. */
export function authorsRf8Markdown(a: AuthorsRf8Report): string {
  const L: string[] = [];
  L.push(`## The authors' RF8 beside rf8kit's best float mode`, '');
  L.push(
    "`rf8` is the authors' RF8 (the residual float of the paper's code: every weight the sum of its first two signed powers of two, docs/rf8-spec.md section 8); the GG float modes rf8-e2m5 / e3m4 / e4m3 are rf8kit's.",
    '',
  );
  L.push(`| configuration | weights | activations | test accuracy | bits/weight (code entropy) | co-simulation mismatches | estimated cost |`, `|---|---|---|---|---|---|---|`);
  const hw = (r: Rf8ConfigRow): string => (r.hardware ? `${r.hardware.mismatches} of ${r.hardware.vectors} (${r.hardware.images} images)` : `not run${r.hardwareNote ? `: ${r.hardwareNote}` : ''}`);
  const cost = (r: Rf8ConfigRow): string => (r.cost ? costText(r.cost) : r.costNote ?? '-');
  for (const r of [a.best, a.layerRef]) {
    L.push(`| ${r.name} | ${r.weights} | ${r.activations} | ${pct(r.testAcc)} (${r.images} images) | 8 (${r.bitsPerWeightEntropy.toFixed(3)}) | ${hw(r)} | ${cost(r)} |`);
  }
  if (a.weightOnly) L.push(`| ${a.weightOnly.name} | rf8 (greedy, amax scale per tensor), every parameter | float (binary32) | ${pct(a.weightOnly.testAcc)} | 8 | - (no 8-bit products) | - |`);
  else L.push(`| the authors' RF8, weights only (float activations) | rf8 | float | not run${a.weightOnlyNote ? `: ${a.weightOnlyNote}` : ''} | - | - | - |`);
  L.push('', `### Weight SQNR per layer (dB)`, '');
  const names = a.best.layers.map((l) => l.name);
  L.push(`| configuration | ${names.join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`);
  for (const r of [a.best, a.layerRef]) L.push(`| ${r.name} | ${r.layers.map((l) => `${l.sqnrDb.toFixed(2)} (${l.format})`).join(' | ')} |`);
  if (a.weightOnly) {
    const by = new Map(a.weightOnly.tensors.map((t) => [t.name, t]));
    L.push(`| ${a.weightOnly.name} | ${names.map((n) => by.get(`${n}.weight`)?.sqnrDb.toFixed(2) ?? '-').join(' | ')} |`);
  }
  if (a.layerRef.hardware && !a.layerRef.hardware.predictionsEqual) L.push('', `RTL predictions DIFFER from the reference's for the rf8-weights network.`);
  L.push('');
  return L.join('\n');
}

function costText(c: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of ['device', 'luts', 'dsps', 'ffs', 'fmaxMhz', 'macPerSecPer1kLuts']) if (c[k] !== undefined) parts.push(`${k} ${typeof c[k] === 'number' ? Number((c[k] as number).toPrecision(4)) : String(c[k])}`);
  return parts.length ? parts.join(', ') : JSON.stringify(c);
}
