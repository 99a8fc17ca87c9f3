import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One file at a time: several suites time real processes (replayed makespans, SIGKILLs, Redis
    // workers) and must not share the two cores with each other.
    fileParallelism: false,
    include: ['test/**/*.test.ts'],
    // The dashboard's page is built by Vite; tests that serve it need it built and current.
    globalSetup: ['test/support/buildDashboardPage.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
