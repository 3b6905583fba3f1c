import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { backlogMdImporter } from '../src/adapters/import/backlog-md.js';
import { mapStatus } from '../src/adapters/import/backlog-md-body.js';
import { type ImportBatch, type ImportedItem, SourceError } from '../src/core/import/imported-item.js';

/** Generated with the real backlog.md CLI 1.52.0; how is in its README.md. */
const FIXTURE = fileURLToPath(new URL('./fixtures/import/backlog-md', import.meta.url));
const BACKLOG = join(FIXTURE, 'backlog');

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bmd-import-'));
  temps.push(dir);
  return dir;
}

function byId(batch: ImportBatch, id: string): ImportedItem {
  const item = batch.items.find((i) => i.source.id === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

function count<T extends string>(values: readonly T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of values) out[value] = (out[value] ?? 0) + 1;
  return out;
}

describe('Backlog.md importer: detect', () => {
  it('recognises the project folder and the backlog/ folder itself', async () => {
    expect(await backlogMdImporter.detect(FIXTURE)).toBe(true);
    expect(await backlogMdImporter.detect(BACKLOG)).toBe(true);
  });

  it('follows backlog.config.yml at a project root to its backlog_directory', async () => {
    const dir = await tempDir();
    await cp(BACKLOG, join(dir, 'planning'), { recursive: true });
    const config = await readFile(join(BACKLOG, 'config.yml'), 'utf8');
    await rm(join(dir, 'planning', 'config.yml'));
    await writeFile(join(dir, 'backlog.config.yml'), `${config}backlog_directory: "planning"\n`);
    expect(await backlogMdImporter.detect(dir)).toBe(true);
    const batch = await backlogMdImporter.read(dir);
    expect(batch.label).toContain('planning');
    expect(batch.items).toEqual((await backlogMdImporter.read(FIXTURE)).items);
  });

  it('refuses an unrelated folder, a missing path and a file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.yml'), 'name: something else\n');
    expect(await backlogMdImporter.detect(dir)).toBe(false);
    expect(await backlogMdImporter.detect(join(dir, 'nope'))).toBe(false);
    expect(await backlogMdImporter.detect(join(dir, 'config.yml'))).toBe(false);
  });
});

describe('Backlog.md importer: read', () => {
  it('reads every kind of file, in natural order of source IDs', async () => {
    const batch = await backlogMdImporter.read(FIXTURE);
    expect(batch.system).toBe('backlog.md');
    expect(batch.label).toContain('Demo');
    expect(batch.items.map((i) => i.source.id)).toEqual([
      'decision-1',
      'doc-1',
      'draft-1',
      'm-0',
      'task-1',
      'task-2',
      'task-2.1',
      'task-3',
      'task-4',
      'task-5',
    ]);
    for (const item of batch.items) expect(item.source).toEqual({ system: 'backlog.md', id: item.source.id });
    expect(count(batch.items.map((i) => i.type))).toEqual({ artifact: 2, task: 7, milestone: 1 });
    expect(count(batch.items.map((i) => i.status))).toEqual({
      done: 2,
      open: 4,
      in_progress: 2,
      blocked: 1,
      cancelled: 1,
    });
  });

  it('reads the same batch from the backlog/ folder', async () => {
    const fromProject = await backlogMdImporter.read(FIXTURE);
    const fromBacklog = await backlogMdImporter.read(BACKLOG);
    expect(fromBacklog.items).toEqual(fromProject.items);
  });

  it('maps fields: priority, labels, assignees in extra, dates as UTC ISO', async () => {
    const batch = await backlogMdImporter.read(FIXTURE);
    const login = byId(batch, 'task-2');
    expect(login.title).toBe('Build the login page');
    expect(login.status).toBe('in_progress');
    expect(login.priority).toBe('medium');
    expect(login.labels).toEqual(['frontend', 'auth']);
    expect(login.extra?.assignees).toEqual(['@alice', '@bob']);
    expect(login).not.toHaveProperty('assignee');
    expect(login.created_at).toBe('2026-11-30T03:00:00.000Z');
    expect(login.updated_at).toBe('2026-11-30T03:02:00.000Z');
  });

  it('maps a dependency to blocked_by and a parent task to parent, by source ID', async () => {
    const batch = await backlogMdImporter.read(FIXTURE);
    expect(byId(batch, 'task-2').blocked_by).toEqual(['task-1']);
    expect(byId(batch, 'task-4').blocked_by).toEqual(['task-2', 'task-3']);
    expect(byId(batch, 'task-2.1').parent).toBe('task-2');
  });

  it('puts tasks in their milestone, unless they have a parent task', async () => {
    const batch = await backlogMdImporter.read(FIXTURE);
    const milestone = byId(batch, 'm-0');
    expect(milestone).toMatchObject({ type: 'milestone', title: 'v1.0', status: 'open' });
    expect(byId(batch, 'task-2').parent).toBe('m-0');
    expect(byId(batch, 'task-4').parent).toBe('m-0');
    const subtask = byId(batch, 'task-2.1');
    expect(subtask.parent).toBe('task-2');
    expect(subtask.extra?.milestone).toBe('m-0');
  });

  it('keeps acceptance criteria, plan, notes and comments in the description', async () => {
    const { description } = byId(await backlogMdImporter.read(FIXTURE), 'task-2');
    expect(description.startsWith('The login form.\n\nUses the **design system**.')).toBe(true);
    expect(description).toContain(
      '## Acceptance Criteria\n\n- [x] Email and password fields\n- [ ] Errors shown inline',
    );
    expect(description).toContain('## Implementation Plan\n\n1. Form\n2. Validation');
    expect(description).toContain('## Implementation Notes\n\nStarted with the form.');
    expect(description).toContain('*created: 2026-11-30 03:02*\n\nForm done; validation next.');
    expect(description).not.toContain('<!--');
    expect(description).not.toMatch(/^---$/m);
  });

  it('maps custom statuses by name, keeps the original and warns once', async () => {
    const batch = await backlogMdImporter.read(FIXTURE);
    expect(byId(batch, 'task-2.1')).toMatchObject({ status: 'blocked', extra: { status_original: 'Waiting' } });
    expect(byId(batch, 'task-3')).toMatchObject({ status: 'in_progress', extra: { status_original: 'In Review' } });
    const warnings = batch.warnings.filter((w) => w.includes('custom Backlog.md statuses'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"Waiting" → blocked');
    expect(warnings[0]).toContain('"In Review" → in_progress');
    expect(byId(batch, 'task-2').extra).not.toHaveProperty('status_original');
  });

  it('maps drafts, completed and archived tasks, docs and decisions', async () => {
    const batch = await backlogMdImporter.read(FIXTURE);
    expect(byId(batch, 'draft-1')).toMatchObject({ type: 'task', status: 'open', labels: ['draft'] });
    expect(byId(batch, 'task-1')).toMatchObject({ status: 'done', priority: 'high', labels: ['ci', 'infra'] });
    expect(byId(batch, 'task-5')).toMatchObject({
      status: 'cancelled',
      extra: { archived: true, status_original: 'To Do' },
    });
    expect(byId(batch, 'doc-1')).toMatchObject({
      type: 'artifact',
      labels: ['architecture'],
      description: '# Architecture overview\n\nA web app and an API.',
    });
    expect(byId(batch, 'decision-1')).toMatchObject({
      type: 'artifact',
      status: 'done',
      extra: { kind: 'decision', decision_status: 'accepted' },
    });
  });
});

describe('Backlog.md statuses', () => {
  it('maps built-in statuses exactly and custom ones by words in their names', () => {
    expect(mapStatus('to do')).toEqual({ status: 'open', custom: false });
    expect(mapStatus('IN PROGRESS')).toEqual({ status: 'in_progress', custom: false });
    expect(mapStatus('Done')).toEqual({ status: 'done', custom: false });
    const custom: Record<string, string> = {
      Blocked: 'blocked',
      'Waiting for customer': 'blocked',
      'On hold': 'blocked',
      'In Review': 'in_progress',
      QA: 'in_progress',
      Cancelled: 'cancelled',
      "Won't do": 'cancelled',
      Backlog: 'open',
      Icebox: 'open',
    };
    for (const [name, status] of Object.entries(custom))
      expect(mapStatus(name), name).toEqual({ status, custom: true });
  });
});

describe('Backlog.md importer: broken sources', () => {
  it('throws SourceError naming the file and the line of bad front matter', async () => {
    const dir = await tempDir();
    await cp(FIXTURE, dir, { recursive: true });
    const file = join(dir, 'backlog', 'tasks', 'task-3 - Review-the-API-docs.md');
    const text = await readFile(file, 'utf8');
    // Line 4 of the file (line 3 of the front matter): a mapping inside a plain value.
    await writeFile(file, text.replace('status: In Review', 'status: In Review: now'));
    const error = await backlogMdImporter.read(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    const sourceError = error as SourceError;
    expect(sourceError.file).toBe(file);
    expect(sourceError.line).toBe(4);
    expect(sourceError.message).toContain('task-3 - Review-the-API-docs.md:4: front matter is not valid YAML');
    // The YAML parser counts lines from the front matter; that count would mislead here.
    expect(sourceError.reason).not.toMatch(/at line \d/);
  });

  it('keeps an archived task whose ID Backlog.md gave out again, under its folder', async () => {
    const dir = await tempDir();
    await cp(FIXTURE, dir, { recursive: true });
    const reused = '---\nid: TASK-5\ntitle: Scratch\nstatus: To Do\nmilestone: m-0\n---\n';
    await writeFile(join(dir, 'backlog', 'tasks', 'task-5 - Scratch.md'), reused);
    const batch = await backlogMdImporter.read(dir);
    expect(byId(batch, 'task-5')).toMatchObject({ title: 'Scratch', status: 'open', parent: 'm-0' });
    expect(byId(batch, 'archive/tasks/task-5')).toMatchObject({ title: 'Old spike', status: 'cancelled' });
    expect(byId(batch, 'archive/tasks/task-5')).not.toHaveProperty('parent');
    expect(batch.warnings.some((w) => w.includes('imported as archive/tasks/task-5'))).toBe(true);
  });

  it('drops links to IDs that are not in the folder, with a warning', async () => {
    const dir = await tempDir();
    await cp(FIXTURE, dir, { recursive: true });
    const file = join(dir, 'backlog', 'tasks', 'task-4 - Release-v1.0.md');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('  - TASK-3\n', '  - TASK-3\n  - TASK-99\n'));
    const batch = await backlogMdImporter.read(dir);
    expect(byId(batch, 'task-4').blocked_by).toEqual(['task-2', 'task-3']);
    expect(batch.warnings.some((w) => w.includes('task-99'))).toBe(true);
  });
});
