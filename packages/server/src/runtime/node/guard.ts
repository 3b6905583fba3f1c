import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { localOnly } from './guard-origin.js';
import { requireLocalToken } from './guard-token.js';

/**
 * The local server's guard: web pages are refused first (Host/Origin, guard-origin.ts), then
 * anyone without the owner's token (guard-token.ts, ADR 0012).
 */
export function localGuard(options: { token: string; port: number }): MiddlewareHandler {
  return every(localOnly(), requireLocalToken(options));
}
