/**
 * rf8kit/props: fast-check arbitraries for the RF8 family, for your own property tests
 * (docs/properties.md). Every arbitrary takes a format name, an ml_dtypes alias or a Format.
 */
export {
  arbFormat, arbCode, arbFiniteCode, arbScale, arbScaleIn, arbInit, arbTie, arbBinadeEdge, arbThreshold, arbSpecialValue, arbRepresentable, arbValue,
  arbMacBeat, arbMacSequence, finiteMagnitudes, nextUp, nextDown,
  type FormatLike, type ValueOptions, type MacShape, type MacBeat, type MacSequence,
} from './arbitraries.js';
