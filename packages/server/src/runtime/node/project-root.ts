import { existsSync, lstatSync, readFileSync } from 'node:fs';
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

/** The git folder of a work tree's top level: `.git` itself, or where a `.git` file (worktree, submodule) points. */
function gitDirOf(top: string): string | undefined {
  const dotGit = join(top, '.git');
  const info = lstatSync(dotGit, { throwIfNoEntry: false });
  if (info?.isDirectory()) return dotGit;
  if (!info?.isFile()) return undefined;
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'))?.[1];
  return pointer ? resolve(top, pointer) : undefined;
}

/**
 * True while a rebase stops on a conflict: its next step is `git rebase --continue`, not a commit.
 * (During a rebase git's "ours" is the upstream side, so the item already pushed keeps its ID.)
 */
export function rebaseInProgress(top: string): boolean {
  const gitDir = gitDirOf(top);
  if (!gitDir) return false;
  return ['rebase-merge', 'rebase-apply'].some((name) => existsSync(join(gitDir, name)));
}
