// The parts of src/golden (and the format names) the counterexample writer uses.
export { getSuite, goldenDir, manifestEntry, readManifest, resetSuiteRegistry, suitePath, writeManifest, writeSuite, type DotSuiteInfo } from '../golden/index.js';
export type { FormatName } from '../format/index.js';
