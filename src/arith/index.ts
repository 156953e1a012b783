export * from './mac.js';
export * from './convert.js';
export * from './layer.js';
export * from './modes.js';
