import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The package root (the folder holding package.json, sim/, rtl/, golden/). */
export function packageRoot(): string {
  // this file is dist/sim/paths.js (or src/sim/paths.ts under a TS runner): two levels up
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Cache folder for built models and on-demand suites: $RF8_CACHE_DIR or <root>/.cache/rf8. */
export function cacheRoot(): string {
  return process.env.RF8_CACHE_DIR ? resolve(process.env.RF8_CACHE_DIR) : join(packageRoot(), '.cache', 'rf8');
}

export function harnessSource(): string {
  return join(packageRoot(), 'sim', 'harness.cpp');
}
