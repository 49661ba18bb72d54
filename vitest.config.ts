import { defineConfig } from 'vitest/config';

// Many tests start real child processes (servers, the controller); two workers
// match the two cores CI has, and generous timeouts absorb a noisy machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The summary reporter adds a plain closing line for CI.
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Fails the run if a test left a process, a listening socket or a temp file behind.
    globalSetup: ['./test/support/global-setup.ts'],
  },
});
