import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendText, readDisk, readJournal, rng, scaled } from './support/hardening.js';
import { HANG } from './support/limits.js';
import { call, connectHttp, removeDir, startHttpServer, tempDataDir, textOf } from './support/servers.js';
import { until } from './support/wait.js';

/**
 * Issue 8, point 1: many MCP clients writing the same items at once over HTTP.
 * Every acknowledged write carries the version it produced; replaying the
 * acknowledged writes of each item in version order must give exactly the file
 * on disk. A lost write, two writes sharing a version, or a write applied without
 * an acknowledgement all fail the replay.
 */

const CLIENTS = 16;
const OPS_PER_CLIENT = scaled(500, 500);
const HOT_ITEMS = 8;
/** A marker file written by hand after the storm (see the barrier in beforeAll); not one of the writes. */
const BARRIER = 'TASK-9999';

type Op =
  | { kind: 'create'; title: string; description: string }
  | { kind: 'title'; title: string }
  | { kind: 'description'; description: string }
  | { kind: 'status'; status: string }
  | { kind: 'append'; text: string }
  | { kind: 'replace'; old: string; next: string }
  | { kind: 'delete' };

interface Acked {
  id: string;
  version: number;
  op: Op;
  client: number;
}

describe('16 clients writing the same items at once', () => {
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let dataDir: string;
  const acked: Acked[] = [];
  const refusals = new Map<string, number>();
  const hot: string[] = [];
  let elapsed = 0;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startHttpServer(dataDir);
    const setup = await connectHttp(server.url, 'setup');
    for (let h = 0; h < HOT_ITEMS; h++) {
      const description = `hot item ${h}\n`;
      const created = await call<{ id: string }>(setup, 'backlog_create', { title: `hot ${h}`, description });
      hot.push(created.id);
      acked.push({ id: created.id, version: 1, op: { kind: 'create', title: `hot ${h}`, description }, client: -1 });
    }
    await setup.close();
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => connectHttp(server.url, `agent-${c}`)));
    const started = Date.now();
    await Promise.all(clients.map((client, c) => runClient(client, c)));
    elapsed = Date.now() - started;
    await Promise.all(clients.map((client) => client.close()));
    // Deliberately while the server still runs: its own writes must not look like outside edits.
    // A barrier, not a pause: the watcher reads changed files one at a time in the order they
    // settle, so once a marker written now is seen (and then its removal), it has read every
    // event its own writes caused.
    const checker = await connectHttp(server.url, 'barrier');
    const marker = join(dataDir, 'tasks', `${BARRIER}.md`);
    const seen = async () => (await call<{ items: unknown[] }>(checker, 'backlog_get', { id: BARRIER })).items.length;
    await writeFile(marker, `---\nid: ${BARRIER}\ntitle: barrier\nstatus: open\ntype: task\n---\n`);
    expect(await until(seen, (n) => n === 1, HANG.condition)).toBe(1);
    await unlink(marker);
    expect(await until(seen, (n) => n === 0, HANG.condition)).toBe(0);
    await checker.close();
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await removeDir(dataDir);
  });

  function refuse(kind: string): void {
    refusals.set(kind, (refusals.get(kind) ?? 0) + 1);
  }

  async function tool(client: Client, name: string, args: Record<string, unknown>) {
    return (await client.callTool({ name, arguments: args })) as CallToolResult;
  }

  async function runClient(client: Client, c: number): Promise<void> {
    const random = rng(1000 + c);
    const own: string[] = [];
    /** Markers this client appended per hot item and saw acknowledged: str_replace targets. */
    const markers = new Map<string, string[]>();
    for (let k = 0; k < OPS_PER_CLIENT; k++) {
      const tag = `c${c}-op${k}`;
      const roll = random.next();
      if (roll < 0.15 || own.length === 0) {
        const op: Op = { kind: 'create', title: `own ${tag}`, description: `own ${tag}\n` };
        const result = await tool(client, 'backlog_create', { title: op.title, description: op.description });
        expect(result.isError, textOf(result)).toBeFalsy();
        const item = (result.structuredContent as { item: { id: string; version: number } }).item;
        own.push(item.id);
        acked.push({ id: item.id, version: item.version, op, client: c });
        continue;
      }
      const target = roll < 0.75 ? random.pick(hot) : random.pick(own);
      let op: Op;
      let result: CallToolResult;
      const sub = random.next();
      if (roll >= 0.92 && target !== undefined && own.includes(target)) {
        op = { kind: 'delete' };
        result = await tool(client, 'backlog_delete', { id: target });
        if (!result.isError) own.splice(own.indexOf(target), 1);
      } else if (sub < 0.3) {
        op = { kind: 'title', title: `title ${tag}` };
        result = await tool(client, 'backlog_update', { id: target, title: op.title });
      } else if (sub < 0.36) {
        op = { kind: 'description', description: `rewritten ${tag}\n` };
        result = await tool(client, 'backlog_update', { id: target, description: op.description });
      } else if (sub < 0.45) {
        op = { kind: 'status', status: random.pick(['open', 'in_progress', 'blocked', 'done']) };
        result = await tool(client, 'backlog_update', { id: target, status: op.status, title: `status ${tag}` });
        op = { kind: 'title', title: `status ${tag}` }; // the title makes every update a real change
      } else if (sub < 0.8 || !(markers.get(target as string)?.length ?? 0)) {
        op = { kind: 'append', text: `- mark ${tag}\n` };
        result = await tool(client, 'write_resource', {
          uri: `mcp://backlog/tasks/${target}.md`,
          operation: { type: 'append', new_str: op.text },
        });
      } else {
        const list = markers.get(target as string) as string[];
        const old = list.splice(random.int(list.length), 1)[0] as string;
        op = { kind: 'replace', old, next: old.replace('\n', ` edited by ${tag}\n`) };
        result = await tool(client, 'write_resource', {
          uri: `mcp://backlog/tasks/${target}.md`,
          operation: { type: 'str_replace', old_str: op.old, new_str: op.next },
        });
      }
      if (result.isError) {
        const text = textOf(result);
        // The only refusals a correct server gives here: a rewrite erased the marker first.
        if (op.kind === 'replace' && /operation\.old_str: not found/.test(text)) refuse('str_replace target rewritten');
        else throw new Error(`client ${c} op ${k} (${op.kind} on ${target}) failed: ${text}`);
        continue;
      }
      const structured = result.structuredContent as { item?: { version: number }; version?: number };
      const version = structured.item?.version ?? structured.version ?? 0;
      acked.push({ id: target as string, version, op, client: c });
      if (op.kind === 'append') {
        const list = markers.get(target as string) ?? [];
        list.push(op.text);
        markers.set(target as string, list);
      }
    }
  }

  it('runs every operation and hands out unique IDs', () => {
    const creates = acked.filter((a) => a.op.kind === 'create');
    expect(new Set(creates.map((a) => a.id)).size).toBe(creates.length);
    const total = acked.length + [...refusals.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(HOT_ITEMS + CLIENTS * OPS_PER_CLIENT);
    console.log(
      `concurrency: ${CLIENTS} clients x ${OPS_PER_CLIENT} ops = ${CLIENTS * OPS_PER_CLIENT} ops in ${elapsed} ms; ` +
        `${acked.length} acknowledged writes; refusals ${JSON.stringify(Object.fromEntries(refusals))}`,
    );
  });

  it('loses no acknowledged write: replaying them in version order gives every file exactly', async () => {
    const disk = await readDisk(dataDir);
    expect(disk.corrupt.size).toBe(0);
    expect(disk.dotFiles).toEqual([]);
    const byItem = new Map<string, Acked[]>();
    for (const entry of acked) byItem.set(entry.id, [...(byItem.get(entry.id) ?? []), entry]);
    let lost = 0;
    for (const [id, history] of byItem) {
      const deleted = history.find((h) => h.op.kind === 'delete');
      if (deleted) {
        expect(disk.items.has(id), `${id} was deleted`).toBe(false);
        continue;
      }
      const writes = history.sort((a, b) => a.version - b.version);
      // One acknowledgement per version, and no version without one: the writes were serialised.
      expect(
        writes.map((w) => w.version),
        id,
      ).toEqual(writes.map((_, i) => i + 1));
      let title = '';
      let description = '';
      for (const { op } of writes) {
        if (op.kind === 'create') [title, description] = [op.title, op.description];
        else if (op.kind === 'title') title = op.title;
        else if (op.kind === 'description') description = op.description;
        else if (op.kind === 'append') description = appendText(description, op.text);
        else if (op.kind === 'replace') {
          expect(description.split(op.old).length - 1, `${id}: ${op.old} present once`).toBe(1);
          description = description.replace(op.old, () => op.next);
        }
      }
      const file = disk.items.get(id);
      if (!file || file.title !== title || file.description !== description || file.version !== writes.length) {
        lost++;
      }
      expect(file?.title, id).toBe(title);
      expect(file?.description, id).toBe(description);
      expect(file?.version, id).toBe(writes.length);
    }
    const live = [...byItem.entries()].filter(([, h]) => !h.some((x) => x.op.kind === 'delete')).map(([id]) => id);
    expect([...disk.items.keys()].sort()).toEqual(live.sort());
    console.log(`concurrency: ${lost} lost writes, ${disk.corrupt.size} corrupt files, ${disk.items.size} items`);
    expect(lost).toBe(0);
  });

  it('journals each acknowledged write exactly once and never mistakes its own writes for outside edits', async () => {
    const { entries, broken } = await readJournal(dataDir);
    expect(broken).toEqual([]);
    const writes = entries.filter((e) => e.id !== BARRIER);
    expect(writes.filter((e) => e.tool === 'file')).toEqual([]);
    expect(writes.filter((e) => e.id).length).toBe(acked.length);
  });

  it('serves the final state through list and get', async () => {
    const client = await connectHttp(server.url, 'checker');
    const list = await call<{ total: number }>(client, 'backlog_list', {
      status: ['open', 'in_progress', 'blocked', 'done', 'cancelled'],
      limit: 1000,
    });
    const disk = await readDisk(dataDir);
    expect(list.total).toBe(disk.items.size);
    const got = await call<{ items: Array<{ id: string; description: string; version: number }> }>(
      client,
      'backlog_get',
      { id: hot },
    );
    for (const item of got.items) {
      expect(item.description).toBe(disk.items.get(item.id)?.description);
      expect(item.version).toBe(disk.items.get(item.id)?.version);
    }
    await client.close();
  });
});
