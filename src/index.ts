/**
 * rf8kit as a library: the light root. It re-exports the areas that load nothing heavy
 * (formats, arithmetic, GG statistics, quantization, weight-file io, golden vectors); the rest
 * has its own subpath, so that importing rf8kit never loads tfjs or vega:
 *
 *   rf8kit/format  rf8kit/arith  rf8kit/gg  rf8kit/quant  rf8kit/io  rf8kit/golden  rf8kit/props
 *   rf8kit/rtl  rf8kit/sim  rf8kit/estimate  rf8kit/nn (needs the optional tfjs peers)
 *
 * Dependencies point one way: format <- arith <- quant/gg <- nn; golden, rtl, sim, estimate
 * read format/arith; the CLI depends on everything and nothing depends on the CLI.
 */
export * from './format/index.js';
export * from './arith/index.js';
export * from './gg/index.js';
export * from './quant/index.js';
export * from './io/index.js';
export * from './golden/index.js';
export { Rng } from './util/rng.js';
export { InputError, CheckFailed } from './util/errors.js';
export { writeFileAtomic } from './util/atomic.js';
