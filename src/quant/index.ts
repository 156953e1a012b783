/**
 * GG-aware quantization: scale selection (amax / mse / gg), mode selection (auto among the
 * GG float modes, or a listed set with the authors' rf8), per-tensor and per-row scales, quantize / dequantize, SQNR, signed Exp-Golomb
 * coding and entropy of code streams. See docs/gg.md.
 */
export {
  chooseScale,
  chooseScaleDetailed,
  ggChooseScale,
  ggTensorMse,
  ggExpectedMse,
  amaxScale,
  scaleCandidates,
  formatGrid,
  formatCells,
  empiricalSse,
  maxAbsFinite,
  SseWork,
  SCALE_METHODS,
  SCALE_MIN,
  SCALE_MAX,
  type ScaleMethod,
  type ScaleChoice,
  type ChooseScaleOptions,
  type FormatCells,
} from './scale.js';
export { quantizeTensor, dequantizeTensor, sqnrDb, parseCandidates, type QuantizeOptions, type QuantizedTensor } from './tensor.js';
export {
  egBitCount,
  egEncode,
  egDecode,
  bestEgOrder,
  egCodeLength,
  egMapSigned,
  egUnmapSigned,
  EG_MAX_ORDER,
} from './expgolomb.js';
export {
  codeStreamStats,
  codeHistogram,
  histogramEntropyBits,
  huffmanLengths,
  codesToSigned,
  type CodeStreamStats,
} from './entropy.js';
export { runSqnrSweep, sweepColumns, type SqnrColumn, type SqnrSweepOptions, type SqnrSweepResult, type SqnrSweepRow, type SqnrFormatRow, type SqnrCell } from './sweep.js';
