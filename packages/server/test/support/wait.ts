import { HANG } from './limits.js';

/**
 * The one poll loop of the test tree. Tests wait on conditions, never on pauses: a watcher saw a
 * file, a process exited, the server counts its streams. The time limit is a hang detector
 * (limits.ts), not a timing target; how fast things happen is measured in bench/.
 */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How often a condition is probed. */
const POLL_MS = 25;

/**
 * Probes until `ok` holds or `timeoutMs` pass, and returns the last value either way, so the
 * caller's own assertion reports what was seen instead.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number = HANG.condition,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(POLL_MS);
  }
}

/** Probes until `check` gives a truthy value and returns it; throws naming `what` on a hang. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number = HANG.condition,
  what = 'condition',
): Promise<NonNullable<T>> {
  const value = await until(check, Boolean, timeoutMs);
  if (!value) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  return value as NonNullable<T>;
}
