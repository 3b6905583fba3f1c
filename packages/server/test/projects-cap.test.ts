import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, call, connectHttp, removeDir, startHttpServer, tempDataDir } from './support/servers.js';
import { until } from './support/wait.js';

/**
 * `scope: "all"` asks every backlog the server remembers (up to 200). Past the cap on items held
 * in open backlogs, the ones a search had to open close again once they have answered, and they
 * are opened four at a time: a search of many projects never holds them all in memory.
 */

const PROJECTS = 10;
/** Each project holds one item, the global backlog none: at most this many projects stay open. */
const CAP = 3;
const AT_ONCE = 4;
const ENV = { BACKLOG_SEARCH: 'text', BACKLOG_MAX_OPEN_ITEMS: String(CAP), BACKLOG_IDLE_CLOSE_SECONDS: '600' };

interface Hit {
  id: string;
  title: string;
  project: string;
}

describe('scope "all" across more projects than may stay open', () => {
  let globalDir: string;
  let root: string;
  const projects: string[] = [];
  let server: Awaited<ReturnType<typeof startHttpServer>>;

  async function sessionIn(dir: string): Promise<Client> {
    const client = new Client({ name: 'project-client', version: '1.0.0' });
    const headers = { ...authHeaders(server.url), 'x-backlog-dir': dir };
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }));
    return client;
  }

  async function openDirs(): Promise<string[]> {
    const response = await fetch(`${server.url}/api/projects`, { headers: authHeaders(server.url) });
    const { projects: rows } = (await response.json()) as { projects: { dir: string; open: boolean }[] };
    return rows.filter((row) => row.open).map((row) => row.dir);
  }

  /** The most backlogs open at once in the server's log since `from`, the global one included. */
  function peakOpen(from: number): number {
    let open = 1;
    let peak = 1;
    for (const line of server.stderr().slice(from).split('\n')) {
      if (/^backlog: opened /.test(line)) peak = Math.max(peak, ++open);
      if (/^backlog: closed .* \(opened for a search of all projects/.test(line)) open--;
    }
    return peak;
  }

  beforeAll(async () => {
    globalDir = await tempDataDir();
    root = await tempDataDir();
    server = await startHttpServer(globalDir, ENV);
    // Each project is used once, so the server remembers it; a restart then leaves them all closed.
    for (let n = 1; n <= PROJECTS; n++) {
      const dir = join(root, `app-${n}`, '.backlog');
      mkdirSync(join(dir, 'tasks'), { recursive: true });
      projects.push(realpathSync(dir));
      const client = await sessionIn(dir);
      await call(client, 'backlog_create', { title: `Zebra crossing in app ${n}` });
      await client.close();
    }
    await server.stop();
    server = await startHttpServer(globalDir, ENV);
  });
  afterAll(async () => {
    await server?.stop();
    await removeDir(globalDir);
    await removeDir(root);
  });

  it('finds every project’s item, opening four at a time, and keeps only what fits under the cap', async () => {
    expect(await openDirs()).toHaveLength(1);
    const client = await connectHttp(server.url, 'searcher');
    for (const round of [1, 2]) {
      const from = server.stderr().length;
      const found = await call<{ results: Hit[] }>(client, 'backlog_search', { query: 'zebra', scope: 'all' });
      expect(found.results.map((hit) => hit.project).sort(), `round ${round}`).toEqual(
        projects.map((dir) => join(dir, '..')).sort(),
      );
      // The global backlog, the projects kept, and those being opened for this search.
      expect(peakOpen(from), `round ${round}: ${server.stderr().slice(from)}`).toBeLessThanOrEqual(1 + CAP + AT_ONCE);
      const settled = await until(openDirs, (dirs) => dirs.length <= 1 + CAP);
      expect(settled.length).toBeLessThanOrEqual(1 + CAP);
    }
    await client.close();
  });

  it('keeps a project open that a session holds, whatever the cap', async () => {
    const held = projects[0] as string;
    const session = await sessionIn(held);
    await call(session, 'backlog_list', {});
    const client = await connectHttp(server.url, 'searcher');
    await call(client, 'backlog_list', { scope: 'all' });
    expect(await openDirs()).toContain(held);
    await session.close();
    await client.close();
  });
});
