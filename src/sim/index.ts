/** src/sim: co-simulation of the generated RTL against the reference (Verilator, Icarus). */
export * from './paths.js';
export * from './tools.js';
export * from './dutio.js';
export * from './build.js';
export * from './cosim.js';
export * from './iverilog.js';
export * from './protocol.js';
export * from './props.js';
export * from './mutants.js';
export * from './throughput.js';
export * from './blocks.js';
export * from './layer-index.js';
