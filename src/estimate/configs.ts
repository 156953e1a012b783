/**
 * The configurations the estimate measures: an operand format pair with its exact accumulator
 * width (src/arith accWidth, chosen by the generator), N lanes, a pipeline depth; the RTL of
 * each comes from src/rtl `generateRtl` (never written here).
 */
import { CORE_FORMAT_NAMES, GG_MODES, getFormat, type FormatName } from '../format/index.js';
import { generateRtl, moduleNames, type RtlOptions } from '../rtl/index.js';
import { InputError } from '../util/errors.js';
import { sha256, type DesignInput } from './flow.js';

/**
 * The multi-mode unit of rf8kit's three GG float modes (rf8-e2m5, rf8-e3m4, rf8-e4m3 on both
 * operands, picked per dot product; `rf8 rtl --modes gg-modes`). Not the authors' `rf8`.
 */
export const GG_MULTI = 'gg-multi';

/**
 * Old names of the estimate labels, accepted on input: `rf8-multi` (deprecated: `rf8` is the
 * authors' residual format, the multi-mode unit is made of rf8kit's GG float modes) and the
 * shorthand `multi`. Data, so the CLI can say which name it mapped.
 */
export const ESTIMATE_FORMAT_ALIASES: Readonly<Record<string, { to: typeof GG_MULTI; deprecated: boolean }>> = Object.freeze({
  'rf8-multi': { to: GG_MULTI, deprecated: true },
  multi: { to: GG_MULTI, deprecated: false },
});

/**
 * A format choice of the estimate: one of the family (both operands), the multi-mode unit of the
 * GG float modes (`gg-multi`), or a pair `A/B`: activations A on operand a, weights B on operand b
 * (e.g. `int8/rf8`: rf8 weights, whose product is a shift-and-add, with int8 activations).
 */
export type EstimateFormat = FormatName | typeof GG_MULTI | `${FormatName}/${FormatName}`;

/** The operand formats of an estimate format (a pair's A and B; a single format on both sides). */
export function estimateOperands(f: EstimateFormat): { a: FormatName; b: FormatName } | null {
  if (f === GG_MULTI) return null;
  const i = f.indexOf('/');
  return i < 0 ? { a: f as FormatName, b: f as FormatName } : { a: f.slice(0, i) as FormatName, b: f.slice(i + 1) as FormatName };
}

/** The default sweep (issue 7): RF8 e3m4, the multi-mode GG float unit, OCP E4M3, OCP E5M2, INT8. */
export const DEFAULT_FORMATS: readonly EstimateFormat[] = Object.freeze(['rf8-e3m4', GG_MULTI, 'ocp-e4m3', 'ocp-e5m2', 'int8'] as EstimateFormat[]);
export const DEFAULT_LANES: readonly number[] = Object.freeze([1, 4, 8, 16]);
/** Dot-product length the exact accumulator width is sized for (the generator's default). */
export const DEFAULT_NMAX = 4096;

/** The formats the estimate's help lists: the core ones (CORE_FORMAT_NAMES) and the multi-mode unit; any format or pair is taken by name (a GG codebook, e.g. `rf8-e3m4/cb-b1-p0`: docs/estimates.md). */
export const ESTIMATE_FORMATS: readonly EstimateFormat[] = Object.freeze([...CORE_FORMAT_NAMES, GG_MULTI] as EstimateFormat[]);

/** An estimate format by name: a family format, `gg-multi` (or an alias of it), or a pair `A/B`. */
export function parseEstimateFormat(s: string): EstimateFormat {
  const t = s.trim();
  if (t === GG_MULTI) return GG_MULTI;
  const alias = Object.hasOwn(ESTIMATE_FORMAT_ALIASES, t) ? ESTIMATE_FORMAT_ALIASES[t] : undefined;
  if (alias) return alias.to;
  const i = t.indexOf('/');
  if (i >= 0) {
    const a = getFormat(t.slice(0, i).trim()).name;
    const b = getFormat(t.slice(i + 1).trim()).name;
    return a === b ? a : `${a}/${b}`;
  }
  return getFormat(t).name;
}

export interface EngineSpec {
  format: EstimateFormat;
  lanes: number;
  /** Pipeline registers of the generator (0..3, default 2). */
  pipe?: number;
  nmax?: number;
}

export interface EngineInfo {
  id: string;
  format: EstimateFormat;
  a: string;
  b: string;
  lanes: number;
  pipe: number;
  W: number;
  Wreason: string;
  latency: number;
  top: string;
  /** Output converter modules (removed in the datapath variant). */
  converters: string[];
  /** SHA-256 of the generated sources (names and texts, in compile order): which RTL the numbers describe. */
  rtlSha256: string;
}

export type Variant = 'engine' | 'datapath';


/**
 * The design of one configuration. `engine`: the generated dot-product engine as it is
 * (decoders, multipliers, adder tree, accumulator, output converters). `datapath`: the same with
 * the output converter instances deleted before synthesis (they fire once per dot product, so a
 * pipelined or multi-cycle converter would take them off the MAC's critical path).
 */
export function engineDesign(spec: EngineSpec, variant: Variant = 'engine'): { design: DesignInput; info: EngineInfo } {
  const pipe = spec.pipe ?? 2;
  const nmax = spec.nmax ?? DEFAULT_NMAX;
  if (!Number.isInteger(spec.lanes) || spec.lanes < 1 || spec.lanes > 32) throw new InputError(`lanes must be in 1..32: ${spec.lanes}`);
  let opts: RtlOptions;
  if (spec.format === GG_MULTI) {
    // every GG float mode on both operands (src/rtl `modes`); the same outputs as the rf8-e3m4
    // row (one rf8-e3m4 converter + binary32), so the difference is the operand side
    opts = { modes: GG_MODES, outs: ['rf8-e3m4'], lanes: spec.lanes, pipe, nmax };
  } else {
    // a pair A/B: the activation format A is the output format (hidden layers), as F is for F/F
    const ops = estimateOperands(spec.format)!;
    opts = { a: ops.a, b: ops.b, ...(ops.a !== ops.b ? { outs: [ops.a] } : {}), lanes: spec.lanes, pipe, nmax };
  }
  const g = generateRtl(opts);
  const n = moduleNames(g.cfg);
  const converters = [...n.cvt, ...(g.cfg.f32 ? [n.cvtF32] : [])];
  const id = `${spec.format.replace('/', '-x-')}-n${spec.lanes}-p${pipe}${variant === 'datapath' ? '-dp' : ''}`;
  const info: EngineInfo = {
    id,
    format: spec.format,
    a: g.cfg.fa.name,
    b: g.cfg.fb.name,
    lanes: g.cfg.lanes,
    pipe: g.cfg.pipe,
    W: g.cfg.W,
    Wreason: g.cfg.Wreason,
    latency: g.cfg.latency,
    top: g.top,
    converters,
    rtlSha256: sha256(JSON.stringify(g.sources.map((f) => [f.name, f.text]))),
  };
  // the generator's W must be the exact bound of src/arith it reports (its default)
  if (g.cfg.W !== g.cfg.exactW.W) throw new Error(`internal: generator W ${g.cfg.W} != the exact bound ${g.cfg.exactW.W} for ${spec.format}`);
  return {
    design: { name: id, top: g.top, sources: g.sources, ...(variant === 'datapath' ? { removeCells: converters } : {}) },
    info,
  };
}
