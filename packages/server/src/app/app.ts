import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { Across } from '../core/across.js';
import type { Backlog } from '../core/backlog.js';
import { createApi } from './api.js';
import { limitBody } from './body-limit.js';
import { handleImport, IMPORT_MAX_BODY_BYTES, type ImportRoute } from './import-endpoint.js';
import type { McpEndpoint } from './mcp-endpoint.js';
import { withViewerHeaders } from './viewer-headers.js';

/**
 * What each runtime brings (runtime/node/, runtime/worker/): the app itself knows no runtime.
 * The same roles have the same file names on both sides: guard, mcp-endpoint, events, viewer.
 */
export interface AppOptions {
  /** The backlog a request reads: Node's `?project=` (else its global backlog); the Worker's one. */
  backlog: (c: Context) => Promise<Backlog>;
  /** `/api/search?scope=all` and `/api/projects`: Node's backlogs side by side; absent on the Worker. */
  projects?: { across: Across; list: () => Promise<unknown> };
  version: string;
  /** Runs before every route: Node's loopback Host/Origin check and owner token; the Worker's sign-in. */
  guard: MiddlewareHandler;
  /** Serves /mcp: Node's stateful sessions, the Worker's stateless endpoint. */
  mcp: McpEndpoint;
  /** Serves GET /events: Node's in-process hub, the Worker's journal poll. */
  events: (c: Context) => Response | Promise<Response>;
  /** Serves the viewer's files; undefined for a path that is not one. */
  viewer?: (path: string) => Promise<Response | undefined>;
  /** Extra information for /health (data dir, uptime...). */
  health?: () => Promise<Record<string, unknown>>;
  /** Lets the CLI's `stop` end the server; only a caller holding the token may. */
  shutdown?: { token: string; run: () => void };
  /** `backlog-mcp import` through the running server (Node only: the Worker's backlog is filled by a sync). */
  imports?: ImportRoute;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** One Hono app for every runtime: /mcp, /api, /events, /version, /health and the viewer. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.use('*', options.guard);
  const small = limitBody(MAX_BODY_BYTES, (c) => c.json({ error: `Request body over ${MAX_BODY_BYTES} bytes` }, 413));
  const large = limitBody(IMPORT_MAX_BODY_BYTES, (c) =>
    c.json({ error: `Import over ${IMPORT_MAX_BODY_BYTES} bytes: import the source in parts` }, 413),
  );
  app.use('*', (c, next) => (options.imports && c.req.path === '/import' ? large(c, next) : small(c, next)));
  const { mcp, events } = options;
  app.all('/mcp', (c) => mcp.handle(c.req.raw));
  app.get('/events', (c) => events(c));
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
  if (options.imports) app.post('/import', handleImport(options.imports));
  app.get('/health', async (c) =>
    c.json({
      status: 'ok',
      version: options.version,
      ...(options.health ? await options.health() : {}),
    }),
  );
  app.route('/api', createApi(options.backlog, options.projects));
  app.get('*', async (c) => {
    const response = await options.viewer?.(c.req.path);
    // Both runtimes' viewer files get the same policy here (app/viewer-headers.ts).
    return response ? withViewerHeaders(response) : c.text('Not found', 404);
  });
  return app;
}
