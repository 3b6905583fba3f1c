import { type Across, mergeLists, mergeSearches, type ProjectAnswer } from '../../core/across.js';
import type { Backlog } from '../../core/backlog.js';
import { BacklogError } from '../../core/errors.js';
import type { BacklogRegistry } from './backlog-registry.js';

/**
 * `scope: "all"` on Node: every backlog the server knows (open or remembered, the global one
 * included) answers, opening lazily like any other use. A backlog that fails to open is left out
 * and said in the log, so one broken folder does not hide the rest.
 */
export function acrossProjects(registry: BacklogRegistry, log: (line: string) => void): Across {
  async function ask<T>(question: (backlog: Backlog) => Promise<T>): Promise<ProjectAnswer<T>[]> {
    const answers = await Promise.all(
      registry.knownDirs().map(async (dir): Promise<ProjectAnswer<T> | undefined> => {
        try {
          const open = await registry.use(dir);
          return { project: open.project, answer: await question(open.node.backlog) };
        } catch (error) {
          if (error instanceof BacklogError) throw error;
          log(
            `backlog: ${dir} left out of a search of all projects: ${error instanceof Error ? error.message : String(error)}`,
          );
          return undefined;
        }
      }),
    );
    return answers.filter((answer): answer is ProjectAnswer<T> => answer !== undefined);
  }
  return {
    list: async (request) => mergeLists(await ask((backlog) => backlog.list(request)), request),
    search: async (request) => mergeSearches(await ask((backlog) => backlog.search(request)), request),
  };
}
