/**
 * src/format: the element family as data (traits), exact decode / encode (rne, rtz, sr; sat and
 * nonsat), bulk conversion, binary32 / bf16 / fp16 bit patterns, finfo-style limits.
 */
export {
  getFormat, SPEC_VERSION, FORMATS, FORMAT_NAMES, RF8_MODES, DEFAULT_FORMAT, BINARY32, BFLOAT16, BINARY16,
  type FormatName, type Specials, type Layout, type Format,
} from './traits.js';
export {
  decode, decodeValue, encode, encodeArray, formatTables, decodeArray, f32Bits, fromF32Bits, bf16Bits, fromBf16Bits, f16Bits, fromF16Bits,
  encodeFromBits, decodeToBits, type CodeKind, type Decoded, type EncodeOptions, type FormatTables,
} from './codec.js';
export { roundMagnitude, roundDouble, reduceBig, bitLength, RNE, RTZ, SR, type Rounding, type RoundingMode } from './round.js';
export { finfo, FORMAT_ALIASES, type FormatInfo } from './finfo.js';
