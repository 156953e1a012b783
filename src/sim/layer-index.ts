/** Issue 6 (hardware half): rf8_layer generator, real-layer golden suites, layer / network co-simulation. */
export * from '../rtl/layer.js';
export * from '../golden/layers.js';
export * from './layer.js';
