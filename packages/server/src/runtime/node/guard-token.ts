import type { Context, MiddlewareHandler } from 'hono';

/**
 * The local server's owner check (ADR 0012), the Jupyter way: a random token only the owner can read
 * (`<data>/.state/server.token`, mode 0600) is required as `Authorization: Bearer <token>`. The viewer
 * is entered once through `/?token=<token>`, which trades it for an HttpOnly, SameSite=Strict cookie
 * and a clean URL; the cookie opens the read-only API and the event stream. MCP, /import and /shutdown take
 * the bearer header only, so a browser's cookie never drives tools.
 */
export interface LocalTokenOptions {
  token: string;
  /** Cookies are not port-bound: each server names its own, so two servers on one host do not clash. */
  port: number;
}

/** Open to anyone: the bare version (the CLI's probe) and the viewer's static files, which hold no data. */
function isOpen(path: string): boolean {
  return path === '/version' || /^\/assets\/[^/]+$/.test(path) || /^\/[^/]+\.(svg|png|ico)$/.test(path);
}

const API_PATHS = /^\/(api|events|health)(\/|$)/;
const BEARER_ONLY = /^\/(mcp|shutdown|import)(\/|$)/;
const SESSION_DAYS = 30;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Compares without an early exit, so response time does not reveal how much of a guess was right. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

const UNAUTHORISED_JSON = {
  error:
    'This server needs its token: send "Authorization: Bearer <token>", the token being the contents of ' +
    '<data folder>/.state/server.token (readable by the owner only). The stdio bridge (npx backlog-mcp) does this for you.',
};

function viewerSignIn(c: Context, reason: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>backlog-mcp: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>backlog-mcp</h1><p>${reason}</p>
<p>Open the viewer through the link with its token. Run <code>npx backlog-mcp status</code>
(or look at what <code>backlog-mcp serve</code> printed): it shows <code>Viewer: http://…/?token=…</code>.</p>
</body></html>`;
  return c.html(html, 401, { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
}

/** Hono middleware that lets only the holder of the token (or of the cookie it was traded for) through. */
export function requireLocalToken(options: LocalTokenOptions): MiddlewareHandler {
  const cookieName = `backlog_session_${options.port}`;
  // The cookie is derived from the token, never the token itself: it opens the viewer's API only.
  const sessionValue = sha256Hex(`backlog-mcp viewer session\n${options.token}`);
  return async (c, next) => {
    const path = c.req.path;
    if (isOpen(path)) return next();
    const bearer = bearerOf(c.req.header('authorization'));
    if (bearer !== undefined && sameText(bearer, options.token)) return next();
    const cookie = readCookie(c.req.header('cookie'), cookieName);
    const hasSession = cookie !== undefined && sameText(cookie, await sessionValue);
    if (BEARER_ONLY.test(path)) {
      // The CLI's `stop` of earlier versions sent x-backlog-token; /shutdown still takes it.
      const legacy = path === '/shutdown' ? c.req.header('x-backlog-token') : undefined;
      if (legacy !== undefined && sameText(legacy, options.token)) return next();
      return unauthorised(c);
    }
    if (API_PATHS.test(path)) return hasSession ? next() : unauthorised(c);
    return viewerPage(c, next, { cookieName, sessionValue: await sessionValue, token: options.token });
  };
}

function unauthorised(c: Context): Response {
  return c.json(UNAUTHORISED_JSON, 401, { 'www-authenticate': 'Bearer realm="backlog-mcp"' });
}

async function viewerPage(
  c: Context,
  next: () => Promise<void>,
  session: { cookieName: string; sessionValue: string; token: string },
): Promise<Response | undefined> {
  const url = new URL(c.req.url);
  const offered = url.searchParams.get('token');
  if (offered === null) {
    // The page holds no data and must load after a link from another site, which carries no
    // SameSite=Strict cookie; its own API calls do, and the page shows how to sign in on a 401.
    await next();
    return undefined;
  }
  if (!sameText(offered, session.token)) return viewerSignIn(c, 'The token in this link is not this server’s token.');
  url.searchParams.delete('token');
  const cookie = [
    `${session.cookieName}=${session.sessionValue}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${SESSION_DAYS * 24 * 3600}`,
  ].join('; ');
  // 303 to the same page without the token: it leaves the address bar, history and Referer.
  return new Response(null, {
    status: 303,
    headers: {
      location: `${url.pathname}${url.search}`,
      'set-cookie': cookie,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  });
}
