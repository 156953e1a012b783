/**
 * src/estimate: FPGA resources, Fmax and throughput of the generated RF8 / baseline engines
 * (yosys + nextpnr-ice40), and the throughput model for real models. See docs/estimates.md.
 */
export { haveEdaTool, requireEdaTool, edaToolVersion, runTool, EDA_TOOL_PACKAGES, ToolError, Limiter, type EdaToolName, type RunResult } from './tools.js';
export { getDevice, DEVICES, DEVICE_NAMES, type DeviceName, type Family, type Capacity, type Device } from './devices.js';
export {
  parseYosysStatJson, parseYosysStatText, classifyCells, parseNextpnrReport, hierarchyOf, parseNextpnrLog, nextpnrFitFailure, ReportParseError,
  type CellCounts, type Resources, type PnrReport,
} from './parse.js';
export { netlistPorts, wrapperVerilog, WRAPPER_TOP, type PortInfo } from './wrapper.js';
export {
  defaultCacheDir, runFlow, synthKey, median, FLOW_VERSION,
  type SourceFile, type DesignInput, type FlowOptions, type SynthResult, type SeedResult, type PnrResult, type FlowResult,
} from './flow.js';
export {
  parseEstimateFormat, estimateOperands, engineDesign, DEFAULT_FORMATS, DEFAULT_LANES, DEFAULT_NMAX, ESTIMATE_FORMATS, GG_MULTI, ESTIMATE_FORMAT_ALIASES,
  type EstimateFormat, type EngineSpec, type EngineInfo, type Variant,
} from './configs.js';
export { rateQuality, ggQuality, type RateQuality, type GGQualityRow, type GGQualityOptions } from './quality.js';
export {
  mnistMlpWorkload, charLmWorkload, classifyTensor, workloadFromWeights, readWeightMatrices, macsOf, weightsOf, DEFAULT_CHAR_LM,
  type MatVec, type Workload, type CharLmShape,
} from './models.js';
export { workloadRate, ridgeBandwidth, type EngineRate, type OpCycles, type WorkloadRate } from './throughput.js';
export { modelRates, cpuTimes, runSweep, type SweepOptions, type ConfigStatus, type ConfigResult, type ModelRate, type EstimateReport } from './sweep.js';
export {
  hardwareTable,
  datapathTable,
  qualityTable,
  rateTable,
  modelTables,
  markdownSection,
  upsertMarkdown,
  extractMarkdownSection,
  markdownSectionIds,
  sectionId,
  findings as estimateFindings,
  parseMarkdownTables,
  rtlFingerprint,
  reportFingerprint,
  reportText,
  writePlots,
  compare as compareEstimates,
  verdict as estimateVerdict,
  allVerdicts as estimateVerdicts,
  type Comparison as EstimateComparison,
  type Table as EstimateTable,
} from './report.js';
