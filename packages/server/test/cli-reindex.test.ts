import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, call, connectStdio, removeDir, tempDataDir } from './support/servers.js';

describe('backlog-mcp reindex', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDataDir();
    const client = await connectStdio(dataDir);
    for (const title of ['Fix authentication flow', 'Reduce dashboard load time', 'Add CSV export']) {
      await call(client, 'backlog_create', { title });
    }
    await client.close();
  });
  afterAll(async () => {
    await removeDir(dataDir);
  });

  it('rebuilds the vector cache from the files and reports progress', () => {
    const run = spawnSync(process.execPath, [CLI, 'reindex'], {
      env: { ...process.env, BACKLOG_DATA_DIR: dataDir, BACKLOG_VIEWER_PORT: '1' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Reindexed 3 items in \d+\.\d\d s/);
    expect(run.stderr).toMatch(/reindex: 3\/3 items/);
    const state = join(dataDir, '.state');
    expect(readdirSync(state).some((name) => name.startsWith('vectors-') && name.endsWith('.bin'))).toBe(true);
    expect(existsSync(join(dataDir, 'tasks', 'TASK-0003.md'))).toBe(true);
  });
});
