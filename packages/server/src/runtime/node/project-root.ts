import { lstatSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { PROJECT_FOLDER } from './backlog-location.js';

/**
 * The top level of the git work tree holding `start`: the nearest folder, walking up, with a
 * `.git` entry. That entry is a folder in a plain clone and a file in a worktree or submodule;
 * either marks the top. Found without the git binary, which may not be installed.
 */
export function findGitTopLevel(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const info = lstatSync(join(dir, '.git'), { throwIfNoEntry: false });
    if (info?.isDirectory() || info?.isFile()) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The `.backlog` folder `path` is in (or is), if any: a backlog must never be made inside one. */
export function enclosingBacklogFolder(path: string): string | undefined {
  const parts = resolve(path).split(sep);
  const at = parts.lastIndexOf(PROJECT_FOLDER);
  return at < 0 ? undefined : parts.slice(0, at + 1).join(sep) || sep;
}
