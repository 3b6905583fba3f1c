import { ENTITY_TYPES, type EntityType, STATUSES, type Status } from '@backlog-mcp/shared';
import { Hono } from 'hono';
import type { Backlog } from '../core/backlog.js';
import { BacklogError } from '../core/errors.js';
import { LIMITS } from '../core/limits.js';

const STATUS_CODES = { invalid: 400, not_found: 404, conflict: 409, unavailable: 501 } as const;

function pick<T extends string>(allowed: readonly T[], raw: string | undefined): T[] | undefined {
  const values = (raw ?? '').split(',').filter(Boolean);
  return values.length ? values.filter((v): v is T => (allowed as readonly string[]).includes(v)) : undefined;
}

function boundedInt(raw: string | undefined, fallback: number, max: number): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

/** The read-only JSON API the viewer uses. Writes go through MCP, where they are journaled per client. */
export function createApi(backlog: Backlog): Hono {
  const api = new Hono();
  api.onError((error, c) => {
    if (error instanceof BacklogError)
      return c.json({ error: error.message, field: error.field }, STATUS_CODES[error.kind]);
    return c.json({ error: 'Internal error' }, 500);
  });
  api.get('/items', async (c) => {
    const q = c.req.query();
    const result = await backlog.list({
      status: pick<Status>(STATUSES, q.status),
      type: pick<EntityType>(ENTITY_TYPES, q.type)?.[0],
      epic_id: q.epic_id || undefined,
      parent_id: q.parent_id || undefined,
      query: q.q?.slice(0, LIMITS.queryLength) || undefined,
      limit: boundedInt(q.limit, 100, LIMITS.listLimitMax),
      counts: true,
    });
    return c.json(result);
  });
  api.get('/items/:id', async (c) => {
    const { items } = await backlog.get([c.req.param('id')]);
    const item = items[0];
    return item ? c.json(item) : c.json({ error: `No item ${c.req.param('id')}` }, 404);
  });
  api.get('/search', async (c) => {
    const q = c.req.query();
    const result = await backlog.search({
      query: (q.q ?? '').slice(0, LIMITS.queryLength),
      types: pick<EntityType>(ENTITY_TYPES, q.types),
      status: pick<Status>(STATUSES, q.status),
      limit: boundedInt(q.limit, 20, LIMITS.searchLimitMax),
    });
    return c.json(result);
  });
  api.get('/activity', async (c) => {
    const q = c.req.query();
    const entries = await backlog.recentActivity({ id: q.id || undefined, limit: boundedInt(q.limit, 50, 1000) });
    return c.json({ entries });
  });
  return api;
}
