import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:unit`: the core on in-memory ports (packages/server/test/unit), with no build
 * step. Vitest compiles the TypeScript sources itself; the shared package is read from its
 * sources too, so a fresh clone needs only `npm ci`. `npm test` (vitest.config.ts) runs the
 * same files along with everything else, against the built packages.
 */
export default defineConfig({
  resolve: {
    alias: { '@backlog-mcp/shared': fileURLToPath(new URL('./packages/shared/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['packages/server/test/unit/**/*.test.ts'],
    reporters: ['default', './scripts/summary-reporter.mjs'],
    // The tests take well under a second; compiling the sources is most of the run. One worker
    // that keeps its module cache across files compiles them once. Safe here: every test opens
    // its own Backlog on fresh in-memory ports, and the core's only module state is caches keyed by
    // immutable snapshots.
    maxWorkers: 1,
    isolate: false,
  },
});
