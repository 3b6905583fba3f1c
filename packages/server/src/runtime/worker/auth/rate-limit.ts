import type { D1Database } from '../../../adapters/d1/d1-types.js';
import { nowSeconds } from './jwt.js';
import { escapeHtml, page } from './pages.js';

/**
 * Per-address budgets in D1 (table `rate_limits`, migrations/0004_rate_limits.sql), fixed windows:
 * - `fail`: failed credential checks (a wrong API key or token, a bad /token request). Over budget,
 *   every credential check from the address is refused, the right key included, so guessing learns
 *   nothing until the window ends.
 * - `register`: dynamic client registrations.
 * Documented in docs/limits.md.
 */
export const RATE_LIMITS = {
  fail: { max: 20, windowSeconds: 600 },
  register: { max: 10, windowSeconds: 3600 },
} as const;

export type LimitKind = keyof typeof RATE_LIMITS;

/** Requests without CF-Connecting-IP (only outside Cloudflare, as in local tests) share this bucket. */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The caller's address as Cloudflare saw it (CF-Connecting-IP, which Cloudflare sets and a client
 * cannot forge). IPv6 is taken by its /64: one subscriber usually holds a whole /64.
 */
export function clientAddress(request: Request): string {
  const raw = request.headers.get('cf-connecting-ip')?.trim().toLowerCase();
  if (!raw) return UNKNOWN_ADDRESS;
  const address = raw.slice(0, 64);
  return address.includes(':') ? (ipv6Prefix(address) ?? address) : address;
}

function ipv6Prefix(address: string): string | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? halves[0].split(':') : [];
  const right = halves[1] ? halves[1].split(':') : [];
  const last = right.at(-1) ?? left.at(-1) ?? '';
  if (last.includes('.')) return last; // ::ffff:192.0.2.1 is an IPv4 address
  const gap = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (gap < 0) return undefined;
  const groups = [...left, ...Array<string>(gap).fill('0'), ...right];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

const UPSERT = `INSERT INTO rate_limits (bucket, hits, expires_at) VALUES (?1, 1, ?2 + ?3)
  ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN expires_at <= ?2 THEN 1 ELSE hits + 1 END,
    expires_at = CASE WHEN expires_at <= ?2 THEN ?2 + ?3 ELSE expires_at END
  RETURNING hits, expires_at`;

/** The budgets of one address: one read to check, one upsert to count. */
export class RateLimiter {
  constructor(
    private readonly db: D1Database,
    readonly address: string,
  ) {}

  bucket(kind: LimitKind): string {
    return `${kind}:${this.address}`;
  }

  /** Seconds until this address may try `kind` again; 0 while it is within its budget. */
  async retryAfter(kind: LimitKind): Promise<number> {
    const row = await this.db
      .prepare('SELECT hits, expires_at FROM rate_limits WHERE bucket = ?')
      .bind(this.bucket(kind))
      .first<{ hits: number; expires_at: number }>();
    return row ? waitFor(kind, row) : 0;
  }

  /** Counts one event; the seconds to wait when it went over the budget, else 0. */
  async count(kind: LimitKind): Promise<number> {
    const now = nowSeconds();
    const row = await this.db
      .prepare(UPSERT)
      .bind(this.bucket(kind), now, RATE_LIMITS[kind].windowSeconds)
      .first<{ hits: number; expires_at: number }>();
    // A new window started: a cheap moment to drop counters whose window has ended.
    if (row?.hits === 1) await this.db.prepare('DELETE FROM rate_limits WHERE expires_at <= ?').bind(now).run();
    return row && row.hits > RATE_LIMITS[kind].max ? Math.max(1, row.expires_at - now) : 0;
  }
}

/** What a counter row means now: the seconds left of a spent budget, or 0. */
export function waitFor(kind: LimitKind, row: { hits: number; expires_at: number }): number {
  const left = row.expires_at - nowSeconds();
  return left > 0 && row.hits >= RATE_LIMITS[kind].max ? left : 0;
}

const FAILURES_TEXT = (seconds: number) =>
  `Too many failed sign-in attempts from this address (at most ${RATE_LIMITS.fail.max} in ${
    RATE_LIMITS.fail.windowSeconds / 60
  } minutes); every sign-in from it is refused for now. Try again in ${seconds} seconds.`;

/** 429 for API clients (/mcp, /api, /token, /register), with Retry-After. */
export function tooManyRequests(seconds: number, description = FAILURES_TEXT(seconds)): Response {
  return new Response(JSON.stringify({ error: 'too_many_requests', error_description: description }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': String(seconds) },
  });
}

/** 429 for the sign-in forms and browser navigations. */
export function tooManyRequestsPage(seconds: number): Response {
  const response = page('Too many failed sign-in attempts', `<p>${escapeHtml(FAILURES_TEXT(seconds))}</p>`, 429);
  response.headers.set('retry-after', String(seconds));
  return response;
}

/**
 * The credential checks among the sign-in routes: the API-key forms (POST /authorize, /login)
 * and the token endpoint. Returns undefined for every other request.
 */
function signInKind(request: Request): 'form' | 'token' | undefined {
  if (request.method !== 'POST') return undefined;
  const path = new URL(request.url).pathname;
  if (path === '/token') return 'token';
  return path === '/authorize' || path === '/login' ? 'form' : undefined;
}

/** A refusal that means a wrong credential: a wrong API key on a form, invalid_client or invalid_grant. */
async function failedCheck(kind: 'form' | 'token', response: Response): Promise<boolean> {
  if (kind === 'form') return response.status === 401; // the form again with "That is not the API key"
  if (response.status !== 400 && response.status !== 401) return false;
  try {
    const body = (await response.clone().json()) as { error?: unknown };
    return body.error === 'invalid_client' || body.error === 'invalid_grant';
  } catch {
    return false;
  }
}

/**
 * Runs a sign-in route under the address's failure budget: refused with 429 while the budget is
 * spent (one read), and a failed check is counted (one upsert).
 */
export async function limitSignIn(
  request: Request,
  limiter: RateLimiter,
  next: (request: Request) => Promise<Response>,
): Promise<Response> {
  const kind = signInKind(request);
  if (!kind) return next(request);
  const refuse = kind === 'form' ? tooManyRequestsPage : (s: number) => tooManyRequests(s);
  const wait = await limiter.retryAfter('fail');
  if (wait) return refuse(wait);
  const response = await next(request);
  if (!(await failedCheck(kind, response))) return response;
  const over = await limiter.count('fail');
  return over ? refuse(over) : response;
}
