import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CliEnv, envFor, freePort, isAlive, killServers, runCli, serveForeground, waitFor } from './support/cli.js';
import { removeDir, tempDataDir } from './support/servers.js';

/**
 * Security finding 5: the CLI kills a process only when it can prove that process is the
 * backlog-mcp server for this data folder, never on the word of a PID file or an HTTP answer.
 */

let env: CliEnv;
const children: ChildProcess[] = [];
const extraDirs: string[] = [];
let holder: Server | TcpServer | undefined;
const sockets: Socket[] = [];

beforeEach(async () => {
  env = { dataDir: await tempDataDir(), port: await freePort() };
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve()));
  holder = undefined;
  const pids = children.splice(0).flatMap((child) => (child.pid && child.exitCode === null ? [child.pid] : []));
  await killServers(env.dataDir, pids);
  await removeDir(env.dataDir);
  for (const dir of extraDirs.splice(0)) await removeDir(dir);
});

/**
 * An unrelated long-running program whose command line mentions "serve" and "backlog" (what the
 * old check looked for), started with this data folder in its environment.
 */
async function spawnVictim(): Promise<number> {
  const victim = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)', 'backlog-site/serve.py'], {
    env: envFor(env),
    stdio: 'ignore',
  });
  children.push(victim);
  const pid = victim.pid as number;
  await waitFor(
    () => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve.py');
      } catch {
        return false;
      }
    },
    undefined,
    'the victim to start',
  );
  return pid;
}

function plant(dataDir: string, file: 'server.pid' | 'server.token', text: string): void {
  mkdirSync(join(dataDir, '.state'), { recursive: true });
  writeFileSync(join(dataDir, '.state', file), `${text}\n`, { mode: 0o600 });
}

/** Something on the port that accepts connections and never answers. */
async function holdPortSilently(): Promise<void> {
  const server = createTcpServer((socket) => sockets.push(socket));
  holder = server;
  await new Promise<void>((resolve) => server.listen(env.port, '127.0.0.1', resolve));
}

/** A fake server that answers /version and /health like an older backlog-mcp, naming `pid`, and never stops. */
async function fakeServer(pid: number): Promise<void> {
  const server = createHttpServer((req, res) => {
    if (req.url === '/version') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('0.0.1');
    if (req.url === '/health') {
      const body = { version: '0.0.1', data_dir: env.dataDir, task_count: 0, uptime_seconds: 5, pid };
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    if (req.url === '/shutdown') return void res.writeHead(200).end('stopping');
    res.writeHead(404).end();
  });
  holder = server;
  await new Promise<void>((resolve) => server.listen(env.port, '127.0.0.1', resolve));
}

function expectRefusal(result: { code: number | null; stderr: string }): void {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(`port ${env.port}`);
  expect(result.stderr).toContain('BACKLOG_VIEWER_PORT');
}

describe('a planted PID file and a port that never answers', () => {
  it('the bridge does not kill the process the PID file names', async () => {
    const victim = await spawnVictim();
    plant(env.dataDir, 'server.pid', String(victim));
    await holdPortSilently();
    const result = await runCli([], env);
    expect(isAlive(victim)).toBe(true);
    expectRefusal(result);
    expect(result.stderr).toContain(`not a backlog-mcp server for ${env.dataDir}`);
  });

  it('stop does not kill it either', async () => {
    const victim = await spawnVictim();
    plant(env.dataDir, 'server.pid', String(victim));
    await holdPortSilently();
    const result = await runCli(['stop'], env);
    expect(isAlive(victim)).toBe(true);
    expectRefusal(result);
    expect(result.stderr).toContain(`not a backlog-mcp server for ${env.dataDir}`);
  });

  it('a real backlog-mcp server of another data folder is not killed', async () => {
    const otherDir = await tempDataDir();
    extraDirs.push(otherDir);
    const other = await serveForeground({ dataDir: otherDir, port: await freePort() }, (child) =>
      children.push(child),
    );
    plant(env.dataDir, 'server.pid', String(other.pid));
    await holdPortSilently();
    const result = await runCli([], env);
    expect(isAlive(other.pid as number)).toBe(true);
    expectRefusal(result);
  });
});

describe('a fake server on the port that names a PID in /health', () => {
  it('stop does not kill the named process', async () => {
    const victim = await spawnVictim();
    plant(env.dataDir, 'server.token', 'planted-token');
    await fakeServer(victim);
    const result = await runCli(['stop'], env);
    expect(isAlive(victim)).toBe(true);
    expectRefusal(result);
  });

  it('a newer bridge replacing it does not kill the named process', async () => {
    const victim = await spawnVictim();
    plant(env.dataDir, 'server.token', 'planted-token');
    await fakeServer(victim);
    const result = await runCli([], env);
    expect(isAlive(victim)).toBe(true);
    expectRefusal(result);
  });
});
