/**
 * src/format: the element formats as data (traits with a policy record per format: rf8kit's GG
 * float modes, the OCP and int8 baselines, the authors' residual RF8, the GG codebooks), exact
 * decode / encode (rne, rtz, sr for the layouts; greedy, nearest for rf8; nearest for the
 * codebooks; sat and nonsat), bulk conversion,
 * binary32 / bf16 / fp16 bit patterns, finfo-style limits.
 */
export {
  getFormat, SPEC_VERSION, FORMATS, FORMAT_NAMES, ALL_FORMAT_NAMES, CORE_FORMAT_NAMES, SAMPLE_FORMAT_NAMES, CODEBOOK_NAMES, formatListText, GG_MODES, RF8_MODES, DEFAULT_FORMAT, BINARY32, BFLOAT16, BINARY16,
  ROUNDINGS, CLASS_FINITE, CLASS_NAN, CLASS_INF, RF8_K_TABLE,
  type FormatName, type Specials, type Layout, type Format, type Policy, type DecoderKind, type SignedPair, type Rounding, type CodebookName, type Enumerate,
} from './traits.js';
export {
  decode, decodeValue, encode, encodeArray, formatTables, decodeArray, f32Bits, fromF32Bits, bf16Bits, fromBf16Bits, f16Bits, fromF16Bits,
  encodeFromBits, decodeToBits, type CodeKind, type Decoded, type EncodeOptions, type FormatTables,
} from './codec.js';
export { roundMagnitude, roundDouble, reduceBig, bitLength, roundingMode, RNE, RTZ, SR, GREEDY, NEAREST, type RoundingMode } from './round.js';
export { roundCodebook, roundCodebookBig, codebookTables, encodeCodebookBulk, type CodebookData, type CodebookTables } from './codebook.js';
export { CODEBOOK_TABLES } from './codebook-tables.js';
export { roundResidual, roundResidualBig, residualTables, SQRT2_FLOOR, sqrt2FloorBig, type ResidualTables } from './residual.js';
export { finfo, FORMAT_ALIASES, type FormatInfo } from './finfo.js';
