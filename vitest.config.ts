import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    reporters: ['default', './scripts/summary-reporter.mjs'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep parallel servers from starving each other.
    maxWorkers: 2,
  },
});
