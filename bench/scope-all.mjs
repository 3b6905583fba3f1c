// node bench/scope-all.mjs (after npm run build) — `scope: "all"` over many remembered projects:
// the server is restarted so every project backlog is closed, then one search of all projects is
// timed three times, with the server's RSS and peak RSS after each.
// BENCH_PROJECTS (40), BENCH_ITEMS per project (500), BENCH_SEARCH (hybrid); BACKLOG_MAX_OPEN_ITEMS
// passes through to the server. Private folders; no port or folder of yours is used.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const CLI = new URL('../packages/server/dist/cli/index.js', import.meta.url).pathname;
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 40);
const ITEMS = Number(process.env.BENCH_ITEMS ?? 500);
const WORDS = ['login', 'cache', 'zebra', 'parser', 'upload'];

const root = mkdtempSync(join(tmpdir(), 'bench-scope-all-'));
const globalDir = join(root, 'global');
mkdirSync(globalDir);
const projects = [];
for (let p = 0; p < PROJECTS; p++) {
  const dir = join(root, `app${p}`, '.backlog');
  mkdirSync(join(dir, 'tasks'), { recursive: true });
  projects.push(dir);
  for (let i = 1; i <= ITEMS; i++) {
    const id = `TASK-${String(i).padStart(4, '0')}`;
    const title = `Item ${i} of app ${p} about ${WORDS[i % WORDS.length]} work`;
    writeFileSync(
      join(dir, 'tasks', `${id}.md`),
      `---\nid: ${id}\ntitle: ${title}\nstatus: open\ntype: task\ncreated_at: 2026-01-01T00:00:00.000Z\nupdated_at: 2026-01-01T00:00:00.000Z\n---\nBody of item ${i}: deploy and queue.\n`,
    );
  }
}

function start() {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      BACKLOG_DATA_DIR: globalDir,
      BACKLOG_VIEWER_PORT: '0',
      BACKLOG_SEARCH: process.env.BENCH_SEARCH ?? 'hybrid',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  return new Promise((resolve) =>
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = /MCP endpoint: (http:\/\/\S+)\/mcp/.exec(log);
      if (match) resolve({ child, url: match[1] });
    }),
  );
}
async function stop(server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}
const token = () => readFileSync(join(globalDir, '.state', 'server.token'), 'utf8').trim();
async function session(url, dir) {
  const client = new Client({ name: 'bench-scope-all', version: '1.0.0' });
  const headers = { authorization: `Bearer ${token()}`, ...(dir ? { 'x-backlog-dir': dir } : {}) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }));
  return client;
}
const mb = (pid, field) =>
  Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024);

let server = await start();
for (const dir of projects) {
  const client = await session(server.url, dir); // the server remembers the project from now on
  await client.callTool({ name: 'backlog_list', arguments: {} });
  await client.close();
}
await stop(server);
server = await start();
const client = await session(server.url);
console.log(
  `${PROJECTS} projects × ${ITEMS} items, ${process.env.BENCH_SEARCH ?? 'hybrid'}, BACKLOG_MAX_OPEN_ITEMS=${process.env.BACKLOG_MAX_OPEN_ITEMS ?? 'default'}; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log(`RSS before: ${mb(server.child.pid, 'VmRSS')} MB`);
for (const round of [1, 2, 3]) {
  const started = performance.now();
  const answer = await client.callTool({
    name: 'backlog_search',
    arguments: { query: 'zebra work', scope: 'all', limit: 20 },
  });
  const ms = Math.round(performance.now() - started);
  const found = answer.structuredContent?.results?.length ?? 0;
  console.log(
    `search ${round}: ${ms} ms, ${found} results; RSS ${mb(server.child.pid, 'VmRSS')} MB, peak ${mb(server.child.pid, 'VmHWM')} MB`,
  );
}
await client.close();
await stop(server);
rmSync(root, { recursive: true, force: true });
