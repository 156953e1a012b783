import { InputError } from '../util/errors.js';
import { FORMAT_ALIASES } from './aliases.js';
import { checkFormatObject } from '../util/validate.js';
import { CODEBOOK_TABLES } from './codebook-tables.js';
import type { CodebookData } from './codebook.js';

/**
 * The element formats of docs/rf8-spec.md, as data. Generic code reads these traits and never
 * branches on a format's name (the ml_dtypes pattern): every special-value rule (which code is
 * NaN, what zero, overflow and infinity become, how a code is classified) lives in the format's
 * policy record, built once here.
 */
/** The version of docs/rf8-spec.md this code implements. */
export const SPEC_VERSION = '1.0';

export type FormatName = 'rf8' | 'rf8-e2m5' | 'rf8-e3m4' | 'rf8-e4m3' | 'ocp-e4m3' | 'ocp-e5m2' | 'int8' | CodebookName;
/** The GG codebooks (spec section 9), named by the committed tables (src/format/codebook-tables.ts). */
export type CodebookName = (typeof CODEBOOK_TABLES)[number]['name'];

/**
 * Special-value policy label (descriptive; the rules themselves are the `policy` record):
 * - `rf8`: 0x80 is the single NaN; no -0, no infinity (rf8kit's GG float modes and the authors' RF8).
 * - `ocp-fn`: OCP E4M3 (E4M3FN): S.1111.111 is NaN, -0 exists, no infinity.
 * - `ieee`: IEEE-style: exponent all ones is infinity (M = 0) or NaN; -0 exists.
 * - `int8`: two's complement; no specials; 0x80 = -128 is never produced by encoding.
 */
export type Specials = 'rf8' | 'ocp-fn' | 'ieee' | 'int8';

/**
 * How a code becomes (sign, k, sh):
 * - `float`: exponent/mantissa layout, k = [E != 0].M, sh = max(E, 1) - 1 (spec section 1);
 * - `twos`: two's complement integer, k = |code|, sh = 0 (int8);
 * - `residual`: the authors' RF8 (spec section 8): k = kTable[R], sh = E - 1, E = 0 is zero;
 * - `table`: a GG codebook (spec section 9): payload p = 1..127 gives (k, sh) from the format's
 *   `codebook` table, p = 0 is zero.
 */
export type DecoderKind = 'float' | 'twos' | 'residual' | 'table';

/** Rounding names. `rne`, `rtz`, `sr` (section 3) for the float/int layouts; `greedy`, `nearest` for rf8 (section 8). */
export type Rounding = 'rne' | 'rtz' | 'sr' | 'greedy' | 'nearest';
export const ROUNDINGS: readonly Rounding[] = Object.freeze(['rne', 'rtz', 'sr', 'greedy', 'nearest'] as Rounding[]);

/** What a code is, before its value: a finite number, NaN, or an infinity. */
export const CLASS_FINITE = 0;
export const CLASS_NAN = 1;
export const CLASS_INF = 2;

/** A pair of patterns indexed by sign: [positive, negative]. */
export type SignedPair = readonly [number, number];

/**
 * The special-value policy of one layout, as data (ml_dtypes' traits): every pattern the
 * rounding core may write, indexed by the sign, and the decode classifier.
 */
export interface Policy {
  /** The decoder kind. */
  readonly decoder: DecoderKind;
  /** Two's complement sign (int8) instead of a sign bit over a magnitude payload. */
  readonly twos: boolean;
  /** A negative value that rounds to zero keeps its sign (-0 exists). */
  readonly signedZero: boolean;
  /** Pattern for a NaN input of each sign (int8: 0, it has no NaN). */
  readonly nan: SignedPair;
  /** Pattern of a zero result of each sign. */
  readonly zero: SignedPair;
  /** Pattern for an infinite input of each sign, saturating mode. */
  readonly infSat: SignedPair;
  /** Pattern for an infinite input of each sign, non-saturating mode. */
  readonly infNonsat: SignedPair;
  /** Pattern of an overflowing finite result of each sign, saturating mode. */
  readonly ovfSat: SignedPair;
  /** Pattern of an overflowing finite result of each sign, non-saturating mode. */
  readonly ovfNonsat: SignedPair;
  /** The non-saturating mode differs from the saturating one (OCP formats, IEEE layouts). */
  readonly nonsat: boolean;
  /** Roundings this format accepts, and the default. */
  readonly roundings: readonly Rounding[];
  readonly defaultRounding: Rounding;
  /** Decode classifier of an 8-bit format: CLASS_FINITE / CLASS_NAN / CLASS_INF per code (empty for the wide IEEE layouts). */
  readonly classes: Uint8Array;
}

/** A binary layout: `e` exponent bits, `m` mantissa (or residual) bits, a bias and a policy. */
export interface Layout {
  readonly e: number;
  readonly m: number;
  readonly bias: number;
  readonly specials: Specials;
  /** Payload (bits below the sign) of the largest finite magnitude. */
  readonly maxPayload: number;
  /** Width of the whole pattern in bits (sign included). */
  readonly bits: number;
  /** The special-value policy. */
  readonly policy: Policy;
}

export interface Format extends Layout {
  readonly name: FormatName;
  /** The power of the LSB of k at sh = 0: 1 - bias - m for floats, 0 for int8, -11 for rf8. */
  readonly tmin: number;
  /** Bits of the integer significand k: m + 1 for floats, 8 for int8 (|-128| = 128), 5 for rf8. */
  readonly kBits: number;
  /** Largest shift sh of a finite code (0 for int8). */
  readonly shMax: number;
  /** Largest finite magnitude at scale 0. */
  readonly maxFinite: number;
  /** Canonical NaN code (positive where the format has signed NaNs); -1 when there is none. */
  readonly nanCode: number;
  /** Largest magnitude of k over all finite codes. */
  readonly kMax: number;
  /** Residual decoder (rf8): k by the R field (length 2^m); null for the other kinds. */
  readonly kTable: readonly number[] | null;
  /** Table decoder (the GG codebooks): (k, sh) of payloads 1..127; absent for the other kinds. */
  readonly codebook?: CodebookData;
  /** Which generic loops over the formats take this one (see Enumerate). */
  readonly enumerate: Enumerate;
}

/**
 * Which generic loops over "every format" take a format: data in each record, so that no loop
 * tests a name and 32 codebooks never multiply a loop's cost.
 * - `every`: all of them (the seven formats of spec sections 1 and 8: CORE_FORMAT_NAMES);
 * - `sample`: the one member that stands for its family (cb-b1-p0 for the GG codebooks) in the
 *   loops that cover every decoder kind at a bounded cost (SAMPLE_FORMAT_NAMES);
 * - `named`: only where it is named, or where its family is asked for (`rf8 sweep --codebooks`,
 *   `codebooks` in an `auto` candidate list; CODEBOOK_NAMES).
 */
export type Enumerate = 'every' | 'sample' | 'named';

const ROUND_LAYOUT: readonly Rounding[] = Object.freeze(['rne', 'rtz', 'sr'] as Rounding[]);
const ROUND_RESIDUAL: readonly Rounding[] = Object.freeze(['greedy', 'nearest'] as Rounding[]);
const ROUND_TABLE: readonly Rounding[] = Object.freeze(['nearest'] as Rounding[]);

interface PolicyInput {
  specials: Specials;
  decoder: DecoderKind;
  e: number;
  m: number;
  bits: number;
  maxPayload: number;
}

/**
 * Build the policy record of a layout. This is the one place that reads the `specials` label;
 * everything else reads the record.
 */
function makePolicy(p: PolicyInput): Policy {
  const S = 2 ** (p.bits - 1);
  const twos = p.specials === 'int8';
  const sgn = (payload: number): SignedPair => (twos ? [payload, (256 - payload) & 0xff] : [payload, payload + S]);
  const infPayload = ((1 << p.e) - 1) * 2 ** p.m;
  const sat = sgn(p.maxPayload);
  let nan: SignedPair;
  let zero: SignedPair;
  let infSat: SignedPair;
  let infNonsat: SignedPair;
  let ovfNonsat: SignedPair;
  let nonsat: boolean;
  switch (p.specials) {
    case 'rf8':
      nan = [0x80, 0x80];
      zero = [0, 0];
      infSat = infNonsat = nan;
      ovfNonsat = sat;
      nonsat = false;
      break;
    case 'int8':
      nan = [0, 0]; // int8 has no NaN: documented, NaN encodes to 0
      zero = [0, 0];
      infSat = infNonsat = ovfNonsat = sat;
      nonsat = false;
      break;
    case 'ocp-fn':
      nan = [0x7f, 0xff];
      zero = [0, S];
      infSat = sat;
      infNonsat = ovfNonsat = nan;
      nonsat = true;
      break;
    case 'ieee': {
      const q = infPayload + 2 ** (p.m - 1);
      nan = [q, q + S];
      zero = [0, S];
      infSat = sat;
      infNonsat = ovfNonsat = [infPayload, infPayload + S];
      nonsat = true;
      break;
    }
  }
  const classes = new Uint8Array(p.bits === 8 ? 256 : 0);
  if (p.bits === 8) {
    for (let c = 0; c < 256; c++) {
      const payload = c & 0x7f;
      if (p.specials === 'rf8') classes[c] = c === 0x80 ? CLASS_NAN : CLASS_FINITE;
      else if (!twos && payload > p.maxPayload) classes[c] = p.specials === 'ieee' && (payload & ((1 << p.m) - 1)) === 0 ? CLASS_INF : CLASS_NAN;
    }
  }
  const roundings = p.decoder === 'residual' ? ROUND_RESIDUAL : p.decoder === 'table' ? ROUND_TABLE : ROUND_LAYOUT;
  return Object.freeze({
    decoder: p.decoder,
    twos,
    signedZero: zero[1] !== 0,
    nan,
    zero,
    infSat,
    infNonsat,
    ovfSat: sat,
    ovfNonsat,
    nonsat,
    roundings,
    defaultRounding: roundings[0]!,
    classes,
  });
}

function float(name: FormatName, e: number, m: number, bias: number, specials: Specials): Format {
  const eMaxField = (1 << e) - 1;
  // largest finite payload: rf8 all of them; ocp-fn all but S.1111.111; ieee below exponent all ones
  const maxPayload = specials === 'rf8' ? 0x7f : specials === 'ocp-fn' ? 0x7e : (eMaxField << m) - 1;
  const policy = makePolicy({ specials, decoder: 'float', e, m, bits: 8, maxPayload });
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
    policy,
    tmin,
    kBits: m + 1,
    shMax,
    maxFinite: kMaxFinite * 2 ** (shMax + tmin),
    nanCode: policy.nan[0],
    kMax: (1 << (m + 1)) - 1,
    kTable: null,
    enumerate: 'every' as Enumerate,
  });
}

/**
 * The authors' RF8 residual code (spec section 8): k = 16 (1 + rho) by the R field, rho in
 * {0, +1/2, +1/4, -1/4, +1/8, -1/8, +1/16, -1/16}.
 */
export const RF8_K_TABLE: readonly number[] = Object.freeze([16, 24, 20, 12, 18, 14, 17, 15]);

function residual(name: FormatName, kTable: readonly number[]): Format {
  const e = 4;
  const m = 3;
  const tmin = -11; // t = E - 12 = sh + tmin with sh = E - 1
  const kMax = Math.max(...kTable);
  const maxPayload = (15 << m) | kTable.indexOf(kMax); // E = 15 with the largest k: 0x79
  const policy = makePolicy({ specials: 'rf8', decoder: 'residual', e, m, bits: 8, maxPayload });
  const shMax = (1 << e) - 2; // sh = E - 1, E <= 15
  return Object.freeze({
    name,
    e,
    m,
    bias: 8,
    specials: 'rf8' as Specials,
    maxPayload,
    bits: 8,
    policy,
    tmin,
    kBits: 32 - Math.clz32(kMax),
    shMax,
    maxFinite: kMax * 2 ** (shMax + tmin),
    nanCode: policy.nan[0],
    kMax,
    kTable,
    enumerate: 'every' as Enumerate,
  });
}

/**
 * The member of the GG codebook family that generic loops take for the whole family (`sample`):
 * beta 1 (Laplace), phase 0 (made for alpha = 1), the middle of the family.
 */
const CODEBOOK_SAMPLE = Object.freeze({ beta: 1, phase: 0 });

/**
 * A GG codebook (spec section 9) from its committed table: 0x00 zero, 0x80 the single NaN, the
 * 127 positive payloads k * 2^(sh + tmin) ascending; e = 0, m = 7 (the payload is a 7-bit index).
 */
function codebookFormat(d: CodebookData & { readonly name: string; readonly phase: number }): Format {
  if (d.k.length !== 127 || d.sh.length !== 127) throw new Error(`codebook ${d.name}: needs 127 magnitudes`);
  const kMax = Math.max(...d.k);
  const shMax = Math.max(...d.sh);
  const policy = makePolicy({ specials: 'rf8', decoder: 'table', e: 0, m: 7, bits: 8, maxPayload: 0x7f });
  const data: CodebookData = Object.freeze({ beta: d.beta, K: d.K, tmin: d.tmin, k: Object.freeze([...d.k]), sh: Object.freeze([...d.sh]) });
  return Object.freeze({
    name: d.name as FormatName,
    e: 0,
    m: 7,
    bias: 0,
    specials: 'rf8' as Specials,
    maxPayload: 0x7f,
    bits: 8,
    policy,
    tmin: d.tmin,
    kBits: 32 - Math.clz32(kMax),
    shMax,
    maxFinite: d.k[126]! * 2 ** (d.sh[126]! + d.tmin),
    nanCode: policy.nan[0],
    kMax,
    kTable: null,
    codebook: data,
    enumerate: (d.beta === CODEBOOK_SAMPLE.beta && d.phase === CODEBOOK_SAMPLE.phase ? 'sample' : 'named') as Enumerate,
  });
}

const INT8: Format = Object.freeze({
  name: 'int8',
  e: 0,
  m: 0,
  bias: 0,
  specials: 'int8',
  maxPayload: 127,
  bits: 8,
  policy: makePolicy({ specials: 'int8', decoder: 'twos', e: 0, m: 0, bits: 8, maxPayload: 127 }),
  tmin: 0,
  kBits: 8,
  shMax: 0,
  maxFinite: 127,
  nanCode: -1,
  kMax: 128,
  kTable: null,
  enumerate: 'every',
});

/** The traits table. */
export const FORMATS: Readonly<Record<FormatName, Format>> = Object.freeze({
  'rf8-e2m5': float('rf8-e2m5', 2, 5, 1, 'rf8'),
  'rf8-e3m4': float('rf8-e3m4', 3, 4, 1, 'rf8'),
  'rf8-e4m3': float('rf8-e4m3', 4, 3, 1, 'rf8'),
  'ocp-e4m3': float('ocp-e4m3', 4, 3, 7, 'ocp-fn'),
  'ocp-e5m2': float('ocp-e5m2', 5, 2, 15, 'ieee'),
  int8: INT8,
  rf8: residual('rf8', RF8_K_TABLE),
  ...Object.fromEntries(CODEBOOK_TABLES.map((d) => [d.name, codebookFormat(d)])),
}) as Readonly<Record<FormatName, Format>>;

/**
 * The formats of spec section 1 (exponent/mantissa layouts and int8: rf8kit's GG float modes
 * and the baselines), whose roundings are rne / rtz / sr. The authors' residual `rf8` and the GG
 * codebooks are not in this list (see CORE_FORMAT_NAMES, ALL_FORMAT_NAMES): code that iterates
 * over the layout formats keeps its meaning.
 */
export const FORMAT_NAMES: readonly FormatName[] = Object.freeze((Object.keys(FORMATS) as FormatName[]).filter((n) => FORMATS[n].policy.roundings.includes('rne')));
/** The GG codebooks (spec section 9), in table order; `auto` considers them only when asked. */
export const CODEBOOK_NAMES: readonly FormatName[] = Object.freeze((Object.keys(FORMATS) as FormatName[]).filter((n) => FORMATS[n].codebook !== undefined));
/**
 * Every format (lookups, validation): the seven of sections 1 and 8 (the authors' `rf8` the
 * seventh), then the GG codebooks. Loops over formats take CORE_FORMAT_NAMES or
 * SAMPLE_FORMAT_NAMES instead (see Enumerate).
 */
export const ALL_FORMAT_NAMES: readonly FormatName[] = Object.freeze(Object.keys(FORMATS) as FormatName[]);
/** The formats every generic loop takes (`enumerate: 'every'`): the seven of spec sections 1 and 8, the authors' `rf8` last. */
export const CORE_FORMAT_NAMES: readonly FormatName[] = Object.freeze(ALL_FORMAT_NAMES.filter((n) => FORMATS[n].enumerate === 'every'));
/** CORE_FORMAT_NAMES and each family's representative (`enumerate: 'sample'`: cb-b1-p0): one format of every decoder kind. */
export const SAMPLE_FORMAT_NAMES: readonly FormatName[] = Object.freeze(ALL_FORMAT_NAMES.filter((n) => FORMATS[n].enumerate !== 'named'));

/**
 * The format names for a help text or an error message: the core formats by name, the GG
 * codebooks as one pattern (not 32 names).
 */
export function formatListText(): string {
  const betas = [...new Set(CODEBOOK_NAMES.map((n) => FORMATS[n].codebook!.beta))];
  const phases = CODEBOOK_NAMES.length / Math.max(1, betas.length);
  return `${CORE_FORMAT_NAMES.join(', ')}, the ${CODEBOOK_NAMES.length} GG codebooks cb-b<beta>-p<j> (beta ${betas.join('/')}, j 0..${phases - 1})`;
}
/** rf8kit's three GG float modes, the candidates of `auto` mode selection (the authors' `rf8` only when listed explicitly). */
export const GG_MODES: readonly FormatName[] = Object.freeze(['rf8-e2m5', 'rf8-e3m4', 'rf8-e4m3'] as FormatName[]);
/** @deprecated the old name of GG_MODES (rf8kit's GG float modes, not the authors' rf8). */
export const RF8_MODES: readonly FormatName[] = GG_MODES;
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
  if (!f) throw new InputError(`format: unknown format '${name}' (one of: ${formatListText()}; aliases: ${Object.keys(FORMAT_ALIASES).join(', ')})`);
  return f;
}

/** IEEE interchange layouts used for conversions (not 8-bit element formats). */
function ieee(e: number, m: number): Layout {
  const maxPayload = ((1 << e) - 1) * 2 ** m - 1;
  const bits = 1 + e + m;
  return Object.freeze({ e, m, bias: (1 << (e - 1)) - 1, specials: 'ieee', maxPayload, bits, policy: makePolicy({ specials: 'ieee', decoder: 'float', e, m, bits, maxPayload }) });
}
export const BINARY32: Layout = ieee(8, 23);
export const BFLOAT16: Layout = ieee(8, 7);
export const BINARY16: Layout = ieee(5, 10);
