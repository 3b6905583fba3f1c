import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { createApp } from '../../app/app.js';
import type { McpEndpoint } from '../../app/mcp-endpoint.js';
import { BacklogError } from '../../core/errors.js';
import { createMcpServer } from '../../mcp/server.js';
import type { SemanticState } from '../../search/hybrid.js';
import { acrossProjects } from './across-projects.js';
import { BACKLOG_DIR_HEADER, PROJECT_FOLDER } from './backlog-location.js';
import { BacklogRefused, type BacklogRegistry } from './backlog-registry.js';
import type { Config } from './config.js';
import { localGuard } from './guard.js';
import { createMcpEndpoint, jsonRpcError } from './mcp-endpoint.js';
import { createStaticViewer, viewerDir } from './viewer.js';

/** The client's remote address, which keys the per-client cap on open /events streams. */
function clientAddress(c: Context): string | undefined {
  const address = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

export interface NodeAppOptions {
  registry: BacklogRegistry;
  config: Config;
  version: string;
  token: string;
  port: number;
  startedAt: number;
  log: (line: string) => void;
  /** An authorised `POST /shutdown` arrived. */
  onShutdown: () => void;
}

/**
 * The backlog folder a viewer request names with `?project=`: a project as results name it (the
 * folder holding `.backlog/`), or a backlog folder itself; none means the server's global backlog.
 */
function dirOfProject(registry: BacklogRegistry, project: string | undefined): string {
  if (!project) return registry.globalDir;
  const known = registry.summaries().find((summary) => summary.project === project || summary.dir === project);
  if (known) return known.dir;
  try {
    return registry.resolve(join(project, PROJECT_FOLDER));
  } catch {
    return registry.resolve(project);
  }
}

function refusedAsNotFound(error: unknown): never {
  if (error instanceof BacklogRefused) throw new BacklogError('not_found', error.message, 'project');
  throw error;
}

/** Node's pieces for the shared app (app/app.ts): sessions bound to backlogs, per-backlog event hubs, the files viewer. */
export function createNodeApp(options: NodeAppOptions): { app: Hono; mcp: McpEndpoint } {
  const { registry, config, version, token } = options;
  const across = acrossProjects(registry, options.log);
  const mcp = createMcpEndpoint(async (request) => {
    let dir: string;
    try {
      dir = registry.resolve(request.headers.get(BACKLOG_DIR_HEADER) ?? undefined);
    } catch (error) {
      if (error instanceof BacklogRefused) return jsonRpcError(400, error.message);
      throw error;
    }
    const lease = await registry.acquire(dir, 'session');
    const { backlog } = lease;
    const server = createMcpServer(backlog.node.backlog, {
      version,
      actorName: config.actorName,
      across,
      project: backlog.project,
    });
    return { server, release: lease.release };
  });
  const backlogOf = async (c: Context) => {
    try {
      return (await registry.use(dirOfProject(registry, c.req.query('project')))).node.backlog;
    } catch (error) {
      return refusedAsNotFound(error);
    }
  };
  const app = createApp({
    backlog: backlogOf,
    projects: { across, list: () => registry.details() },
    version,
    guard: localGuard({ token, port: options.port }),
    mcp,
    events: async (c) => {
      let dir: string;
      try {
        dir = dirOfProject(registry, c.req.query('project'));
      } catch (error) {
        return c.json({ error: error instanceof Error ? error.message : String(error) }, 404);
      }
      const lease = await registry.acquire(dir, 'stream');
      return lease.backlog.hub.handle(c, clientAddress(c), lease.release);
    },
    viewer: createStaticViewer(viewerDir()),
    health: async () => {
      const process_ = {
        data_dir: config.dataDir,
        uptime_seconds: Math.round((Date.now() - options.startedAt) / 1000),
        pid: process.pid,
        rss_bytes: process.memoryUsage().rss,
        heap_used_bytes: process.memoryUsage().heapUsed,
        sessions: mcp.sessionCount(),
      };
      // Answers at once while the backlog loads: `ready` turns true when a search can be answered
      // (MCP calls made before then wait for it, and no longer).
      if (!registry.isReady(registry.globalDir)) return { ready: false, ...process_ };
      const global = await registry.use(registry.globalDir);
      return {
        ready: true,
        ...process_,
        task_count: await global.node.backlog.count(),
        search_mode: global.node.backlog.searchMode,
        ...(await semanticHealth(registry)),
        skipped_files: global.node.store.listProblems().size,
        event_streams: registry.admission.openStreams,
        backlogs: await registry.details(),
      };
    },
    shutdown: { token, run: options.onShutdown },
    imports: {
      token,
      // The backlog the CLI chose, named as MCP sessions name theirs; never created here.
      backlog: async (c) => {
        try {
          return (await registry.use(registry.resolve(c.req.header(BACKLOG_DIR_HEADER) ?? undefined))).node.backlog;
        } catch (error) {
          return refusedAsNotFound(error);
        }
      },
    },
  });
  return { app, mcp };
}

/**
 * The sentence encoder's state and the items still waiting for it, over every open backlog (one
 * encoder serves them all). Absent when search does not use the encoder.
 */
async function semanticHealth(registry: BacklogRegistry): Promise<{ semantic?: SemanticState }> {
  const parts = (await registry.openBacklogs()).flatMap((open) => open.node.search.semantic ?? []);
  const first = parts[0];
  if (!first) return {};
  const sum = (key: 'pending' | 'encoded' | 'queries') => parts.reduce((total, part) => total + part[key], 0);
  return {
    semantic: { encoder: first.encoder, pending: sum('pending'), encoded: sum('encoded'), queries: sum('queries') },
  };
}
