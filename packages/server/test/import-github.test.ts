import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { githubIssuesImporter } from '../src/adapters/import/github-issues.js';
import { type ImportedItem, SourceError } from '../src/core/import/imported-item.js';

const ISSUES = fileURLToPath(new URL('./fixtures/import/github/issues.json', import.meta.url));
const BEADS = fileURLToPath(new URL('./fixtures/import/beads/.beads/issues.jsonl', import.meta.url));

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'import-github-'));
  temps.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function byId(items: ImportedItem[], id: string): ImportedItem {
  const item = items.find((i) => i.source.id === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

function countBy(items: ImportedItem[], key: 'status' | 'type'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item[key]] = (counts[item[key]] ?? 0) + 1;
  return counts;
}

describe('GitHub issues importer: detect', () => {
  it('recognises gh issue list --json output', async () => {
    expect(await githubIssuesImporter.detect(ISSUES)).toBe(true);
  });

  it('recognises a large export by its first element', async () => {
    const dir = await tempDir();
    const file = join(dir, 'big.json');
    const [first] = JSON.parse(await readFile(ISSUES, 'utf8')) as unknown[];
    const padding = 'x'.repeat(1000);
    const many = Array.from({ length: 400 }, (_, i) => ({ ...(first as object), number: i + 1, body: padding }));
    await writeFile(file, JSON.stringify(many));
    expect(await githubIssuesImporter.detect(file)).toBe(true);
  });

  it('says no to other JSON and other files', async () => {
    const dir = await tempDir();
    const pulls = join(dir, 'pulls.json');
    await writeFile(
      pulls,
      JSON.stringify([{ number: 1, title: 'x', state: 'OPEN', url: 'https://github.com/a/b/pull/1' }]),
    );
    const object = join(dir, 'object.json');
    await writeFile(object, '{"number":1}');
    expect(await githubIssuesImporter.detect(pulls)).toBe(false);
    expect(await githubIssuesImporter.detect(object)).toBe(false);
    expect(await githubIssuesImporter.detect(BEADS)).toBe(false);
    expect(await githubIssuesImporter.detect(dir)).toBe(false);
    expect(await githubIssuesImporter.detect(join(dir, 'missing.json'))).toBe(false);
  });
});

describe('GitHub issues importer: read', () => {
  it('reads every issue as a task and one milestone item per milestone', async () => {
    const batch = await githubIssuesImporter.read(ISSUES);
    expect(batch.system).toBe('github');
    expect(countBy(batch.items, 'type')).toEqual({ task: 8, milestone: 2 });
    expect(countBy(batch.items, 'status')).toEqual({ open: 5, done: 4, cancelled: 1 });
    expect(batch.warnings).toEqual([]);
  });

  it('maps state and stateReason', async () => {
    const { items } = await githubIssuesImporter.read(ISSUES);
    expect(byId(items, '#1').status).toBe('open');
    expect(byId(items, '#2').status).toBe('done');
    expect(byId(items, '#3').status).toBe('cancelled');
    expect(byId(items, '#7').status).toBe('open');
    expect(byId(items, '#8').status).toBe('done');
  });

  it('makes milestones with due dates, and the issue their child', async () => {
    const { items } = await githubIssuesImporter.read(ISSUES);
    const v1 = byId(items, 'milestone:1');
    expect(v1).toMatchObject({ type: 'milestone', title: 'v1.0', due_date: '2026-02-01', status: 'done' });
    expect(v1.description).toBe('First public release.\n');
    const v2 = byId(items, 'milestone:2');
    expect(v2).toMatchObject({ title: 'v2.0', status: 'open', description: '' });
    expect(v2.due_date).toBeUndefined();
    expect(byId(items, '#2').parent).toBe('milestone:1');
    expect(byId(items, '#1').parent).toBe('milestone:2');
    expect(byId(items, '#3').parent).toBeUndefined();
  });

  it('keeps labels lower-case, assignees in extra, the URL as source and reference', async () => {
    const { items } = await githubIssuesImporter.read(ISSUES);
    const issue = byId(items, '#1');
    expect(issue.labels).toEqual(['bug', 'good first issue']);
    expect(issue.extra).toEqual({ assignees: ['octocat'] });
    expect(issue).not.toHaveProperty('assignee');
    expect(issue.source).toEqual({ system: 'github', id: '#1', url: 'https://github.com/acme/shop/issues/1' });
    expect(issue.references).toEqual([{ url: 'https://github.com/acme/shop/issues/1', title: 'GitHub #1' }]);
    expect(issue.description).toBe('The login page crashes on Safari 17.\n');
    expect(byId(items, '#5').extra?.assignees).toEqual(['octocat', 'hubot']);
  });

  it('keeps created_at; updated_at from updatedAt, else closedAt, else createdAt', async () => {
    const { items } = await githubIssuesImporter.read(ISSUES);
    expect(byId(items, '#7')).toMatchObject({
      created_at: '2026-01-04T10:00:00.000Z',
      updated_at: '2026-02-02T09:00:00.000Z',
    });
    expect(byId(items, '#8').updated_at).toBe('2026-01-20T10:00:00.000Z');
    expect(byId(items, '#1').updated_at).toBe('2026-01-01T10:00:00.000Z');
  });

  it('reads "blocked by #N" / "depends on #N" as blocked_by, for issues in the batch only', async () => {
    const { items } = await githubIssuesImporter.read(ISSUES);
    expect(byId(items, '#4').blocked_by).toEqual(['#2']);
    expect(byId(items, '#5').blocked_by).toEqual(['#4']);
    expect(byId(items, '#1').blocked_by).toBeUndefined();
  });

  it('throws SourceError naming the file and the line of malformed JSON', async () => {
    const dir = await tempDir();
    const file = join(dir, 'issues.json');
    const lines = (await readFile(ISSUES, 'utf8')).split('\n');
    const at = lines.findIndex((line) => line.includes('"title": "Add a health endpoint"'));
    lines[at] = '    "title": "Add a health endpoint" oops,';
    await writeFile(file, lines.join('\n'));
    const error = await githubIssuesImporter.read(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ file, line: at + 1 });
  });

  it('throws SourceError when the JSON is not an array', async () => {
    const dir = await tempDir();
    const file = join(dir, 'issues.json');
    await writeFile(file, '{"number": 1}');
    await expect(githubIssuesImporter.read(file)).rejects.toBeInstanceOf(SourceError);
  });
});
