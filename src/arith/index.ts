/**
 * src/arith: exact products, the N-lane MAC with its W-bit clamped accumulator, the output
 * conversion, dot products and the layer reference, multi-mode units (docs/rf8-spec.md 4-6).
 */
export { Mac, productTable, product, maxMagnitudeUnits, maxProduct, accWidth, type AccWidth, type MacConfig } from './mac.js';
export { accToBinary32Bits, accToFormat, biasToAcc } from './convert.js';
export { dot, validateLayer, layerForward, type DotOptions, type DotResult, type LayerSpec, type LayerResult } from './layer.js';
export { ModeMac, modeSet, parseModeList, modeIndex, maxProductModes, accWidthModes, MAX_MODES, type ModeSet, type ModeMacConfig } from './modes.js';
