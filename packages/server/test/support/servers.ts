import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { HANG } from './limits.js';

/** The built CLI: tests drive the package the way users and acceptance tests do. */
export const CLI = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url));

export type TransportKind = 'stdio' | 'http';

/**
 * Search mode of every server and CLI process the tests start unless a test asks for another:
 * `hybrid`, not the product's default `deep`, whose sentence encoder (a worker thread, ~150 MB,
 * seconds of CPU per server) no test but search-deep.test.ts needs.
 */
export const TEST_SEARCH_MODE = 'hybrid';

/** Data folder of each server a test started, by origin: its owner's token is in that folder. */
const dataDirs = new Map<string, string>();

/** Records which data folder serves `baseUrl` (servers started outside startHttpServer). */
export function registerServer(baseUrl: string, dataDir: string): void {
  dataDirs.set(new URL(baseUrl).origin, dataDir);
}

/** The owner's token of a data folder, as the CLI and the bridge read it. */
export function tokenOf(dataDir: string): string {
  return readFileSync(join(dataDir, '.state', 'server.token'), 'utf8').trim();
}

/**
 * `Authorization: Bearer <token>` for a server this test process started: what the owner's tools
 * send. Read at each call, since a test may replace the token.
 */
export function authHeaders(baseUrl: string): Record<string, string> {
  const dataDir = dataDirs.get(new URL(baseUrl).origin);
  if (!dataDir) throw new Error(`no server registered for ${baseUrl}: start it with startHttpServer or registerServer`);
  return { authorization: `Bearer ${tokenOf(dataDir)}` };
}

export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'backlog-test-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Runs `backlog-mcp serve` on a free port and resolves once it prints its MCP endpoint. `timeoutMs`
 * is a hang detector (see limits.ts): pass HANG.bigStart for large backlogs.
 */
export async function startHttpServer(
  dataDir: string,
  env: Record<string, string> = {},
  options: { timeoutMs?: number } = {},
): Promise<{ url: string; child: ChildProcess; stderr: () => string; stop: () => Promise<void> }> {
  const timeoutMs = options.timeoutMs ?? HANG.process;
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      BACKLOG_SEARCH: TEST_SEARCH_MODE,
      BACKLOG_DATA_DIR: dataDir,
      BACKLOG_VIEWER_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server printed no MCP endpoint within ${timeoutMs} ms (a hang?):\n${stderr}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /MCP endpoint: (http:\/\/\S+)\/mcp/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code ?? signal} after ${Date.now() - started} ms:\n${stderr}`));
    });
  });
  registerServer(url, dataDir);
  return {
    url,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let hung = false;
      const timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, HANG.process);
      await exited;
      clearTimeout(timer);
      if (hung) throw new Error(`server did not exit within ${HANG.process} ms of SIGTERM:\n${stderr}`);
    },
  };
}

export interface Harness {
  client: Client;
  dataDir: string;
  /**
   * Another MCP session on the same data folder, as `name`: over HTTP a second client of the same
   * server; over stdio a second server process (it reads the folder as it is when it starts).
   * Closed with the harness.
   */
  connect(name: string): Promise<Client>;
  close(): Promise<void>;
}

export async function connectHttp(baseUrl: string, name = 'test-client'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const requestInit = { headers: authHeaders(baseUrl) };
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit }));
  return client;
}

export async function connectStdio(
  dataDir: string,
  name = 'test-client',
  env: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--stdio'],
    env: {
      ...(process.env as Record<string, string>),
      BACKLOG_SEARCH: TEST_SEARCH_MODE,
      BACKLOG_DATA_DIR: dataDir,
      ...env,
    },
    stderr: 'pipe',
  });
  await client.connect(transport);
  return client;
}

/** A fresh data folder and one connected client over the chosen transport. */
export async function openHarness(kind: TransportKind, name = 'test-client'): Promise<Harness> {
  const dataDir = await tempDataDir();
  const others: Client[] = [];
  const closeOthers = () => Promise.all(others.splice(0).map((other) => other.close()));
  if (kind === 'stdio') {
    const client = await connectStdio(dataDir, name);
    return {
      client,
      dataDir,
      connect: async (other) => {
        others.push(await connectStdio(dataDir, other));
        return others.at(-1) as Client;
      },
      close: async () => {
        await closeOthers();
        await client.close();
        await removeDir(dataDir);
      },
    };
  }
  const server = await startHttpServer(dataDir);
  const client = await connectHttp(server.url, name);
  return {
    client,
    dataDir,
    connect: async (other) => {
      others.push(await connectHttp(server.url, other));
      return others.at(-1) as Client;
    },
    close: async () => {
      await closeOthers();
      await client.close();
      await server.stop();
      await removeDir(dataDir);
    },
  };
}

/** Calls a tool and insists it succeeded; returns its structured content. */
export async function call<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${textOf(result)}`);
  return result.structuredContent as T;
}

/** Calls a tool that must fail; returns its error text. */
export async function callError(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (!result.isError) throw new Error(`${name} unexpectedly succeeded: ${textOf(result)}`);
  return textOf(result);
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}
