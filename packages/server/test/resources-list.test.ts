import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connectStdio, removeDir, tempDataDir } from './support/servers.js';

const COUNT = 2345;
const STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'];

interface Written {
  id: string;
  status: string;
  updated_at: string;
}

/** Items straight on disk; every other pair shares an updated_at, so ties must be broken by ID. */
async function writeItems(dataDir: string): Promise<Written[]> {
  const tasks = join(dataDir, 'tasks');
  await mkdir(tasks, { recursive: true });
  const written: Written[] = [];
  for (let i = 1; i <= COUNT; i++) {
    const id = `TASK-${String(i).padStart(4, '0')}`;
    const at = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 60_000).toISOString();
    const status = STATUSES[i % STATUSES.length] as string;
    written.push({ id, status, updated_at: at });
    await writeFile(
      join(tasks, `${id}.md`),
      `---\nid: ${id}\ntitle: Item ${i}\nstatus: ${status}\ntype: task\ncreated_at: ${at}\nupdated_at: ${at}\n---\nBody ${i}.\n`,
    );
  }
  return written;
}

const uriOf = (id: string): string => `mcp://backlog/tasks/${id}.md`;
const idOf = (uri: string): string => uri.slice('mcp://backlog/tasks/'.length, -'.md'.length);

describe('resources/list', () => {
  let dataDir: string;
  let client: Client;
  let written: Written[];

  beforeAll(async () => {
    dataDir = await tempDataDir();
    written = await writeItems(dataDir);
    client = await connectStdio(dataDir, 'resource-walker', { BACKLOG_SEARCH: 'text' });
  });
  afterAll(async () => {
    await client?.close();
    if (dataDir) await removeDir(dataDir);
  });

  async function walk(between?: (page: number) => Promise<void>): Promise<{ uris: string[]; sizes: number[] }> {
    const uris: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listResources(cursor === undefined ? {} : { cursor });
      const items = page.resources.filter((r) => r.uri !== 'mcp://backlog/briefing');
      uris.push(...items.map((r) => r.uri));
      sizes.push(items.length);
      cursor = page.nextCursor;
      if (cursor !== undefined) await between?.(sizes.length);
    } while (cursor !== undefined);
    return { uris, sizes };
  }

  it('lists every item, done and cancelled too, newest first, in bounded pages that a cursor walks', async () => {
    const { uris, sizes } = await walk();
    expect(sizes).toEqual([1000, 1000, COUNT - 2000]);
    const expected = [...written]
      .sort((a, b) => (a.updated_at === b.updated_at ? (a.id < b.id ? 1 : -1) : a.updated_at < b.updated_at ? 1 : -1))
      .map((item) => uriOf(item.id));
    expect(uris).toEqual(expected);
    const done = written.find((item) => item.status === 'done') as Written;
    const cancelled = written.find((item) => item.status === 'cancelled') as Written;
    expect(uris).toEqual(expect.arrayContaining([uriOf(done.id), uriOf(cancelled.id)]));
    const first = await client.listResources();
    // The briefing heads the first page (only the first), then the newest item.
    expect(first.resources[0]).toEqual({
      uri: 'mcp://backlog/briefing',
      name: 'Backlog briefing',
      mimeType: 'text/plain',
    });
    expect(first.resources[1]).toEqual({
      uri: uriOf(`TASK-${COUNT}`),
      name: `TASK-${COUNT}: Item ${COUNT}`,
      mimeType: 'text/markdown',
    });
  });

  it('items created, updated or deleted during a walk skip or repeat no other item', async () => {
    const before = new Set((await walk()).uris);
    let deleted = '';
    let updated = '';
    const { uris } = await walk(async (page) => {
      if (page !== 1) return;
      await call(client, 'backlog_create', { title: 'Made during the walk' });
      // One already listed (it moves to the front: not listed again) and one not yet listed (gone).
      updated = [...before][10] as string;
      await call(client, 'backlog_update', { id: idOf(updated), title: 'Renamed during the walk' });
      deleted = [...before][1500] as string;
      await call(client, 'backlog_delete', { id: idOf(deleted) });
    });
    expect(new Set(uris).size).toBe(uris.length);
    expect(new Set(uris)).toEqual(new Set([...before].filter((uri) => uri !== deleted)));
  });

  it('refuses a cursor it did not make, with InvalidParams', async () => {
    for (const cursor of ['nonsense', btoa('[1,2]'), '']) {
      const error = await client.listResources({ cursor }).catch((e: unknown) => e);
      expect(error, cursor).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
    }
  });
});
