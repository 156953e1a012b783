/**
 * Generalized Gaussian statistics: GG(alpha, beta) law (location 0), seeded sampling, fitting
 * (moments, maximum likelihood), goodness of fit, and quantizer bounds (Lloyd-Max,
 * Panter-Dite, expected grid distortion), the GG codebook optimizer (docs/rf8-spec.md section 9).
 * See docs/gg.md.
 */
export {
  ggPdf,
  ggLogPdf,
  ggCdf,
  ggSf,
  ggQuantile,
  ggLogNorm,
  ggAbsMoment,
  ggAbsCdf,
  ggVariance,
  ggAlphaForVariance,
  ggExcessKurtosis,
  ggEntropy,
  ggPartialMoment,
} from './dist.js';
export { sampleGG, gammaDeviate, logGammaDeviate } from './sample.js';
export { fitGG, ggLoglik, betaFromMomentRatio, BETA_MIN, BETA_MAX, type GGFit, type FitOptions } from './fit.js';
export {
  ggGoodness,
  ggKsDistance,
  ksDistanceSorted,
  sortedFinite,
  kolmogorovPValue,
  gaussianLaplaceScores,
  type GGGoodness,
  type LawScore,
} from './gof.js';
export { ggGridMse, ggGridSqnrDb, GridMseCache, lloydMax, panterDiteSqnrDb, type LloydMaxResult } from './bounds.js';
export { gammaP, gammaQ, gammaPInv, lnGamma, digamma, trigamma } from './special.js';
export { ggKsBinned, type KsEstimate } from './ks-binned.js';
export {
  ggMomentRatio, momentRatioTable, momentRatioIndex, momentRatioEstimate, momentRatioFromSums,
  MR_NU_MIN, MR_NU_MAX, MR_NU_STEP, MR_TABLE_SIZE, type MomentRatioEstimate,
} from './moment-ratio.js';
export {
  optimizeCodebook, codebookLawSqnr, CODEBOOK_FAMILY, codebookName, makeCodebookEntry, makeCodebookFamily, codebookEntrySource, codebookTablesSource,
  CODEBOOK_TABLES_PATH, CODEBOOK_TABLES_COMMAND, type CodebookOptions, type CodebookResult, type CodebookEntry,
} from './codebook.js';
export { fitSparseGG, slabOf, spikeSlabCurves, DEFAULT_ZERO_TOL, type SparseGGFit, type SparseFitOptions, type SlabFit } from './sparse.js';
