import { type Context, Hono } from 'hono';
import type { Backlog } from '../core/backlog.js';

/**
 * GET /api/graph[?root=EPIC-0001]: every item under an epic, milestone or folder (or the whole
 * backlog) as compact rows with blocked_by and the claim, in one request. /api/items returns
 * stubs without blocked_by and /api/stubs takes a bounded list of IDs, so neither can feed a
 * graph of hundreds of items. Read-only like the rest of the API; errors go through its onError.
 */
export function createGraphApi(backlogOf: (c: Context) => Promise<Backlog>): Hono {
  const api = new Hono();
  api.get('/', async (c) => {
    const root = c.req.query('root')?.trim() || undefined;
    const rows = await (await backlogOf(c)).graphRows(root);
    return c.json({ rows, total: rows.length });
  });
  return api;
}
