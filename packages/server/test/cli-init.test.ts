import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKLOG_GITIGNORE } from '../src/cli/commands/init.js';
import { cliIn, git, type Sandbox, sandbox } from './support/project.js';
import { removeDir } from './support/servers.js';

let box: Sandbox;

afterEach(async () => {
  if (box) await removeDir(box.root);
});

/** Every path under `dir` with its mtime: what "changes nothing" compares. */
function snapshotOf(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (path: string): void => {
    out[path] = statSync(path).mtimeMs;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return out;
}

describe('backlog-mcp init', () => {
  it('in a subfolder of a git repository makes .backlog/ at the top level, with a .gitignore git honours', async () => {
    box = await sandbox();
    const repo = join(box.root, 'repo');
    const sub = join(repo, 'src', 'deep');
    await mkdir(sub, { recursive: true });
    await git(box, repo, ['init', '-q']);

    const first = await cliIn(box, sub, ['init']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const backlog = join(repo, '.backlog');
    expect(first.stdout).toBe(
      [
        `Created ${backlog}/`,
        `Created ${backlog}/tasks/`,
        `Created ${backlog}/resources/`,
        `Created ${backlog}/.gitignore (keeps .state/ out of git)`,
        `Agents started in ${repo} (or below) from now on use this backlog. Next: git add ../../.backlog && git commit`,
        '',
      ].join('\n'),
    );
    expect(existsSync(join(sub, '.backlog'))).toBe(false);
    expect(readFileSync(join(backlog, '.gitignore'), 'utf8')).toBe(BACKLOG_GITIGNORE);
    expect(BACKLOG_GITIGNORE).toMatch(/^# .+\n\.state\/\n$/);
    // git itself keeps the derived state out and the items in.
    const ignored = await git(box, repo, ['check-ignore', '--no-index', '.backlog/.state/activity.jsonl']);
    expect(ignored.stdout.trim()).toBe('.backlog/.state/activity.jsonl');
    const kept = await git(box, repo, ['check-ignore', '--no-index', '.backlog/tasks/TASK-0001.md'], {
      allowFailure: true,
    });
    expect(kept.code).toBe(1);

    // Item commands started anywhere in the project now use it.
    const created = await cliIn(box, sub, ['create', 'Lives in the project']);
    expect(created).toMatchObject({ code: 0, stdout: 'Created TASK-0001 (task): Lives in the project\n' });
    expect(existsSync(join(backlog, 'tasks', 'TASK-0001.md'))).toBe(true);
    expect(existsSync(join(box.home, '.backlog'))).toBe(false);

    // Twice: nothing changes, and it says so.
    const before = snapshotOf(backlog);
    const again = await cliIn(box, repo, ['init']);
    expect(again).toMatchObject({ code: 0, stdout: `already initialised: ${backlog}\n`, stderr: '' });
    expect(snapshotOf(backlog)).toEqual(before);
  });

  it('puts back a missing .gitignore in an existing .backlog and says so', async () => {
    box = await sandbox();
    const repo = join(box.root, 'repo');
    await mkdir(repo);
    await git(box, repo, ['init', '-q']);
    expect((await cliIn(box, repo, ['init'])).code).toBe(0);
    rmSync(join(repo, '.backlog', '.gitignore'));
    const result = await cliIn(box, repo, ['init']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `already initialised: ${join(repo, '.backlog')}`,
        `Created ${join(repo, '.backlog', '.gitignore')} (keeps .state/ out of git)`,
        'Next: git add .backlog && git commit',
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(repo, '.backlog', '.gitignore'), 'utf8')).toBe(BACKLOG_GITIGNORE);

    // A .gitignore of the user's own that forgets .state/ gets the line appended, the rest kept.
    writeFileSync(join(repo, '.backlog', '.gitignore'), '*.bak');
    expect((await cliIn(box, repo, ['init'])).stdout).toContain('Added .state/ to');
    expect(readFileSync(join(repo, '.backlog', '.gitignore'), 'utf8')).toBe(`*.bak\n${BACKLOG_GITIGNORE}`);
  });

  it('outside git makes .backlog/ in DIR itself, with no git step', async () => {
    box = await sandbox();
    const plain = join(box.root, 'plain');
    await mkdir(plain);
    const result = await cliIn(box, box.root, ['init', 'plain']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created ${join(plain, '.backlog')}/\n`);
    expect(result.stdout).toContain(`Agents started in ${plain} (or below) from now on use this backlog.\n`);
    expect(result.stdout).not.toContain('git add');
    expect(readdirSync(join(plain, '.backlog')).sort()).toEqual(['.gitignore', 'resources', 'tasks']);
  });

  it('a worktree (.git is a file there) is a top level of its own', async () => {
    box = await sandbox();
    const repo = join(box.root, 'repo');
    await mkdir(repo);
    await git(box, repo, ['init', '-q']);
    await git(box, repo, ['commit', '-q', '--allow-empty', '-m', 'start']);
    const tree = join(box.root, 'tree');
    await git(box, repo, ['worktree', 'add', '-q', tree]);
    await mkdir(join(tree, 'pkg'));
    expect(statSync(join(tree, '.git')).isFile()).toBe(true);
    expect((await cliIn(box, join(tree, 'pkg'), ['init'])).code).toBe(0);
    expect(existsSync(join(tree, '.backlog', 'tasks'))).toBe(true);
    expect(existsSync(join(repo, '.backlog'))).toBe(false);
  });

  it('refuses a DIR that does not exist, one inside a .backlog folder, and the home folder (exit 2)', async () => {
    box = await sandbox();
    const missing = await cliIn(box, box.root, ['init', 'nowhere']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe(`backlog-mcp init: ${join(box.root, 'nowhere')} does not exist.\n`);

    expect((await cliIn(box, box.root, ['init'])).code).toBe(0);
    const nested = await cliIn(box, join(box.root, '.backlog', 'tasks'), ['init']);
    expect(nested).toMatchObject({ code: 2, stdout: '' });
    expect(nested.stderr).toContain(`is inside the backlog folder ${join(box.root, '.backlog')}`);
    expect(existsSync(join(box.root, '.backlog', 'tasks', '.backlog'))).toBe(false);

    const home = await cliIn(box, box.home, ['init']);
    expect(home.code).toBe(2);
    expect(home.stderr).toContain('is the global backlog');
    expect(existsSync(join(box.home, '.backlog'))).toBe(false);

    const help = await cliIn(box, box.root, ['init', '--help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: backlog-mcp init [DIR]') });
    const typo = await cliIn(box, box.root, ['init', '--hepl']);
    expect(typo).toMatchObject({ code: 2, stderr: 'backlog-mcp init: Unknown option --hepl. Did you mean --help?\n' });
  });
});
