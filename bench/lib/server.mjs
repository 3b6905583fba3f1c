// Starts the built server as users run it and connects real SDK clients over Streamable HTTP.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const CLI = new URL('../../packages/server/dist/cli/index.js', import.meta.url).pathname;

/** Data folder of each server started here, by URL: the owner's token lives in it. */
const dataDirs = new Map();

/** `Authorization: Bearer <token>` for a server this process started (the server requires it). */
export function authHeaders(url) {
  const dataDir = dataDirs.get(new URL(url).origin);
  return { authorization: `Bearer ${readFileSync(`${dataDir}/.state/server.token`, 'utf8').trim()}` };
}

/** The owner's viewer link (`status` prints it): sets the session cookie, then goes to `path`. */
export function signInUrl(url, path = '/') {
  const token = authHeaders(url).authorization.slice('Bearer '.length);
  return `${url}${path}${path.includes('?') ? '&' : '?'}token=${token}`;
}

export async function startServer(dataDir, env = {}) {
  const started = performance.now();
  // BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the servers (node refuses
  // --cpu-prof in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
    // hybrid unless asked: a deep server would encode the whole corpus in the background while the
    // other figures are taken (bench/encoder.mjs measures deep on its own).
    env: { ...process.env, BACKLOG_DATA_DIR: dataDir, BACKLOG_VIEWER_PORT: '0', BACKLOG_SEARCH: 'hybrid', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /MCP endpoint: (http:\/\/\S+)\/mcp/.exec(stderr);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  dataDirs.set(new URL(url).origin, dataDir);
  return {
    url,
    pid: child.pid,
    startedMs: performance.now() - started,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A server started on a known free port, timed as a user sees it: spawn → `/version` answers,
 * spawn → `/health` says `ready`, and spawn → the first `backlog_search` answer over a fresh MCP
 * session (what an agent does first).
 */
export async function timedRestart(dataDir, env = {}) {
  const port = await freePort();
  const started = performance.now();
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve'], {
    env: {
      ...process.env,
      BACKLOG_DATA_DIR: dataDir,
      BACKLOG_VIEWER_PORT: String(port),
      BACKLOG_SEARCH: 'hybrid',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const url = `http://127.0.0.1:${port}`;
  let versionMs;
  while (versionMs === undefined) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}`);
    const ok = await fetch(`${url}/version`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) versionMs = performance.now() - started;
    else await new Promise((resolve) => setTimeout(resolve, 2));
  }
  dataDirs.set(url, dataDir);
  // Alongside the first search: when /health first says `ready` (it answers `ready: false` before).
  const ready = (async () => {
    for (;;) {
      const health = await fetch(`${url}/health`, { headers: authHeaders(url) }).then(
        (r) => r.json(),
        () => undefined,
      );
      if (health?.ready === true) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const { rawSession } = await import('./raw-client.mjs');
  const session = await rawSession(url, 'first-search');
  await session.call('backlog_search', { query: 'login session token' });
  const firstSearchMs = performance.now() - started;
  session.close();
  const readyMs = await ready;
  return {
    versionMs,
    readyMs,
    firstSearchMs,
    server: {
      url,
      pid: child.pid,
      stop: () =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    },
  };
}

/** bench/lib/floor-server.mjs on a free port: what a durable create costs with nothing else (issue 21). */
export async function startFloorServer(dir) {
  const port = await freePort();
  const script = new URL('./floor-server.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`floor server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** A port nothing listens on right now (bench scripts start servers on known ports). */
export async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function connect(url, name = 'bench') {
  const client = new Client({ name, version: '1.0.0' });
  const requestInit = { headers: authHeaders(url) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit }));
  return client;
}

export async function callOk(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name}: ${result.content?.[0]?.text}`);
  return result.structuredContent;
}

/** Peak resident memory of a process, from Linux's /proc (VmHWM), in MB. */
export function peakRssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Math.round(kb / 1024);
  } catch {
    return Number.NaN;
  }
}

/** Milliseconds from an MCP write until its SSE change event arrives. */
export async function sseLatency(url, client, n) {
  const samples = [];
  const response = await fetch(`${url}/events`, { headers: authHeaders(url) });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (let i = 0; i < n; i++) {
    const title = `sse probe ${i} ${Math.random()}`;
    const started = performance.now();
    await client.callTool({ name: 'backlog_create', arguments: { title } });
    while (!buffer.includes(title)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value);
    }
    samples.push(performance.now() - started);
    buffer = '';
  }
  await reader.cancel();
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)], p95: samples[Math.ceil(samples.length * 0.95) - 1] };
}
