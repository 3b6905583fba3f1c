import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readWranglerConfig, SERVER_DIR } from './support/worker.js';

it('wrangler.jsonc injects the package version, binds D1 as DB and serves the viewer only through the Worker', async () => {
  const config = await readWranglerConfig();
  const pkg = JSON.parse(await readFile(join(SERVER_DIR, 'package.json'), 'utf8')) as { version: string };
  expect((config.define as Record<string, string>).__BACKLOG_VERSION__).toBe(JSON.stringify(pkg.version));
  expect(config.main).toBe('src/runtime/worker/entry.ts');
  expect(config.d1_databases).toEqual([expect.objectContaining({ binding: 'DB', database_name: 'backlog' })]);
  expect(config.assets).toMatchObject({ binding: 'ASSETS', run_worker_first: true, directory: './dist/viewer' });
  // Secrets never live in the config file.
  expect(JSON.stringify(config)).not.toMatch(/API_KEY|JWT_SECRET|CLIENT_SECRET/);
});
