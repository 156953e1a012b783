import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One worker per core (two on CI's 2 cores); RF8_TEST_WORKERS overrides it. vitest's worker RPC
// times out ("Timeout calling onTaskUpdate") when a test holds its worker's event loop for a
// minute, so every long CLI run in the tests is asynchronous (rf8Async in test/helpers/cli.ts);
// a synchronous rf8() is for calls of a few seconds.
const env = process.env.RF8_TEST_WORKERS;
if (env !== undefined && !/^[1-9][0-9]*$/.test(env)) throw new Error(`RF8_TEST_WORKERS: not a positive integer: '${env}'`);
const workers = env !== undefined ? Number(env) : Math.max(1, availableParallelism());

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
