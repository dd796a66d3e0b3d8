import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: what a user does in a browser, driven through an
 * installed Chromium (test/browser/chromium.ts). Kept out of `npm test`,
 * which needs only Node.js and npm.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
