import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests need Chromium: `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['node_modules/**', 'test/browser/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Most suites wait on child processes (execution environments, the CLI, synthesis) rather than
    // compute, so one worker per core beats vitest's default of cores - 1 (measured: 151 s against 197 s on 2 cores).
    maxWorkers: availableParallelism(),
  },
});
