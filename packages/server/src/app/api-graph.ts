import type { Context } from 'hono';
import type { Backlog } from '../core/backlog.js';

/**
 * GET /api/graph[?root=EPIC-0001]: every item under an epic, milestone or folder (or the whole
 * backlog) as compact rows with blocked_by and the claim, in one request. /api/items returns
 * stubs without blocked_by and /api/stubs takes a bounded list of IDs, so neither can feed a
 * graph of hundreds of items. Read-only like the rest of the API; errors go through its onError.
 */
export async function graphRoute(c: Context, backlog: Backlog): Promise<Response> {
  const root = c.req.query('root')?.trim() || undefined;
  const rows = await backlog.graphRows(root);
  return c.json({ rows, total: rows.length });
}
