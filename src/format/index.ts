export * from './traits.js';
export * from './codec.js';
export { roundMagnitude, roundDouble, reduceBig, bitLength, roundingMode, RNE, RTZ, SR, GREEDY, NEAREST, type RoundingMode } from './round.js';
export { roundResidual, roundResidualBig, residualTables, SQRT2_FLOOR, sqrt2FloorBig, type ResidualTables } from './residual.js';
