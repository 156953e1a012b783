/** src/golden: deterministic golden vector suites (spec section 7) and their manifest. */
export * from './line.js';
export * from './suites.js';
export * from './store.js';
