/**
 * rf8kit as a library. Each area of the toolkit has its own barrel; this file re-exports them.
 * Dependencies point one way: format <- arith <- quant/gg <- nn; golden, rtl, sim, estimate
 * read format/arith; the CLI depends on everything and nothing depends on the CLI.
 */
export * from './format/index.js';
export * from './arith/index.js';
export * from './gg/index.js';
export * from './quant/index.js';
export * from './nn/index.js';
export * from './io/index.js';
export * from './golden/index.js';
export * from './rtl/index.js';
export * from './sim/index.js';
export * from './estimate/index.js';
export { Rng } from './util/rng.js';
export { InputError, CheckFailed } from './util/errors.js';
export { writeFileAtomic } from './util/atomic.js';
