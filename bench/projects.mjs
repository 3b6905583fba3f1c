// node bench/projects.mjs (after npm run build) — one server, many project backlogs (issue 16):
//  - resident memory of the server with 1 open backlog of 1,000 items, then 10, then after the 9 project
//    backlogs were closed for idleness;
//  - a bridge started in a project the server has not opened yet: launch → first answer (initialize +
//    backlog_list), for an empty project and one of 1,000 items, with the server already running.
// Default search (hybrid); BENCH_SEARCH=text for words only. Private HOME; no port or folder of yours is used.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { writeCorpus } from './lib/corpus.mjs';
import { callOk, freePort } from './lib/server.mjs';

const CLI = new URL('../packages/server/dist/cli/index.js', import.meta.url).pathname;
const ITEMS = Number(process.env.BENCH_ITEMS ?? 1000);
const PROJECTS = 10;
const IDLE_SECONDS = 4;

const root = mkdtempSync(join(tmpdir(), 'bench-projects-'));
const home = join(root, 'home');
const globalDir = join(home, '.backlog');
mkdirSync(home);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = (extra = {}) => {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BACKLOG_')));
  return {
    ...clean,
    HOME: home,
    BACKLOG_VIEWER_PORT: String(port),
    BACKLOG_IDLE_CLOSE_SECONDS: String(IDLE_SECONDS),
    ...(process.env.BENCH_SEARCH ? { BACKLOG_SEARCH: process.env.BENCH_SEARCH } : {}),
    ...extra,
  };
};
const token = () => readFileSync(join(globalDir, '.state', 'server.token'), 'utf8').trim();
const auth = () => ({ authorization: `Bearer ${token()}` });
const health = async () => (await fetch(`${base}/health`, { headers: auth() })).json();

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024);
}

async function until(check, what, limitMs = 60_000) {
  const end = Date.now() + limitMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** RSS once it stops moving (the index and caches settle after the first calls). */
async function settledRss(pid) {
  let last = rssMb(pid);
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = rssMb(pid);
    if (Math.abs(now - last) <= 1) return now;
    last = now;
  }
  return last;
}

async function projectWithItems(name, size) {
  const dir = join(root, name);
  mkdirSync(join(dir, '.backlog', 'tasks'), { recursive: true });
  if (size > 0) await writeCorpus(join(dir, '.backlog'), size, name.length * 7 + size);
  return dir;
}

async function httpSession(backlogDir) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  const headers = { ...auth(), 'x-backlog-dir': backlogDir };
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } });
  await client.connect(transport);
  await callOk(client, 'backlog_search', { query: 'memory leak dashboard' });
  await callOk(client, 'backlog_list', { ready: true });
  // Ends the session as the bridge does on exit: a session that is only dropped holds its backlog for 24 h.
  return { close: async () => transport.terminateSession().then(() => client.close()) };
}

async function bridgeFirstAnswer(cwd) {
  const started = performance.now();
  const client = new Client({ name: 'bench-bridge', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI], env: env(), cwd }));
  const connected = performance.now() - started;
  await callOk(client, 'backlog_list', {});
  const answered = performance.now() - started;
  await client.close();
  return { connected, answered };
}

const rows = [];
const heapMb = async () => Math.round((await health()).heap_used_bytes / 2 ** 20);
const say = (what, value, unit) => {
  rows.push({ what, value, unit });
  console.log(`${what.padEnd(70)} ${String(value).padStart(8)} ${unit}`);
};

let server;
try {
  await writeCorpus(globalDir, ITEMS, 1);
  server = spawn(process.execPath, [CLI, 'serve'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'], cwd: root });
  await until(async () => (await fetch(`${base}/health`, { headers: auth() })).ok, 'the server');
  const pid = server.pid;
  const projects = [];
  for (let i = 1; i < PROJECTS; i++) projects.push(await projectWithItems(`project-${i}`, ITEMS));
  const first = await httpSession(globalDir);
  say(`RSS, 1 open backlog of ${ITEMS} items`, await settledRss(pid), 'MB');
  say(`  V8 heap used`, await heapMb(), 'MB');
  const sessions = [first];
  for (const dir of projects) sessions.push(await httpSession(join(dir, '.backlog')));
  const opened = (await health()).backlogs.filter((row) => row.open).length;
  say(`RSS, ${opened} open backlogs of ${ITEMS} items`, await settledRss(pid), 'MB');
  say(`  V8 heap used`, await heapMb(), 'MB');
  for (const client of sessions.slice(1)) await client.close();
  await until(async () => (await health()).backlogs.filter((row) => row.open).length === 1, 'idle close', 60_000);
  say(`RSS after the ${PROJECTS - 1} project backlogs closed for idleness`, await settledRss(pid), 'MB');
  say(`  V8 heap used`, await heapMb(), 'MB');
  // V8 keeps freed pages for reuse rather than returning them: what shows that closing gives memory back
  // is that 9 other backlogs then fit in it, where without closing RSS would grow by as much again.
  const others = [];
  for (let i = 1; i < PROJECTS; i++) others.push(await projectWithItems(`other-${i}`, ITEMS));
  const second = [];
  for (const dir of others) second.push(await httpSession(join(dir, '.backlog')));
  say(`RSS with 9 other project backlogs open in their place`, await settledRss(pid), 'MB');
  for (const client of second) await client.close();

  const empty = await projectWithItems('fresh-empty', 0);
  const full = await projectWithItems('fresh-full', ITEMS);
  for (const [what, dir] of [
    ['empty', empty],
    [`${ITEMS} items`, full],
  ]) {
    const { connected, answered } = await bridgeFirstAnswer(join(dir));
    say(`bridge in a new project (${what}): launch → initialized`, Math.round(connected), 'ms');
    say(`bridge in a new project (${what}): launch → first backlog_list answered`, Math.round(answered), 'ms');
  }
  const again = await bridgeFirstAnswer(full);
  say(`bridge in a project already open: launch → first backlog_list answered`, Math.round(again.answered), 'ms');
  // Closed for idleness, its load and vector caches were saved: the next bridge reopens it from them.
  const fullIsOpen = async () => (await health()).backlogs.find((row) => row.project === full)?.open;
  await until(async () => (await fullIsOpen()) === false, 'the project to close', 60_000);
  const reopened = await bridgeFirstAnswer(full);
  say(
    `bridge in a project closed for idleness (${ITEMS} items): launch → first answer`,
    Math.round(reopened.answered),
    'ms',
  );
  await first.close();
  console.log(
    `\n${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GB, search ${process.env.BENCH_SEARCH ?? 'hybrid'}`,
  );
} finally {
  server?.kill('SIGTERM');
  await new Promise((resolve) => (server ? server.once('exit', resolve) : resolve()));
  rmSync(root, { recursive: true, force: true });
}
