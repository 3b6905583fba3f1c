import type { IncomingMessage } from 'node:http';
import type { Context, Hono } from 'hono';
import { createApp } from '../../app/app.js';
import type { McpEndpoint } from '../../app/mcp-endpoint.js';
import { createMcpServer } from '../../mcp/server.js';
import type { NodeBacklog } from './backlog.js';
import type { Config } from './config.js';
import { EventHub } from './events.js';
import { localGuard } from './guard.js';
import { createMcpEndpoint } from './mcp-endpoint.js';
import { createStaticViewer, viewerDir } from './viewer.js';

/** The client's remote address, which keys the per-client cap on open /events streams. */
function clientAddress(c: Context): string | undefined {
  const address = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

export interface NodeAppOptions {
  node: NodeBacklog;
  config: Config;
  version: string;
  token: string;
  port: number;
  startedAt: number;
  /** An authorised `POST /shutdown` arrived. */
  onShutdown: () => void;
}

/** Node's pieces for the shared app (app/app.ts): stateful MCP sessions, the in-process event hub, the files viewer. */
export function createNodeApp(options: NodeAppOptions): { app: Hono; mcp: McpEndpoint } {
  const { node, config, version, token } = options;
  const mcp = createMcpEndpoint(() => createMcpServer(node.backlog, { version, actorName: config.actorName }));
  const hub = new EventHub(node.backlog.events);
  const app = createApp({
    backlog: node.backlog,
    version,
    guard: localGuard({ token, port: options.port }),
    mcp,
    events: (c) => hub.handle(c, clientAddress(c)),
    viewer: createStaticViewer(viewerDir()),
    health: async () => ({
      data_dir: config.dataDir,
      task_count: await node.backlog.count(),
      uptime_seconds: Math.round((Date.now() - options.startedAt) / 1000),
      pid: process.pid,
      rss_bytes: process.memoryUsage().rss,
      sessions: mcp.sessionCount(),
      search_mode: node.backlog.searchMode,
      skipped_files: node.store.listProblems().size,
      event_streams: hub.openStreams,
    }),
    shutdown: { token, run: options.onShutdown },
  });
  return { app, mcp };
}
