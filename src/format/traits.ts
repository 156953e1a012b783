import { InputError } from '../util/errors.js';
import { FORMAT_ALIASES } from './aliases.js';
import { checkFormatObject } from '../util/validate.js';

/**
 * The element family of docs/rf8-spec.md section 1, as data. Generic code reads these traits
 * and never branches on a format's name (the ml_dtypes pattern).
 */
/** The version of docs/rf8-spec.md this code implements. */
export const SPEC_VERSION = '0.1';

export type FormatName = 'rf8-e2m5' | 'rf8-e3m4' | 'rf8-e4m3' | 'ocp-e4m3' | 'ocp-e5m2' | 'int8';

/**
 * Special-value policy:
 * - `rf8`: 0x80 is the single NaN; no -0, no infinity.
 * - `ocp-fn`: OCP E4M3 (E4M3FN): S.1111.111 is NaN, -0 exists, no infinity.
 * - `ieee`: IEEE-style: exponent all ones is infinity (M = 0) or NaN; -0 exists.
 * - `int8`: two's complement; no specials; 0x80 = -128 is never produced by encoding.
 */
export type Specials = 'rf8' | 'ocp-fn' | 'ieee' | 'int8';

/** A binary floating-point layout: `e` exponent bits, `m` mantissa bits, a bias and a policy. */
export interface Layout {
  readonly e: number;
  readonly m: number;
  readonly bias: number;
  readonly specials: Specials;
  /** Payload (bits below the sign) of the largest finite magnitude. */
  readonly maxPayload: number;
  /** Width of the whole pattern in bits (sign included). */
  readonly bits: number;
}

export interface Format extends Layout {
  readonly name: FormatName;
  /** 1 - bias - m for floats, 0 for int8: the power of the LSB of k at sh = 0. */
  readonly tmin: number;
  /** Bits of the integer significand k: m + 1 for floats, 8 for int8 (|-128| = 128). */
  readonly kBits: number;
  /** Largest shift sh = max(E, 1) - 1 of a finite code (0 for int8). */
  readonly shMax: number;
  /** Largest finite magnitude at scale 0. */
  readonly maxFinite: number;
  /** Canonical NaN code (positive where the format has signed NaNs); -1 when there is none. */
  readonly nanCode: number;
  /** Largest magnitude of k over all finite codes. */
  readonly kMax: number;
}

function float(name: FormatName, e: number, m: number, bias: number, specials: Specials): Format {
  const eMaxField = (1 << e) - 1;
  let maxPayload: number;
  let nanCode: number;
  switch (specials) {
    case 'rf8':
      maxPayload = 0x7f;
      nanCode = 0x80;
      break;
    case 'ocp-fn':
      maxPayload = 0x7e; // S.1111.111 is NaN
      nanCode = 0x7f;
      break;
    case 'ieee':
      maxPayload = (eMaxField << m) - 1; // exponent all ones is Inf/NaN
      nanCode = (eMaxField << m) | (1 << (m - 1)); // quiet NaN
      break;
    default:
      throw new Error(`bad specials for a float: ${specials}`);
  }
  const topE = maxPayload >> m;
  const topM = maxPayload & ((1 << m) - 1);
  const tmin = 1 - bias - m;
  const kMaxFinite = (topE >= 1 ? 1 << m : 0) + topM;
  const shMax = Math.max(topE, 1) - 1;
  return Object.freeze({
    name,
    e,
    m,
    bias,
    specials,
    maxPayload,
    bits: 8,
    tmin,
    kBits: m + 1,
    shMax,
    maxFinite: kMaxFinite * 2 ** (shMax + tmin),
    nanCode,
    kMax: (1 << (m + 1)) - 1,
  });
}

/** The traits table. */
export const FORMATS: Readonly<Record<FormatName, Format>> = Object.freeze({
  'rf8-e2m5': float('rf8-e2m5', 2, 5, 1, 'rf8'),
  'rf8-e3m4': float('rf8-e3m4', 3, 4, 1, 'rf8'),
  'rf8-e4m3': float('rf8-e4m3', 4, 3, 1, 'rf8'),
  'ocp-e4m3': float('ocp-e4m3', 4, 3, 7, 'ocp-fn'),
  'ocp-e5m2': float('ocp-e5m2', 5, 2, 15, 'ieee'),
  int8: Object.freeze({
    name: 'int8',
    e: 0,
    m: 0,
    bias: 0,
    specials: 'int8',
    maxPayload: 127,
    bits: 8,
    tmin: 0,
    kBits: 8,
    shMax: 0,
    maxFinite: 127,
    nanCode: -1,
    kMax: 128,
  }) as Format,
});

export const FORMAT_NAMES: readonly FormatName[] = Object.freeze(Object.keys(FORMATS) as FormatName[]);
/** The three RF8 modes, the candidates of `auto` mode selection. */
export const RF8_MODES: readonly FormatName[] = Object.freeze(['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'] as FormatName[]);
export const DEFAULT_FORMAT: FormatName = 'rf8-e3m4';

/** Look a format up by name or ml_dtypes alias (src/format/aliases.ts); throws InputError listing the valid names. */
export function getFormat(name: string | Format): Format {
  if (typeof name !== 'string') return checkFormatObject(name, FORMATS);
  const table = FORMATS as Record<string, Format | undefined>;
  let f = table[name];
  if (typeof f !== 'object' || f.name !== name) {
    // not a table key (Object.prototype names such as 'constructor' do not count): try the aliases
    const alias = (FORMAT_ALIASES as Record<string, unknown>)[name];
    const g = typeof alias === 'string' ? table[alias] : undefined;
    f = typeof g === 'object' && g.name === alias ? g : undefined;
  }
  if (!f) throw new InputError(`format: unknown format '${name}' (one of: ${FORMAT_NAMES.join(', ')}; aliases: ${Object.keys(FORMAT_ALIASES).join(', ')})`);
  return f;
}

/** IEEE interchange layouts used for conversions (not 8-bit element formats). */
function ieee(e: number, m: number): Layout {
  return Object.freeze({ e, m, bias: (1 << (e - 1)) - 1, specials: 'ieee', maxPayload: ((1 << e) - 1) * 2 ** m - 1, bits: 1 + e + m });
}
export const BINARY32: Layout = ieee(8, 23);
export const BFLOAT16: Layout = ieee(8, 7);
export const BINARY16: Layout = ieee(5, 10);
