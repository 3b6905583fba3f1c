import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli } from './support/cli.js';
import { HANG } from './support/limits.js';
import { call, callError, connectHttp, removeDir, startHttpServer, tempDataDir, textOf } from './support/servers.js';

const COUNT = 2500;
const PRIORITIES = ['high', 'medium', 'low', undefined];

interface Seeded {
  id: string;
  updated_at: string;
  created_at: string;
  priority?: string;
}

/**
 * Items straight on disk before the server starts (2,500 MCP creates would take minutes on a
 * loaded machine). Every other pair shares its timestamps, so ties are broken by ID.
 */
async function seed(dataDir: string, count: number): Promise<Seeded[]> {
  const tasks = join(dataDir, 'tasks');
  await mkdir(tasks, { recursive: true });
  const seeded: Seeded[] = [];
  const files: Array<[string, string]> = [];
  for (let i = 1; i <= count; i++) {
    const id = `TASK-${String(i).padStart(4, '0')}`;
    const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 60_000).toISOString();
    const priority = PRIORITIES[i % PRIORITIES.length];
    seeded.push({ id, updated_at: at, created_at: at, ...(priority ? { priority } : {}) });
    files.push([
      id,
      `---\nid: ${id}\ntitle: Widget ${i}\nstatus: open\ntype: task\n${priority ? `priority: ${priority}\n` : ''}` +
        `created_at: ${at}\nupdated_at: ${at}\n---\nA widget to page through, number ${i}.\n`,
    ]);
  }
  for (let i = 0; i < files.length; i += 250) {
    await Promise.all(files.slice(i, i + 250).map(([id, text]) => writeFile(join(tasks, `${id}.md`), text)));
  }
  return seeded;
}

const seq = (id: string) => Number(id.slice(id.indexOf('-') + 1));
const newestFirst = (a: Seeded, b: Seeded) =>
  a.updated_at === b.updated_at ? seq(b.id) - seq(a.id) : a.updated_at < b.updated_at ? 1 : -1;
const RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };
const readyOrder = (a: Seeded, b: Seeded) =>
  (RANK[a.priority ?? 'medium'] as number) - (RANK[b.priority ?? 'medium'] as number) ||
  (a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1);

interface Page {
  ids: string[];
  next?: string;
  text: string;
  scores: number[];
}

describe('paging backlog_list and backlog_search over Streamable HTTP', () => {
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let reader: Client;
  let writer: Client;
  let seeded: Seeded[];
  /** Every item the writer made during a walk: never expected, never allowed twice. */
  const made: string[] = [];
  let madeCount = 0;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    seeded = await seed(dataDir, COUNT);
    server = await startHttpServer(dataDir, {}, { timeoutMs: HANG.bigStart });
    reader = await connectHttp(server.url, 'pager');
    writer = await connectHttp(server.url, 'writer');
  }, HANG.bigStart + 60_000);
  afterAll(async () => {
    await reader?.close();
    await writer?.close();
    await server?.stop();
    if (dataDir) await removeDir(dataDir);
  });

  const create = async () => {
    madeCount += 1;
    const { id } = await call<{ id: string }>(writer, 'backlog_create', {
      title: `Widget made meanwhile ${madeCount}`,
      description: 'Another widget, created while a client pages.',
      priority: 'high',
    });
    made.push(id);
  };

  async function page(tool: string, args: Record<string, unknown>): Promise<Page> {
    const result = (await reader.callTool({ name: tool, arguments: args })) as CallToolResult;
    if (result.isError) throw new Error(`${tool} failed: ${textOf(result)}`);
    const body = result.structuredContent as {
      items?: Array<{ id: string }>;
      results?: Array<{ id: string; score: number }>;
      next_cursor?: string;
    };
    const entries = body.items ?? body.results ?? [];
    return {
      ids: entries.map((entry) => entry.id),
      next: body.next_cursor,
      text: textOf(result),
      scores: (body.results ?? []).map((entry) => entry.score),
    };
  }

  /**
   * Walks every page of `tool`; between pages the other client creates matching items, one of
   * them while the next page is being read.
   */
  async function walk(tool: string, args: Record<string, unknown>): Promise<{ pages: Page[]; ids: string[] }> {
    const pages: Page[] = [];
    let cursor: string | undefined;
    do {
      const request = page(tool, cursor === undefined ? args : { ...args, cursor });
      const [current] = await Promise.all([request, create()]);
      await create();
      pages.push(current);
      cursor = current.next;
      if (cursor !== undefined) expect(current.text).toContain(`… more: cursor=${cursor}`);
      else expect(current.text).not.toContain('… more');
    } while (cursor !== undefined);
    return { pages, ids: pages.flatMap((p) => p.ids) };
  }

  const before = () => new Set([...seeded.map((item) => item.id), ...made]);
  /** The seeded items among `ids`, in their order. */
  const mine = (ids: readonly string[]) => {
    const madeNow = new Set(made);
    return ids.filter((id) => !madeNow.has(id));
  };

  it(
    'backlog_list: 2,500 items in pages of 100, each exactly once and newest first, while another client creates',
    async () => {
      const { pages, ids } = await walk('backlog_list', { limit: 100 });
      expect(new Set(ids).size).toBe(ids.length); // nothing repeated, new items included
      expect(mine(ids)).toEqual([...seeded].sort(newestFirst).map((item) => item.id));
      expect(pages.length).toBeGreaterThanOrEqual(COUNT / 100);
      expect(pages.every((p) => p.ids.length <= 100)).toBe(true);
      expect(made.length).toBeGreaterThanOrEqual(2 * pages.length);
    },
    HANG.bigStart,
  );

  it(
    'backlog_list ready=true pages in ready order (priority, then oldest), each item exactly once',
    async () => {
      const madeBefore = [...made];
      const { ids } = await walk('backlog_list', { ready: true, limit: 500 });
      expect(new Set(ids).size).toBe(ids.length);
      const seededIds = new Set(seeded.map((item) => item.id));
      expect(ids.filter((id) => seededIds.has(id))).toEqual([...seeded].sort(readyOrder).map((item) => item.id));
      // Items made before the walk are ready work too.
      expect(ids).toEqual(expect.arrayContaining(madeBefore));
    },
    HANG.bigStart,
  );

  it(
    'backlog_search: every hit of the first page’s ranking exactly once, in its order, while another client creates',
    async () => {
      const expected = before();
      const madeBefore = made.length;
      const { pages, ids } = await walk('backlog_search', { query: 'widget', limit: 100 });
      expect(new Set(ids).size).toBe(ids.length);
      // Items made meanwhile may join (never twice); every item that was there comes exactly once.
      const during = new Set(made.slice(madeBefore));
      expect(new Set(ids.filter((id) => !during.has(id)))).toEqual(expected);
      // The engine's best few hundred come first, in the first page's ranking.
      const scores = pages.flatMap((p) => p.scores).slice(0, 200);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(pages.every((p) => p.ids.length <= 100)).toBe(true);
    },
    HANG.bigStart,
  );

  it('backlog_search: an item deleted between pages is skipped, nothing else moves', async () => {
    const first = await page('backlog_search', { query: 'widget', limit: 50 });
    const all = [...first.ids];
    let cursor = first.next as string;
    const second = await page('backlog_search', { query: 'widget', limit: 50, cursor });
    const doomed = second.next
      ? await page('backlog_search', { query: 'widget', limit: 1, cursor: second.next })
      : undefined;
    expect(doomed?.ids).toHaveLength(1);
    await call(writer, 'backlog_delete', { id: doomed?.ids[0] });
    all.push(...second.ids);
    cursor = second.next as string;
    const third = await page('backlog_search', { query: 'widget', limit: 50, cursor });
    expect(third.ids).not.toContain(doomed?.ids[0]);
    expect(new Set([...all, ...third.ids]).size).toBe(all.length + third.ids.length);
  });

  it('refuses a cursor made for other filters, a garbage cursor and an unknown search cursor, naming cursor', async () => {
    const list = await page('backlog_list', { limit: 10, status: ['open'] });
    const changed = await callError(reader, 'backlog_list', { limit: 10, status: ['done'], cursor: list.next });
    expect(changed).toMatch(/^cursor: made for other filters than these/);
    // limit may change between pages, and the order of a list filter does not matter.
    await call(reader, 'backlog_list', { limit: 20, status: ['open'], cursor: list.next });

    for (const garbage of ['nonsense!', 'bm9uc2Vuc2U', btoa('{"v":1}').replace(/=+$/, '')]) {
      const text = await callError(reader, 'backlog_list', { cursor: garbage });
      expect(text).toMatch(/^cursor: expected the next_cursor of an earlier page/);
      expect(await callError(reader, 'backlog_search', { query: 'widget', cursor: garbage })).toMatch(/^cursor: /);
    }
    const tooLong = await callError(reader, 'backlog_list', { cursor: 'a'.repeat(600) });
    expect(tooLong).toContain('Expected at most 512 characters');
    expect(tooLong).toContain('cursor');

    // A list cursor is not a search cursor, and a search cursor's query cannot change.
    expect(await callError(reader, 'backlog_search', { query: 'widget', cursor: list.next })).toMatch(/^cursor: /);
    const search = await page('backlog_search', { query: 'widget', limit: 10 });
    const other = await callError(reader, 'backlog_search', { query: 'gadget', cursor: search.next });
    expect(other).toMatch(/^cursor: made for other filters than these/);

    // A cursor naming a snapshot this server does not hold (expired, evicted, or another server's).
    const body = JSON.parse(atob((search.next as string).replaceAll('-', '+').replaceAll('_', '/')));
    const unknown = btoa(JSON.stringify({ ...body, s: '0'.repeat(24) }))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    const expired = await callError(reader, 'backlog_search', { query: 'widget', cursor: unknown });
    expect(expired).toMatch(/^cursor: expired or unknown: run the search again without cursor/);

    // scope "all" merges backlogs: it pages nothing and says so.
    const across = await callError(reader, 'backlog_list', { scope: 'all', cursor: list.next });
    expect(across).toMatch(/^cursor: expected no cursor with scope "all"/);
  });

  it(
    'CLI list --all through the running server prints every item once',
    async () => {
      const port = Number(new URL(server.url).port);
      const expected = (await call<{ total: number }>(reader, 'backlog_list', { limit: 1 })).total;
      const text = await runCli(['list', '--all', '--limit', '400'], { dataDir, port }, { timeoutMs: HANG.bigStart });
      expect(text.code, text.stderr).toBe(0);
      const lines = text.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`${expected} items`);
      const ids = lines.slice(1).map((line) => line.split(' ')[0]);
      expect(ids).toHaveLength(expected);
      expect(new Set(ids).size).toBe(expected);
      expect(text.stdout).not.toContain('… more');

      const json = await runCli(
        ['search', 'widget', '--all', '--json'],
        { dataDir, port },
        { timeoutMs: HANG.bigStart },
      );
      expect(json.code, json.stderr).toBe(0);
      const found = JSON.parse(json.stdout) as { results: Array<{ id: string }>; total: number; next_cursor?: string };
      expect(found.results).toHaveLength(found.total);
      expect(new Set(found.results.map((r) => r.id)).size).toBe(found.total);
      expect(found.next_cursor).toBeUndefined();
    },
    HANG.bigStart,
  );
});

describe('CLI list --all without a server', () => {
  it(
    'reads the files in-process and follows next_cursor to the last item',
    async () => {
      const dataDir = await tempDataDir();
      try {
        const seeded = await seed(dataDir, 1200);
        const port = await freePort();
        const result = await runCli(['list', '--all'], { dataDir, port }, { timeoutMs: HANG.bigStart });
        expect(result.code, result.stderr).toBe(0);
        const lines = result.stdout.trimEnd().split('\n');
        expect(lines[0]).toBe('1200 items');
        expect(lines.slice(1).map((line) => line.split(' ')[0])).toEqual(
          [...seeded].sort(newestFirst).map((item) => item.id),
        );
      } finally {
        await removeDir(dataDir);
      }
    },
    HANG.bigStart,
  );
});
