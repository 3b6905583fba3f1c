import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Item, ItemStub } from '@backlog-mcp/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolsContract } from './contract/tools.contract.js';
import { itemFiles, readItemFile } from './support/files.js';
import { call, callError, type Harness, openHarness, type TransportKind } from './support/servers.js';

interface Created {
  id: string;
  item: Item;
}

describe.each<TransportKind>(['stdio', 'http'])('the eight tools over %s', (kind) => {
  toolsContract({
    agent: `agent-${kind}`,
    // The shipped embedding table loads: words and meaning.
    searchMode: 'hybrid',
    async open() {
      const h = await openHarness(kind, `agent-${kind}`);
      return {
        client: h.client,
        connect: (name) => h.connect(name),
        async addDocument(path, text) {
          const file = join(h.dataDir, 'resources', path);
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, text);
        },
        async sourceFile(text) {
          const file = join(h.dataDir, 'source.md');
          await writeFile(file, text);
          return file;
        },
        close: () => h.close(),
      };
    },
  });
});

/** What only Node does: Markdown files on a local disk, source_path, and search by meaning. */
describe.each<TransportKind>(['stdio', 'http'])('Node only, over %s', (kind) => {
  let h: Harness;
  const create = (args: Record<string, unknown>) => call<Created>(h.client, 'backlog_create', args);
  const resourceText = async (id: string) => {
    const read = await h.client.readResource({ uri: `mcp://backlog/tasks/${id}.md` });
    return (read.contents[0] as { text: string }).text;
  };

  beforeAll(async () => {
    h = await openHarness(kind, `agent-${kind}`);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps each item as a Markdown file, byte for byte its resource text, and deletes the file with it', async () => {
    const { id } = await create({ title: 'Fix authentication flow', description: 'Login fails after **timeout**.\n' });
    const epic = await create({ title: 'Auth overhaul', type: 'epic' });
    const task = await create({
      title: 'Rotate session tokens',
      epic_id: epic.id,
      references: [{ url: 'https://github.com/org/repo/issues/123', title: 'Related issue' }],
      labels: ['Backend'],
    });
    const file = await readItemFile(h.dataDir, id);
    expect(file).toMatch(
      new RegExp(`^---\\nid: ${id}\\ntitle: Fix authentication flow\\nstatus: open\\ntype: task\\n`),
    );
    expect(file.endsWith('---\nLogin fails after **timeout**.\n')).toBe(true);
    expect(file).toBe(await resourceText(id));

    await call(h.client, 'backlog_update', { id: task.id, status: 'blocked', blocked_reason: ['review'] });
    await call(h.client, 'write_resource', {
      uri: `mcp://backlog/tasks/${task.id}.md`,
      operation: { type: 'append', new_str: '---\nid: TASK-0666\nstatus: done\n---\n' },
    });
    const written = await readItemFile(h.dataDir, task.id);
    expect(written).toBe(await resourceText(task.id));
    expect(written).toContain(`epic_id: ${epic.id}\n`);
    expect(written).toContain('blocked_reason:\n  - review\n');
    expect(written).toMatch(/labels:\n {2}- backend\n/);
    expect(written.startsWith(`---\nid: ${task.id}\ntitle: Rotate session tokens\nstatus: blocked\n`)).toBe(true);

    const top = await create({ title: 'Temporary' });
    expect(await itemFiles(h.dataDir)).toContain(`${top.id}.md`);
    await call(h.client, 'backlog_delete', { id: top.id });
    expect(await itemFiles(h.dataDir)).not.toContain(`${top.id}.md`);
    await call(h.client, 'backlog_delete', { id: id });
    expect(await itemFiles(h.dataDir)).toEqual([`${epic.id}.md`, `${task.id}.md`]);
  });

  it('reads a description from source_path', async () => {
    const path = join(h.dataDir, 'plan.md');
    await writeFile(path, '# Plan\n\n- step one\n');
    const { item } = await create({ title: 'Follow the plan', source_path: path });
    expect(item.description).toBe('# Plan\n\n- step one\n');
    const error = await callError(h.client, 'backlog_create', { title: 'x', source_path: join(h.dataDir, 'nope.md') });
    expect(error).toContain('source_path');
  });

  it('searches by meaning too, and tolerates typos in search and list', async () => {
    const auth = await create({
      title: 'Fix authentication flow',
      description: 'Users are logged out after the session token expires.',
    });
    await create({ title: 'Reduce dashboard load time', description: 'The analytics page takes 9 seconds to render.' });
    const search = (query: string) =>
      call<{ results: Array<{ id: string; matched_fields: string[] }>; search_mode: string }>(
        h.client,
        'backlog_search',
        { query },
      );
    const meaning = await search('login is broken');
    expect(meaning.search_mode).toBe('hybrid');
    expect(meaning.results[0]).toMatchObject({ id: auth.id, matched_fields: ['semantic'] });
    expect((await search('autentication')).results[0]?.id).toBe(auth.id);
    // backlog_list's query is the same search as backlog_search: typos match there too.
    const byTypo = await call<{ items: ItemStub[] }>(h.client, 'backlog_list', { query: 'authentcation' });
    expect(byTypo.items.map((i) => i.id)).toEqual([auth.id]);
  });
});
