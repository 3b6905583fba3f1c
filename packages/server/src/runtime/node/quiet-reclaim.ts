import { reclaimMemory } from './reclaim-memory.js';

/**
 * After a burst of requests, once the server has had none for `quietMs`, one full garbage
 * collection. V8 collects lazily while the machine has memory to spare, so a server that answered
 * 2,000 searches kept ~60–90 MB of garbage in its RSS long after (docs/benchmarks.md); at rest it
 * should give that back. Once per quiet spell, a few tens of milliseconds, never while requests flow.
 */
export function reclaimWhenQuiet(
  quietMs: number,
  reclaim: (passes: number | undefined, keepGoing: () => boolean) => void = reclaimMemory,
): { touch(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // Bumped by every request: the collections stop once one comes in.
  let touches = 0;
  const quiet = () => {
    const at = touches;
    reclaim(undefined, () => !stopped && touches === at);
  };
  return {
    touch: () => {
      if (stopped) return;
      touches++;
      // refresh() re-arms the same timer (even one that fired): no allocation per request.
      if (timer) timer.refresh();
      else {
        timer = setTimeout(quiet, quietMs);
        timer.unref();
      }
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
