import { defineConfig } from 'vitest/config';

/**
 * Suites that start processes (the real server, redis-server) or a browser. `npm test` runs
 * them; `npm run test:unit` (vitest.unit.config.ts) leaves them out for a fast edit–test loop.
 */
export const SPAWNING_SUITES = [
  '**/test/e2e/**',
  '**/test/process/**',
  '**/test/faults/**',
  '**/*.process.test.ts',
];

// One runner for the whole repo; each workspace is a project (`vitest run --project server`).
// Suites whose binary is missing (redis-server, Chromium) are left out and listed at the end by
// the left-out reporter; STOCKVERIFY_REQUIRE_ALL=1 (.ci/run) makes that a failure instead.
export default defineConfig({
  test: {
    reporters: ['default', './shared/test-support/left-out-reporter.ts'],
    projects: [
      {
        test: {
          name: 'shared',
          root: './shared',
          include: ['src/**/*.test.ts', 'test-support/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'server',
          root: './server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'pwa',
          root: './pwa',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['./test/setup.ts'],
        },
      },
      {
        test: {
          name: 'desktop',
          root: './desktop',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
    ],
  },
});
