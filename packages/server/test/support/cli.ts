import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { HANG } from './limits.js';
import { CLI, registerServer, TEST_SEARCH_MODE, tokenOf } from './servers.js';
import { waitFor } from './wait.js';

export { CLI };

/** A port nobody listens on right now (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CliEnv {
  dataDir: string;
  port: number;
  extra?: Record<string, string>;
}

/**
 * The environment of a CLI process or server a test starts: none of the caller's BACKLOG_*
 * settings, search `hybrid` (the sentence encoder of the default `deep` costs a worker thread,
 * ~150 MB and seconds of CPU per server; its own tests ask for it in `extra`, which wins).
 */
export function envFor({ dataDir, port, extra }: CliEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('BACKLOG_')) env[key] = value;
  }
  return {
    ...env,
    BACKLOG_SEARCH: TEST_SEARCH_MODE,
    BACKLOG_DATA_DIR: dataDir,
    BACKLOG_VIEWER_PORT: String(port),
    ...extra,
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI to completion and collects its output; `timeoutMs` is a hang detector (limits.ts). */
export function runCli(
  args: string[],
  env: CliEnv,
  options: { input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: envFor(env),
      cwd: options.cwd ?? env.dataDir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timeoutMs = options.timeoutMs ?? HANG.process;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`backlog-mcp ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface Bridge {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  close(): Promise<void>;
}

/** An MCP client that launches the default command (the bridge), exactly as a user's client config does. */
export async function connectBridge(env: CliEnv, name = 'bridge-client'): Promise<Bridge> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: envFor(env),
    cwd: env.dataDir,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`bridge did not connect: ${String(error)}\n${stderr}`);
  }
  return {
    client,
    transport,
    stderr: () => stderr,
    close: async () => {
      await client.close().catch(() => {});
    },
  };
}

export function serverPid(dataDir: string): number | undefined {
  const file = join(dataDir, '.state', 'server.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Leaves no server behind: SIGKILL every PID given plus the one in the data folder's PID file. */
export async function killServers(dataDir: string, pids: Iterable<number> = []): Promise<void> {
  const all = new Set(pids);
  const fromFile = serverPid(dataDir);
  if (fromFile) all.add(fromFile);
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor(() => [...all].every((pid) => !isAlive(pid)), HANG.condition, 'servers to exit');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** PIDs of `backlog-mcp serve` processes started for this data folder (Linux /proc). */
export function serverProcesses(dataDir: string): number[] {
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const name of entries) {
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!cmdline.includes('serve') || !cmdline.some((arg) => arg.endsWith(join('cli', 'index.js')))) continue;
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (environ.includes(`BACKLOG_DATA_DIR=${dataDir}`) && isAlive(Number(name))) found.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** The owner's `Authorization` header for the server of a CLI test's data folder (throws before it exists). */
export function envAuth(env: CliEnv): Record<string, string> {
  return { authorization: `Bearer ${tokenOf(env.dataDir)}` };
}

/** `serve` in the foreground as a child of the test; resolves once `/health` says it is ready. The caller stops it. */
export async function serveForeground(env: CliEnv, track: (child: ChildProcess) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: envFor(env), stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitFor(
    () =>
      child.exitCode !== null ||
      Promise.resolve()
        .then(() => fetch(`http://127.0.0.1:${env.port}/health`, { headers: envAuth(env) }))
        // Ready, not just answering: /health says `ready: false` while the backlog loads.
        .then(async (r) => r.ok && ((await r.json()) as { ready?: boolean }).ready !== false)
        .catch(() => false),
    undefined,
    'the server',
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${stderr}`);
  });
  if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${stderr}`);
  registerServer(`http://127.0.0.1:${env.port}`, env.dataDir);
  return child;
}
