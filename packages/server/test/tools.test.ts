import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item, ItemStub } from '@backlog-mcp/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkEveryField, walkedFields } from './support/field-walk.js';
import { itemFiles, readItemFile } from './support/files.js';
import { call, callError, type Harness, openHarness, type TransportKind } from './support/servers.js';

interface Created {
  id: string;
  item: Item;
}

describe.each<TransportKind>(['stdio', 'http'])('the eight tools over %s', (kind) => {
  let h: Harness;
  const create = (args: Record<string, unknown>) => call<Created>(h.client, 'backlog_create', args);

  beforeAll(async () => {
    h = await openHarness(kind, `agent-${kind}`);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists exactly the eight tools, each with an output schema and honest hints', async () => {
    const { tools } = await h.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'backlog_context',
      'backlog_create',
      'backlog_delete',
      'backlog_get',
      'backlog_list',
      'backlog_search',
      'backlog_update',
      'write_resource',
    ]);
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toBeDefined();
      expect(tool.inputSchema, tool.name).not.toHaveProperty('anyOf');
      expect(tool.inputSchema, tool.name).not.toHaveProperty('oneOf');
      // Several clients cannot resolve $ref: the schemas must be self-contained.
      expect(JSON.stringify(tool.inputSchema), tool.name).not.toContain('$ref');
    }
    const byName = new Map(tools.map((t) => [t.name, t]));
    for (const name of ['backlog_list', 'backlog_get', 'backlog_search', 'backlog_context']) {
      expect(byName.get(name)?.annotations?.readOnlyHint, name).toBe(true);
    }
    expect(byName.get('backlog_delete')?.annotations?.destructiveHint).toBe(true);
    const writeProps = byName.get('write_resource')?.inputSchema.properties ?? {};
    const operation = (writeProps as Record<string, Record<string, unknown>>).operation;
    expect(operation?.type).toBe('object');
  });

  it('creates a task as a Markdown file with front matter and returns its ID', async () => {
    const { id, item } = await create({
      title: 'Fix authentication flow',
      description: 'Login fails after **timeout**.\n',
    });
    expect(id).toBe('TASK-0001');
    expect(item).toMatchObject({ id, type: 'task', status: 'open', title: 'Fix authentication flow' });
    const file = await readItemFile(h.dataDir, id);
    expect(file).toMatch(/^---\nid: TASK-0001\ntitle: Fix authentication flow\nstatus: open\ntype: task\n/);
    expect(file.endsWith('---\nLogin fails after **timeout**.\n')).toBe(true);
  });

  it('allocates IDs per type and files items under epics, folders and milestones', async () => {
    const epic = await create({ title: 'Auth overhaul', type: 'epic' });
    const folder = await create({ title: 'Backend', type: 'folder' });
    const milestone = await create({ title: 'v1.0', type: 'milestone', due_date: '2026-12-31' });
    const artifact = await create({ title: 'Design notes', type: 'artifact', parent_id: folder.id });
    expect([epic.id, folder.id, milestone.id, artifact.id]).toEqual([
      'EPIC-0001',
      'FLDR-0001',
      'MLST-0001',
      'ARTF-0001',
    ]);
    const task = await create({
      title: 'Rotate session tokens',
      epic_id: epic.id,
      parent_id: folder.id,
      references: [{ url: 'https://github.com/org/repo/issues/123', title: 'Related issue' }],
    });
    expect(task.id).toBe('TASK-0002');
    const file = await readItemFile(h.dataDir, task.id);
    expect(file).toContain('epic_id: EPIC-0001\nparent_id: FLDR-0001\n');
    expect(file).toContain('references:\n  - url: https://github.com/org/repo/issues/123\n    title: Related issue\n');
    expect((await readItemFile(h.dataDir, milestone.id)).includes('due_date: 2026-12-31')).toBe(true);
  });

  it('reads a description from source_path', async () => {
    const path = join(h.dataDir, 'plan.md');
    await writeFile(path, '# Plan\n\n- step one\n');
    const { item } = await create({ title: 'Follow the plan', source_path: path });
    expect(item.description).toBe('# Plan\n\n- step one\n');
    const error = await callError(h.client, 'backlog_create', { title: 'x', source_path: join(h.dataDir, 'nope.md') });
    expect(error).toContain('source_path');
  });

  it('gets one item or a batch, accepting loose ID spellings, and reports missing IDs', async () => {
    const one = await call<{ items: Item[]; not_found: string[] }>(h.client, 'backlog_get', { id: 'task-1' });
    expect(one.items.map((i) => i.id)).toEqual(['TASK-0001']);
    expect(one.items[0]?.description).toBe('Login fails after **timeout**.\n');
    const batch = await call<{ items: Item[]; not_found: string[] }>(h.client, 'backlog_get', {
      id: ['TASK-0001', 'EPIC-0001', 'TASK-9999'],
    });
    expect(batch.items.map((i) => i.id)).toEqual(['TASK-0001', 'EPIC-0001']);
    expect(batch.not_found).toEqual(['TASK-9999']);
  });

  it('updates fields, replaces lists, clears with null and reports what changed', async () => {
    const before = await readItemFile(h.dataDir, 'TASK-0002');
    const updated = await call<{ id: string; item: Item; changed: string[] }>(h.client, 'backlog_update', {
      id: 'TASK-0002',
      status: 'blocked',
      blocked_reason: ['waiting for the security review'],
      evidence: ['PR #45'],
    });
    expect(updated.changed.sort()).toEqual(['blocked_reason', 'evidence', 'status']);
    expect(updated.item.updated_at > updated.item.created_at).toBe(true);
    const after = await readItemFile(h.dataDir, 'TASK-0002');
    expect(after).not.toEqual(before);
    expect(after).toContain('status: blocked');
    expect(after).toContain('blocked_reason:\n  - waiting for the security review\n');

    const cleared = await call<{ item: Item; changed: string[] }>(h.client, 'backlog_update', {
      id: 'TASK-0002',
      status: 'in_progress',
      blocked_reason: null,
      evidence: ['PR #45', 'PR #46'],
      parent_id: null,
    });
    expect(cleared.changed.sort()).toEqual(['blocked_reason', 'evidence', 'parent_id', 'status']);
    expect(cleared.item.blocked_reason).toBeUndefined();
    expect(cleared.item.parent_id).toBeUndefined();
    expect(cleared.item.evidence).toEqual(['PR #45', 'PR #46']);
    expect(await readItemFile(h.dataDir, 'TASK-0002')).not.toContain('blocked_reason');

    const same = await call<{ changed: string[] }>(h.client, 'backlog_update', {
      id: 'TASK-0002',
      status: 'in_progress',
    });
    expect(same.changed).toEqual([]);
  });

  it('lists active items newest first, with filters, totals and counts', async () => {
    await call(h.client, 'backlog_update', { id: 'TASK-0003', status: 'done' });
    const active = await call<{ items: ItemStub[]; total: number }>(h.client, 'backlog_list', {});
    expect(active.items.map((i) => i.id)).not.toContain('TASK-0003');
    expect(active.items[0]?.id).toBe('TASK-0002'); // the most recently updated active item
    const updatedAt = active.items.map((i) => i.updated_at);
    expect([...updatedAt].sort().reverse()).toEqual(updatedAt);

    const done = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { status: ['done'] });
    expect(done.items.map((i) => i.id)).toEqual(['TASK-0003']);
    const epics = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { type: 'epic' });
    expect(epics.items.map((i) => i.id)).toEqual(['EPIC-0001']);
    const inEpic = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { epic_id: 'EPIC-0001' });
    expect(inEpic.items.map((i) => i.id)).toEqual(['TASK-0002']);
    const inFolder = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { parent_id: 'FLDR-0001' });
    expect(inFolder.items.map((i) => i.id)).toEqual(['ARTF-0001']);
    const byWords = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { query: 'TIMEOUT login' });
    expect(byWords.items.map((i) => i.id)).toEqual(['TASK-0001']);
    // The same search as backlog_search: stems and typos match too.
    const byTypo = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { query: 'authentcation' });
    expect(byTypo.items.map((i) => i.id)).toEqual(['TASK-0001']);

    const limited = await call<{ items: ItemStub[]; total: number; counts: { by_status: Record<string, number> } }>(
      h.client,
      'backlog_list',
      { limit: 2, counts: true },
    );
    expect(limited.items).toHaveLength(2);
    expect(limited.total).toBe(active.total);
    expect(limited.counts.by_status.done).toBe(1);
    expect(limited.counts.by_status.open).toBeGreaterThan(0);
  });

  it('searches every status with scores, snippets and matched fields', async () => {
    const found = await call<{
      results: Array<ItemStub & { score: number; snippet: string; matched_fields: string[] }>;
      total: number;
      search_mode: string;
    }>(h.client, 'backlog_search', { query: 'authentication' });
    expect(found.results[0]?.id).toBe('TASK-0001');
    expect(found.results[0]?.matched_fields).toContain('title');
    expect(found.results[0]?.score).toBeGreaterThan(0);
    expect(found.search_mode).toMatch(/text|hybrid/);
    const plan = await call<{ results: Array<{ id: string; snippet: string; description?: string }> }>(
      h.client,
      'backlog_search',
      { query: 'plan step', include_content: true },
    );
    expect(plan.results[0]?.id).toBe('TASK-0003');
    expect(plan.results[0]?.description).toContain('step one');
    const openOnly = await call<{ results: Array<{ id: string }> }>(h.client, 'backlog_search', {
      query: 'plan',
      status: ['open'],
    });
    expect(openOnly.results.map((r) => r.id)).not.toContain('TASK-0003');
  });

  it('gives the whole context of a task in one call', async () => {
    const other = await create({
      title: 'Audit session storage',
      epic_id: 'EPIC-0001',
      references: [{ url: 'mcp://backlog/tasks/TASK-0002.md' }],
    });
    const sub = await create({ title: 'Write token rotation test', parent_id: 'TASK-0002' });
    await call(h.client, 'backlog_update', { id: 'TASK-0002', references: [{ url: 'https://example.com/TASK-0001' }] });
    const ctx = await call<{
      focal: Item;
      epic?: ItemStub;
      children: ItemStub[];
      siblings: ItemStub[];
      references: Array<{ url: string; id?: string }>;
      referenced_by: ItemStub[];
      activity: Array<{ action: string; actor?: string; tool: string }>;
      related: ItemStub[];
    }>(h.client, 'backlog_context', { task_id: 'TASK-0002' });
    expect(ctx.focal.id).toBe('TASK-0002');
    expect(ctx.epic?.id).toBe('EPIC-0001');
    expect(ctx.children.map((c) => c.id)).toEqual([sub.id]);
    expect(ctx.siblings.map((s) => s.id)).toContain(other.id);
    expect(ctx.references[0]?.id).toBe('TASK-0001');
    expect(ctx.referenced_by.map((r) => r.id)).toEqual([other.id]);
    expect(ctx.activity[0]).toMatchObject({ action: 'updated', tool: 'backlog_update', actor: `agent-${kind}` });
    expect(ctx.activity.at(-1)).toMatchObject({ action: 'created', tool: 'backlog_create' });

    const byQuery = await call<{ focal: Item }>(h.client, 'backlog_context', { query: 'token rotation test' });
    expect(byQuery.focal.id).toBe(sub.id);
    const deep = await call<{ descendants: ItemStub[]; ancestors: ItemStub[] }>(h.client, 'backlog_context', {
      task_id: 'EPIC-0001',
      depth: 2,
    });
    expect(deep.descendants.map((d) => d.id)).toContain(sub.id);
  });

  it('edits an item body with write_resource and never touches its front matter', async () => {
    const uri = 'mcp://backlog/tasks/TASK-0001.md';
    const before = await call<{ items: Item[] }>(h.client, 'backlog_get', { id: 'TASK-0001' });
    const edited = await call<{ uri: string; id: string }>(h.client, 'write_resource', {
      uri,
      operation: { type: 'str_replace', old_str: '**timeout**', new_str: 'a `$&` timeout' },
    });
    expect(edited).toMatchObject({ uri, id: 'TASK-0001' });
    await call(h.client, 'write_resource', { uri, operation: { type: 'append', new_str: 'More detail.\n' } });
    await call(h.client, 'write_resource', { uri, operation: { type: 'insert', insert_line: 0, new_str: '# Bug' } });
    const after = await call<{ items: Item[] }>(h.client, 'backlog_get', { id: 'TASK-0001' });
    expect(after.items[0]?.description).toBe('# Bug\nLogin fails after a `$&` timeout.\nMore detail.\n');
    expect(after.items[0]?.title).toBe(before.items[0]?.title);
    expect((after.items[0]?.updated_at ?? '') > (before.items[0]?.updated_at ?? '')).toBe(true);

    const attack = await call(h.client, 'write_resource', {
      uri,
      operation: { type: 'append', new_str: '---\nid: TASK-0666\nstatus: done\n---\n' },
    });
    expect(attack).toBeDefined();
    const file = await readItemFile(h.dataDir, 'TASK-0001');
    expect(file.startsWith('---\nid: TASK-0001\ntitle: Fix authentication flow\nstatus: open\n')).toBe(true);

    const twice = await callError(h.client, 'write_resource', {
      uri,
      operation: { type: 'str_replace', old_str: 'e', new_str: 'E' },
    });
    expect(twice).toMatch(/found \d+ times/);
    const missing = await callError(h.client, 'write_resource', {
      uri,
      operation: { type: 'str_replace', old_str: 'Login fails after a timeout', new_str: 'x' },
    });
    expect(missing).toContain('closest line is 2');
  });

  it('edits existing documents under resources/ and never creates files', async () => {
    await writeFile(join(h.dataDir, 'resources', 'log.md'), 'Day 1\n');
    await call(h.client, 'write_resource', {
      uri: 'mcp://backlog/resources/log.md',
      operation: JSON.stringify({ type: 'append', new_str: 'Day 2\n' }),
    });
    const read = await h.client.readResource({ uri: 'mcp://backlog/resources/log.md' });
    expect(read.contents[0]).toMatchObject({ text: 'Day 1\nDay 2\n' });
    const error = await callError(h.client, 'write_resource', {
      uri: 'mcp://backlog/resources/new.md',
      operation: { type: 'append', new_str: 'x' },
    });
    expect(error).toContain('uri');
    expect(await itemFiles(h.dataDir)).not.toContain('new.md');
  });

  it('serves items as MCP resources in their file format', async () => {
    const read = await h.client.readResource({ uri: 'mcp://backlog/tasks/EPIC-0001.md' });
    const text = (read.contents[0] as { text: string }).text;
    expect(text).toMatch(/^---\nid: EPIC-0001\ntitle: Auth overhaul\n/);
    const list = await h.client.listResources();
    expect(list.resources.map((r) => r.uri)).toContain('mcp://backlog/tasks/TASK-0001.md');
  });

  it('deletes for good, refuses to orphan children, and never reuses a deleted ID', async () => {
    const refused = await callError(h.client, 'backlog_delete', { id: 'EPIC-0001' });
    expect(refused).toMatch(/EPIC-0001 still contains/);
    const top = await create({ title: 'Temporary' });
    const deleted = await call<{ id: string; deleted: boolean }>(h.client, 'backlog_delete', { id: top.id });
    expect(deleted).toEqual({ id: top.id, deleted: true });
    expect(await itemFiles(h.dataDir)).not.toContain(`${top.id}.md`);
    const next = await create({ title: 'After the delete' });
    expect(next.id > top.id).toBe(true);
    const again = await callError(h.client, 'backlog_delete', { id: top.id });
    expect(again).toContain(top.id);
  });

  it('sets and clears every field that create and update take, each listed in changed', async () => {
    const source = join(h.dataDir, 'walk.md');
    await writeFile(source, 'from a file\n');
    const walked = await walkEveryField(h.client, source);
    // The walk covers the schemas as they are: a field added to either one is walked too.
    expect(walked).toEqual(walkedFields());
    expect(walked).toEqual(expect.arrayContaining(['priority', 'blocked_by', 'labels', 'source_path']));
  });

  it('keeps labels: trimmed, lower-case, unique; replace, add and remove; filter all-of; shared in context', async () => {
    const a = await create({ title: 'Label A', labels: [' Frontend', 'bug', 'BUG'] });
    expect(a.item.labels).toEqual(['frontend', 'bug']);
    expect(await readItemFile(h.dataDir, a.id)).toMatch(/labels:\n {2}- frontend\n {2}- bug\n/);
    const b = await create({ title: 'Label B', labels: ['frontend'] });
    const added = await call<{ item: Item; changed: string[] }>(h.client, 'backlog_update', {
      id: b.id,
      add_labels: ['Perf', 'frontend'],
    });
    expect(added.item.labels).toEqual(['frontend', 'perf']);
    expect(added.changed).toEqual(['labels']);
    const removed = await call<{ item: Item }>(h.client, 'backlog_update', { id: b.id, remove_labels: ['PERF'] });
    expect(removed.item.labels).toEqual(['frontend']);
    const replaced = await call<{ item: Item }>(h.client, 'backlog_update', {
      id: b.id,
      labels: ['bug', 'frontend', 'ops'],
    });
    expect(replaced.item.labels).toEqual(['bug', 'frontend', 'ops']);
    const both = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { labels: ['Bug', 'frontend'] });
    expect(both.items.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
    expect(both.items[0]?.labels).toBeDefined();
    const ops = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { labels: ['ops', 'frontend'] });
    expect(ops.items.map((i) => i.id)).toEqual([b.id]);
    const context = await call<{ same_labels?: Array<{ id: string }> }>(h.client, 'backlog_context', {
      task_id: a.id,
    });
    expect(context.same_labels?.map((n) => n.id)).toEqual([b.id]);
    const tooLong = await callError(h.client, 'backlog_update', { id: b.id, add_labels: ['x'.repeat(41)] });
    expect(tooLong).toMatch(/add_labels/);
    const many = Array.from({ length: 18 }, (_, i) => `l${i}`);
    const tooMany = await callError(h.client, 'backlog_update', { id: b.id, add_labels: many });
    expect(tooMany).toMatch(/add_labels: expected at most 20 labels/);
    expect((await call<{ items: Item[] }>(h.client, 'backlog_get', { id: b.id })).items[0]?.labels).toEqual([
      'bug',
      'frontend',
      'ops',
    ]);
  });
});
