/**
 * src/nn: training (GG initialization, BackSlash rate term), DeepShape, post-training
 * compression (uniform quantization + Exp-Golomb), RF8 inference through the bit-exact layer
 * reference, checkpoints. See docs/training.md.
 */
export { initTf } from './tf.js';
export { matmul, bmm, linear, gelu, geluScalar, layerNorm, crossEntropy } from './ops.js';
export {
  DEFAULT_BETA0, initValues, initStd, isRateParam, ParamStore, withConstants, toRows, fromRows, rowsOf, cloneValues, countParams, numel,
  type ParamSpec, type ParamRole, type Values, type InitConfig, type Getter,
} from './params.js';
export type { Task, Batch, EvalResult } from './task.js';
export { metricOf } from './task.js';
export { mlpSpecs, mlpForward, mlpTask, DEFAULT_MLP, type MlpConfig, type MlpTask } from './mlp.js';
export { lmSpecs, lmForward, lmTask, evalWindowStarts, DEFAULT_LM, type LmConfig, type LmTask } from './lm.js';
export { DEFAULT_RATE, fitLaws, rateTerm, rateBits, rateParamCount, alphaAtBeta, type RateConfig, type TensorLaw } from './backslash.js';
export { train, defaultTrainConfig, makeTask, lrAt, stepsToLoss, type TrainConfig, type TrainResult, type StepLog, type EvalLog, type TrainHooks } from './train.js';
export {
  quantizeUniform, compressValues, chooseStep, tensorStep, SIDE_BITS_ORDER, SIDE_BITS_STEP,
  type StepMode, type TensorCode, type CompressResult, type SweepPoint, type StepChoice,
} from './compress.js';
export { deepshape, deepshapeTensor, type DeepShapeConfig, type DeepShapeTensorReport } from './deepshape.js';
export {
  quantizeWeightsRf8, decodeRf8Weight, calibrateAct, layerAccWidth, makeLayerSpec, newCounters, mlpForwardJs, buildRf8Mlp, mlpLayerSpecs,
  encodeInput, rf8MlpForward, evalRf8Mlp, exportRf8Mlp, lmActPoints, buildRf8Lm, lmLayerSpecs, lmWindowFloat, lmWindowRf8, evalLmWindows,
  type Rf8Weight, type ActQuant, type Rf8Pack, type Rf8Counters, type Rf8Mlp, type Rf8Eval, type Rf8MlpExport, type Rf8Lm,
} from './rf8.js';
export { saveCheckpoint, loadCheckpoint, checkpointDir, specsOf, CKPT_WEIGHTS, CKPT_SIDECAR, RF8_PREFIX, type Checkpoint, type RunSidecar, type ModelDesc } from './checkpoint.js';
export {
  taskFor, modelDescOf, floatEval, buildPack, rf8Eval, evalItems, targetFor, compressAtTarget, rf8MlpExportFromCheckpoint, DEFAULT_CALIB, type AnyTask,
} from './evaluate.js';
