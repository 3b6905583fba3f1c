import type { D1Database } from '../../../adapters/d1/d1-types.js';
import { nowSeconds } from './jwt.js';
import { RATE_LIMITS, type RateLimiter, tooManyRequests, waitFor } from './rate-limit.js';

/**
 * Dynamic client registration (RFC 7591) is open to anyone, so what it may store is bounded:
 * per address (RATE_LIMITS.register), in total, and in time — a client that never obtained a
 * token is deleted a day after registering (`last_used_at`, set by a trigger whenever a token is
 * issued; migrations/0004_rate_limits.sql). Expiry runs lazily, at the next registration: no cron.
 */
export const CLIENT_LIMITS = {
  maxClients: 1000,
  unusedTtlSeconds: 24 * 3600,
} as const;

function json(status: number, body: Record<string, string>, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

/**
 * Runs POST /register within the limits: one batch first (drop expired clients and ended
 * counters, read this address's count and the number of clients), then the registration, then
 * one upsert counting it.
 */
export async function limitRegistration(
  db: D1Database,
  limiter: RateLimiter,
  next: () => Promise<Response>,
): Promise<Response> {
  const now = nowSeconds();
  const [, , counter, clients] = await db.batch<Record<string, number | null>>([
    db
      .prepare('DELETE FROM oauth_clients WHERE last_used_at IS NULL AND created_at <= ?')
      .bind(now - CLIENT_LIMITS.unusedTtlSeconds),
    db.prepare('DELETE FROM rate_limits WHERE expires_at <= ?').bind(now),
    db.prepare('SELECT hits, expires_at FROM rate_limits WHERE bucket = ?').bind(limiter.bucket('register')),
    db.prepare(
      'SELECT COUNT(*) AS n, MIN(CASE WHEN last_used_at IS NULL THEN created_at END) AS oldest_unused FROM oauth_clients',
    ),
  ]);
  const row = counter?.results[0] as { hits: number; expires_at: number } | undefined;
  const wait = row ? waitFor('register', row) : 0;
  if (wait) {
    const { max, windowSeconds } = RATE_LIMITS.register;
    return tooManyRequests(
      wait,
      `Too many client registrations from this address (at most ${max} in ${windowSeconds / 60} minutes). Try again in ${wait} seconds.`,
    );
  }
  const { n, oldest_unused } = (clients?.results[0] ?? {}) as { n?: number; oldest_unused?: number | null };
  if ((n ?? 0) >= CLIENT_LIMITS.maxClients) {
    // Space frees up when the oldest never-used client expires; used clients stay.
    const retry = typeof oldest_unused === 'number' ? oldest_unused + CLIENT_LIMITS.unusedTtlSeconds - now : 0;
    return json(
      503,
      {
        error: 'temporarily_unavailable',
        error_description: `This server already holds its maximum of ${CLIENT_LIMITS.maxClients} registered clients; clients that never obtain a token are removed ${CLIENT_LIMITS.unusedTtlSeconds / 3600} hours after registering. Try again later.`,
      },
      retry > 0 ? { 'retry-after': String(retry) } : {},
    );
  }
  const response = await next();
  if (response.status === 201) await limiter.count('register');
  return response;
}
