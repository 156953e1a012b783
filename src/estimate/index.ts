/**
 * src/estimate: FPGA resources, Fmax and throughput of the generated RF8 / baseline engines
 * (yosys + nextpnr-ice40), and the throughput model for real models. See docs/estimates.md.
 */
export * from './tools.js';
export * from './devices.js';
export * from './parse.js';
export * from './wrapper.js';
export * from './flow.js';
export * from './configs.js';
export * from './quality.js';
export * from './models.js';
export * from './throughput.js';
export * from './sweep.js';
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
