/** src/golden: deterministic golden vector suites (spec section 7), their manifest, real-layer vectors. */
export { twos, fromTwos, beatFields, outFields, formatLine, parseLine, parseOutLine, type LineShape } from './line.js';
export {
  listSuites, resetSuiteRegistry, getSuite, suiteRtlConfig, lineShape, suiteHeader, generateSuite, suiteLength, customSuite, parseShard, GENERATOR, DEFAULT_SEED, GEN_LEVELS,
  type SuiteKind, type DotSuiteInfo, type SuiteDef, type GenLevel, type GenOptions, type Shard,
} from './suites.js';
export {
  goldenDir, manifestPath, suitePath, hashSuite, writeSuite, hashFile, hashFileSync, readManifest, commandFor, manifestEntry, writeManifest, ensureSuite,
  type SuiteDigest, type ManifestEntry, type Manifest,
} from './store.js';
export {
  argmaxLogits, validateNetwork, outLine, parseOutFile, writeNetworkGolden, readNetworkGolden, verifyNetworkGolden, LAYER_GOLDEN_GENERATOR,
  type NetworkGoldenInput, type LayerGoldenMeta, type GoldenFile, type NetworkGoldenManifest, type ParsedOut,
} from './layers.js';
