import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliIn, git, type Sandbox, sandbox } from './support/project.js';
import { removeDir } from './support/servers.js';

let box: Sandbox;

afterEach(async () => {
  if (box) await removeDir(box.root);
});

interface Item {
  id: string;
  title: string;
  description: string;
  created_at: string;
}

async function getItems(cwd: string, ids: string[]): Promise<Item[]> {
  const result = await cliIn(box, cwd, ['get', ...ids, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { items: Item[] }).items;
}

interface Report {
  clean: boolean;
  problems: Array<{ kind: string; file?: string; fixable: boolean; unfixed_because?: string }>;
  notes: Array<{ kind: string; message: string }>;
  repairs?: Array<{ kind: string; ours?: string; theirs?: string }>;
}

async function doctorJson(cwd: string, ...flags: string[]): Promise<{ code: number | null; report: Report }> {
  const result = await cliIn(box, cwd, ['doctor', '--json', ...flags]);
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

/**
 * A project with a committed .backlog holding TASK-0001, on a bare origin, cloned twice: what two
 * people (or two agents on two machines) sharing a backlog through git have.
 */
async function twoClones(): Promise<{ a: string; b: string }> {
  const seed = join(box.root, 'seed');
  await mkdir(seed);
  await git(box, seed, ['init', '-q', '-b', 'main']);
  expect((await cliIn(box, seed, ['init'])).code).toBe(0);
  expect((await cliIn(box, seed, ['create', 'Seed task'])).stdout).toBe('Created TASK-0001 (task): Seed task\n');
  await git(box, seed, ['add', '.']);
  await git(box, seed, ['commit', '-q', '-m', 'A project backlog']);
  const origin = join(box.root, 'origin.git');
  await git(box, box.root, ['clone', '-q', '--bare', seed, origin]);
  const a = join(box.root, 'a');
  const b = join(box.root, 'b');
  await git(box, box.root, ['clone', '-q', origin, a]);
  await git(box, box.root, ['clone', '-q', origin, b]);
  return { a, b };
}

/** Commits in `a` and pushes; commits in `b` and pulls with a merge: the pull stops on a conflict. */
async function pushAThenPullB(a: string, b: string): Promise<string> {
  await git(box, a, ['add', '-A']);
  await git(box, a, ['commit', '-q', '-m', 'from a']);
  await git(box, a, ['push', '-q', 'origin', 'main']);
  await git(box, b, ['add', '-A']);
  await git(box, b, ['commit', '-q', '-m', 'from b']);
  const pull = await git(box, b, ['-c', 'pull.rebase=false', 'pull', '-q', 'origin', 'main'], { allowFailure: true });
  expect(pull.code).not.toBe(0);
  return `${pull.stdout}${pull.stderr}`;
}

describe('backlog-mcp doctor: the two-clone add/add conflict', () => {
  it('is reported, split by --fix into two items (ours keeps the ID, theirs takes the next), then clean', async () => {
    box = await sandbox();
    const { a, b } = await twoClones();
    // Each clone creates "the next task": both take TASK-0002 from the same files.
    const inA = await cliIn(box, a, ['create', 'Made in A', '--description', 'Body of A\n\nwith a second paragraph']);
    expect(inA.stdout).toBe('Created TASK-0002 (task): Made in A\n');
    const inB = await cliIn(box, b, ['create', 'Made in B', '--description', 'Body of B']);
    expect(inB.stdout).toBe('Created TASK-0002 (task): Made in B\n');
    const pulled = await pushAThenPullB(a, b);
    expect(pulled).toContain('CONFLICT (add/add): Merge conflict in .backlog/tasks/TASK-0002.md');
    expect(readFileSync(join(b, '.backlog', 'tasks', 'TASK-0002.md'), 'utf8')).toMatch(/^<{7} /m);

    const check = await cliIn(box, b, ['doctor']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(
      'tasks/TASK-0002.md: git conflict: two clones each created TASK-0002 ("Made in B" and "Made in A")',
    );
    expect(check.stdout).toContain('Run "backlog-mcp doctor --fix" to repair 1 of them.');
    const { report } = await doctorJson(b);
    expect(report.clean).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'conflict', file: 'tasks/TASK-0002.md', fixable: true }),
    ]);

    const fix = await cliIn(box, b, ['doctor', '--fix']);
    expect(fix.stderr).toBe('');
    expect(fix.code).toBe(0);
    expect(fix.stdout).toBe(
      [
        'TASK-0002 was in conflict: ours kept TASK-0002, theirs is now TASK-0003',
        `${join(b, '.backlog')}: 3 item files, no problems.`,
        'Next: git add .backlog && git commit',
        '',
      ].join('\n'),
    );
    const [ours, theirs] = await getItems(b, ['TASK-0002', 'TASK-0003']);
    expect(ours).toMatchObject({ id: 'TASK-0002', title: 'Made in B', description: 'Body of B' });
    expect(theirs).toMatchObject({
      id: 'TASK-0003',
      title: 'Made in A',
      description: 'Body of A\n\nwith a second paragraph',
    });
    // Theirs is A's item, byte for byte but its id line: A's copy of TASK-0002 under the new name.
    const inAFile = readFileSync(join(a, '.backlog', 'tasks', 'TASK-0002.md'), 'utf8');
    expect(readFileSync(join(b, '.backlog', 'tasks', 'TASK-0003.md'), 'utf8')).toBe(
      inAFile.replace('id: TASK-0002\n', 'id: TASK-0003\n'),
    );
    expect(JSON.parse(readFileSync(join(b, '.backlog', '.state', 'ids.json'), 'utf8'))).toMatchObject({ TASK: 3 });
    const journal = readFileSync(join(b, '.backlog', '.state', 'activity.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const entries = journal
      .map((line) => JSON.parse(line) as Record<string, string>)
      .filter((e) => e.tool === 'doctor');
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'updated',
        id: 'TASK-0002',
        actor: 'tester',
        summary: expect.stringContaining('TASK-0003'),
      }),
      expect.objectContaining({ action: 'created', id: 'TASK-0003', actor: 'tester' }),
    ]);

    expect(await cliIn(box, b, ['doctor'])).toMatchObject({ code: 0 });
    expect(await doctorJson(b, '--fix')).toMatchObject({ code: 0, report: { clean: true, repairs: [] } });
    // The next step it printed ends the merge; the next task goes above both.
    await git(box, b, ['add', '.backlog']);
    await git(box, b, ['commit', '-q', '--no-edit']);
    expect((await git(box, b, ['status', '--porcelain'])).stdout).toBe('');
    expect((await cliIn(box, b, ['create', 'After the merge'])).stdout).toBe(
      'Created TASK-0004 (task): After the merge\n',
    );
  });

  it('during git pull --rebase the item already pushed keeps its ID and the next step is rebase --continue', async () => {
    box = await sandbox();
    const { a, b } = await twoClones();
    expect((await cliIn(box, a, ['create', 'Pushed first'])).code).toBe(0);
    expect((await cliIn(box, b, ['create', 'Still local'])).code).toBe(0);
    await git(box, a, ['add', '-A']);
    await git(box, a, ['commit', '-q', '-m', 'from a']);
    await git(box, a, ['push', '-q', 'origin', 'main']);
    await git(box, b, ['add', '-A']);
    await git(box, b, ['commit', '-q', '-m', 'from b']);
    const pull = await git(box, b, ['-c', 'pull.rebase=true', 'pull', '-q', 'origin', 'main'], { allowFailure: true });
    expect(pull.code).not.toBe(0);

    const fix = await cliIn(box, b, ['doctor', '--fix']);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toContain('TASK-0002 was in conflict: ours kept TASK-0002, theirs is now TASK-0003\n');
    expect(fix.stdout).toContain('Next: git add .backlog && git rebase --continue\n');
    const [pushed, local] = await getItems(b, ['TASK-0002', 'TASK-0003']);
    expect(pushed).toMatchObject({ title: 'Pushed first' });
    expect(local).toMatchObject({ title: 'Still local' });
    await git(box, b, ['add', '.backlog']);
    await git(box, b, ['-c', 'core.editor=true', 'rebase', '--continue']);
    expect((await git(box, b, ['status', '--porcelain'])).stdout).toBe('');
  });

  it('one item edited in both clones is a conflict --fix leaves to a person (exit 1 before and after)', async () => {
    box = await sandbox();
    const { a, b } = await twoClones();
    expect((await cliIn(box, a, ['update', 'TASK-0001', '--status', 'done'])).code).toBe(0);
    expect((await cliIn(box, b, ['update', 'TASK-0001', '--status', 'blocked'])).code).toBe(0);
    expect(await pushAThenPullB(a, b)).toContain('CONFLICT (content): Merge conflict in .backlog/tasks/TASK-0001.md');
    const conflicted = readFileSync(join(b, '.backlog', 'tasks', 'TASK-0001.md'), 'utf8');

    const fix = await cliIn(box, b, ['doctor', '--fix']);
    expect(fix.code).toBe(1);
    expect(fix.stdout).toContain('tasks/TASK-0001.md: git conflict markers\n  left to you: ');
    expect(fix.stdout).toContain('Nothing that --fix can repair: each problem below needs a choice.');
    expect(readFileSync(join(b, '.backlog', 'tasks', 'TASK-0001.md'), 'utf8')).toBe(conflicted);
    const get = await cliIn(box, b, ['get', 'TASK-0001']);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('tasks/TASK-0001.md exists but cannot be read');
  });
});

describe('backlog-mcp doctor: what it reports and leaves alone', () => {
  async function project(): Promise<string> {
    box = await sandbox();
    const dir = join(box.root, 'project');
    await mkdir(dir);
    expect((await cliIn(box, dir, ['init'])).code).toBe(0);
    return dir;
  }

  it('a file whose id differs from its name: reported with why, and --fix leaves it', async () => {
    const dir = await project();
    expect((await cliIn(box, dir, ['create', 'Real'])).code).toBe(0);
    const text = '---\nid: TASK-0009\ntitle: Copied by hand\nstatus: open\n---\nBody\n';
    writeFileSync(join(dir, '.backlog', 'tasks', 'TASK-0002.md'), text);
    const check = await cliIn(box, dir, ['doctor']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('tasks/TASK-0002.md: its id is TASK-0009 but the file is named TASK-0002.md\n');
    expect(check.stdout).toContain('left to you: renaming the file or changing its id means choosing');
    const fixed = await doctorJson(dir, '--fix');
    expect(fixed).toMatchObject({ code: 1, report: { clean: false, repairs: [] } });
    expect(fixed.report.problems).toEqual([
      expect.objectContaining({ kind: 'id-mismatch', file: 'tasks/TASK-0002.md', fixable: false }),
    ]);
    expect(readFileSync(join(dir, '.backlog', 'tasks', 'TASK-0002.md'), 'utf8')).toBe(text);
  });

  it('a dangling blocked_by is a problem; a blocker deleted through the backlog is only a note', async () => {
    const dir = await project();
    expect((await cliIn(box, dir, ['create', 'Blocker'])).code).toBe(0);
    expect((await cliIn(box, dir, ['create', 'Waits', '--blocked-by', 'TASK-0001'])).code).toBe(0);
    expect((await cliIn(box, dir, ['delete', 'TASK-0001'])).code).toBe(0);
    const deleted = await doctorJson(dir);
    expect(deleted).toMatchObject({ code: 0, report: { clean: true, problems: [] } });
    expect(deleted.report.notes).toEqual([
      expect.objectContaining({
        kind: 'deleted-blocker',
        message: expect.stringContaining('TASK-0001, which was deleted'),
      }),
    ]);

    const file = join(dir, '.backlog', 'tasks', 'TASK-0003.md');
    writeFileSync(file, '---\nid: TASK-0003\ntitle: Hand-made\nblocked_by:\n  - TASK-0042\n---\n');
    const check = await cliIn(box, dir, ['doctor']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('tasks/TASK-0003.md: blocked_by names TASK-0042, which does not exist\n');
    expect(check.stdout).toContain('left to you: dropping the link or bringing the item back means choosing');
    expect((await cliIn(box, dir, ['doctor', '--fix'])).code).toBe(1);
  });

  it('a high-water mark below an issued ID whose file went another way: --fix raises it', async () => {
    const dir = await project();
    for (const title of ['One', 'Two', 'Three']) expect((await cliIn(box, dir, ['create', title])).code).toBe(0);
    expect((await cliIn(box, dir, ['doctor'])).code).toBe(0);
    // Removed behind the store's back (as a pull of another clone's delete does): no mark recorded.
    rmSync(join(dir, '.backlog', 'tasks', 'TASK-0003.md'));
    const { code, report } = await doctorJson(dir);
    expect(code).toBe(1);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'stale-high-water', fixable: true })]);
    const fix = await cliIn(box, dir, ['doctor', '--fix']);
    expect(fix.code).toBe(0);
    expect(fix.stdout).toContain('raised the TASK high-water mark from 0 to 3: TASK-0003 will not be handed out again');
    expect(fix.stdout).not.toContain('git add');
    expect((await cliIn(box, dir, ['create', 'Four'])).stdout).toBe('Created TASK-0004 (task): Four\n');
  });

  it('a mistyped flag is a usage error with the flag it meant; no backlog is nothing to check', async () => {
    const dir = await project();
    expect(await cliIn(box, dir, ['doctor', '--fxi'])).toMatchObject({
      code: 2,
      stderr: 'backlog-mcp doctor: Unknown option --fxi. Did you mean --fix?\n',
    });
    const help = await cliIn(box, dir, ['doctor', '--help']);
    expect(help).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Usage: backlog-mcp doctor [--fix] [--json]'),
    });
    expect(help.stdout).toContain('doctor found problems');
    expect((await cliIn(box, dir, ['doctr'])).stderr).toBe('Unknown command "doctr". Did you mean doctor?\n');
    const empty = join(box.root, 'empty');
    await mkdir(empty);
    expect(await cliIn(box, empty, ['doctor'])).toMatchObject({
      code: 0,
      stdout: `No backlog at ${join(box.home, '.backlog')}: nothing to check.\n`,
    });
  });
});
