import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Suites that run in a fresh worker each: they start `npm start`, `cdk synth`
 * or the send script as processes and kill them, or patch the console, and
 * they take longest, so they are queued first (vitest orders projects by
 * name, then the longest file of the last run first).
 */
const ISOLATED = [
  'test/app/cdk-synth.test.ts',
  'test/e2e/cli.test.ts',
  'test/e2e/durable.test.ts',
  'test/e2e/hot-reload.test.ts',
  'test/e2e/multi-env.test.ts',
  'test/e2e/multi-stack.test.ts',
  'test/e2e/send.test.ts',
  'test/examples/one-command.test.ts',
];

export default defineConfig({
  test: {
    // The browser tests need Chromium: `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['node_modules/**', 'test/browser/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Most suites wait on child processes (execution environments, the CLI, synthesis) rather than
    // compute, so one worker per core beats vitest's default of cores - 1 (measured: 151 s against 197 s on 2 cores).
    maxWorkers: availableParallelism(),
    // Transformed modules kept on disk (node_modules/.experimental-vitest-cache) and reused by the
    // next run while their source is unchanged: the main process stops being the bottleneck of a
    // warm run's imports (measured on 21 files: transform 3.6 s to 0.7 s, import 8.8 s to 3.6 s).
    // https://main.vitest.dev/config/experimental.html (experimental.fsModuleCache, vitest 4.0.11+)
    experimental: { fsModuleCache: true },
    projects: [
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED },
      },
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['node_modules/**', 'test/browser/**', ...ISOLATED],
          // One worker runs many of these files and imports aws-cdk-lib, the AWS SDK clients and the
          // runtime once, not once per file: about a third of the CPU time of the suite. These files
          // leave no process listener, environment variable, fake timer or module mock behind.
          isolate: false,
        },
      },
    ],
  },
});
