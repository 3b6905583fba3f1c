import { statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The folder name of a project's backlog, at the project's root (like git's `.git`). */
export const PROJECT_FOLDER = '.backlog';

/** The header a bridge (or any MCP client) sends on `initialize` to bind its session to a backlog folder. */
export const BACKLOG_DIR_HEADER = 'x-backlog-dir';

/** Where a process's backlog came from: the environment pins one; otherwise the folder it runs in decides. */
export type BacklogSource = 'env' | 'project' | 'global';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest `.backlog/` folder walking up from `start` (itself included), or undefined. */
export function findProjectBacklog(start: string): string | undefined {
  let dir = start;
  for (;;) {
    const candidate = join(dir, PROJECT_FOLDER);
    if (isDirectory(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * What results and the viewer call a backlog: the folder that holds its `.backlog/`, or for a
 * backlog folder of another name (the global `~/.backlog` is `.backlog` inside home, so it is
 * named by its data folder explicitly) the folder itself.
 */
export function projectOf(backlogDir: string, globalDir: string): string {
  if (backlogDir === globalDir) return backlogDir;
  return basename(backlogDir) === PROJECT_FOLDER ? dirname(backlogDir) : backlogDir;
}

/** True when `dir` is an existing folder that holds a backlog (a `.backlog/` folder, or one with `tasks/`). */
export function looksLikeBacklog(dir: string): boolean {
  if (!isDirectory(dir)) return false;
  return basename(dir) === PROJECT_FOLDER || isDirectory(join(dir, 'tasks'));
}
