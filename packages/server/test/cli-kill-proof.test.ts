import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proveServerProcess } from '../src/cli/process-proof.js';
import { readServerPidFile } from '../src/runtime/node/state-files.js';
import { type CliEnv, envFor, freePort, isAlive, killServers, runCli, serveForeground } from './support/cli.js';
import { removeDir, tempDataDir } from './support/servers.js';
import { waitFor } from './support/wait.js';

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
  expect(result.stderr).toContain(`cannot be proven to be the backlog-mcp server for ${env.dataDir}`);
  expect(result.stderr).toContain('nothing was killed');
  expect(result.stderr).toContain(`Stop the program on port ${env.port}`);
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
    expect(result.stderr).toContain('is not "backlog-mcp serve"');
  });

  it('stop does not kill it either', async () => {
    const victim = await spawnVictim();
    plant(env.dataDir, 'server.pid', String(victim));
    await holdPortSilently();
    const result = await runCli(['stop'], env);
    expect(isAlive(victim)).toBe(true);
    expectRefusal(result);
    expect(result.stderr).toContain('is not "backlog-mcp serve"');
  });

  it('a real backlog-mcp server of another data folder is not killed', async () => {
    const otherDir = await tempDataDir();
    extraDirs.push(otherDir);
    const other = await serveForeground({ dataDir: otherDir, port: await freePort() }, (child) => children.push(child));
    plant(env.dataDir, 'server.pid', String(other.pid));
    await holdPortSilently();
    const result = await runCli([], env);
    expect(isAlive(other.pid as number)).toBe(true);
    expectRefusal(result);
    expect(result.stderr).toContain(`serves ${otherDir}`);
  });
});

describe('a fake server on the port that names a PID in /health', () => {
  it('stop does not kill the named process', async () => {
    const victim = await spawnVictim();
    plant(env.dataDir, 'server.token', 'f'.repeat(64));
    await fakeServer(victim);
    const result = await runCli(['stop'], env);
    expect(isAlive(victim)).toBe(true);
    expectRefusal(result);
    expect(result.stderr).toContain('no PID file');
  });

  it('a newer bridge replacing it does not kill the named process', async () => {
    const victim = await spawnVictim();
    plant(env.dataDir, 'server.token', 'f'.repeat(64));
    await fakeServer(victim);
    const result = await runCli([], env);
    expect(isAlive(victim)).toBe(true);
    expectRefusal(result);
  });
});

describe('its own server is still replaced', () => {
  it("stop kills this data folder's own hung server", async () => {
    const server = await serveForeground(env, (child) => children.push(child));
    const pid = server.pid as number;
    process.kill(pid, 'SIGSTOP'); // holds the port, answers nothing
    const result = await runCli(['stop'], env);
    expect(result.stderr).toContain('is hung');
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('Server stopped') });
    await waitFor(() => !isAlive(pid), undefined, 'the hung server to be killed');
  });
});

describe('the proof that a PID is our server', () => {
  it('holds for a real server, and fails on each point that does not match', async () => {
    const server = await serveForeground(env, (child) => children.push(child));
    const file = readServerPidFile(env.dataDir);
    expect(file?.pid).toBe(server.pid);
    const claim = {
      pid: server.pid as number,
      dataDir: env.dataDir,
      port: env.port,
      pidFileWrittenAtMs: file?.writtenAtMs ?? 0,
    };
    const reason = (changes: Partial<typeof claim>, options = {}): string => {
      const proof = proveServerProcess({ ...claim, ...changes }, options);
      return proof.proven ? 'proven' : proof.reason;
    };
    expect(reason({})).toBe('proven');

    const otherDir = await tempDataDir();
    extraDirs.push(otherDir);
    expect(reason({ dataDir: otherDir })).toContain(`serves ${env.dataDir}`);
    expect(reason({ port: await freePort() })).toContain('does not listen on port');
    // A PID file written long after the process started is not its own; one written before it started names a reused PID.
    expect(reason({ pidFileWrittenAtMs: claim.pidFileWrittenAtMs + 10 * 60_000 })).toContain('started long before');
    expect(reason({ pidFileWrittenAtMs: claim.pidFileWrittenAtMs - 10 * 60_000 })).toContain('started after');
    expect(reason({ pid: process.pid })).toContain('this command itself');
    expect(reason({ pid: await spawnVictim() })).toContain('is not "backlog-mcp serve"');
    // Without /proc nothing is proven.
    expect(reason({}, { proc: join(otherDir, 'no-proc') })).toContain('no /proc');
  });

  it('a command line that merely looks like ours is not enough: the script must belong to backlog-mcp', async () => {
    const fakeRoot = await tempDataDir();
    extraDirs.push(fakeRoot);
    const script = join(fakeRoot, 'dist', 'cli', 'index.js');
    mkdirSync(join(fakeRoot, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(fakeRoot, 'package.json'), JSON.stringify({ name: 'not-backlog-mcp' }));
    writeFileSync(script, 'setInterval(() => {}, 1e9);\n');
    const impostor = spawn(process.execPath, [script, 'serve'], { env: envFor(env), stdio: 'ignore' });
    children.push(impostor);
    const pid = impostor.pid as number;
    await waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve'), undefined, 'the impostor');
    const proof = proveServerProcess({ pid, dataDir: env.dataDir, port: env.port, pidFileWrittenAtMs: Date.now() });
    expect(proof).toMatchObject({ proven: false, reason: expect.stringContaining('does not run the backlog-mcp CLI') });
  });
});
