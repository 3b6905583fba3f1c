import { type Across, mergeLists, mergeSearches, type ProjectAnswer } from '../../core/across.js';
import type { Backlog } from '../../core/backlog.js';
import { BacklogError } from '../../core/errors.js';
import type { BacklogRegistry } from './backlog-registry.js';

/** How many closed backlogs one question opens at a time: each costs a load and an index build. */
const OPENING_AT_ONCE = 4;

/**
 * `scope: "all"` on Node: every backlog the server knows (open or remembered, the global one
 * included) answers. Open ones answer at once; closed ones are opened two at a time and, past the
 * registry's cap on open backlogs, closed again once they have answered. A backlog that fails to
 * open is left out and said in the log, so one broken folder does not hide the rest.
 */
export function acrossProjects(registry: BacklogRegistry, log: (line: string) => void): Across {
  async function ask<T>(question: (backlog: Backlog) => Promise<T>): Promise<ProjectAnswer<T>[]> {
    const answerFrom = async (dir: string): Promise<ProjectAnswer<T> | undefined> => {
      try {
        return await registry.borrow(dir, async (open) => ({
          project: open.project,
          answer: await question(open.node.backlog),
        }));
      } catch (error) {
        if (error instanceof BacklogError) throw error;
        log(
          `backlog: ${dir} left out of a search of all projects: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      }
    };
    const dirs = registry.knownDirs();
    const open = dirs.filter((dir) => registry.isOpen(dir));
    const closed = dirs.filter((dir) => !registry.isOpen(dir));
    const [first, later] = await Promise.all([
      Promise.all(open.map(answerFrom)),
      inTurn(closed, OPENING_AT_ONCE, answerFrom),
    ]);
    const byDir = new Map([
      ...open.map((dir, i) => [dir, first[i]] as const),
      ...closed.map((dir, i) => [dir, later[i]] as const),
    ]);
    // In the order the registry knows them (the global one first), whichever answered first.
    return dirs.flatMap((dir) => byDir.get(dir) ?? []);
  }
  return {
    list: async (request) => mergeLists(await ask((backlog) => backlog.list(request)), request),
    search: async (request) => mergeSearches(await ask((backlog) => backlog.search(request)), request),
  };
}

/** `work` over `items`, at most `width` at a time; results in the items' order. */
async function inTurn<I, O>(items: readonly I[], width: number, work: (item: I) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return results;
}
