import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe } from 'vitest';
import { MarkdownStore } from '../src/adapters/files/file-store.js';
import { type StoreBackend, storeContract } from './contract/store.contract.js';
import { removeDir, tempDataDir } from './support/servers.js';

/** The Store port on Markdown files in a temporary data folder (no watcher: nothing else writes). */
describe('the Store contract on Markdown files (adapters/files)', () => {
  storeContract(async (): Promise<StoreBackend> => {
    const dataDir = await tempDataDir();
    const opened: MarkdownStore[] = [];
    const open = async () => {
      const store = await MarkdownStore.open({ dataDir, log: () => {} });
      opened.push(store);
      return store;
    };
    return {
      store: await open(),
      reopen: open,
      async addDocument(path, content) {
        const file = join(dataDir, 'resources', path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
      },
      async close() {
        for (const store of opened) {
          store.close();
          await store.persist().catch(() => undefined);
        }
        await removeDir(dataDir);
      },
    };
  });
});
