import { Hono, type MiddlewareHandler } from 'hono';
import { createApp } from '../../app/app.js';
import { limitRegistration } from './auth/client-registry.js';
import { signJwt, verifyJwt } from './auth/jwt.js';
import { OAuthStore } from './auth/oauth-store.js';
import { clientAddress, limitSignIn, RateLimiter, tooManyRequests, tooManyRequestsPage } from './auth/rate-limit.js';
import { CORS_HEADERS, createAuthRoutes } from './auth/routes.js';
import { openWorkerBacklog } from './backlog.js';
import { type Env, readConfig, type WorkerConfig } from './config.js';
import { journalEvents } from './events.js';
import { authenticate, type Principal, readCookie, SESSION_COOKIE, wwwAuthenticate } from './guard.js';
import { createStatelessMcpEndpoint, type SessionCodec, type StatelessSession } from './mcp-endpoint.js';
import { createWorkerMcpServer } from './mcp-server.js';
import { WORKER_VERSION as VERSION } from './version.js';
import { assetViewer } from './viewer.js';

const SESSION_ID_TTL_SECONDS = 90 * 24 * 3600;
/** Paths that work without credentials: discovery, sign-in and the token endpoint. */
const PUBLIC = /^\/(\.well-known\/oauth-[a-z-]+(\/mcp)?|register|authorize|token|login|logout|oauth\/github\/[a-z]+)$/;
const CORS_PATHS = /^\/(mcp|token|register|\.well-known\/.*)$/;

/** MCP session ids signed with JWT_SECRET: the client carries its name and claim tag. */
function sessionCodec(config: WorkerConfig): SessionCodec | undefined {
  const secret = config.jwtSecret;
  if (!secret) return undefined;
  return {
    encode: (session) => signJwt(secret, 'mcp-session', { s: session }, SESSION_ID_TTL_SECONDS),
    decode: async (id) => {
      const check = await verifyJwt<{ s: StatelessSession }>(secret, 'mcp-session', id);
      return check.ok ? check.claims.s : undefined;
    },
  };
}

function withCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [key, value] of Object.entries(CORS_HEADERS)) headers.set(key, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * Authentication in place of the loopback guard: bearer for /mcp, bearer or the viewer's cookie
 * elsewhere. A request that presents credentials is checked against its address's failure budget
 * (one read, alongside the check): while it is spent, even the right key gets 429. A rejected
 * Authorization header counts as a failure (one upsert).
 */
function authGuard(
  config: WorkerConfig,
  oauth: OAuthStore,
  limiter: RateLimiter,
  signedIn: (principal: Principal) => void,
): MiddlewareHandler {
  return async (c, next) => {
    const path = c.req.path;
    if (path === '/version') return next();
    const programmatic = path === '/mcp' || path === '/health' || path === '/events' || path.startsWith('/api/');
    const browser = !programmatic && c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');
    const presented = !!c.req.header('authorization') || readCookie(c.req.raw, SESSION_COOKIE) !== undefined;
    const [result, wait] = await Promise.all([
      authenticate(c.req.raw, config, oauth, { allowCookie: path !== '/mcp' }),
      presented ? limiter.retryAfter('fail') : 0,
    ]);
    const over = wait || (!result.ok && result.tokenPresented ? await limiter.count('fail') : 0);
    if (over) return browser ? tooManyRequestsPage(over) : tooManyRequests(over);
    if (result.ok) {
      signedIn(result.principal);
      return next();
    }
    if (browser) return c.redirect(`/login?next=${encodeURIComponent(path)}`, 302);
    return c.json({ error: 'unauthorized', error_description: result.reason }, 401, {
      'www-authenticate': wwwAuthenticate(config, result),
    });
  };
}

/**
 * Everything the Worker serves, built per request (a Worker keeps nothing between
 * requests): the OAuth routes in front, then the same Hono app as on Node with the
 * D1 store, the FTS5 index, stateless MCP and authentication instead of the loopback guard.
 */
export async function handleWorkerRequest(request: Request, env: Env): Promise<Response> {
  const config = readConfig(env, request);
  const path = new URL(request.url).pathname;
  const cors = CORS_PATHS.test(path);
  if (request.method === 'OPTIONS' && cors) return new Response(null, { status: 204, headers: CORS_HEADERS });
  if (!env.DB) return new Response('The Worker has no D1 binding named DB (see wrangler.jsonc)', { status: 500 });
  if (!config.apiKey && !config.jwtSecret) {
    return new Response('Not configured: set the API_KEY and/or JWT_SECRET secrets (16+ characters)', { status: 503 });
  }
  const oauth = new OAuthStore(env.DB);
  const limiter = new RateLimiter(env.DB, clientAddress(request));
  if (PUBLIC.test(path)) {
    const routes = async (r: Request) => createAuthRoutes({ config, oauth }).fetch(r);
    const response =
      path === '/register' && request.method === 'POST'
        ? await limitRegistration(env.DB, limiter, () => routes(request))
        : await limitSignIn(request, limiter, routes);
    return cors ? withCors(response) : response;
  }

  const backlog = openWorkerBacklog(env.DB);
  let principal: Principal | undefined;
  const makeServer = (session?: StatelessSession) =>
    createWorkerMcpServer(backlog, { version: VERSION, actorName: config.actorName, session, principal });
  const app = createApp({
    backlog: async () => backlog,
    version: VERSION,
    mcp: createStatelessMcpEndpoint({ makeServer, sessions: sessionCodec(config) }),
    guard: authGuard(config, oauth, limiter, (signedIn) => {
      principal = signedIn;
    }),
    events: journalEvents(env.DB, { holdMs: config.eventsHoldMs, pollMs: config.eventsPollMs }),
    viewer: assetViewer(env.ASSETS),
    health: async () => ({
      runtime: 'cloudflare-workers',
      storage: 'd1',
      task_count: await backlog.count(),
      search_mode: backlog.searchMode,
      live_updates: 'polling',
    }),
  });
  const outer = new Hono();
  outer.all('*', (c) => app.fetch(c.req.raw));
  const response = await outer.fetch(request);
  return cors ? withCors(response) : response;
}
