import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { beadsImporter } from '../src/adapters/import/beads.js';
import { type ImportedItem, SourceError } from '../src/core/import/imported-item.js';

const PROJECT = fileURLToPath(new URL('./fixtures/import/beads', import.meta.url));
const BEADS_DIR = join(PROJECT, '.beads');
const ISSUES = join(BEADS_DIR, 'issues.jsonl');
const GITHUB = fileURLToPath(new URL('./fixtures/import/github/issues.json', import.meta.url));

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'import-beads-'));
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

describe('beads importer: detect', () => {
  it('recognises a project folder, its .beads folder and the JSONL file', async () => {
    expect(await beadsImporter.detect(PROJECT)).toBe(true);
    expect(await beadsImporter.detect(BEADS_DIR)).toBe(true);
    expect(await beadsImporter.detect(ISSUES)).toBe(true);
  });

  it('recognises a renamed export by its first line', async () => {
    const dir = await tempDir();
    const file = join(dir, 'backup.jsonl');
    await writeFile(file, `\n${(await readFile(ISSUES, 'utf8')).split('\n')[0]}\n`);
    expect(await beadsImporter.detect(file)).toBe(true);
  });

  it('says no to other things', async () => {
    const dir = await tempDir();
    const other = join(dir, 'events.jsonl');
    await writeFile(other, '{"id":"e1","kind":"click"}\n');
    expect(await beadsImporter.detect(other)).toBe(false);
    expect(await beadsImporter.detect(dir)).toBe(false);
    expect(await beadsImporter.detect(GITHUB)).toBe(false);
    expect(await beadsImporter.detect(join(dir, 'missing'))).toBe(false);
  });
});

describe('beads importer: read', () => {
  it('reads every issue but the tombstone and the memory line', async () => {
    const batch = await beadsImporter.read(PROJECT);
    expect(batch.system).toBe('beads');
    expect(batch.items).toHaveLength(10);
    expect(batch.items.every((i) => i.source.system === 'beads')).toBe(true);
    expect(batch.items.map((i) => i.source.id)).not.toContain('bd-h8');
    expect(batch.warnings.some((w) => w.includes('bd-h8') && w.includes('tombstone'))).toBe(true);
    expect(batch.warnings.some((w) => w.includes('memory'))).toBe(true);
  });

  it('maps statuses and types', async () => {
    const { items } = await beadsImporter.read(PROJECT);
    expect(countBy(items, 'status')).toEqual({ open: 4, in_progress: 2, blocked: 1, done: 1, cancelled: 2 });
    expect(countBy(items, 'type')).toEqual({ epic: 1, task: 9 });
    expect(byId(items, 'bd-c3').status).toBe('cancelled');
    expect(byId(items, 'bd-d4').status).toBe('cancelled');
    expect(byId(items, 'bd-a1.1').status).toBe('done');
    expect(byId(items, 'bd-b2').labels).toContain('deferred');
    expect(byId(items, 'bd-g7').status).toBe('in_progress');
  });

  it('labels the issue type, keeps the source labels lower-case', async () => {
    const { items } = await beadsImporter.read(PROJECT);
    expect(byId(items, 'bd-a1.3').labels).toEqual(['bug', 'payments', 'urgent']);
    expect(byId(items, 'bd-a1').labels).toEqual(['payments']);
    expect(byId(items, 'bd-a1.2').labels).toEqual(['frontend']);
    expect(byId(items, 'bd-g7').labels).toEqual(['spike']);
  });

  it('maps priorities 0-4 to high, medium, low', async () => {
    const { items } = await beadsImporter.read(PROJECT);
    const priority = (id: string) => byId(items, id).priority;
    expect([priority('bd-a1.1'), priority('bd-a1'), priority('bd-a1.2'), priority('bd-b2'), priority('bd-c3')]).toEqual(
      ['high', 'high', 'medium', 'low', 'low'],
    );
  });

  it('maps blocks to blocked_by on the waiting issue, naming the blocker', async () => {
    const { items } = await beadsImporter.read(PROJECT);
    expect(byId(items, 'bd-a1.2').blocked_by).toEqual(['bd-a1.1']);
    expect(byId(items, 'bd-a1.3').blocked_by).toEqual(['bd-a1.2']);
    expect(byId(items, 'bd-a1.1').blocked_by).toBeUndefined();
  });

  it('links a child of an epic with epic, not parent; keeps related links in extra', async () => {
    const { items } = await beadsImporter.read(PROJECT);
    const child = byId(items, 'bd-a1.1');
    expect(child.epic).toBe('bd-a1');
    expect(child.parent).toBeUndefined();
    expect(byId(items, 'bd-d4').extra?.related).toEqual(['bd-e5']);
    expect(byId(items, 'bd-e5').extra?.discovered_from).toEqual(['bd-a1.3']);
  });

  it('keeps times, the body sections, the close reason, assignees and references', async () => {
    const { items } = await beadsImporter.read(PROJECT);
    const item = byId(items, 'bd-a1.1');
    expect(item.created_at).toBe('2026-01-05T09:10:00.000Z');
    expect(item.updated_at).toBe('2026-01-08T16:00:00.000Z');
    expect(item.description).toContain('REST endpoints for the cart.');
    expect(item.description).toContain('## Design\n\nUse idempotency keys on POST.');
    expect(item.description).toContain('## Acceptance criteria\n\n- Cart survives a reload');
    expect(item.description).toContain('## Notes');
    expect(item.description).toContain('## Comments\n\n- ben, 2026-01-07T12:00:00Z: Looks good to me.');
    expect(item.evidence).toEqual(['Closed: Shipped in v2.3']);
    expect(item.extra?.close_reason).toBe('Shipped in v2.3');
    expect(item.extra?.assignees).toEqual(['ana']);
    expect(item).not.toHaveProperty('assignee');
    expect(byId(items, 'bd-a1.3').references).toEqual([
      { url: 'https://github.com/acme/shop/issues/88', title: 'External reference' },
    ]);
    expect(byId(items, 'bd-b2').extra?.external_ref).toBe('jira-OPS-12');
  });

  it('drops a dependency on an issue outside the file, with a warning', async () => {
    const dir = await tempDir();
    const file = join(dir, 'issues.jsonl');
    const lines = [
      '{"id":"x-1","title":"Waits","status":"open","priority":2,"issue_type":"task","dependencies":[{"issue_id":"x-1","depends_on_id":"x-9","type":"blocks"}]}',
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const batch = await beadsImporter.read(file);
    expect(batch.items[0]?.blocked_by).toBeUndefined();
    expect(batch.warnings.some((w) => w.includes('x-9'))).toBe(true);
  });

  it('throws SourceError naming the file and the line of a corrupt line', async () => {
    const dir = await tempDir();
    await cp(PROJECT, dir, { recursive: true });
    const file = join(dir, '.beads', 'issues.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[3] = '{"id":"bd-broken","title": oops';
    await writeFile(file, lines.join('\n'));
    const error = await beadsImporter.read(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ file, line: 4 });
    expect(String((error as SourceError).message)).toContain(`${file}:4`);
  });
});
