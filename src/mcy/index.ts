export * from './design.js';
export * from './campaign.js';
export * from './yosys.js';
export * from './equiv.js';
