import { describe } from 'vitest';
import { D1Store } from '../../src/adapters/d1/store.js';
import { type StoreBackend, storeContract } from '../contract/store.contract.js';
import { openLocalD1 } from './support/worker.js';

/** The Store port on a real local D1 (Miniflare), migrated with the real migration files. */
describe('the Store contract on D1 (adapters/d1)', () => {
  storeContract(async (): Promise<StoreBackend> => {
    const d1 = await openLocalD1();
    return {
      store: new D1Store(d1.db),
      // A Worker builds a new store per request over the same database.
      reopen: async () => new D1Store(d1.db),
      async addDocument(path, content) {
        await d1.db
          .prepare('INSERT INTO documents (path, content, updated_at) VALUES (?, ?, ?)')
          .bind(path, content, new Date().toISOString())
          .run();
      },
      close: () => d1.close(),
    };
  });
});
