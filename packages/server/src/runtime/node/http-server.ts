import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createNodeApp } from './app.js';
import { openNodeBacklog } from './backlog.js';
import { BacklogRegistry } from './backlog-registry.js';
import type { Config } from './config.js';
import { KnownBacklogs } from './known-backlogs.js';
import { reclaimWhenQuiet } from './quiet-reclaim.js';
import { reclaimMemory } from './reclaim-memory.js';
import { loadOrCreateServerToken } from './server-token.js';
import { serverStateFiles } from './state-files.js';
import { VERSION } from './version.js';

export { serverStateFiles };

export interface RunningServer {
  port: number;
  url: string;
  version: string;
  /** What clients must send as `Authorization: Bearer …` (also in `<data>/.state/server.token`). */
  token: string;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /**
   * Called when an authorised `POST /shutdown` arrives (the CLI's `stop`). Without it the
   * server just closes itself; `serve` passes a callback that also ends the process.
   */
  onShutdownRequest?: () => void;
}

/** The port is taken: a message that names the port and how to choose another. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `Port ${port} on ${host} is already in use by another program. ` +
        `Stop that program, or choose another port with BACKLOG_VIEWER_PORT (for example BACKLOG_VIEWER_PORT=${port === 65535 ? 3031 : port + 1}).`,
    );
    this.name = 'PortInUseError';
  }
}

/** Writes a file readable only by its owner, atomically (temp file + rename). */
function writePrivate(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
}

/** Removes a state file only if it still holds what this process wrote (another server may own it now). */
function removeIfOurs(path: string, expected: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === expected) unlinkSync(path);
  } catch {
    // already gone
  }
}

async function listen(
  fetch: (request: Request, env: unknown) => Promise<Response>,
  config: Config,
): Promise<ReturnType<typeof serve>> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(config.host, config.port) : error);
    });
  });
}

/** Quiet this long after a request: one full GC (quiet-reclaim.ts). */
const RECLAIM_AFTER_QUIET_MS = 10_000;

type AppFetch = (request: Request, env: unknown) => Response | Promise<Response>;

/**
 * The server's fetch while the backlog loads: `/version` answers at once (a probe must not mistake a
 * starting server for a hung one) and `/health` says `ready: false`; everything else waits for the
 * backlog, or gets 503 if start-up failed.
 * `env` is @hono/node-server's { incoming, outgoing }: the app reads the client's address from it.
 */
function startingGate(version: string): {
  fetch: (request: Request, env: unknown) => Promise<Response>;
  /** The app, for /health only, before the backlog is ready (it then says `ready: false`). */
  health(app: AppFetch): void;
  open(app: AppFetch): void;
  failed(error: unknown): void;
} {
  let appFetch: AppFetch | undefined;
  let healthFetch: AppFetch | undefined;
  let markReady: () => void = () => {};
  let markFailed: (error: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  ready.catch(() => {});
  const fetch = async (request: Request, env: unknown): Promise<Response> => {
    if (!appFetch) {
      const path = new URL(request.url).pathname;
      if (request.method === 'GET' && path === '/version') {
        return new Response(version, { headers: { 'content-type': 'text/plain; charset=UTF-8' } });
      }
      if (healthFetch && path === '/health') return healthFetch(request, env);
      try {
        await ready;
      } catch {
        return new Response('The server failed to start', { status: 503 });
      }
    }
    return (appFetch as AppFetch)(request, env);
  };
  return {
    fetch,
    health: (app) => {
      healthFetch = app;
    },
    open: (app) => {
      appFetch = app;
      markReady();
    },
    failed: (error) => markFailed(error),
  };
}

/** Every backlog the server serves; the global one opens first, projects when their first session or viewer comes. */
function createRegistry(config: Config, stateDir: string, log: (line: string) => void): BacklogRegistry {
  return new BacklogRegistry({
    globalDir: config.dataDir,
    // A project's relative source_path is read from the project's folder, not the server's.
    open: (dataDir, where) =>
      openNodeBacklog({ dataDir, log, search: config.search, ...(where.global ? {} : { sourceBase: where.project }) }),
    known: KnownBacklogs.load(stateDir),
    idleCloseMs: config.idleCloseMs,
    maxOpenItems: config.maxOpenItems,
    log,
    afterIdleClose: reclaimMemory,
  });
}

/**
 * Starts the persistent HTTP server: MCP over Streamable HTTP, the API and the viewer.
 *
 * The port is bound first, so of two servers started at once the loser fails fast (EADDRINUSE)
 * before opening the data folder; `/version` answers while the backlog is still loading, so a
 * probe does not mistake a starting server for a hung one. Every other route requires the owner's
 * token from `<data>/.state/server.token` (mode 0600, kept across restarts; see guard-token.ts).
 * The PID goes to `server.pid`, removed on a clean close.
 */
export async function startHttpServer(
  config: Config,
  log: (line: string) => void,
  options: HttpServerOptions = {},
): Promise<RunningServer> {
  const started = Date.now();
  const version = config.versionOverride ?? VERSION;
  const gate = startingGate(version);
  // Before the port is bound: a bridge that sees /version answer reads the token next.
  const token = loadOrCreateServerToken(config.dataDir, log);
  // Garbage from a burst of requests is given back once the server has been quiet a while.
  const quiet = reclaimWhenQuiet(RECLAIM_AFTER_QUIET_MS);
  const server = await listen((request, env) => {
    quiet.touch();
    return gate.fetch(request, env);
  }, config);
  const http = server as Server;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const files = serverStateFiles(config.dataDir);
  const pid = String(process.pid);

  const stopListening = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      http.closeAllConnections?.();
    });
  };

  const fail = async (error: unknown): Promise<never> => {
    gate.failed(error);
    removeIfOurs(files.pid, pid);
    await stopListening();
    throw error;
  };
  let registry: BacklogRegistry;
  try {
    mkdirSync(files.dir, { recursive: true });
    writePrivate(files.pid, `${pid}\n`);
    registry = createRegistry(config, files.dir, log);
  } catch (error) {
    return fail(error);
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      removeIfOurs(files.pid, pid);
      quiet.stop();
      await mcp.closeAll();
      // SSE streams (/events, MCP GET streams) would keep close() waiting forever.
      const force = setTimeout(() => http.closeAllConnections?.(), 1000);
      await stopListening();
      clearTimeout(force);
      // Awaited: serve exits right after, and the caches are written on the way out.
      await registry.closeAll();
    })();
    return closing;
  };

  const { app, mcp } = createNodeApp({
    registry,
    config,
    log,
    version,
    token,
    port,
    startedAt: started,
    onShutdown: () => {
      log('Shutdown requested through POST /shutdown');
      if (options.onShutdownRequest) options.onShutdownRequest();
      else void close();
    },
  });
  // /health answers (ready: false) while the global backlog loads; the rest waits for it.
  gate.health(app.fetch);
  try {
    await registry.use(registry.globalDir);
  } catch (error) {
    return fail(error);
  }
  gate.open(app.fetch);
  return { port, url, version, token, close };
}
