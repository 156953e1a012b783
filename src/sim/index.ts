/**
 * src/sim: co-simulation of the generated RTL against the reference (Verilator, Icarus), the
 * DUT properties, mutants, throughput, block benches and whole-network co-simulation. Build
 * internals (compiler flags, hashes, locks) stay internal.
 */
export { packageRoot, cacheRoot } from './paths.js';
export { toolVersion, requireTool, TOOLS, type ToolName } from './tools.js';
export { buildHarness, buildModel, type BuildOptions, type BuiltModel, type HarnessRtl, type HarnessSpec } from './build.js';
export { defaultRtlFor, runHarness, cosimSuite, cosimSuiteOn, waveform, decodeMismatch, type HarnessReport, type DecodedMismatch, type CosimResult, type CosimOptions } from './cosim.js';
export { iverilogSuite, suiteToMem, testbench, type IverilogResult } from './iverilog.js';
export { DutSession } from './protocol.js';
export { arbBeat, arbMacSequence, referenceOutputs, sameOut, compareSequence, showOut, showBeat, runMacProperty, type PropReport } from './props.js';
export { runMutants, applicableFaults, mutantBaseFor, mutantSuitesFor, MUTANT_BASE, MUTANT_SUITES, MUTANT_BASE_RF8, MUTANT_SUITES_RF8, MUTANT_BASE_CB, MUTANT_SUITES_CB, MUTANT_PLAN, type MutantResult, type MutantReport, type MutantOptions } from './mutants.js';
export { measureThroughput, type ThroughputReport } from './throughput.js';
export { runBlockBench, decoderBench, multiplierBench, converterBench, residualConverterBench, codebookConverterBench, modeDecoderBench, type Port, type BlockVector, type BlockResult } from './blocks.js';
export { cosimNetwork, buildLayerModel, runLayerHarness, cosimLayer, type LayerModel, type LayerBuildOptions, type LayerHarnessReport, type OutputSide, type FirstMismatch, type LayerRunStats, type NetworkCosimOptions, type NetworkCosimResult } from './layer.js';
// the layer engine's generator and golden files, also here for the network co-simulation users
export {
  layerShape, resolveLayerConfig, emitLayer, generateLayerRtl, layerInits, layerImages, emulateLayer, LAYER_FILES,
  type LayerRtlOptions, type LayerShape, type LayerRtlConfig, type GeneratedLayerRtl, type LayerImages, type LayerOut,
} from '../rtl/layer.js';
export {
  argmaxLogits, validateNetwork, outLine, parseOutFile, writeNetworkGolden, readNetworkGolden, verifyNetworkGolden, LAYER_GOLDEN_GENERATOR,
  type NetworkGoldenInput, type LayerGoldenMeta, type GoldenFile, type NetworkGoldenManifest, type ParsedOut,
} from '../golden/layers.js';
