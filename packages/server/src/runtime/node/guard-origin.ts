import type { MiddlewareHandler } from 'hono';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function hostnameOf(hostHeader: string): string {
  // "[::1]:3030" keeps its brackets; "localhost:3030" drops the port.
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

/**
 * DNS-rebinding and cross-origin guard for the local server: a page on another
 * origin (or a rebound domain pointing at 127.0.0.1) gets 403 before any handler runs.
 */
export function localOnly(extraHosts: readonly string[] = []): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...extraHosts.map((h) => h.toLowerCase())]);
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!allowed.has(hostnameOf(host))) {
      return c.json({ error: `Host ${JSON.stringify(host)} is not allowed; use http://127.0.0.1` }, 403);
    }
    const origin = c.req.header('origin');
    if (origin && origin !== 'null') {
      let originHost = '';
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        // fall through to the refusal below
      }
      if (originHost !== host) return c.json({ error: `Origin ${JSON.stringify(origin)} is not allowed` }, 403);
    } else if (origin === 'null') {
      return c.json({ error: 'Opaque origins are not allowed' }, 403);
    }
    // <script>, <img> and no-cors fetches from another site send no Origin, but browsers mark
    // them: only a person's navigation (a link to the viewer) may come from elsewhere.
    const site = c.req.header('sec-fetch-site');
    if ((site === 'cross-site' || site === 'same-site') && c.req.header('sec-fetch-mode') !== 'navigate') {
      return c.json({ error: 'Cross-site requests are not allowed' }, 403);
    }
    await next();
  };
}
