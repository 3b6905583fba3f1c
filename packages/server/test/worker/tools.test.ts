import type { Item, ItemStub } from '@backlog-mcp/shared';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolsContract } from '../contract/tools.contract.js';
import { call, callError } from '../support/servers.js';
import { connectMcp, SECRETS, startWorker, type WorkerHarness } from './support/worker.js';

interface Created {
  id: string;
  item: Item;
}
interface SearchResult {
  results: Array<ItemStub & { score: number; snippet: string; matched_fields: string[] }>;
  total: number;
  search_mode: string;
}

/** Every MCP tool through the SDK client, against the Worker in workerd with a local D1. */
describe('the Worker in workerd: the tools contract on D1', () => {
  toolsContract({
    agent: 'agent-one',
    // Full-text search in D1 (FTS5): words only.
    searchMode: 'text',
    async open() {
      const w = await startWorker();
      const client = await connectMcp(w.url, SECRETS.API_KEY, 'agent-one');
      const others: Client[] = [];
      return {
        client,
        async connect(name) {
          others.push(await connectMcp(w.url, SECRETS.API_KEY, name));
          return others.at(-1) as Client;
        },
        async addDocument(path, text) {
          await w.sql('INSERT INTO documents (path, content, updated_at) VALUES (?, ?, ?)', path, text, '');
        },
        async close() {
          await Promise.all(others.map((other) => other.close()));
          await client.close();
          await w.close();
        },
      };
    },
  });
});

/** What only the Worker does: D1 rows and FTS5, no local disk, stateless requests. */
describe('the Worker in workerd: MCP tools on D1', () => {
  let w: WorkerHarness;
  let client: Client;
  const create = (args: Record<string, unknown>) => call<Created>(client, 'backlog_create', args);
  const search = (query: string, extra: Record<string, unknown> = {}) =>
    call<SearchResult>(client, 'backlog_search', { query, ...extra });

  beforeAll(async () => {
    w = await startWorker();
    client = await connectMcp(w.url, SECRETS.API_KEY, 'agent-one');
  });
  afterAll(async () => {
    await client?.close();
    await w?.close();
  });

  it("journals every write in the D1 activity table under the session's actor, deletes included", async () => {
    const epic = await create({ title: 'Journalled epic', type: 'epic' });
    await call(client, 'backlog_update', { id: epic.id, priority: 'high' });
    expect(await call(client, 'backlog_delete', { id: epic.id })).toEqual({ id: epic.id, deleted: true });
    const journal = await w.sql<{ entry: string; item_id: string }>('SELECT entry, item_id FROM activity ORDER BY seq');
    const entries = journal.map((row) => ({ ...JSON.parse(row.entry), item_id: row.item_id }));
    expect(entries.map((e) => `${e.action} ${e.id}`)).toEqual([
      `created ${epic.id}`,
      `updated ${epic.id}`,
      `deleted ${epic.id}`,
    ]);
    expect(entries.every((e) => e.item_id === epic.id && e.tool.startsWith('backlog_'))).toBe(true);
    expect(entries.every((e) => e.actor === 'agent-one')).toBe(true);
  });

  it('refuses source_path clearly: a Worker has no local disk', async () => {
    const message = await callError(client, 'backlog_create', { title: 'From a file', source_path: 'README.md' });
    expect(message).toMatch(/source_path: reading local files is not available on this server; pass description/);
    expect(await w.sql("SELECT id FROM items WHERE title = 'From a file'")).toEqual([]);
  });

  it('searches with FTS5, says search_mode text, and stays right after updates and deletes', async () => {
    const first = await create({ title: 'Quantum flux capacitor', description: 'Calibrate the flux before running.' });
    await create({ title: 'Unrelated chores', description: 'Water the plants.' });
    const found = await search('flux');
    expect(found.search_mode).toBe('text');
    expect(found.results.map((r) => r.id)).toEqual([first.id]);
    expect(found.results[0]?.matched_fields).toContain('title');
    // Stemming and accents: "calibrating" finds "Calibrate", "capacitór" finds "capacitor".
    expect((await search('calibrating')).results.map((r) => r.id)).toEqual([first.id]);
    expect((await search('capacitór')).results.map((r) => r.id)).toEqual([first.id]);
    expect((await search(first.id)).results[0]).toMatchObject({ id: first.id, matched_fields: ['id'] });

    await call(client, 'backlog_update', { id: first.id, title: 'Temporal widget', description: 'Nothing else.' });
    expect((await search('flux')).total).toBe(0);
    expect((await search('temporal')).results.map((r) => r.id)).toEqual([first.id]);
    await call(client, 'backlog_update', { id: first.id, evidence: ['Verified with the oscilloscope'] });
    expect((await search('oscilloscope')).results[0]?.matched_fields).toContain('evidence');

    await call(client, 'backlog_delete', { id: first.id });
    expect((await search('temporal')).total).toBe(0);
    expect((await search('oscilloscope')).total).toBe(0);
    // The FTS index agrees with the table row for row (external content + triggers).
    await w.sql("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')");
    const indexed = await w.sql<{ n: number }>("SELECT COUNT(*) AS n FROM items_fts WHERE items_fts MATCH 'water'");
    expect(indexed).toEqual([{ n: 1 }]);
    // Query syntax is never passed through: quotes, operators and parentheses are plain words.
    expect((await search('"plants" OR (NEAR')).results.map((r) => r.title)).toEqual(['Unrelated chores']);
    expect((await search('status:done AND -x*')).total).toBe(0);
  });

  it('searches labels: a label word finds the item above a passing mention, and goes with the label', async () => {
    const labelled = await create({
      title: 'Rework the settings layout',
      description: 'Tabs and a visible save button.',
    });
    const mention = await create({
      title: 'Infrastructure review',
      description: `${'Replicas, queues and backups before the audit. '.repeat(8)}One dashboard lives in the frontend repo.`,
    });
    await call(client, 'backlog_update', { id: labelled.id, labels: ['Frontend', 'ux'] });
    const found = await search('frontend');
    expect(found.results.map((r) => r.id)).toEqual([labelled.id, mention.id]);
    expect(found.results[0]?.matched_fields).toEqual(['labels']);
    expect(found.results[1]?.matched_fields).toEqual(['description']);
    await call(client, 'backlog_update', { id: labelled.id, labels: null });
    expect((await search('frontend')).results.map((r) => r.id)).toEqual([mention.id]);
    expect((await search('ux')).total).toBe(0);
  });

  it('keeps a claim across stateless requests of one MCP session, and apart from another session', async () => {
    const { id } = await create({ title: 'Claimable work' });
    const claimed = await call<{ item: Item }>(client, 'backlog_update', { id, claim: true });
    expect(claimed.item.assignee).toMatch(/^agent-one#[0-9a-f]{8}$/);
    const other = await connectMcp(w.url, SECRETS.API_KEY, 'agent-two');
    try {
      expect(await callError(other, 'backlog_update', { id, claim: true })).toMatch(/is held by agent-one#/);
    } finally {
      await other.close();
    }
    // Same session, a later request: the holder can release it.
    const released = await call<{ item: Item }>(client, 'backlog_update', { id, claim: false });
    expect(released.item.assignee).toBeUndefined();
  });

  it('orders more than 10,000 IDs numerically and allocates after TASK-9999', async () => {
    // One item done now, after the bulk rows' date: it lists first.
    const recent = await create({ title: 'Done just now' });
    await call(client, 'backlog_update', { id: recent.id, status: 'done' });
    const doneBefore = (await call<{ total: number }>(client, 'backlog_list', { status: ['done'] })).total;
    // 10,001 rows straight into D1 (the triggers index them), then the counter is moved to 9,998.
    await w.sql(`
      WITH RECURSIVE n(x) AS (SELECT 100 UNION ALL SELECT x + 1 FROM n WHERE x < 10100)
      INSERT INTO items (id, type, num, title, status, description, search_text, data, version, created_at, updated_at)
      SELECT printf('TASK-%04d', x), 'task', x, 'Bulk item ' || x, 'done', '', '',
             json_object('id', printf('TASK-%04d', x), 'type', 'task', 'title', 'Bulk item ' || x, 'status', 'done',
                         'version', 1, 'created_at', '2020-01-01T00:00:00.000Z', 'updated_at', '2020-01-01T00:00:00.000Z'),
             1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'
      FROM n`);
    await w.sql("UPDATE id_counters SET last = 9998 WHERE prefix = 'TASK'");
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await create({ title: `After the bulk ${i}` })).id);
    // 9,999 is taken by the bulk rows, so the counter skips past every existing row: never a collision.
    expect(ids).toEqual(['TASK-10101', 'TASK-10102', 'TASK-10103']);
    const list = await call<{ items: ItemStub[]; total: number }>(client, 'backlog_list', {
      status: ['done'],
      limit: 1000,
    });
    expect(list.total).toBe(doneBefore + 10_001);
    // Equal timestamps: the higher number first, numerically, across the 4-to-5-digit boundary.
    const order = list.items.map((i) => i.id);
    expect(order.slice(0, 3)).toEqual([recent.id, 'TASK-10100', 'TASK-10099']);
    expect(order.indexOf('TASK-10000') + 1).toBe(order.indexOf('TASK-9999'));
    expect(order.indexOf('TASK-9999') + 1).toBe(order.indexOf('TASK-9998'));
    const rows = await w.sql<{ id: string }>(
      "SELECT id FROM items WHERE id IN ('TASK-9999','TASK-10000','TASK-1000') ORDER BY num",
    );
    expect(rows.map((r) => r.id)).toEqual(['TASK-1000', 'TASK-9999', 'TASK-10000']);
    expect((await search('TASK-10000')).results[0]).toMatchObject({ id: 'TASK-10000', matched_fields: ['id'] });
  });

  it('allocates TASK-10000 right after TASK-9999', async () => {
    await w.sql("DELETE FROM items WHERE type = 'task' AND num BETWEEN 9990 AND 10100");
    await w.sql("INSERT INTO id_counters (prefix, last) VALUES ('MLST', 9998)");
    const a = await create({ title: 'Milestone a', type: 'milestone' });
    const b = await create({ title: 'Milestone b', type: 'milestone' });
    expect([a.id, b.id]).toEqual(['MLST-9999', 'MLST-10000']);
    const list = await call<{ items: ItemStub[] }>(client, 'backlog_list', { type: 'milestone' });
    expect(list.items.map((i) => i.id)).toEqual(['MLST-10000', 'MLST-9999']);
  });

  it('hands out distinct IDs to concurrent creates from separate requests', async () => {
    const clients = await Promise.all([1, 2, 3].map((n) => connectMcp(w.url, SECRETS.API_KEY, `racer-${n}`)));
    try {
      const made = await Promise.all(
        clients.flatMap((c, n) =>
          [0, 1, 2].map((i) => call<Created>(c, 'backlog_create', { title: `Race ${n}.${i}`, type: 'folder' })),
        ),
      );
      const ids = made.map((m) => m.id);
      expect(new Set(ids).size).toBe(9);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});
