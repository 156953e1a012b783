/** src/rtl: the Verilog generator for the RF8 MAC / dot-product engine (one emitter per block). */
export * from './vlog.js';
export * from './traits.js';
export * from './faults.js';
export * from './config.js';
export * from './decoder.js';
export * from './multiplier.js';
export * from './accumulator.js';
export * from './converter.js';
export * from './residual.js';
export * from './top.js';
export * from './generate.js';
export * from './lint.js';
