import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { Backlog } from '../core/backlog.js';
import { createApi } from './api.js';
import { limitBody } from './body-limit.js';
import { EventHub } from './events.js';
import { createMcpEndpoint, type McpEndpoint } from './mcp-endpoint.js';
import { localOnly } from './security.js';
import { withViewerHeaders } from './viewer-headers.js';

export interface AppOptions {
  backlog: Backlog;
  version: string;
  makeMcpServer: () => McpServer;
  /** Serves the viewer's files; each runtime brings its own static handler. */
  viewer?: (path: string) => Promise<Response | undefined>;
  /** Extra information for /health (data dir, uptime...). */
  health?: () => Promise<Record<string, unknown>>;
  allowedHosts?: readonly string[];
  /** Lets the CLI's `stop` end the server; only a caller holding the token may. */
  shutdown?: { token: string; run: () => void };
  /**
   * Replaces the loopback Host/Origin guard (`localOnly`) on every route, e.g. with the
   * Worker's authentication. Absent: `localOnly(allowedHosts)`, as on Node.
   */
  guard?: MiddlewareHandler;
  /** Serves /mcp instead of the built-in stateful endpoint (the Worker's stateless one). */
  mcp?: McpEndpoint;
  /**
   * The client's remote address, which keys the per-client cap on open /events streams
   * (http/events.ts). Absent: every client shares one allowance.
   */
  clientAddress?: (c: Context) => string | undefined;
  /** Serves GET /events instead of the in-process SSE hub (the Worker polls its journal). */
  events?: (c: Context) => Response | Promise<Response>;
}

export interface App {
  app: Hono;
  mcp: McpEndpoint;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** One Hono app for every runtime: /mcp, /api, /version, /health and the viewer. */
export function createApp(options: AppOptions): App {
  const app = new Hono();
  const mcp = options.mcp ?? createMcpEndpoint(options.makeMcpServer);
  app.use('*', options.guard ?? localOnly(options.allowedHosts));
  app.use(
    '*',
    limitBody(MAX_BODY_BYTES, (c) => c.json({ error: `Request body over ${MAX_BODY_BYTES} bytes` }, 413)),
  );
  app.all('/mcp', (c) => mcp.handle(c.req.raw));
  const events = options.events;
  const hub = events ? undefined : new EventHub(options.backlog.events);
  if (events) app.get('/events', (c) => events(c));
  else if (hub) app.get('/events', (c) => hub.handle(c, options.clientAddress?.(c)));
  app.get('/version', (c) => c.text(options.version));
  const shutdown = options.shutdown;
  if (shutdown) {
    app.post('/shutdown', (c) => {
      // A plain comparison is fine here: the guard already compared in constant time; this is the second lock.
      const offered = c.req.header('authorization')?.replace(/^Bearer\s+/i, '') ?? c.req.header('x-backlog-token');
      if (offered !== shutdown.token) return c.json({ error: 'The server token is required' }, 403);
      setTimeout(shutdown.run, 10);
      return c.json({ stopping: true });
    });
  }
  app.get('/health', async (c) =>
    c.json({
      status: 'ok',
      version: options.version,
      ...(options.health ? await options.health() : {}),
      ...(hub ? { event_streams: hub.openStreams } : {}),
    }),
  );
  app.route('/api', createApi(options.backlog));
  app.get('*', async (c) => {
    const response = await options.viewer?.(c.req.path);
    // Both runtimes' viewer files get the same policy here (http/viewer-headers.ts).
    return response ? withViewerHeaders(response) : c.text('Not found', 404);
  });
  return { app, mcp };
}
