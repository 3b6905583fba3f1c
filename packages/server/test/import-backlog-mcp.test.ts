import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backlogMcpExportImporter } from '../src/adapters/import/backlog-mcp-export.js';
import { backlogMcpFolderImporter } from '../src/adapters/import/backlog-mcp-folder.js';
import { type ImportedItem, SourceError } from '../src/core/import/imported-item.js';
import { encodeItem } from '../src/format/item-markdown.js';

const FIXTURES = join(import.meta.dirname, 'fixtures/import');
const FLAT = join(FIXTURES, 'backlog-mcp-04x');
const DOCS = join(FIXTURES, 'backlog-mcp-docs');
const EXPORT_JSON = join(FIXTURES, 'backlog-mcp-export/export.json');
const EXPORT_JSONL = join(FIXTURES, 'backlog-mcp-export/export.jsonl');

function byId(items: readonly ImportedItem[], id: string): ImportedItem {
  const item = items.find((candidate) => candidate.source.id === id);
  if (!item) throw new Error(`no item ${id}`);
  return item;
}

function countBy(items: readonly ImportedItem[], key: 'status' | 'type'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item[key]] = (counts[item[key]] ?? 0) + 1;
  return counts;
}

async function sourceError(promise: Promise<unknown>): Promise<SourceError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(caught instanceof SourceError)) throw new Error(`expected a SourceError, got ${String(caught)}`);
  return caught;
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'import-backlog-mcp-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('backlog-mcp folder importer: detect', () => {
  it('recognises the flat tasks/ layout, the docs layout and the tasks folder itself', async () => {
    expect(await backlogMcpFolderImporter.detect(FLAT)).toBe(true);
    expect(await backlogMcpFolderImporter.detect(join(FLAT, 'tasks'))).toBe(true);
    expect(await backlogMcpFolderImporter.detect(DOCS)).toBe(true);
    expect(await backlogMcpFolderImporter.detect(join(DOCS, 'docs'))).toBe(true);
  });

  it('refuses a Task Master project, an export file and a missing path', async () => {
    expect(await backlogMcpFolderImporter.detect(join(FIXTURES, 'taskmaster'))).toBe(false);
    expect(await backlogMcpFolderImporter.detect(EXPORT_JSON)).toBe(false);
    expect(await backlogMcpFolderImporter.detect(join(scratch, 'missing'))).toBe(false);
    const empty = await sourceError(backlogMcpFolderImporter.read(join(scratch, 'missing')));
    expect(empty.file).toBe(join(scratch, 'missing'));
  });
});

describe('backlog-mcp folder importer: the upstream 0.4x flat layout', () => {
  it('reads every file with counts by type and status', async () => {
    const batch = await backlogMcpFolderImporter.read(FLAT);
    expect(batch.system).toBe('backlog-mcp');
    expect(batch.items).toHaveLength(7);
    expect(countBy(batch.items, 'type')).toEqual({ artifact: 1, epic: 1, folder: 1, milestone: 1, task: 3 });
    expect(countBy(batch.items, 'status')).toEqual({ done: 2, blocked: 1, open: 2, in_progress: 1, cancelled: 1 });
    expect(batch.warnings).toEqual([]);
  });

  it('keeps the IDs, the epic and parent links, unknown keys and the rest of the fields', async () => {
    const { items } = await backlogMcpFolderImporter.read(FLAT);
    const cart = byId(items, 'TASK-0001');
    expect(cart).toMatchObject({
      source: { system: 'backlog-mcp', id: 'TASK-0001' },
      preferredId: 'TASK-0001',
      epic: 'EPIC-0001',
      evidence: ['Merged in PR 41; cart tests green'],
      references: [{ url: 'https://example.com/design/cart', title: 'Cart design' }],
      created_at: '2025-11-02T09:20:00.000Z',
      description: 'Move cart logic out of the controller.\n',
    });
    expect(byId(items, 'TASK-0002').blocked_reason).toEqual(['Waiting for sandbox credentials from the provider']);
    expect(byId(items, 'TASK-0003')).toMatchObject({
      title: 'Receipts: email template',
      parent: 'FLDR-0001',
      extra: { estimate: '3d', owner: { team: 'payments', on_call: false } },
    });
    expect(byId(items, 'ARTF-0001')).toMatchObject({
      parent: 'TASK-0001',
      extra: { content_type: 'text/markdown', path: 'notes/cart-extraction.md' },
    });
    expect(byId(items, 'MLST-0001').due_date).toBe('2025-12-15');
  });
});

describe('backlog-mcp folder importer: the upstream docs layout', () => {
  it('reads every type folder, maps cron and memory to our nearest types and keeps the originals', async () => {
    const batch = await backlogMcpFolderImporter.read(DOCS);
    expect(countBy(batch.items, 'type')).toEqual({ epic: 1, folder: 1, task: 3, artifact: 1 });
    expect(countBy(batch.items, 'status')).toEqual({ open: 4, done: 1, in_progress: 1 });
    const cron = byId(batch.items, 'CRON-0001');
    expect(cron).toMatchObject({ type: 'task', parent: 'FLDR-0001' });
    expect(cron.preferredId).toBeUndefined();
    expect(cron.extra).toEqual({
      type_original: 'cron',
      schedule: '0 3 * * *',
      command: 'npm run eval:recall',
      enabled: true,
    });
    expect(byId(batch.items, 'MEMO-0001')).toMatchObject({
      type: 'artifact',
      extra: { type_original: 'memory', layer: 'procedural', source_original: 'builder:telemetry-t1' },
    });
    expect(byId(batch.items, 'TASK-0002')).toMatchObject({ preferredId: 'TASK-0002', parent: 'EPIC-0001' });
    expect(batch.warnings).toHaveLength(2);
  });
});

describe('backlog-mcp folder importer: our own .backlog folder', () => {
  it('reads files written by our codec, with blocked_by, and maps a status we do not have', async () => {
    const root = join(scratch, 'ours');
    await mkdir(join(root, '.backlog/tasks'), { recursive: true });
    const base = {
      description: 'x\n',
      version: 2,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-02T00:00:00.000Z',
    };
    const items: Item[] = [
      { ...base, id: 'TASK-0001', type: 'task', title: 'First', status: 'done' },
      {
        ...base,
        id: 'TASK-0002',
        type: 'task',
        title: 'Second',
        status: 'open',
        blocked_by: ['TASK-0001'],
        priority: 'low',
      },
    ];
    for (const item of items) await writeFile(join(root, '.backlog/tasks', `${item.id}.md`), encodeItem(item));
    await writeFile(
      join(root, '.backlog/tasks/TASK-0003.md'),
      '---\nid: TASK-0003\ntitle: Third\nstatus: review\npriority: urgent\n---\nbody\n',
    );
    expect(await backlogMcpFolderImporter.detect(root)).toBe(true);
    const batch = await backlogMcpFolderImporter.read(root);
    expect(byId(batch.items, 'TASK-0002')).toMatchObject({ blocked_by: ['TASK-0001'], priority: 'low' });
    expect(byId(batch.items, 'TASK-0003')).toMatchObject({
      status: 'in_progress',
      priority: 'high',
      preferredId: 'TASK-0003',
      extra: { status_original: 'review', priority_original: 'urgent' },
    });
    expect(batch.warnings).toHaveLength(2);
  });

  it('names the file and the line of a front matter that does not parse', async () => {
    const root = join(scratch, 'broken');
    await mkdir(join(root, 'tasks'), { recursive: true });
    const file = join(root, 'tasks/TASK-0001.md');
    await writeFile(file, '---\nid: TASK-0001\ntitle: Broken\nlabels: [a, b\nstatus: open\n---\nbody\n');
    const error = await sourceError(backlogMcpFolderImporter.read(root));
    expect(error.file).toBe(file);
    expect(error.line).toBeGreaterThanOrEqual(4);
    await writeFile(file, '---\nid: TASK-0002\ntitle: Wrong file\n---\n');
    const mismatch = await sourceError(backlogMcpFolderImporter.read(root));
    expect(mismatch).toMatchObject({ file, line: 2 });
  });
});

describe('backlog-mcp export importer', () => {
  it('detects json and jsonl exports and nothing else', async () => {
    expect(await backlogMcpExportImporter.detect(EXPORT_JSON)).toBe(true);
    expect(await backlogMcpExportImporter.detect(EXPORT_JSONL)).toBe(true);
    expect(await backlogMcpExportImporter.detect(join(FIXTURES, 'taskmaster/.taskmaster/tasks/tasks.json'))).toBe(
      false,
    );
    expect(await backlogMcpExportImporter.detect(FLAT)).toBe(false);
    const reordered = join(scratch, 'reordered.json');
    await writeFile(reordered, JSON.stringify({ items: [], format: 'backlog-mcp-export', version: 1 }));
    expect(await backlogMcpExportImporter.detect(reordered)).toBe(true);
  });

  for (const file of [EXPORT_JSON, EXPORT_JSONL]) {
    it(`reads every field of ${file.endsWith('l') ? 'jsonl' : 'json'}`, async () => {
      const batch = await backlogMcpExportImporter.read(file);
      expect(batch.items).toHaveLength(5);
      expect(countBy(batch.items, 'status')).toEqual({ in_progress: 1, done: 1, blocked: 1, open: 1, cancelled: 1 });
      expect(countBy(batch.items, 'type')).toEqual({ epic: 1, task: 3, milestone: 1 });
      expect(byId(batch.items, 'TASK-0002')).toMatchObject({
        preferredId: 'TASK-0002',
        source: { system: 'backlog-mcp', id: 'TASK-0002' },
        epic: 'EPIC-0001',
        blocked_by: ['TASK-0001', 'TASK-0003'],
        blocked_reason: ['Needs the queue format'],
        priority: 'medium',
        created_at: '2026-05-03T08:00:00.000Z',
        updated_at: '2026-05-21T08:00:00.000Z',
      });
      expect(byId(batch.items, 'TASK-0003')).toMatchObject({
        parent: 'TASK-0002',
        due_date: '2026-06-01',
        labels: ['design'],
        extra: { estimate: '2d', reviewers: ['ana', 'bo'] },
        description: 'Decide JSONL or SQLite.\n\n## Options\n\n- JSONL\n- SQLite\n',
      });
      expect(byId(batch.items, 'TASK-0001').references).toEqual([{ url: 'https://example.com/adr/7', title: 'ADR 7' }]);
      // A claim moves with the backlog: the export round-trips every field.
      expect(batch.items.filter((item) => item.assignee && item.lease_until)).toHaveLength(1);
      expect(batch.warnings).toEqual([]);
    });
  }

  it('names the file and the line of a bad item or bad JSON', async () => {
    const jsonl = join(scratch, 'bad.jsonl');
    const header = '{"format":"backlog-mcp-export","version":1,"exported_at":"2026-01-01T00:00:00.000Z"}';
    const good = '{"id":"TASK-0001","type":"task","title":"A","status":"open","description":""}';
    await writeFile(jsonl, `${header}\n${good}\n{"id":"TASK-0002","type":"task","title":"B","status":"later"}\n`);
    expect(await sourceError(backlogMcpExportImporter.read(jsonl))).toMatchObject({ file: jsonl, line: 3 });
    await writeFile(jsonl, `${header}\n${good}\n{"id": \n`);
    expect(await sourceError(backlogMcpExportImporter.read(jsonl))).toMatchObject({ file: jsonl, line: 3 });
    const json = join(scratch, 'bad.json');
    await writeFile(
      json,
      '{\n  "format": "backlog-mcp-export",\n  "version": 1,\n  "items": [\n    {"id": 1,}\n  ]\n}\n',
    );
    expect(await sourceError(backlogMcpExportImporter.read(json))).toMatchObject({ file: json, line: 5 });
  });
});

describe('backlog-mcp folder importer: links and IDs that do not fit', () => {
  it('drops a link to an item the folder does not have, and re-IDs an item whose type does not fit its ID', async () => {
    const root = join(scratch, 'links');
    await mkdir(join(root, 'tasks'), { recursive: true });
    await writeFile(join(root, 'tasks/TASK-0001.md'), '---\nid: TASK-0001\ntitle: A\nparent_id: EPIC-0009\n---\n');
    await writeFile(join(root, 'tasks/TASK-0002.md'), '---\nid: TASK-0002\ntitle: B\ntype: epic\n---\n');
    const batch = await backlogMcpFolderImporter.read(root);
    expect(byId(batch.items, 'TASK-0001').parent).toBeUndefined();
    expect(byId(batch.items, 'TASK-0002')).toMatchObject({ type: 'epic', source: { id: 'TASK-0002' } });
    expect(byId(batch.items, 'TASK-0002').preferredId).toBeUndefined();
    expect(batch.warnings).toEqual([
      expect.stringContaining('does not fit its ID'),
      expect.stringContaining('parent EPIC-0009 is not in this source'),
    ]);
  });
});
