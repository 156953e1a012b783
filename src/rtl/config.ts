import { accWidth, accWidthModes, modeSet, type AccWidth, type ModeSet } from '../arith/index.js';
import { getFormat, type DecoderKind, type Format, type Rounding } from '../format/index.js';
import { InputError } from '../util/errors.js';
import { parseFaults, type FaultName } from './faults.js';
import { treeWidth } from './accumulator.js';
import { productWidth } from './multiplier.js';

/** Options of the generator (`rf8 rtl`). */
export interface RtlOptions {
  /** Operand a format (weights). Default rf8-e3m4. */
  a?: string;
  /** Operand b format (activations). Default: a. */
  b?: string;
  /**
   * Output formats (one converter each). Default: [b]. An entry is a format name, converted with
   * the format's default rounding (RNE; greedy for rf8), or `name:rounding` for another rounding the
   * hardware implements (rf8:nearest, rf8:greedy).
   */
  outs?: readonly string[];
  /** Also emit the binary32 output converter. Default true. */
  f32?: boolean;
  /** Accumulator width. Default: the exact bound accWidth(a, b, nmax).W. */
  W?: number;
  /** Longest dot product the default W must hold exactly. Default 4096. */
  nmax?: number;
  /** Lanes N (1..32). Default 1. */
  lanes?: number;
  /**
   * Extra pipeline registers, 0..6: after the multipliers, after the adder tree, before the
   * converters, then inside the converters (4: after the leading-one/exponent logic; 5: also
   * after the shifters; 6: also after the magnitude). Default 2.
   */
  pipe?: number;
  /** Injected faults (verification only). */
  faults?: readonly string[];
  /** Module name prefix. Default 'rf8_'. */
  prefix?: string;
  /** Mutant schemata: every fault site present, selected at run time by an input fault_sel (verification only). */
  faultSchema?: boolean;
  /**
   * Multi-mode operands (2 to 4 family formats, e.g. the three rf8 modes): both operands take
   * any of them, selected per dot product by 2-bit inputs in_mode_a / in_mode_b sampled with
   * `first` (src/arith ModeMac). a and b, when given, must be the first mode (the reset mode).
   */
  modes?: readonly string[];
}

/** Largest `pipe`: 3 registers in the datapath, 3 inside the output converters. */
export const MAX_PIPE = 6;

/** Register stages inside each output converter for a pipe setting (pipe 4 -> 1, 5 -> 2, 6 -> 3). */
export function converterStages(pipe: number): number {
  return Math.max(0, pipe - 3);
}

export interface RtlConfig {
  /** Operand formats; with modes, the first mode (the mode after reset). */
  fa: Format;
  fb: Format;
  /** Operand modes (one entry each for a single-format unit) and their shared grids. */
  modesA: ModeSet;
  modesB: ModeSet;
  /** More than one mode on either operand: the unit has in_mode_a / in_mode_b. */
  multi: boolean;
  outs: Format[];
  /** Rounding of each output converter (the format's default unless the entry named one). */
  outRoundings: Rounding[];
  /** Label of each output: the format name, or `name:rounding` for a non-default rounding (suites match outputs by label). */
  outLabels: string[];
  f32: boolean;
  W: number;
  /** Why this W (the accWidth statement, or 'given'). */
  Wreason: string;
  /** The exact bound for nmax, reported even when W is given. */
  exactW: AccWidth;
  nmax: number;
  lanes: number;
  pipe: number;
  faults: FaultName[];
  prefix: string;
  faultSchema: boolean;
  /** Product width (signed). */
  PW: number;
  /** Adder-tree sum width (signed). */
  SW: number;
  /** Cycles from an accepted input beat to its output beat (no stalls). */
  latency: number;
  /** A file-system friendly name of this configuration. */
  id: string;
}

const short = (f: Format): string => f.name.replace(/^rf8-/, '').replace(/-/g, '');

/** The decoder kinds the generator has blocks for (decoder, multiplier, output converter). */
export const RTL_DECODER_KINDS: readonly DecoderKind[] = Object.freeze(['float', 'twos', 'residual', 'table'] as DecoderKind[]);

/** An InputError for a format whose decoder kind the generator has no blocks for. */
function checkRtlFormat(f: Format, what: string): Format {
  if (!RTL_DECODER_KINDS.includes(f.policy.decoder)) throw new InputError(`rtl: ${what} ${f.name}: the ${f.policy.decoder} decoder kind has no RTL (${RTL_DECODER_KINDS.join(', ')})`);
  return f;
}

/** An output entry (`name` or `name:rounding`) resolved: the format, its rounding, its label. */
export function parseOut(s: string): { fmt: Format; rounding: Rounding; label: string } {
  const i = s.indexOf(':');
  const fmt = checkRtlFormat(getFormat(i < 0 ? s : s.slice(0, i)), 'output');
  const pol = fmt.policy;
  const rounding = (i < 0 ? pol.defaultRounding : s.slice(i + 1)) as Rounding;
  // the converters implement each format's default rounding, and both roundings of the residual kind
  const hw = pol.decoder === 'residual' ? pol.roundings : [pol.defaultRounding];
  if (!hw.includes(rounding)) throw new InputError(`rtl: output '${s}': rounding '${rounding}' is not implemented for ${fmt.name} (${hw.join(', ')})`);
  return { fmt, rounding, label: rounding === pol.defaultRounding ? fmt.name : `${fmt.name}:${rounding}` };
}

export function resolveConfig(o: RtlOptions = {}): RtlConfig {
  let fa: Format;
  let fb: Format;
  let modesA: ModeSet;
  let modesB: ModeSet;
  if (o.modes !== undefined) {
    if (o.modes.length < 2) throw new InputError(`rtl: --modes needs 2 to 4 formats: ${o.modes.join(',') || '(none)'}`);
    modesA = modeSet(o.modes);
    modesB = modesA;
    fa = modesA.modes[0]!;
    fb = fa;
    for (const [k, v] of [['a', o.a], ['b', o.b]] as const) {
      if (v !== undefined && getFormat(v).name !== fa.name) throw new InputError(`rtl: with modes, ${k} must be the first mode (${fa.name}): ${v}`);
    }
  } else {
    fa = getFormat(o.a ?? 'rf8-e3m4');
    fb = getFormat(o.b ?? fa.name);
    modesA = modeSet([fa]);
    modesB = modeSet([fb]);
  }
  for (const m of [...modesA.modes, ...modesB.modes]) checkRtlFormat(m, 'operand');
  const multi = modesA.modes.length > 1 || modesB.modes.length > 1;
  const parsed = (o.outs ?? [fb.name]).map(parseOut);
  const outs = parsed.map((p) => p.fmt);
  const outRoundings = parsed.map((p) => p.rounding);
  const outLabels = parsed.map((p) => p.label);
  const f32 = o.f32 ?? true;
  if (!outs.length && !f32) throw new InputError('rtl: no output converter (give an output format or keep binary32)');
  if (new Set(outLabels).size !== outs.length) throw new InputError('rtl: output formats repeat');
  const lanes = o.lanes ?? 1;
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 32) throw new InputError(`rtl: lanes must be an integer in [1, 32]: ${lanes}`);
  const nmax = o.nmax ?? 4096;
  const exactW = multi ? accWidthModes(modesA, modesB, nmax, lanes) : accWidth(fa, fb, nmax, lanes);
  const PW = productWidth(exactW);
  const SW = treeWidth(PW, lanes);
  let W: number;
  let Wreason: string;
  if (o.W === undefined) {
    W = exactW.W;
    Wreason = exactW.reason;
  } else {
    W = o.W;
    if (!Number.isInteger(W) || W < 4 || W > 256) throw new InputError(`rtl: W must be an integer in [4, 256]: ${W}`);
    Wreason = `given (${W}); the exact bound for ${nmax} terms is ${exactW.W}`;
  }
  const pipe = o.pipe ?? 2;
  if (!Number.isInteger(pipe) || pipe < 0 || pipe > MAX_PIPE) throw new InputError(`rtl: pipe must be 0..${MAX_PIPE}: ${pipe}`);
  const faults = parseFaults(o.faults);
  const prefix = o.prefix ?? 'rf8_';
  if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(prefix)) throw new InputError(`rtl: bad module prefix '${prefix}'`);
  const outTag = parsed.map((p) => short(p.fmt) + (p.label === p.fmt.name ? '' : `_${p.rounding}`)).join('.') + (f32 ? (outs.length ? '.f32' : 'f32') : '');
  const faultSchema = !!o.faultSchema;
  if (faultSchema && faults.length) throw new InputError('rtl: a fault schema holds every fault; do not also inject one');
  const side = (m: ModeSet): string => (m.modes.length > 1 ? 'm' + m.modes.map(short).join('.') : short(m.modes[0]!));
  const id =
    `${side(modesA)}x${side(modesB)}-n${lanes}-w${W}-p${pipe}-o${outTag}` + (faults.length ? `-fault-${faults.join('+')}` : '') + (faultSchema ? '-schema' : '') + (prefix !== 'rf8_' ? `-${prefix}` : '');
  return { fa, fb, modesA, modesB, multi, outs, outRoundings, outLabels, f32, W, Wreason, exactW, nmax, lanes, pipe, faults, prefix, faultSchema, PW, SW, latency: 3 + pipe, id };
}
