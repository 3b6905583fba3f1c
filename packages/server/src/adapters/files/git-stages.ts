import { execFileSync } from 'node:child_process';

/**
 * The versions git keeps in its index for a file it could not merge: stage 1 the common
 * ancestor, 2 ours, 3 theirs. Only a hint for the doctor, which works without git: the markers
 * in the file say everything but one thing, whether a side ended with a newline (git adds one
 * before a marker line), and whether the two sides had a common ancestor.
 */
export interface GitStages {
  base?: string;
  ours?: string;
  theirs?: string;
}

const LIMITS = { timeout: 10_000, maxBuffer: 16 * 1024 * 1024 } as const;

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], ...LIMITS });
  } catch {
    return undefined; // no git, not a work tree, or nothing unmerged
  }
}

/** The unmerged stages of `name` in folder `dir`, or undefined when git is missing or has none. */
export function unmergedStages(dir: string, name: string): GitStages | undefined {
  const listed = git(dir, ['ls-files', '--unmerged', '-z', '--', name]);
  if (!listed) return undefined;
  const stages: GitStages = {};
  for (const record of listed.split('\0')) {
    const match = /^\d+ ([0-9a-f]+) ([123])\t/.exec(record);
    if (!match) continue;
    const blob = git(dir, ['cat-file', 'blob', match[1] as string]);
    if (blob === undefined) return undefined;
    const key = match[2] === '1' ? 'base' : match[2] === '2' ? 'ours' : 'theirs';
    stages[key] = blob;
  }
  return Object.keys(stages).length > 0 ? stages : undefined;
}
