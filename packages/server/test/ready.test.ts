import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/cli.js';
import { writeItems } from './support/corpus.js';
import { HANG } from './support/limits.js';
import {
  CLI,
  call,
  connectHttp,
  registerServer,
  removeDir,
  TEST_SEARCH_MODE,
  tempDataDir,
  tokenOf,
} from './support/servers.js';
import { until } from './support/wait.js';

/**
 * Issue 21, "ready means searchable": while a restarted server builds its index, /version answers,
 * /health says `ready: false` (at once, not after the build), and an MCP call made meanwhile waits
 * for the build and then succeeds.
 */
describe('readiness while the backlog loads', () => {
  let child: ChildProcess | undefined;
  let dataDir = '';
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
    if (dataDir) await removeDir(dataDir);
  });

  it('answers /health with ready: false during the build, and serves a call made meanwhile', async () => {
    dataDir = await tempDataDir();
    // Enough items, with no caches yet, that the first start takes a while even on a fast machine.
    await writeItems(dataDir, 6000);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let stderr = '';
    child = spawn(process.execPath, [CLI, 'serve'], {
      env: {
        ...process.env,
        BACKLOG_SEARCH: TEST_SEARCH_MODE,
        BACKLOG_DATA_DIR: dataDir,
        BACKLOG_VIEWER_PORT: `${port}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const version = await until(
      () =>
        fetch(`${url}/version`).then(
          (response) => response.ok,
          () => false,
        ),
      (ok) => ok,
      HANG.process,
    );
    expect(version, `the server never answered /version:\n${stderr}`).toBe(true);
    registerServer(url, dataDir);
    const headers = { authorization: `Bearer ${tokenOf(dataDir)}` };
    const health = async () => (await (await fetch(`${url}/health`, { headers })).json()) as Record<string, unknown>;

    const loading = await health();
    expect(loading.ready, `the index was built before the first /health: ${stderr}`).toBe(false);
    expect(loading.status).toBe('ok');
    expect(loading.task_count).toBeUndefined();

    // A search sent now waits for the index and finds what is there.
    const client = await connectHttp(url, 'early-caller');
    try {
      const found = await call<{ results: { id: string }[]; total: number }>(client, 'backlog_search', {
        query: 'billing',
      });
      expect(found.total).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
    const ready = await health();
    expect(ready.ready).toBe(true);
    expect(ready.task_count).toBe(6000);
  }, 120_000);
});
