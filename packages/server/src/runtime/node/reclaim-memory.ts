import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined | null = null;

/**
 * Full garbage collections, when the server has gone quiet or closed a backlog. V8 collects lazily
 * when the machine has memory to spare, so without this a closed backlog's memory stays counted in
 * RSS until something else needs the heap (measured: 9 closed then 9 others opened grew RSS by
 * 83 MB). The `gc` function is reached without --expose-gc (the server is started by many
 * launchers) by enabling the flag at run time; if that ever stops working, this does nothing.
 *
 * One collection frees the garbage but leaves the survivors scattered over most of the pages they
 * were on: V8 moves the objects off only the emptiest pages each time. After 10,000 creates the heap
 * held 717 pages (179 MB) for 54 MB of live objects; six collections in a row gave back all but
 * ~14 MB of the difference to a restarted server (docs/benchmarks.md). Each takes ~40 ms at 10,000
 * items, so they run one per event-loop turn, and stop as soon as `keepGoing` says work came in.
 */
export function reclaimMemory(passes = RECLAIM_PASSES, keepGoing: () => boolean = () => true): void {
  if (collect === null) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = undefined;
    }
  }
  const run = collect;
  if (!run) return;
  const pass = (left: number) => {
    run();
    if (left > 1 && keepGoing()) setImmediate(() => keepGoing() && pass(left - 1)).unref();
  };
  pass(passes);
}

const RECLAIM_PASSES = 6;
