import { defineConfig } from 'vitest/config';

/**
 * `npm run test:aws`: the same end-to-end suite against a deployed stack.
 * AWS waits about 1 + 2 minutes before the retries of a failing event, so the
 * timeouts are minutes, not seconds.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/chain.test.ts'],
    testTimeout: 10 * 60_000,
    hookTimeout: 5 * 60_000,
    pool: 'forks',
  },
});
