import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One test file per core (vitest's own default in a run is cores - 1, a single worker on CI's
// 2 cores). RF8_TEST_WORKERS overrides it.
const env = process.env.RF8_TEST_WORKERS;
if (env !== undefined && !/^[1-9][0-9]*$/.test(env)) throw new Error(`RF8_TEST_WORKERS: not a positive integer: '${env}'`);
const workers = env !== undefined ? Number(env) : availableParallelism();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: workers,
    minWorkers: 1,
  },
});
