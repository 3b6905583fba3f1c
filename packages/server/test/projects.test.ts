import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freePort, isAlive, killServers, serverPid } from './support/cli.js';
import { HANG } from './support/limits.js';
import { call, removeDir, tempDataDir, tokenOf } from './support/servers.js';
import { waitFor } from './support/wait.js';

/**
 * Projects through the real bridge: MCP clients launched in different working folders, no
 * BACKLOG_DATA_DIR, a private HOME (so the global backlog is HOME/.backlog, never the real one).
 */

interface Stub {
  id: string;
  title: string;
  project?: string;
}

let root: string;
let home: string;
let globalDir: string;
let port: number;
const clients: Client[] = [];

function projectEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('BACKLOG_')) env[key] = value;
  }
  // Words are enough here (no model to load per backlog); a short idle close for the reopen test.
  return {
    ...env,
    HOME: home,
    BACKLOG_VIEWER_PORT: String(port),
    BACKLOG_SEARCH: 'text',
    BACKLOG_IDLE_CLOSE_SECONDS: '1',
    ...extra,
  };
}

/** A project folder with an (empty) `.backlog/`, as `init` leaves it. */
function project(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, '.backlog', 'tasks'), { recursive: true });
  mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
  return realpathSync(dir);
}

async function bridgeIn(cwd: string, name: string, extra?: Record<string, string>): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: projectEnv(extra),
    cwd,
    stderr: 'pipe',
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** An HTTP MCP client that names its backlog folder itself (what the bridge does for its clients). */
async function httpClientFor(dir: string): Promise<Client> {
  const client = new Client({ name: 'http-client', version: '1.0.0' });
  const headers = { 'x-backlog-dir': dir, authorization: `Bearer ${tokenOf(globalDir)}` };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers } }),
  );
  clients.push(client);
  return client;
}

interface BacklogRow {
  dir: string;
  project: string;
  open: boolean;
  sessions: number;
}

async function backlogs(): Promise<BacklogRow[]> {
  const response = await fetch(`http://127.0.0.1:${port}/health`, {
    headers: { authorization: `Bearer ${tokenOf(globalDir)}` },
  });
  return ((await response.json()) as { backlogs: BacklogRow[] }).backlogs;
}

const titles = (items: Stub[]) => items.map((item) => item.title).sort();

let app: string;
let api: string;
let web: string;
let elsewhere: string;
let a: Client;
let b: Client;
let c: Client;
let g: Client;

beforeAll(async () => {
  root = realpathSync(await tempDataDir());
  home = join(root, 'home');
  mkdirSync(home);
  globalDir = join(home, '.backlog');
  port = await freePort();
  app = project('app');
  api = project('api');
  web = project('web');
  elsewhere = join(root, 'scratch');
  mkdirSync(elsewhere);
  // Started at once from four folders: the first starts the server, the others reuse it.
  [a, b, c, g] = await Promise.all([
    bridgeIn(join(app, 'src', 'deep'), 'agent-app'),
    bridgeIn(api, 'agent-api'),
    bridgeIn(web, 'agent-web'),
    bridgeIn(elsewhere, 'agent-global'),
  ]);
  for (const [client, title] of [
    [a, 'App: login form'],
    [b, 'Api: rate limiter'],
    [c, 'Web: landing page'],
    [g, 'Global: renew the domain'],
  ] as const) {
    await call(client, 'backlog_create', { title, description: `shared word zebra in ${title}` });
  }
}, HANG.process * 4);

afterAll(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
  const pid = serverPid(globalDir);
  await killServers(globalDir, pid ? [pid] : []);
  await removeDir(root);
});

describe('one server, a backlog per project', () => {
  it('serves all four from one process, each session in the backlog of its working folder', async () => {
    const pid = serverPid(globalDir);
    expect(pid && isAlive(pid)).toBe(true);
    // Each project has its own TASK-0001, written in its own .backlog/.
    for (const dir of [app, api, web]) expect(readdirSync(join(dir, '.backlog', 'tasks'))).toEqual(['TASK-0001.md']);
    expect(readdirSync(join(globalDir, 'tasks'))).toEqual(['TASK-0001.md']);
    const rows = await backlogs();
    expect(rows.map((row) => row.project).sort()).toEqual([api, app, web, realpathSync(globalDir)].sort());
  });

  it('keeps list, search and get inside the session backlog', async () => {
    expect(titles((await call<{ items: Stub[] }>(a, 'backlog_list', {})).items)).toEqual(['App: login form']);
    expect(titles((await call<{ items: Stub[] }>(g, 'backlog_list', {})).items)).toEqual(['Global: renew the domain']);
    const found = await call<{ results: Stub[] }>(b, 'backlog_search', { query: 'zebra' });
    expect(titles(found.results)).toEqual(['Api: rate limiter']);
    const got = await call<{ items: Stub[] }>(c, 'backlog_get', { id: 'TASK-0001' });
    expect(got.items.map((item) => item.title)).toEqual(['Web: landing page']);
  });

  it('scope "all" ranks every known backlog together and names each result’s project', async () => {
    const listed = await call<{ items: Stub[]; total: number }>(a, 'backlog_list', { scope: 'all' });
    expect(listed.total).toBe(4);
    const byProject = new Map(listed.items.map((item) => [item.project, item.title]));
    expect(byProject.get(app)).toBe('App: login form');
    expect(byProject.get(api)).toBe('Api: rate limiter');
    expect(byProject.get(realpathSync(globalDir))).toBe('Global: renew the domain');
    const found = await call<{ results: Stub[] }>(c, 'backlog_search', { query: 'zebra landing', scope: 'all' });
    expect(found.results).toHaveLength(4);
    expect(found.results[0]).toMatchObject({ title: 'Web: landing page', project: web });
    // get stays home: TASK-0001 is this session's own.
    const got = await call<{ items: Stub[] }>(a, 'backlog_get', { id: 'TASK-0001' });
    expect(got.items.map((item) => item.title)).toEqual(['App: login form']);
  });

  it('closes a backlog nobody uses and opens it again on the next use, losing nothing', async () => {
    const idle = await bridgeIn(web, 'agent-web-2');
    await idle.close();
    await c.close();
    await waitFor(
      async () => (await backlogs()).find((row) => row.dir.startsWith(web))?.open === false,
      HANG.condition,
      'the idle web backlog to close',
    );
    // scope "all" still reaches it (it reopens lazily) ...
    const found = await call<{ results: Stub[] }>(a, 'backlog_search', { query: 'landing', scope: 'all' });
    expect(found.results.map((hit) => hit.project)).toContain(web);
    // ... and a new session in the project finds its items and goes on numbering.
    c = await bridgeIn(join(web, 'src'), 'agent-web-3');
    const created = await call<{ id: string }>(c, 'backlog_create', { title: 'Web: footer' });
    expect(created.id).toBe('TASK-0002');
    expect((await backlogs()).find((row) => row.dir.startsWith(web))).toMatchObject({ open: true, sessions: 1 });
  });
});

/** Runs the CLI to completion in `cwd` with the project environment. */
function runIn(
  cwd: string,
  args: string[],
  extra?: Record<string, string>,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: projectEnv(extra),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout }));
  });
}

describe('every entry point picks the same backlog', () => {
  it('item commands act on the backlog of the current folder, through the running server', async () => {
    const created = await runIn(join(api, 'src'), ['create', 'Api: from the terminal', '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'TASK-0002' });
    expect(readdirSync(join(api, '.backlog', 'tasks')).sort()).toEqual(['TASK-0001.md', 'TASK-0002.md']);
    const listed = await runIn(api, ['list', '--scope', 'all', '--json']);
    expect((JSON.parse(listed.stdout) as { total: number }).total).toBeGreaterThanOrEqual(5);
  });

  it('status lists every backlog the server serves and marks the current folder’s', async () => {
    const status = await runIn(join(app, 'src'), ['status']);
    expect(status.code).toBe(0);
    const lines = status.stdout.split('\n');
    expect(lines).toContain(`* ${app}: 1 item, 1 active; open, 1 session`);
    expect(lines.some((line) => line.startsWith(`  ${realpathSync(globalDir)} (global): 1 item,`))).toBe(true);
  });

  it('--stdio and the item commands without a server use the nearest .backlog too', async () => {
    const lone = project('lone');
    const offline = { BACKLOG_VIEWER_PORT: String(await freePort()) };
    const created = await runIn(join(lone, 'src', 'deep'), ['create', 'Lone: offline', '--json'], offline);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'TASK-0001' });
    const client = new Client({ name: 'stdio-agent', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, '--stdio'],
        env: projectEnv(offline),
        cwd: lone,
      }),
    );
    clients.push(client);
    expect(titles((await call<{ items: Stub[] }>(client, 'backlog_list', {})).items)).toEqual(['Lone: offline']);
  });
});

describe('never the wrong backlog', () => {
  it('refuses a session that names a folder which is not a backlog, and creates nothing', async () => {
    const plain = join(root, 'not-a-project');
    mkdirSync(plain);
    await expect(httpClientFor(plain)).rejects.toThrow(/is not a backlog folder.*backlog-mcp init/);
    await expect(httpClientFor(join(root, 'missing', '.backlog'))).rejects.toThrow(/not a backlog folder/);
    expect(existsSync(join(root, 'missing'))).toBe(false);
    expect(readdirSync(plain)).toEqual([]);
  });

  it('a bridge pinned to another data folder on the same port fails where the agent sees it', async () => {
    const pinned = join(root, 'pinned');
    mkdirSync(pinned);
    const client = new Client({ name: 'pinned-agent', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: projectEnv({ BACKLOG_DATA_DIR: pinned }),
      cwd: app,
      stderr: 'pipe',
    });
    await expect(client.connect(transport)).rejects.toThrow(/does not accept the token.*BACKLOG_DATA_DIR/);
    await client.close().catch(() => {});
    // Nothing was written in either folder.
    expect(existsSync(join(pinned, 'tasks'))).toBe(false);
    expect(readdirSync(join(app, '.backlog', 'tasks'))).toEqual(['TASK-0001.md']);
  });
});
