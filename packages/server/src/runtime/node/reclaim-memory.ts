import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined | null = null;

/**
 * A full garbage collection, after a backlog was closed for idleness. V8 collects lazily when the
 * machine has memory to spare, so without it a closed backlog's memory stays counted in RSS until
 * something else needs the heap (measured: 9 closed then 9 others opened grew RSS by 83 MB). Rare —
 * once per idle close — and a few milliseconds. The `gc` function is reached without --expose-gc
 * (the server is started by many launchers) by enabling the flag at run time; if that ever stops
 * working, this does nothing.
 */
export function reclaimMemory(): void {
  if (collect === null) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = undefined;
    }
  }
  collect?.();
}
