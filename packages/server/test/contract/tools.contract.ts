import type { Item, ItemStub } from '@backlog-mcp/shared';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { walkEveryField, walkedFields } from '../support/field-walk.js';
import { call, callError } from '../support/servers.js';

/**
 * The eight tools as every runtime serves them: Node over stdio and Streamable HTTP (Markdown
 * files), and the Worker in workerd (D1). One backlog per run, walked in order: each case builds
 * on what the earlier ones made, so the cases run in the order they are registered.
 *
 * Only what holds on both belongs here. Search is asserted as word search (the Worker's is
 * text-only; Node's hybrid search answers a query whose words an item contains with those items
 * only); runtime-specific behaviour stays in the runtime's own test file.
 */
export interface ToolsBackend {
  /** Connected to a fresh, empty backlog, introduced as the contract's `agent`. */
  client: Client;
  /** Another MCP session on the same backlog; the backend closes it on `close`. */
  connect(name: string): Promise<Client>;
  /** Puts a document under resources/ the way people or a deploy do (the tools never create one). */
  addDocument(path: string, text: string): Promise<void>;
  /** A file holding `text` that source_path can read; absent where the runtime has no local disk. */
  sourceFile?(text: string): Promise<string>;
  close(): Promise<void>;
}

export interface ToolsContract {
  /** The client name `open` connects with: the actor the journal records. */
  agent: string;
  /** What backlog_search reports as its search_mode on this runtime. */
  searchMode: 'text' | 'hybrid';
  open(): Promise<ToolsBackend>;
}

interface Created {
  id: string;
  item: Item;
}
interface Updated {
  id: string;
  item: Item;
  changed: string[];
}
type Hit = ItemStub & { score: number; snippet: string; matched_fields: string[]; description?: string };
interface Found {
  results: Hit[];
  total: number;
  search_mode: string;
}

/** Hits a word matched (not only meaning, on a hybrid runtime). */
const wordHits = (found: Found) =>
  found.results.filter((hit) => hit.matched_fields.some((field) => field !== 'semantic')).map((hit) => hit.id);

/** Registers the shared cases in the calling describe block; call it in a describe of its own. */
export function toolsContract(contract: ToolsContract): void {
  let b: ToolsBackend;
  const client = () => b.client;
  const create = (args: Record<string, unknown>) => call<Created>(client(), 'backlog_create', args);
  const update = (args: Record<string, unknown>) => call<Updated>(client(), 'backlog_update', args);
  const get = (id: string | string[]) =>
    call<{ items: Array<Item & { blocking?: unknown[] }>; not_found: string[] }>(client(), 'backlog_get', { id });
  const list = (args: Record<string, unknown>) =>
    call<{ items: ItemStub[]; total: number; counts: { by_status: Record<string, number> } }>(
      client(),
      'backlog_list',
      args,
    );
  const search = (query: string, extra: Record<string, unknown> = {}) =>
    call<Found>(client(), 'backlog_search', { query, ...extra });
  /** An item's resource text: exactly its Markdown file, on every runtime. */
  const resourceText = async (id: string) => {
    const read = await client().readResource({ uri: `mcp://backlog/tasks/${id}.md` });
    return (read.contents[0] as { text: string }).text;
  };

  beforeAll(async () => {
    b = await contract.open();
  });
  afterAll(async () => {
    await b?.close();
  });

  it('lists exactly the eight tools, each with an output schema and honest hints', async () => {
    const { tools } = await client().listTools();
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

  it('creates items with IDs allocated per type, filed under epics, folders and milestones', async () => {
    const { id, item } = await create({
      title: 'Fix authentication flow',
      description: 'Login fails after **timeout**.\n',
    });
    expect(id).toBe('TASK-0001');
    expect(item).toMatchObject({ id, type: 'task', status: 'open', title: 'Fix authentication flow', version: 1 });
    expect(item.description).toBe('Login fails after **timeout**.\n');

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
    expect(milestone.item.due_date).toBe('2026-12-31');
    expect(artifact.item.parent_id).toBe('FLDR-0001');
    const task = await create({
      title: 'Rotate session tokens',
      epic_id: epic.id,
      parent_id: folder.id,
      references: [{ url: 'https://github.com/org/repo/issues/123', title: 'Related issue' }],
      priority: 'high',
    });
    expect(task.id).toBe('TASK-0002');
    expect(task.item).toMatchObject({
      epic_id: 'EPIC-0001',
      parent_id: 'FLDR-0001',
      priority: 'high',
      references: [{ url: 'https://github.com/org/repo/issues/123', title: 'Related issue' }],
    });
    const plan = await create({ title: 'Follow the plan', description: '# Plan\n\n- step one\n' });
    expect(plan.id).toBe('TASK-0003');
    const blocked = await create({ title: 'Ship the welcome page', blocked_by: ['TASK-0001'] });
    expect(blocked.id).toBe('TASK-0004');
    expect(blocked.item.blocked_by).toEqual(['TASK-0001']);
  });

  it('serves items as MCP resources in their file format', async () => {
    const task = await resourceText('TASK-0001');
    expect(task).toMatch(/^---\nid: TASK-0001\ntitle: Fix authentication flow\nstatus: open\ntype: task\n/);
    expect(task.endsWith('---\nLogin fails after **timeout**.\n')).toBe(true);
    const filed = await resourceText('TASK-0002');
    expect(filed).toContain('epic_id: EPIC-0001\nparent_id: FLDR-0001\n');
    expect(filed).toContain('references:\n  - url: https://github.com/org/repo/issues/123\n    title: Related issue\n');
    expect(await resourceText('MLST-0001')).toContain('due_date: 2026-12-31');
    expect(await resourceText('EPIC-0001')).toMatch(/^---\nid: EPIC-0001\ntitle: Auth overhaul\n/);
    const resources = await client().listResources();
    expect(resources.resources.map((r) => r.uri)).toContain('mcp://backlog/tasks/TASK-0001.md');
  });

  it('gives the session briefing as a resource and as a prompt, the same text on every runtime', async () => {
    const read = await client().readResource({ uri: 'mcp://backlog/briefing' });
    const text = (read.contents[0] as { text?: string }).text ?? '';
    expect(text).toMatch(/^Backlog briefing for agent-\S+: \d+ items? \(/);
    const prompt = await client().getPrompt({ name: 'briefing' });
    const message = prompt.messages[0]?.content as { text?: string };
    expect(message.text?.replace(/\d+ min|just now/g, 'N')).toBe(text.replace(/\d+ min|just now/g, 'N'));
  });

  it('gets one item or a batch, accepting loose ID spellings, with what each blocks, and reports missing IDs', async () => {
    const one = await get('task-1');
    expect(one.items.map((i) => i.id)).toEqual(['TASK-0001']);
    expect(one.items[0]?.description).toBe('Login fails after **timeout**.\n');
    expect(one.items[0]?.blocking).toEqual([{ id: 'TASK-0004', title: 'Ship the welcome page', status: 'open' }]);
    const batch = await get(['TASK-0001', 'EPIC-0001', 'TASK-9999']);
    expect(batch.items.map((i) => i.id)).toEqual(['TASK-0001', 'EPIC-0001']);
    expect(batch.not_found).toEqual(['TASK-9999']);
  });

  it('updates under if_version and refuses a stale version, naming the version it has', async () => {
    const updated = await update({ id: 'TASK-0004', priority: 'low', if_version: 1 });
    expect(updated.changed).toEqual(['priority']);
    expect(updated.item.version).toBe(2);
    const stale = await callError(client(), 'backlog_update', { id: 'TASK-0004', title: 'x', if_version: 1 });
    expect(stale).toMatch(/^if_version: TASK-0004 is at version 2, not 1/);
    expect((await get('TASK-0004')).items[0]).toMatchObject({ title: 'Ship the welcome page', version: 2 });
  });

  it('updates fields, replaces lists, clears with null and reports what changed', async () => {
    const before = await resourceText('TASK-0002');
    const updated = await update({
      id: 'TASK-0002',
      status: 'blocked',
      blocked_reason: ['waiting for the security review'],
      evidence: ['PR #45'],
    });
    expect(updated.changed.sort()).toEqual(['blocked_reason', 'evidence', 'status']);
    expect(updated.item.updated_at > updated.item.created_at).toBe(true);
    expect(updated.item.version).toBe(2);
    const after = await resourceText('TASK-0002');
    expect(after).not.toEqual(before);
    expect(after).toContain('status: blocked');
    expect(after).toContain('blocked_reason:\n  - waiting for the security review\n');

    const cleared = await update({
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
    expect(await resourceText('TASK-0002')).not.toContain('blocked_reason');

    const same = await update({ id: 'TASK-0002', status: 'in_progress' });
    expect(same.changed).toEqual([]);
  });

  it('lists active items newest first, with filters, ready work, totals and counts', async () => {
    await update({ id: 'TASK-0003', status: 'done' });
    const active = await list({});
    expect(active.items.map((i) => i.id)).not.toContain('TASK-0003');
    expect(active.items[0]?.id).toBe('TASK-0002'); // the most recently updated active item
    const updatedAt = active.items.map((i) => i.updated_at);
    expect([...updatedAt].sort().reverse()).toEqual(updatedAt);

    expect((await list({ status: ['done'] })).items.map((i) => i.id)).toEqual(['TASK-0003']);
    expect((await list({ type: 'epic' })).items.map((i) => i.id)).toEqual(['EPIC-0001']);
    expect((await list({ epic_id: 'EPIC-0001' })).items.map((i) => i.id)).toEqual(['TASK-0002']);
    expect((await list({ parent_id: 'FLDR-0001' })).items.map((i) => i.id)).toEqual(['ARTF-0001']);
    expect((await list({ query: 'TIMEOUT login' })).items.map((i) => i.id)).toEqual(['TASK-0001']);
    // Open leaf tasks whose blockers are finished: TASK-0004 waits for TASK-0001.
    expect((await list({ ready: true, type: 'task' })).items.map((i) => i.id)).toEqual(['TASK-0001']);

    const limited = await list({ limit: 2, counts: true });
    expect(limited.items).toHaveLength(2);
    expect(limited.total).toBe(active.total);
    expect(limited.counts.by_status.done).toBe(1);
    expect(limited.counts.by_status.open).toBeGreaterThan(0);
    const everything = await list({ status: ['open', 'in_progress', 'done'], counts: true });
    expect(everything.total).toBe(8);
    expect(everything.counts.by_status).toMatchObject({ open: 6, in_progress: 1, done: 1 });
  });

  it('searches every status with scores, snippets and matched fields', async () => {
    const found = await search('authentication');
    expect(found.results[0]?.id).toBe('TASK-0001');
    expect(found.results[0]?.matched_fields).toContain('title');
    expect(found.results[0]?.score).toBeGreaterThan(0);
    expect(found.results[0]?.snippet).toEqual(expect.any(String));
    expect(found.search_mode).toBe(contract.searchMode);
    const plan = await search('plan step', { include_content: true });
    expect(plan.results[0]?.id).toBe('TASK-0003');
    expect(plan.results[0]?.description).toContain('step one');
    const openOnly = await search('plan', { status: ['open'] });
    expect(openOnly.results.map((r) => r.id)).not.toContain('TASK-0003');
  });

  it('finds stems, accents and IDs, and follows updates and deletes', async () => {
    const first = await create({ title: 'Quantum flux capacitor', description: 'Calibrate the flux before running.' });
    await create({ title: 'Unrelated chores', description: 'Water the plants.' });
    const found = await search('flux');
    expect(wordHits(found)).toEqual([first.id]);
    expect(found.results[0]?.matched_fields).toContain('title');
    // Stemming and accents: "calibrating" finds "Calibrate", "capacitór" finds "capacitor".
    expect(wordHits(await search('calibrating'))).toEqual([first.id]);
    expect(wordHits(await search('capacitór'))).toEqual([first.id]);
    expect((await search(first.id)).results[0]).toMatchObject({ id: first.id, matched_fields: ['id'] });

    await update({ id: first.id, title: 'Temporal widget', description: 'Nothing else.' });
    expect(wordHits(await search('flux'))).toEqual([]);
    expect(wordHits(await search('temporal'))).toEqual([first.id]);
    await update({ id: first.id, evidence: ['Verified with the oscilloscope'] });
    expect((await search('oscilloscope')).results[0]?.matched_fields).toContain('evidence');

    await call(client(), 'backlog_delete', { id: first.id });
    expect(wordHits(await search('temporal'))).toEqual([]);
    expect(wordHits(await search('oscilloscope'))).toEqual([]);
  });

  it('gives the whole context of a task in one call', async () => {
    const other = await create({
      title: 'Audit session storage',
      epic_id: 'EPIC-0001',
      references: [{ url: 'mcp://backlog/tasks/TASK-0002.md' }],
    });
    const sub = await create({ title: 'Write token rotation test', parent_id: 'TASK-0002' });
    await update({ id: 'TASK-0002', references: [{ url: 'https://example.com/TASK-0001' }] });
    const ctx = await call<{
      focal: Item;
      epic?: ItemStub;
      children: ItemStub[];
      siblings: ItemStub[];
      references: Array<{ url: string; id?: string }>;
      referenced_by: ItemStub[];
      activity: Array<{ action: string; actor?: string; tool: string }>;
      related: ItemStub[];
    }>(client(), 'backlog_context', { task_id: 'TASK-0002' });
    expect(ctx.focal.id).toBe('TASK-0002');
    expect(ctx.epic?.id).toBe('EPIC-0001');
    expect(ctx.children.map((c) => c.id)).toEqual([sub.id]);
    expect(ctx.siblings.map((s) => s.id)).toContain(other.id);
    expect(ctx.references[0]?.id).toBe('TASK-0001');
    expect(ctx.referenced_by.map((r) => r.id)).toEqual([other.id]);
    expect(ctx.activity[0]).toMatchObject({ action: 'updated', tool: 'backlog_update', actor: contract.agent });
    expect(ctx.activity.at(-1)).toMatchObject({ action: 'created', tool: 'backlog_create' });

    const byQuery = await call<{ focal: Item }>(client(), 'backlog_context', { query: 'token rotation test' });
    expect(byQuery.focal.id).toBe(sub.id);
    const deep = await call<{ descendants: ItemStub[]; ancestors: ItemStub[] }>(client(), 'backlog_context', {
      task_id: 'EPIC-0001',
      depth: 2,
    });
    expect(deep.descendants.map((d) => d.id)).toContain(sub.id);
    // What a task blocks is part of its context too.
    const blocker = await call<{ focal: Item }>(client(), 'backlog_context', { task_id: 'TASK-0001' });
    expect(blocker.focal.id).toBe('TASK-0001');
    expect(JSON.stringify(blocker)).toContain('TASK-0004');
    const welcome = await call<{ focal: Item }>(client(), 'backlog_context', { query: 'welcome page' });
    expect(welcome.focal.id).toBe('TASK-0004');
  });

  it('edits an item body with write_resource and never touches its front matter', async () => {
    const uri = 'mcp://backlog/tasks/TASK-0001.md';
    const before = (await get('TASK-0001')).items[0] as Item;
    const edited = await call<{ uri: string; id: string; version: number }>(client(), 'write_resource', {
      uri,
      operation: { type: 'str_replace', old_str: '**timeout**', new_str: 'a `$&` timeout' },
    });
    expect(edited).toMatchObject({ uri, id: 'TASK-0001', version: before.version + 1 });
    await call(client(), 'write_resource', { uri, operation: { type: 'append', new_str: 'More detail.\n' } });
    await call(client(), 'write_resource', { uri, operation: { type: 'insert', insert_line: 0, new_str: '# Bug' } });
    const after = (await get('TASK-0001')).items[0] as Item;
    expect(after.description).toBe('# Bug\nLogin fails after a `$&` timeout.\nMore detail.\n');
    expect(after.title).toBe(before.title);
    expect(after.updated_at > before.updated_at).toBe(true);
    const read = await client().readResource({ uri });
    expect(JSON.stringify(read.contents)).toContain('More detail.');

    const attack = await call(client(), 'write_resource', {
      uri,
      operation: { type: 'append', new_str: '---\nid: TASK-0666\nstatus: done\n---\n' },
    });
    expect(attack).toBeDefined();
    expect(
      (await resourceText('TASK-0001')).startsWith(
        '---\nid: TASK-0001\ntitle: Fix authentication flow\nstatus: open\n',
      ),
    ).toBe(true);
    expect((await get('TASK-0001')).items[0]).toMatchObject({ id: 'TASK-0001', status: 'open' });

    const twice = await callError(client(), 'write_resource', {
      uri,
      operation: { type: 'str_replace', old_str: 'e', new_str: 'E' },
    });
    expect(twice).toMatch(/found \d+ times/);
    const missing = await callError(client(), 'write_resource', {
      uri,
      operation: { type: 'str_replace', old_str: 'Login fails after a timeout', new_str: 'x' },
    });
    expect(missing).toContain('closest line is 2');
  });

  it('edits existing documents under resources/ and never creates one', async () => {
    const plan = 'mcp://backlog/resources/notes/plan.md';
    expect(
      await callError(client(), 'write_resource', { uri: plan, operation: { type: 'append', new_str: 'x' } }),
    ).toMatch(/^uri: .*write_resource edits existing files only/);
    await b.addDocument('notes/plan.md', 'Plan: ship it\n');
    await call(client(), 'write_resource', {
      uri: plan,
      operation: { type: 'str_replace', old_str: 'ship it', new_str: 'ship it on Friday' },
    });
    expect((await client().readResource({ uri: plan })).contents[0]).toMatchObject({
      text: 'Plan: ship it on Friday\n',
    });

    await b.addDocument('log.md', 'Day 1\n');
    await call(client(), 'write_resource', {
      uri: 'mcp://backlog/resources/log.md',
      operation: JSON.stringify({ type: 'append', new_str: 'Day 2\n' }),
    });
    const read = await client().readResource({ uri: 'mcp://backlog/resources/log.md' });
    expect(read.contents[0]).toMatchObject({ text: 'Day 1\nDay 2\n' });
    const error = await callError(client(), 'write_resource', {
      uri: 'mcp://backlog/resources/new.md',
      operation: { type: 'append', new_str: 'x' },
    });
    expect(error).toContain('uri');
    await expect(client().readResource({ uri: 'mcp://backlog/resources/new.md' })).rejects.toThrow(/new\.md/);
    expect(
      await callError(client(), 'write_resource', {
        uri: 'mcp://backlog/resources/../secrets.md',
        operation: { type: 'append', new_str: 'x' },
      }),
    ).toMatch(/uri/);
  });

  it('deletes for good, refuses to orphan children, and never reuses a deleted ID', async () => {
    expect(await callError(client(), 'backlog_delete', { id: 'EPIC-0001' })).toMatch(/EPIC-0001 still contains/);
    const epic = await create({ title: 'Short-lived epic', type: 'epic' });
    expect(epic.id).toBe('EPIC-0002');
    const inside = await create({ title: 'Inside the short-lived epic', epic_id: epic.id });
    expect(await callError(client(), 'backlog_delete', { id: epic.id })).toMatch(/still contains 1 item/);
    await update({ id: inside.id, epic_id: null });
    expect(await call(client(), 'backlog_delete', { id: epic.id })).toEqual({ id: 'EPIC-0002', deleted: true });
    expect((await create({ title: 'Another epic', type: 'epic' })).id).toBe('EPIC-0003');

    const top = await create({ title: 'Temporary' });
    const deleted = await call<{ id: string; deleted: boolean }>(client(), 'backlog_delete', { id: top.id });
    expect(deleted).toEqual({ id: top.id, deleted: true });
    expect((await get(top.id)).not_found).toEqual([top.id]);
    const next = await create({ title: 'After the delete' });
    expect(next.id > top.id).toBe(true);
    const again = await callError(client(), 'backlog_delete', { id: top.id });
    expect(again).toContain(top.id);
  });

  it('sets and clears every field that create and update take, each listed in changed', async () => {
    const source = await b.sourceFile?.('from a file\n');
    const walked = await walkEveryField(client(), source);
    // The walk covers the schemas as they are: a field added to either one is walked too.
    expect(walked).toEqual(walkedFields().filter((field) => source !== undefined || field !== 'source_path'));
    expect(walked).toEqual(expect.arrayContaining(['priority', 'blocked_by', 'labels', 'due_date', 'references']));
  });

  it('keeps labels: trimmed, lower-case, unique; replace, add and remove; filter all-of; shared in context', async () => {
    const a = await create({ title: 'Label A', labels: [' Frontend', 'bug', 'BUG'] });
    expect(a.item.labels).toEqual(['frontend', 'bug']);
    expect(await resourceText(a.id)).toMatch(/labels:\n {2}- frontend\n {2}- bug\n/);
    const b2 = await create({ title: 'Label B', labels: ['frontend'] });
    const added = await update({ id: b2.id, add_labels: ['Perf', 'frontend'] });
    expect(added.item.labels).toEqual(['frontend', 'perf']);
    expect(added.changed).toEqual(['labels']);
    const removed = await update({ id: b2.id, remove_labels: ['PERF'] });
    expect(removed.item.labels).toEqual(['frontend']);
    const replaced = await update({ id: b2.id, labels: ['bug', 'frontend', 'ops'] });
    expect(replaced.item.labels).toEqual(['bug', 'frontend', 'ops']);
    const both = await list({ labels: ['Bug', 'frontend'] });
    expect(both.items.map((i) => i.id).sort()).toEqual([a.id, b2.id].sort());
    expect(both.items[0]?.labels).toBeDefined();
    const ops = await list({ labels: ['ops', 'frontend'] });
    expect(ops.items.map((i) => i.id)).toEqual([b2.id]);
    const context = await call<{ same_labels?: Array<{ id: string }> }>(client(), 'backlog_context', {
      task_id: a.id,
    });
    expect(context.same_labels?.map((n) => n.id)).toEqual([b2.id]);
    const tooLong = await callError(client(), 'backlog_update', { id: b2.id, add_labels: ['x'.repeat(41)] });
    expect(tooLong).toMatch(/add_labels/);
    const many = Array.from({ length: 18 }, (_, i) => `l${i}`);
    const tooMany = await callError(client(), 'backlog_update', { id: b2.id, add_labels: many });
    expect(tooMany).toMatch(/add_labels: expected at most 20 labels/);
    expect((await get(b2.id)).items[0]?.labels).toEqual(['bug', 'frontend', 'ops']);
  });

  it('keeps a claim across calls: the holder works on, another session is refused, finishing ends it', async () => {
    const { id } = await create({ title: 'Claimable work' });
    const claimed = await update({ id, claim: true });
    const holder = claimed.item.assignee as string;
    expect(holder.startsWith(`${contract.agent}#`)).toBe(true);
    expect(claimed.item).toMatchObject({ status: 'in_progress', lease_until: expect.any(String) });
    // A later call of the same session is the holder's: it may release and claim again.
    const released = await update({ id, claim: false });
    expect(released.item.assignee).toBeUndefined();
    expect(released.item.status).toBe('open');
    expect((await update({ id, claim: true })).item.assignee).toBe(holder);

    const other = await b.connect('agent-two');
    expect(await callError(other, 'backlog_update', { id, claim: true })).toMatch(
      new RegExp(`^claim: ${id} is held by ${holder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} until `),
    );
    expect(await callError(other, 'backlog_update', { id, status: 'done' })).toContain(`is held by ${holder} until`);
    expect(await callError(other, 'backlog_update', { id, claim: false })).toMatch(
      /^claim: .*only they can release it/,
    );

    const done = await update({ id, status: 'done' });
    expect(done.item.assignee).toBeUndefined();
    expect(done.item.lease_until).toBeUndefined();
  });

  it('refuses bad input with an error that names the field, and changes nothing', async () => {
    // The core's own checks start with the field; the schema's end with "at <field>".
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['backlog_create', {}, /expected string, received nothing at title$/],
      ['backlog_create', { title: 't', type: 'bug' }, /received 'bug' at type$/],
      ['backlog_create', { title: 't', titel: 'x' }, /Unknown field\(s\) 'titel'/],
      ['backlog_create', { title: 't', epic_id: 'EPIC-0042' }, /^epic_id: no item EPIC-0042 exists/],
      ['backlog_create', { title: 't', parent_id: 'ARTF-0001' }, /^parent_id: .*ARTF-0001 is an artifact/],
      ['backlog_create', { title: 't', due_date: '2026-02-30' }, /^due_date: expected an ISO date YYYY-MM-DD/],
      ['backlog_update', { id: 'TASK-0404', status: 'done' }, /^id: no item TASK-0404 exists/],
      ['backlog_update', { id: 'TASK-0001', status: 'finished' }, /received 'finished' at status$/],
      ['backlog_update', { id: 'TASK-0001', blocked_by: ['TASK-0004'] }, /^blocked_by: .*cycle/],
      ['backlog_delete', { id: 'TASK-abc' }, /^id: expected an item ID such as TASK-0001/],
      ['backlog_search', { query: '' }, /^query: expected a non-empty search text/],
      ['backlog_list', { limit: 0 }, /received 0 at limit$/],
      ['backlog_context', {}, /^task_id: /],
      [
        'write_resource',
        { uri: 'mcp://backlog/tasks/TASK-0001.md', operation: { type: 'paste' } },
        /received 'paste' at operation\.type$/,
      ],
    ];
    const before = await list({ status: ['open', 'in_progress', 'blocked', 'done', 'cancelled'], limit: 1000 });
    for (const [tool, args, expected] of cases) {
      expect(await callError(client(), tool, args), `${tool} ${JSON.stringify(args)}`).toMatch(expected);
    }
    const after = await list({ status: ['open', 'in_progress', 'blocked', 'done', 'cancelled'], limit: 1000 });
    expect(after.items).toEqual(before.items);
  });

  it('pages list and search with cursors: items created between pages shift nothing, bad cursors are refused', async () => {
    const other = await b.connect('pager-writer');
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await create({ title: `Pagewalk crate ${i}` })).id);
    let extra = 0;
    const meanwhile = async () => {
      extra++;
      await call(other, 'backlog_create', { title: `Pagewalk crate made meanwhile ${extra}` });
    };
    async function walk(tool: string, args: Record<string, unknown>): Promise<string[]> {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await call<{ items?: ItemStub[]; results?: Hit[]; next_cursor?: string }>(
          client(),
          tool,
          cursor ? { ...args, cursor } : args,
        );
        ids.push(...(page.items ?? page.results ?? []).map((entry) => entry.id));
        cursor = page.next_cursor;
        await meanwhile();
      } while (cursor);
      return ids;
    }
    const listed = await walk('backlog_list', { query: 'pagewalk', limit: 3 });
    expect(listed).toEqual([...made].reverse()); // made meanwhile: newer, before every cursor
    // Over stdio the other session is another process: its items arrive through the file watcher,
    // whenever that is. What this session made is there from the start.
    const found = await walk('backlog_search', { query: 'pagewalk', limit: 2 });
    expect(new Set(found).size).toBe(found.length);
    expect(found).toEqual(expect.arrayContaining(made));

    const first = await list({ query: 'pagewalk', limit: 2 });
    expect(
      await callError(client(), 'backlog_list', {
        query: 'crate',
        cursor: (first as { next_cursor?: string }).next_cursor,
      }),
    ).toMatch(/^cursor: made for other filters than these/);
    expect(await callError(client(), 'backlog_list', { cursor: 'garbage!' })).toMatch(
      /^cursor: expected the next_cursor/,
    );
    expect(await callError(client(), 'backlog_search', { query: 'pagewalk', cursor: 'Z2FyYmFnZQ' })).toMatch(
      /^cursor: expected the next_cursor/,
    );
  });
}
