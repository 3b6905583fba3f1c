import type { Context } from 'hono';
import type { Backlog } from '../core/backlog.js';

// The viewer's progress view (issue 17, part 3): every milestone and epic with done/total, the
// per-status counts, the due date, the at-risk flag and the burn-up, all computed by the core
// (core/progress.ts); this route only serves them, read-only like the rest of the API.

/** `GET /api/progress?project=`: `{ scopes: ScopeProgress[] }`, overdue first. */
export async function progressRoute(c: Context, backlog: Backlog): Promise<Response> {
  return c.json({ scopes: await backlog.progress() });
}
