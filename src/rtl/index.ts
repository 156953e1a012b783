/**
 * src/rtl: the Verilog generator for the RF8 MAC / dot-product engine (one emitter per block,
 * each beside its bit-exact emulation). The Verilog text helpers of vlog.ts stay internal.
 */
export { hwInput, hwOutput, hwOutputF32, type HwInput, type HwOutput } from './traits.js';
export { parseFaults, faultApplies, faultKinds, FAULTS, FAULT_NAMES, Faults, type FaultName, type FaultDef, type FaultSiteConfig } from './faults.js';
export { converterStages, resolveConfig, parseOut, MAX_PIPE, RTL_DECODER_KINDS, type RtlOptions, type RtlConfig } from './config.js';
export { emulateDecoder, nanPredicate, emitDecoder, modeDecoderDims, emulateModeDecoder, emitModeDecoder, type DecoderOut } from './decoder.js';
export { emulateMultiplier, productWidth, emitMultiplier, shiftAddTerms, type OperandDims } from './multiplier.js';
export { emulateAccumulator, treeWidth, emitTree, emitAccumulator, type AccBeat } from './accumulator.js';
export { emulateConverter, emitConverter, D_BITS } from './converter.js';
export { emulateTop, moduleNames, emitTop, TopModel, type Beat, type BeatOut } from './top.js';
export { configJson, generateRtl, writeRtl, DEFAULT_CONFIGS, type RtlFile, type GeneratedRtl } from './generate.js';
export { lintVerilator, lintIverilog, lintYosys, type ToolRun } from './lint.js';
export {
  layerShape, resolveLayerConfig, emitLayer, generateLayerRtl, layerInits, layerImages, emulateLayer, LAYER_FILES,
  type LayerRtlOptions, type LayerShape, type LayerRtlConfig, type GeneratedLayerRtl, type LayerImages, type LayerOut,
} from './layer.js';
export { emulateResidualConverter, emitResidualConverter } from './residual.js';
export { emulateCodebookConverter, emitCodebookConverter, codebookBinades } from './codebook.js';
