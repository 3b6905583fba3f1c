// The text index's analysed documents are kept in .state/ between runs (issue 21: searchable soon
// after a restart): unchanged items come back from the cache, edited ones are analysed anew, and a
// damaged cache is ignored.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEXT_INDEX_FILE } from '../src/adapters/files/text-index-file.js';
import type { Actor } from '../src/core/activity.js';
import { type NodeBacklog, openNodeBacklog } from '../src/runtime/node/backlog.js';
import { removeDir, tempDataDir } from './support/servers.js';

const me: Actor = { tool: 'test', name: 'me' };
let dataDir: string;
let log: string[];
let open: NodeBacklog | undefined;

const start = async (): Promise<NodeBacklog> => {
  log = [];
  open = await openNodeBacklog({ dataDir, log: (line) => log.push(line), watch: false });
  return open;
};
const stop = async () => {
  await open?.close();
  open = undefined;
};
const found = async (node: NodeBacklog, query: string) =>
  (await node.backlog.search({ query })).results.map((result) => result.id);
/** Three items made by a server, then TASK-0002's title edited on disk while none runs. */
const threeItemsOneEditedWhileDown = async () => {
  const first = await start();
  await first.backlog.create({ title: 'Rotate the session tokens', description: 'nightly' }, me);
  await first.backlog.create({ title: 'Flaky checkout test', description: 'retry twice' }, me);
  await first.backlog.create({ title: 'Invoice export to CSV' }, me);
  await stop();
  const file = join(dataDir, 'tasks', 'TASK-0002.md');
  await writeFile(file, (await readFile(file, 'utf8')).replace('Flaky checkout test', 'Slow dashboard charts'));
};
const indexed = () => log.find((line) => line.includes('backlog: indexed')) ?? '';

beforeEach(async () => {
  dataDir = await tempDataDir();
});

afterEach(async () => {
  await stop();
  await removeDir(dataDir);
});

describe('text index cache', () => {
  it('restores unchanged items at start and analyses the ones edited while the server was down', async () => {
    await threeItemsOneEditedWhileDown();
    const second = await start();
    expect(indexed()).toContain('1 analysed, 2 from the text cache');
    expect(await found(second, 'dashboard')).toEqual(['TASK-0002']);
    expect(await found(second, 'flaky')).toEqual([]);
    expect(await found(second, 'session tokens')).toEqual(['TASK-0001']);
  });

  it("takes restored items' vector keys from the cache, and gives an item edited while down a vector of its new text", async () => {
    await threeItemsOneEditedWhileDown();
    await start();
    // A key taken over for the edited item would have found its old vector: 0 embedded.
    expect(indexed()).toContain('1 analysed, 2 from the text cache; 1 embedded, 2 vectors from cache');
    await stop();
    await start();
    expect(indexed()).toContain('0 analysed, 3 from the text cache; 0 embedded, 3 vectors from cache');
  });

  it('ignores a damaged cache and builds the index from the items', async () => {
    const first = await start();
    await first.backlog.create({ title: 'Rotate the session tokens' }, me);
    await stop();
    await writeFile(join(dataDir, '.state', TEXT_INDEX_FILE), 'not a cache at all');
    const second = await start();
    expect(indexed()).toContain('1 analysed, 0 from the text cache');
    expect(await found(second, 'rotate')).toEqual(['TASK-0001']);
  });
});
