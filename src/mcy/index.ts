export * from './design.js';
export * from './campaign.js';
export * from './yosys.js';
export * from './equiv.js';
export * from './cex.js';
export * from './prove.js';
export * from './layer.js';
