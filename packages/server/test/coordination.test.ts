import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item, ItemStub } from '@backlog-mcp/shared';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MarkdownStore } from '../src/adapters/files/file-store.js';
import { JsonlJournal } from '../src/adapters/files/journal-file.js';
import { Backlog } from '../src/core/backlog.js';
import { HybridSearchIndex } from '../src/search/hybrid.js';
import { call, callError, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';

type Created = { id: string; item: Item };
type Updated = { id: string; item: Item; changed: string[] };

describe('many agents, one backlog', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  let alice: Client;
  let bob: Client;
  const create = (args: Record<string, unknown>) => call<Created>(alice, 'backlog_create', args);

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    alice = await connectHttp(server.url, 'alice');
    bob = await connectHttp(server.url, 'bob');
  });
  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await server?.stop();
    await removeDir(dataDir);
  });

  it('keeps the whole tools/list answer within 3,000 tokens', async () => {
    const { tools } = await alice.listTools();
    const chars = JSON.stringify(tools).length;
    const tokens = Math.ceil(chars / 4);
    console.log(`tools/list: ${chars} characters ≈ ${tokens} tokens for ${tools.length} tools`);
    expect(tokens).toBeLessThanOrEqual(3000);
  });

  it('lets exactly one of two racing agents claim a ready item, 100 times over', async () => {
    for (let round = 0; round < 100; round++) {
      const { id } = await create({ title: `race ${round}` });
      const attempts = await Promise.all(
        [alice, bob].map((client) => client.callTool({ name: 'backlog_update', arguments: { id, claim: true } })),
      );
      const winners = attempts.filter((r) => !r.isError);
      expect(winners, `round ${round}`).toHaveLength(1);
      const loser = attempts.find((r) => r.isError);
      const message = ((loser?.content ?? []) as Array<{ text: string }>)[0]?.text ?? '';
      expect(message).toMatch(/is held by (alice|bob)#\w+ until \d{4}-/);
      const winner = ((winners[0]?.structuredContent ?? {}) as Updated).item;
      expect(winner.status).toBe('in_progress');
      expect(winner.assignee).toMatch(/^(alice|bob)#/);
    }
  }, 120_000);

  it('lets the holder renew, work and release, and another agent take over after release', async () => {
    const { id } = await create({ title: 'hand over' });
    const claimed = await call<Updated>(alice, 'backlog_update', { id, claim: true });
    const lease = claimed.item.lease_until as string;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const worked = await call<Updated>(alice, 'backlog_update', { id, evidence: ['half done'] });
    expect(Date.parse(worked.item.lease_until as string)).toBeGreaterThan(Date.parse(lease));
    expect(await callError(bob, 'backlog_update', { id, claim: false })).toMatch(/only they can release/);
    const released = await call<Updated>(alice, 'backlog_update', { id, claim: false });
    expect(released.item.status).toBe('open');
    expect(released.item.assignee).toBeUndefined();
    const taken = await call<Updated>(bob, 'backlog_update', { id, claim: true, agent: 'bob-the-builder' });
    expect(taken.item.assignee).toBe('bob-the-builder');
  });

  it("refuses another agent's status change or claim while the lease runs, unless forced, and journals the force", async () => {
    const { id } = await create({ title: 'guarded' });
    const claimed = await call<Updated>(alice, 'backlog_update', { id, claim: true });
    const lease = claimed.item.lease_until as string;
    const refused = await callError(bob, 'backlog_update', { id, status: 'done' });
    expect(refused).toContain(`status: ${id} is held by ${claimed.item.assignee} until ${lease}`);
    expect(refused).toMatch(/force=true/);
    expect(await callError(bob, 'backlog_update', { id, claim: true })).toMatch(/^claim: .* is held by alice#/);
    // Evidence and the body stay open to everyone, and do not move the claim.
    const noted = await call<Updated>(bob, 'backlog_update', { id, evidence: ['bob saw it'] });
    expect(noted.item.assignee).toBe(claimed.item.assignee);
    await call(bob, 'write_resource', {
      uri: `mcp://backlog/tasks/${id}.md`,
      operation: { type: 'append', new_str: 'a note from bob' },
    });
    const forced = await call<Updated>(bob, 'backlog_update', { id, status: 'done', force: true });
    expect(forced.item.status).toBe('done');
    expect(forced.item.assignee).toBeUndefined();
    const context = await call<{ activity: Array<{ summary?: string; overrode?: string; actor?: string }> }>(
      alice,
      'backlog_context',
      { task_id: id, include_related: false },
    );
    expect(context.activity[0]).toMatchObject({ actor: 'bob', overrode: claimed.item.assignee });
    expect(context.activity[0]?.summary).toContain(`forced over ${claimed.item.assignee}'s claim`);
  });

  it('ends the claim when the holder finishes, and says nothing of a holder afterwards', async () => {
    const { id } = await create({ title: 'finish me' });
    await call(alice, 'backlog_update', { id, claim: true });
    const done = await alice.callTool({ name: 'backlog_update', arguments: { id, status: 'done' } });
    const text = ((done.content ?? []) as Array<{ text: string }>)[0]?.text ?? '';
    expect(text).not.toMatch(/undefined|held by/);
    const item = (done.structuredContent as Updated).item;
    expect(item.assignee).toBeUndefined();
    expect(item.lease_until).toBeUndefined();
    const listed = await bob.callTool({ name: 'backlog_list', arguments: { status: ['done'], query: 'finish me' } });
    expect(((listed.content ?? []) as Array<{ text: string }>)[0]?.text).not.toContain('held by');
    expect(await readFile(join(dataDir, 'tasks', `${id}.md`), 'utf8')).not.toMatch(/assignee|lease_until/);
  });

  it('lets an agent that named itself release its claim from a new session', async () => {
    const { id } = await create({ title: 'survive a reconnect' });
    const first = await connectHttp(server.url, 'claude-code');
    await call(first, 'backlog_update', { id, claim: true, agent: 'claude-code' });
    await first.close();
    const second = await connectHttp(server.url, 'claude-code');
    try {
      const released = await call<Updated>(second, 'backlog_update', { id, claim: false, agent: 'claude-code' });
      expect(released.item).toMatchObject({ status: 'open' });
      expect(released.item.assignee).toBeUndefined();
      const journal = await call<{ activity: Array<{ summary?: string }> }>(second, 'backlog_context', {
        task_id: id,
        include_related: false,
      });
      expect(journal.activity[0]?.summary).toBe('released by claude-code; status → open');
      // Without a name, each session is its own agent: an unnamed claim is not the next session's.
      await call(second, 'backlog_update', { id, claim: true });
      const third = await connectHttp(server.url, 'claude-code');
      expect(await callError(third, 'backlog_update', { id, claim: false })).toMatch(/only they can release it/);
      await call(third, 'backlog_update', { id, claim: false, force: true });
      await third.close();
    } finally {
      await second.close();
    }
  });

  it('offers only leaf tasks as ready work: never epics, folders, milestones, artifacts or tasks with open subtasks', async () => {
    const tag = 'leafwork';
    const epic = await create({ title: `${tag} epic`, type: 'epic' });
    await create({ title: `${tag} folder`, type: 'folder' });
    await create({ title: `${tag} milestone`, type: 'milestone' });
    await create({ title: `${tag} artifact`, type: 'artifact' });
    const parent = await create({ title: `${tag} parent`, epic_id: epic.id });
    const child = await create({ title: `${tag} child`, parent_id: parent.id });
    const ready = async () =>
      (await call<{ items: ItemStub[] }>(alice, 'backlog_list', { ready: true, query: tag, limit: 50 })).items.map(
        (i) => i.id,
      );
    expect(await ready()).toEqual([child.id]);
    await call(alice, 'backlog_update', { id: child.id, status: 'done' });
    expect(await ready()).toEqual([parent.id]);
  });

  it('refuses a stale if_version and writes nothing', async () => {
    const { id, item } = await create({ title: 'versioned', description: 'v1 body' });
    expect(item.version).toBe(1);
    const second = await call<Updated>(alice, 'backlog_update', { id, if_version: 1, title: 'versioned twice' });
    expect(second.item.version).toBe(2);
    const before = await readFile(join(dataDir, 'tasks', `${id}.md`), 'utf8');
    const stale = await callError(bob, 'backlog_update', { id, if_version: 1, title: 'lost update' });
    expect(stale).toMatch(/at version 2, not 1/);
    const staleEdit = await callError(bob, 'write_resource', {
      uri: `mcp://backlog/tasks/${id}.md`,
      operation: { type: 'append', new_str: 'lost' },
      if_version: 1,
    });
    expect(staleEdit).toMatch(/at version 2/);
    expect(await readFile(join(dataDir, 'tasks', `${id}.md`), 'utf8')).toBe(before);
    const listed = await call<{ items: ItemStub[] }>(alice, 'backlog_list', { query: 'versioned' });
    expect(listed.items[0]?.version).toBe(2);
  });

  it('makes C ready only after B, and B only after A, most important first', async () => {
    const a = await create({ title: 'chain A', priority: 'low' });
    const b = await create({ title: 'chain B', blocked_by: [a.id], priority: 'high' });
    const c = await create({ title: 'chain C', blocked_by: [b.id], priority: 'high' });
    const ready = async () =>
      (await call<{ items: ItemStub[] }>(alice, 'backlog_list', { ready: true, query: 'chain', limit: 50 })).items.map(
        (i) => i.id,
      );
    expect(await ready()).toEqual([a.id]);
    await call(alice, 'backlog_update', { id: a.id, status: 'done' });
    expect(await ready()).toEqual([b.id]);
    await call(alice, 'backlog_update', { id: b.id, status: 'cancelled' });
    expect(await ready()).toEqual([c.id]);

    const got = await call<{ items: Array<Item & { waits_on?: unknown[]; blocking?: unknown[] }> }>(
      alice,
      'backlog_get',
      { id: b.id },
    );
    expect(got.items[0]?.waits_on).toEqual([{ id: a.id, title: 'chain A', status: 'done' }]);
    expect(got.items[0]?.blocking).toEqual([{ id: c.id, title: 'chain C', status: 'open' }]);
    const ctx = await call<{ waits_on: unknown[]; blocking: unknown[] }>(alice, 'backlog_context', { task_id: b.id });
    expect(ctx.waits_on).toEqual([{ id: a.id, title: 'chain A', status: 'done' }]);
    expect(ctx.blocking).toEqual([{ id: c.id, title: 'chain C', status: 'open' }]);

    const high = await create({ title: 'chain D', priority: 'high' });
    const medium = await create({ title: 'chain E' });
    expect(await ready()).toEqual([c.id, high.id, medium.id]);
  });

  it('refuses a dependency cycle and names it', async () => {
    const x = await create({ title: 'cycle X' });
    const y = await create({ title: 'cycle Y', blocked_by: [x.id] });
    const z = await create({ title: 'cycle Z', blocked_by: [y.id] });
    const error = await callError(alice, 'backlog_update', { id: x.id, blocked_by: [z.id] });
    expect(error).toContain(`${x.id} → ${z.id} → ${y.id} → ${x.id}`);
    expect(await callError(alice, 'backlog_update', { id: x.id, blocked_by: [x.id] })).toMatch(/blocked_by/);
    expect(await callError(alice, 'backlog_create', { title: 'w', blocked_by: ['TASK-9999'] })).toMatch(
      /blocked_by: no item TASK-9999/,
    );
  });

  it('answers backlog_context for a task with 50 neighbours within 1,500 tokens', async () => {
    const epic = await create({ title: 'Crowded epic', type: 'epic' });
    const focal = await create({
      title: 'The focal task',
      epic_id: epic.id,
      description: 'What to do, in a paragraph or two.',
    });
    for (let i = 0; i < 30; i++)
      await create({ title: `Sibling task number ${i} with a realistic title`, epic_id: epic.id });
    for (let i = 0; i < 20; i++) await create({ title: `Subtask number ${i} of the focal task`, parent_id: focal.id });
    const result = await alice.callTool({
      name: 'backlog_context',
      arguments: { task_id: focal.id, include_related: false },
    });
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? '';
    const structured = JSON.stringify(result.structuredContent);
    console.log(
      `context with 50 neighbours: text ≈ ${Math.ceil(text.length / 4)} tokens, structured ≈ ${Math.ceil(structured.length / 4)} tokens`,
    );
    expect(Math.ceil(text.length / 4)).toBeLessThanOrEqual(1500);
    expect(Math.ceil(structured.length / 4)).toBeLessThanOrEqual(1500);
    const full = await call<{ children: Item[] }>(alice, 'backlog_context', {
      task_id: focal.id,
      include_content: true,
    });
    expect(full.children[0]).toHaveProperty('description');
  });
});

describe('claim leases', () => {
  it('lets another agent take over an expired lease', async () => {
    const dir = await tempDataDir();
    let now = new Date('2026-11-24T10:00:00.000Z');
    const store = await MarkdownStore.open({ dataDir: dir, log: () => {} });
    const backlog = new Backlog({
      store,
      search: new HybridSearchIndex(),
      journal: await JsonlJournal.open(join(dir, '.state', 'activity.jsonl'), () => {}),
      now: () => now,
    });
    await backlog.start();
    const item = await backlog.create({ title: 'leased' }, { tool: 'test', name: 'alice' });
    await backlog.update(item.id, { claim: true }, { tool: 'test', name: 'alice' });
    await expect(backlog.update(item.id, { claim: true }, { tool: 'test', name: 'bob' })).rejects.toThrow(
      /held by alice until 2026-11-24T10:30/,
    );
    expect((await backlog.list({ ready: true })).items).toHaveLength(0);
    now = new Date('2026-11-24T10:31:00.000Z');
    expect((await backlog.list({ ready: true, status: ['in_progress'] })).items).toHaveLength(0); // still in_progress
    const taken = await backlog.update(item.id, { claim: true }, { tool: 'test', name: 'bob' });
    expect(taken.item.assignee).toBe('bob');
    store.close();
    await removeDir(dir);
  });
});
