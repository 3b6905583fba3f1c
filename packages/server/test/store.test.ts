import { mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item, ItemStub } from '@backlog-mcp/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { itemFiles } from './support/files.js';
import {
  call,
  callError,
  connectHttp,
  connectStdio,
  removeDir,
  startHttpServer,
  tempDataDir,
} from './support/servers.js';
import { until, waitFor } from './support/wait.js';

const GOOD = (id: string, title: string) =>
  `---\nid: ${id}\ntitle: ${title}\nstatus: open\ntype: task\ncreated_at: 2026-01-01T00:00:00.000Z\nupdated_at: 2026-01-01T00:00:00.000Z\n---\nBody of ${id}\n`;

describe('the Markdown store', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function dataDirWith(files: Record<string, string>): Promise<string> {
    const dir = await tempDataDir();
    cleanups.push(() => removeDir(dir));
    await mkdir(join(dir, 'tasks'), { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'tasks', name), text);
    return dir;
  }

  it('loads good files next to broken ones, reports the broken ones and never rewrites them', async () => {
    const broken = {
      'TASK-0002.md': '---\ntitle: [unclosed\nstatus: open\n---\nbody',
      'TASK-0003.md':
        '---\nid: TASK-0003\ntitle: Merged\n<<<<<<< HEAD\nstatus: open\n=======\nstatus: done\n>>>>>>> branch\n---\n',
      'TASK-0004.md': 'no front matter at all',
      'notes.md': '# not an item',
    };
    const dir = await dataDirWith({
      'TASK-0001.md': GOOD('TASK-0001', 'Good one'),
      ...broken,
      'TASK-0005.md': GOOD('TASK-0005', 'Good two'),
    });
    const server = await startHttpServer(dir);
    cleanups.push(server.stop);
    const client = await connectHttp(server.url);
    cleanups.push(() => client.close());

    const list = await call<{ items: ItemStub[] }>(client, 'backlog_list', {});
    expect(list.items.map((i) => i.id).sort()).toEqual(['TASK-0001', 'TASK-0005']);
    for (const name of ['TASK-0002.md', 'TASK-0003.md', 'TASK-0004.md', 'notes.md']) {
      expect(server.stderr()).toContain(`skipping tasks/${name}`);
    }
    // A tool aimed at a broken file says why, and the file stays exactly as it was.
    const error = await callError(client, 'backlog_update', { id: 'TASK-0003', status: 'done' });
    expect(error).toMatch(/merge-conflict/);
    // New IDs skip past broken files instead of overwriting them.
    const created = await call<{ id: string }>(client, 'backlog_create', { title: 'New' });
    expect(created.id).toBe('TASK-0006');
    for (const [name, text] of Object.entries(broken)) {
      expect(await readFile(join(dir, 'tasks', name), 'utf8')).toBe(text);
    }
  });

  it('hands out unique IDs to many clients creating at once, across two processes', async () => {
    const dir = await dataDirWith({});
    const server = await startHttpServer(dir);
    cleanups.push(server.stop);
    const clients = await Promise.all([1, 2, 3, 4].map((n) => connectHttp(server.url, `agent-${n}`)));
    const stdio = await connectStdio(dir, 'stdio-agent');
    cleanups.push(async () => {
      await Promise.all([...clients, stdio].map((c) => c.close()));
    });
    const all = [...clients, stdio];
    const ids = await Promise.all(
      all.flatMap((client, c) =>
        Array.from({ length: 20 }, (_, i) =>
          call<{ id: string }>(client, 'backlog_create', { title: `item ${c}-${i}` }).then((r) => r.id),
        ),
      ),
    );
    expect(new Set(ids).size).toBe(100);
    expect(await itemFiles(dir)).toHaveLength(100);
    const titles = new Set<string>();
    for (const id of ids) {
      const text = await readFile(join(dir, 'tasks', `${id}.md`), 'utf8');
      titles.add(/title: (.*)/.exec(text)?.[1] ?? '');
    }
    expect(titles.size).toBe(100); // no file was overwritten by another writer
  });

  it('never reuses the ID of a deleted item, even after a restart', async () => {
    const dir = await dataDirWith({});
    let client = await connectStdio(dir);
    await call(client, 'backlog_create', { title: 'one' });
    const two = await call<{ id: string }>(client, 'backlog_create', { title: 'two' });
    await call(client, 'backlog_delete', { id: two.id });
    await client.close();
    client = await connectStdio(dir);
    cleanups.push(() => client.close());
    const three = await call<{ id: string }>(client, 'backlog_create', { title: 'three' });
    expect(three.id).toBe('TASK-0003');
  });

  it('never reuses the ID of a file removed by hand or by git either, even after a restart', async () => {
    const dir = await dataDirWith({});
    let client = await connectStdio(dir);
    await call(client, 'backlog_create', { title: 'one' });
    const two = await call<{ id: string }>(client, 'backlog_create', { title: 'two' });
    await rm(join(dir, 'tasks', `${two.id}.md`));
    await waitFor(
      async () => (await call<{ items: Item[] }>(client, 'backlog_list', {})).items.length === 1,
      undefined,
      'the server to see the file go',
    );
    await client.close();
    client = await connectStdio(dir);
    cleanups.push(() => client.close());
    const three = await call<{ id: string }>(client, 'backlog_create', { title: 'three' });
    expect(three.id).toBe('TASK-0003');
  });

  it('picks up files added, changed and deleted by hand while the server runs', async () => {
    const dir = await dataDirWith({ 'TASK-0001.md': GOOD('TASK-0001', 'Original title') });
    const server = await startHttpServer(dir);
    cleanups.push(server.stop);
    const client = await connectHttp(server.url);
    cleanups.push(() => client.close());
    const titleOf = async (id: string) =>
      (await call<{ items: Item[] }>(client, 'backlog_get', { id })).items[0]?.title;

    await writeFile(join(dir, 'tasks', 'TASK-0001.md'), GOOD('TASK-0001', 'Edited in an editor'));
    expect(
      await until(
        () => titleOf('TASK-0001'),
        (t) => t === 'Edited in an editor',
      ),
    ).toBe('Edited in an editor');

    await writeFile(join(dir, 'tasks', 'TASK-0042.md'), GOOD('TASK-0042', 'Pulled from git'));
    expect(
      await until(
        () => titleOf('TASK-0042'),
        (t) => t === 'Pulled from git',
      ),
    ).toBe('Pulled from git');
    const found = await call<{ results: Array<{ id: string }> }>(client, 'backlog_search', { query: 'pulled git' });
    expect(found.results.map((r) => r.id)).toContain('TASK-0042');

    await unlink(join(dir, 'tasks', 'TASK-0042.md'));
    expect(
      await until(
        () => titleOf('TASK-0042'),
        (t) => t === undefined,
      ),
    ).toBeUndefined();
    const next = await call<{ id: string }>(client, 'backlog_create', { title: 'after' });
    expect(next.id).toBe('TASK-0043'); // the hand-deleted top ID is not handed out again in this run
  });

  it('keeps unknown front matter fields written by people or other tools', async () => {
    const text = GOOD('TASK-0001', 'Has extras').replace(
      'status: open\n',
      'status: open\nestimate: 3\ncomponents:\n  - ui\n',
    );
    const dir = await dataDirWith({ 'TASK-0001.md': text });
    const client = await connectStdio(dir);
    cleanups.push(() => client.close());
    await call(client, 'backlog_update', { id: 'TASK-0001', status: 'done' });
    const after = await readFile(join(dir, 'tasks', 'TASK-0001.md'), 'utf8');
    expect(after).toContain('status: done');
    expect(after).toContain('estimate: 3\ncomponents:\n  - ui\n');
    expect(after.endsWith('---\nBody of TASK-0001\n')).toBe(true);
  });

  it('journals every write with tool, fields and actor', async () => {
    const dir = await dataDirWith({});
    const client = await connectStdio(dir, 'journal-agent', { BACKLOG_ACTOR_NAME: 'claude-in-ci' });
    cleanups.push(() => client.close());
    await call(client, 'backlog_create', { title: 'x' });
    await call(client, 'backlog_update', { id: 'TASK-0001', status: 'done', evidence: ['ok'] });
    await rm(join(dir, 'resources'), { recursive: true, force: true }); // the journal must not depend on it
    const lines = (await readFile(join(dir, '.state', 'activity.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      tool: 'backlog_create',
      action: 'created',
      id: 'TASK-0001',
      actor: 'claude-in-ci',
    });
    expect(lines[1]).toMatchObject({ tool: 'backlog_update', action: 'updated', fields: ['status', 'evidence'] });
    expect(Date.parse(lines[1].at)).not.toBeNaN();
  });
});
