export * from './traits.js';
export * from './codec.js';
export { roundMagnitude, roundDouble, reduceBig, bitLength, RNE, RTZ, SR, type Rounding, type RoundingMode } from './round.js';
