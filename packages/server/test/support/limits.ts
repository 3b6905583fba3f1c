/**
 * Hang detectors, not timing targets.
 *
 * Tests wait on conditions: a server printed its endpoint, /health answers, a file exists, an
 * element is visible. A limit here only decides when a wait that never ends is called a hang, so
 * each is many times what the wait takes on a quiet machine: the suite must pass on a loaded
 * 2-core machine shared with other builds, where a Node process can take 10 s to start and a
 * 10,000-item backlog 15 s or more. How fast things are is measured in bench/ (docs/benchmarks.md).
 *
 * Order matters: every inner wait is shorter than the test's own time limit (vitest.config.ts:
 * testTimeout, hookTimeout), so a hang is reported by the wait that knows what it waited for.
 */
export const HANG = {
  /** A polled condition: a watcher saw a file, a process exited, a page showed a change. */
  condition: 60_000,
  /** A child process to start or to finish a command: `serve` printing its endpoint, one CLI call. */
  process: 120_000,
  /** A backlog of 10,000 items to load and answer (reads, parses and indexes every file). */
  bigStart: 300_000,
  /** One browser step: a navigation, a selector, a function in the page. */
  browser: 60_000,
  /** workerd with its bundle and a migrated local D1 (wrangler runs several Node processes). */
  worker: 240_000,
} as const;
