// node bench/bridge.mjs (after npm run build) — the default command (the stdio bridge and its detached
// server) as an MCP client launches it: start-up to the first answer, the latency the bridge adds, the
// first answer after the server is killed, and how long the CLI takes to give up on a port held by a
// program that never answers. These targets used to be assertions in cli-bridge.test.ts and
// cli-commands.test.ts; the tests now check the behaviour only. Run it on a quiet machine.
// Exits 1 if a target is missed (BENCH_NO_FAIL=1 to only report).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callOk, freePort } from './lib/server.mjs';

const CLI = new URL('../packages/server/dist/cli/index.js', import.meta.url).pathname;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const results = [];
function report(what, value, target, digits = 0) {
  const met = target === undefined || value < target;
  results.push({ what, value, target, met });
  const goal = target === undefined ? '' : `target < ${target} ms  ${met ? 'met' : 'NOT MET'}`;
  console.log(`${what.padEnd(60)} ${value.toFixed(digits).padStart(8)} ms   ${goal}`);
}

function envFor(dataDir, port) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BACKLOG_')) env[key] = value;
  return { ...env, BACKLOG_DATA_DIR: dataDir, BACKLOG_VIEWER_PORT: String(port) };
}

async function bridge(dataDir, port, name) {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: envFor(dataDir, port),
      cwd: dataDir,
      stderr: 'pipe',
    }),
  );
  return client;
}

const serverPid = async (dataDir) => Number((await readFile(join(dataDir, '.state', 'server.pid'), 'utf8')).trim());

async function waitDead(pid) {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

console.log(`backlog-mcp bridge bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}`);
const dataDir = await mkdtemp(join(tmpdir(), 'bench-bridge-'));
const port = await freePort();
const clients = [];
try {
  // Launch → first tool answer, with no server running (cold) and with one running (warm).
  let started = performance.now();
  clients.push(await bridge(dataDir, port, 'cold'));
  await callOk(clients[0], 'backlog_list', {});
  report('launch → first answer, no server running (starts it)', performance.now() - started, 15_000);
  started = performance.now();
  clients.push(await bridge(dataDir, port, 'warm'));
  await callOk(clients[1], 'backlog_list', {});
  report('launch → first answer, server running (reuses it)', performance.now() - started, 10_000);

  // The latency the bridge adds to a call, against the same server over plain HTTP.
  const direct = new Client({ name: 'direct', version: '1.0.0' });
  const token = readFileSync(`${dataDir}/.state/server.token`, 'utf8').trim();
  const requestInit = { headers: { authorization: `Bearer ${token}` } };
  await direct.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit }));
  const { id } = await callOk(clients[1], 'backlog_create', { title: 'Latency probe' });
  const time = async (client) => {
    const samples = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await callOk(client, 'backlog_get', { id });
      samples.push(performance.now() - t);
    }
    return median(samples);
  };
  await time(direct);
  const bridged = await time(clients[1]);
  const plain = await time(direct);
  await direct.close();
  report('backlog_get through the bridge, median of 50', bridged, undefined, 2);
  report('backlog_get over direct HTTP, median of 50', plain, undefined, 2);
  report('added by the bridge', bridged - plain, undefined, 2);

  // kill -9 of the server mid-session: the next call restarts it and answers.
  const pid = await serverPid(dataDir);
  process.kill(pid, 'SIGKILL');
  await waitDead(pid);
  started = performance.now();
  await callOk(clients[1], 'backlog_get', { id });
  report('first answer after kill -9 of the server (restarts it)', performance.now() - started);
} finally {
  for (const client of clients) await client.close().catch(() => undefined);
  await new Promise((resolve) => {
    const stop = spawn(process.execPath, [CLI, 'stop'], { env: envFor(dataDir, port), stdio: 'ignore' });
    stop.once('exit', resolve);
  });
  await rm(dataDir, { recursive: true, force: true });
}

// A port held by a program that accepts connections and never answers: the CLI must give up by itself
// (was: cli-commands.test.ts, under 12 s).
{
  const sockets = [];
  const silent = createServer((socket) => sockets.push(socket));
  const silentPort = await new Promise((resolve) =>
    silent.listen(0, '127.0.0.1', () => resolve(silent.address().port)),
  );
  const dir = await mkdtemp(join(tmpdir(), 'bench-bridge-silent-'));
  const started = performance.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI], {
      env: envFor(dir, silentPort),
      cwd: dir,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    child.once('exit', resolve);
    child.stdin.end();
  });
  report(`CLI gives up on a port that never answers (exit ${code})`, performance.now() - started, 12_000);
  for (const socket of sockets) socket.destroy();
  silent.close();
  await rm(dir, { recursive: true, force: true });
}
if (results.some((r) => !r.met) && process.env.BENCH_NO_FAIL !== '1') process.exitCode = 1;
