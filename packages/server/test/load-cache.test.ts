import { lstat, mkdir, readdir, readFile, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Item } from '@backlog-mcp/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { MarkdownStore } from '../src/adapters/files/file-store.js';
import {
  type CachedFile,
  canSettle,
  isSettled,
  LOAD_CACHE_FILE,
  LOAD_CACHE_LOG,
} from '../src/adapters/files/load-cache.js';
import { CODEC_VERSION, decodeItem } from '../src/format/item-markdown.js';
import { removeDir, tempDataDir } from './support/servers.js';
import { sleep, until } from './support/wait.js';

const GOOD = (id: string, title: string) =>
  `---\nid: ${id}\ntitle: ${title}\nstatus: open\ntype: task\ncreated_at: 2026-01-01T00:00:00.000Z\nupdated_at: 2026-01-01T00:00:00.000Z\n---\nBody of ${id}\n`;

/** Hand-written files without dates (decodeItem fills them in from the mtime), extras and odd values. */
const FILES: Record<string, string> = {
  'TASK-0001.md': GOOD('TASK-0001', 'First one'),
  'TASK-0002.md': GOOD('TASK-0002', 'Second one'),
  'TASK-0003.md': '---\ntitle: No dates here\nestimate: .inf\ncomponents:\n  - ui\n  - "0123"\n---\nbody\n',
  'EPIC-0001.md': '---\ntitle: An epic\ntype: epic\nversion: 7\n---\n',
};

/**
 * Waits until every file under tasks/ has settled (see isSettled in load-cache.ts): a file seen
 * within a clock tick of its last change is read again rather than trusted on its stamp.
 */
async function settle(dir: string): Promise<void> {
  const tasks = join(dir, 'tasks');
  let wait = 0;
  for (const name of await readdir(tasks)) {
    const { ctimeMs } = await lstat(join(tasks, name));
    const margin = ctimeMs % 1000 === 0 ? 2_000 : 100;
    wait = Math.max(wait, ctimeMs + margin + 20 - Date.now());
  }
  if (wait > 0) await sleep(wait);
}

function entry(overrides: Partial<CachedFile>): CachedFile {
  const item = decodeItem(GOOD('TASK-0001', 'x'), 'TASK-0001', '2026-01-01T00:00:00.000Z');
  if (!item.ok) throw new Error(item.error);
  return {
    size: 1,
    mtimeMs: 1_000.5,
    ctimeMs: 1_000.5,
    ino: 1,
    seenAt: 1_000.5,
    hash: 'h',
    item: item.item,
    ...overrides,
  };
}

describe('the load cache', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function dataDirWith(files: Record<string, string>): Promise<string> {
    const dir = await tempDataDir();
    cleanups.push(() => removeDir(dir));
    await mkdir(join(dir, 'tasks'), { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'tasks', name), text);
    await settle(dir);
    return dir;
  }

  async function open(dir: string, logs: string[] = []): Promise<MarkdownStore> {
    const store = await MarkdownStore.open({ dataDir: dir, log: (line) => logs.push(line) });
    cleanups.push(async () => {
      store.close();
      await store.persist().catch(() => undefined);
    });
    return store;
  }

  /** Shuts down as the server does (cache written), then starts again on the same folder. */
  async function restart(store: MarkdownStore, logs: string[] = []): Promise<MarkdownStore> {
    store.close();
    await store.persist();
    return open(store.layout.root, logs);
  }

  async function items(store: MarkdownStore): Promise<Item[]> {
    return [...(await store.snapshot()).items];
  }

  const cacheFile = (dir: string) => join(dir, '.state', LOAD_CACHE_FILE);

  it('gives a restart over an unchanged folder every item from the cache, identical, and writes nothing', async () => {
    const dir = await dataDirWith(FILES);
    const first = await open(dir);
    expect(first.loadStats).toEqual({ cached: 0, read: 4 });
    const before = await items(first);
    const logs: string[] = [];
    const second = await restart(first, logs);
    expect(second.loadStats).toEqual({ cached: 4, read: 0 });
    expect(await items(second)).toEqual(before);
    expect(logs).toContainEqual(
      expect.stringMatching(/^backlog: loaded 4 items in \d+\.\d\d s \(4 from the load cache, 0 read from disk\)$/),
    );
    // Nothing changed, so nothing is written, neither at start nor on shutdown.
    const written = (await lstat(cacheFile(dir))).mtimeMs;
    const third = await restart(second);
    expect(third.loadStats).toEqual({ cached: 4, read: 0 });
    await third.persist();
    expect((await lstat(cacheFile(dir))).mtimeMs).toBe(written);
  });

  it('reads a file edited by hand while stopped, even at the same size and with its old mtime put back', async () => {
    const dir = await dataDirWith(FILES);
    const file = join(dir, 'tasks', 'TASK-0001.md');
    // A whole-second mtime, so it can be put back exactly (utimes cannot restore nanoseconds).
    const mtime = new Date('2026-01-01T00:00:00.000Z');
    await utimes(file, mtime, mtime);
    await settle(dir);
    const first = await open(dir);
    first.close();
    await first.persist();
    const edited = GOOD('TASK-0001', 'First two');
    expect(edited.length).toBe(FILES['TASK-0001.md']?.length);
    await sleep(20); // a later clock tick than the cached stamp
    await writeFile(file, edited);
    await utimes(file, mtime, mtime); // as `touch -r` or a careful tool would: only ctime gives it away
    const { size, mtimeMs } = await lstat(file);
    expect({ size, mtimeMs }).toEqual({ size: edited.length, mtimeMs: mtime.getTime() });
    const second = await open(dir);
    expect(second.loadStats).toEqual({ cached: 3, read: 1 });
    expect((await second.get('TASK-0001'))?.title).toBe('First two');
  });

  it('in a server (watching), checks cached files after start-up and reads in those edited while stopped', async () => {
    const dir = await dataDirWith(FILES);
    const first = await open(dir);
    first.close();
    await first.persist();
    await sleep(20); // a later clock tick than the cached stamps
    await writeFile(join(dir, 'tasks', 'TASK-0001.md'), GOOD('TASK-0001', 'Edited while stopped'));
    await unlink(join(dir, 'tasks', 'TASK-0002.md'));
    const server = await MarkdownStore.open({ dataDir: dir, log: () => undefined, watch: true });
    cleanups.push(async () => server.close());
    const changes: string[] = [];
    server.onExternalChange((change) =>
      changes.push(`${change.kind} ${change.kind === 'remove' ? change.id : change.item.id}`),
    );
    // Start-up took the cache at its word (no lstat per file; the deleted file was simply not listed)...
    expect(server.loadStats).toEqual({ cached: 3, read: 0 });
    expect((await server.get('TASK-0001'))?.title).toBe('First one');
    // ...and the check that follows reads the edit in, as an outside edit.
    await server.verifyDeferred();
    const seen = await until(
      () => changes.length,
      (count) => count >= 1,
    );
    expect(seen).toBe(1);
    expect(changes).toEqual(['upsert TASK-0001']);
    expect((await server.get('TASK-0001'))?.title).toBe('Edited while stopped');
    expect(await server.get('TASK-0002')).toBeUndefined();
  });

  it('drops files deleted while stopped and loads files added meanwhile', async () => {
    const dir = await dataDirWith(FILES);
    const first = await open(dir);
    first.close();
    await first.persist();
    await unlink(join(dir, 'tasks', 'TASK-0002.md'));
    await writeFile(join(dir, 'tasks', 'TASK-0009.md'), GOOD('TASK-0009', 'Pulled from git'));
    await settle(dir);
    const second = await open(dir);
    expect(second.loadStats).toEqual({ cached: 3, read: 1 });
    expect(await second.get('TASK-0002')).toBeUndefined();
    expect((await second.get('TASK-0009'))?.title).toBe('Pulled from git');
    const third = await restart(second);
    expect(third.loadStats).toEqual({ cached: 4, read: 0 });
    expect((await items(third)).map((item) => item.id).sort()).toEqual([
      'EPIC-0001',
      'TASK-0001',
      'TASK-0003',
      'TASK-0009',
    ]);
  });

  const damaged: Array<[string, (valid: Buffer) => Buffer | string, boolean]> = [
    ['garbage bytes', () => Buffer.from([0xff, 0x0d, 0x6f, 0x00, 0x12, 0x99]), true],
    ['an empty file', () => '', true],
    ['a file cut off halfway', (valid) => valid.subarray(0, Math.floor(valid.length / 2)), true],
    ['JSON', () => '{"format":"backlog-mcp/items-cache"}', true],
    [
      'an entry whose item does not match its file name',
      (valid) => {
        const cache = deserialize(valid) as { names: string[] };
        cache.names[0] = 'TASK-0999.md';
        return serialize(cache);
      },
      true,
    ],
    ['an older format', (valid) => serialize({ ...(deserialize(valid) as object), version: 0 }), false],
    [
      'another codec version',
      (valid) => serialize({ ...(deserialize(valid) as object), codec: CODEC_VERSION + 1 }),
      false,
    ],
  ];

  it.each(damaged)('ignores a cache that is %s, rebuilds it and loads from the files', async (_, spoil, logged) => {
    const dir = await dataDirWith(FILES);
    const first = await open(dir);
    const expected = await items(first);
    first.close();
    await first.persist();
    await writeFile(cacheFile(dir), spoil(await readFile(cacheFile(dir))));
    const logs: string[] = [];
    const second = await open(dir, logs);
    expect(second.loadStats).toEqual({ cached: 0, read: 4 });
    expect(await items(second)).toEqual(expected);
    expect(logs.filter((line) => line.includes('damaged load cache'))).toHaveLength(logged ? 1 : 0);
    const third = await restart(second);
    expect(third.loadStats).toEqual({ cached: 4, read: 0 });
    expect(await items(third)).toEqual(expected);
  });

  it('reports a file that broke while stopped, as without a cache, and never caches it', async () => {
    const dir = await dataDirWith(FILES);
    const first = await open(dir);
    first.close();
    await first.persist();
    await sleep(20);
    await writeFile(join(dir, 'tasks', 'TASK-0001.md'), '---\ntitle: [unclosed\nstatus: open\n---\nbody');
    await rm(join(dir, 'tasks', 'TASK-0002.md'));
    await symlink(join(dir, 'tasks', 'TASK-0003.md'), join(dir, 'tasks', 'TASK-0002.md'));
    await settle(dir);
    const logs: string[] = [];
    const second = await open(dir, logs);
    expect(second.loadStats).toEqual({ cached: 2, read: 1 });
    expect(logs).toContainEqual(expect.stringMatching(/^backlog: skipping tasks\/TASK-0001\.md: invalid YAML/));
    expect(logs).toContain('backlog: skipping tasks/TASK-0002.md: not a regular file');
    await expect(second.get('TASK-0001')).rejects.toThrow(/cannot be read/);
    expect(second.unreadableIds().sort()).toEqual(['TASK-0001', 'TASK-0002']);
    const third = await restart(second);
    expect(third.loadStats).toEqual({ cached: 2, read: 1 });
    expect(third.unreadableIds().sort()).toEqual(['TASK-0001', 'TASK-0002']);
  });

  it('brings back items written through the store exactly as the files decode', async () => {
    const dir = await dataDirWith(FILES);
    const store = await open(dir);
    const created = await store.create('task', (id) => ({
      id,
      type: 'task',
      title: 'Written by an agent',
      status: 'in_progress',
      description: 'Line one\n\n- a list\n',
      version: 1,
      created_at: '2026-02-01T10:00:00.000Z',
      updated_at: '2026-02-01T10:00:00.000Z',
      references: [{ url: 'https://example.com/a', title: 'A' }, { url: 'mcp://backlog/tasks/TASK-0001.md' }],
      blocked_by: ['TASK-0001'],
      labels: ['ui', '0123'],
      extra: { estimate: 3, components: ['ui', '0123'] },
    }));
    const known = await store.get('TASK-0002');
    if (!known) throw new Error('TASK-0002 should have loaded');
    await store.save({
      ...known,
      title: 'Renamed',
      version: known.version + 1,
      updated_at: '2026-02-02T00:00:00.000Z',
    });
    await store.remove('TASK-0003');
    await settle(dir);
    const again = await restart(store);
    expect(again.loadStats).toEqual({ cached: 4, read: 0 });
    expect(await again.get(created.id)).toEqual(created);
    expect((await again.get('TASK-0002'))?.title).toBe('Renamed');
    expect((await again.get('TASK-0002'))?.version).toBe(known.version + 1);
    expect(await again.get('TASK-0003')).toBeUndefined();
    // The reference: what a start-up without any cache makes of the same files.
    const fromCache = await items(again);
    again.close();
    await again.persist();
    await rm(cacheFile(dir));
    const cold = await open(dir);
    expect(cold.loadStats).toEqual({ cached: 0, read: 4 });
    expect(await items(cold)).toEqual(fromCache);
  });

  it('caches what the watcher read after a hand edit while running', async () => {
    const dir = await dataDirWith(FILES);
    const store = await MarkdownStore.open({ dataDir: dir, log: () => undefined, watch: true });
    cleanups.push(async () => store.close());
    await writeFile(join(dir, 'tasks', 'TASK-0001.md'), GOOD('TASK-0001', 'Edited in an editor'));
    // The watcher reads the edit.
    await until(
      () => store.get('TASK-0001'),
      (item) => item?.title === 'Edited in an editor',
    );
    // The hand edit did not bump `version`; memory bumps it so if_version sees the change.
    expect((await store.get('TASK-0001'))?.version).toBe(2);
    await settle(dir);
    const again = await restart(store);
    expect(again.loadStats).toEqual({ cached: 4, read: 0 });
    const edited = await again.get('TASK-0001');
    expect(edited?.title).toBe('Edited in an editor');
    // A restart gives what the file says, as a start-up without the cache would.
    expect(edited?.version).toBe(1);
  });

  it('appends what changed to a log instead of rewriting the cache file, and reads both back', async () => {
    const dir = await dataDirWith(FILES);
    const first = await open(dir);
    await first.persist();
    const whole = await readFile(cacheFile(dir));
    const known = (await first.get('TASK-0001')) as Item;
    await first.save({ ...known, title: 'Changed by the store', version: known.version + 1 });
    await sleep(150); // until the write's stamp has settled and can be cached
    await first.persist();
    const log = join(dir, '.state', LOAD_CACHE_LOG);
    expect((await lstat(log)).size).toBeGreaterThan(0);
    expect(await readFile(cacheFile(dir))).toEqual(whole); // the cache file itself was not rewritten
    const second = await restart(first);
    expect(second.loadStats).toEqual({ cached: 4, read: 0 });
    expect((await second.get('TASK-0001'))?.title).toBe('Changed by the store');

    // A batch cut short by a crash is ignored; the entries before it still count.
    second.close();
    await second.persist();
    await writeFile(log, Buffer.concat([await readFile(log), Buffer.from([200, 0, 0, 0, 1, 2, 3])]));
    const third = await open(dir);
    expect(third.loadStats).toEqual({ cached: 4, read: 0 });
    expect((await third.get('TASK-0001'))?.title).toBe('Changed by the store');
  });

  it('trusts a stamp only when it was taken well after the file last changed', () => {
    // Seen within the same clock tick as the change: a second edit could keep the stamp.
    expect(isSettled(entry({ ctimeMs: 5_000.25, seenAt: 5_010 }))).toBe(false);
    expect(isSettled(entry({ ctimeMs: 5_000.25, seenAt: 5_200 }))).toBe(true);
    // Whole-second timestamps (ext3, HFS+, FAT) need a wider margin.
    expect(isSettled(entry({ ctimeMs: 5_000, seenAt: 5_500 }))).toBe(false);
    expect(isSettled(entry({ ctimeMs: 5_000, seenAt: 7_100 }))).toBe(true);
    // A change stamped in the future (a clock set back) is never trusted before its time.
    expect(isSettled(entry({ ctimeMs: 9_000.5, seenAt: 5_000 }))).toBe(false);
    expect(canSettle(entry({ ctimeMs: 5_000.25 }), 5_050)).toBe(false);
    expect(canSettle(entry({ ctimeMs: 5_000.25 }), 5_150)).toBe(true);
  });
});
