import {
  ENTITY_TYPES,
  type EntityType,
  LABEL_LIMITS,
  normalizeLabels,
  STATUSES,
  type Status,
  toStub,
} from '@backlog-mcp/shared';
import { type Context, Hono } from 'hono';
import type { Across } from '../core/across.js';
import type { Backlog } from '../core/backlog.js';
import { BacklogError } from '../core/errors.js';
import { LIMITS } from '../core/limits.js';
import { agentsRoute } from './agents-api.js';
import { graphRoute } from './api-graph.js';
import { progressRoute } from './api-progress.js';
import { boardRoute } from './board-api.js';

const STATUS_CODES = { invalid: 400, not_found: 404, conflict: 409, unavailable: 501 } as const;

function pick<T extends string>(allowed: readonly T[], raw: string | undefined): T[] | undefined {
  const values = (raw ?? '').split(',').filter(Boolean);
  return values.length ? values.filter((v): v is T => (allowed as readonly string[]).includes(v)) : undefined;
}

/** `labels=frontend,bug`: all of them, compared in the stored spelling (lower-case). */
function labelsOf(raw: string | undefined): string[] | undefined {
  const labels = normalizeLabels((raw ?? '').split(',')).slice(0, LABEL_LIMITS.perItem);
  return labels.length ? labels : undefined;
}

function boundedInt(raw: string | undefined, fallback: number, max: number): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

/** The read-only JSON API the viewer uses. Writes go through MCP, where they are journaled per client. */
export function createApi(
  backlogOf: (c: Context) => Promise<Backlog>,
  projects?: { across: Across; list: () => Promise<unknown> },
): Hono {
  const api = new Hono();
  api.onError((error, c) => {
    if (error instanceof BacklogError)
      return c.json({ error: error.message, field: error.field }, STATUS_CODES[error.kind]);
    return c.json({ error: 'Internal error' }, 500);
  });
  api.get('/projects', async (c) => c.json({ projects: projects ? await projects.list() : [] }));
  api.get('/items', async (c) => listItemsRoute(c, await backlogOf(c)));
  // The board's columns, a page of one at a time, with all columns' counts (board-api.ts).
  api.get('/board', async (c) => boardRoute(c, await backlogOf(c)));
  // Every milestone's and epic's progress and burn-up (api-progress.ts, core/progress.ts).
  api.get('/progress', async (c) => progressRoute(c, await backlogOf(c)));
  // Who holds what, lapsed claims, last actions and counts per agent (agents-api.ts).
  api.get('/agents', async (c) => agentsRoute(c, await backlogOf(c)));
  // Rows with blocked_by under an epic, milestone or folder, for the dependency graph (api-graph.ts).
  api.get('/graph', async (c) => graphRoute(c, await backlogOf(c)));
  // Every label in use, most used first, for the viewer's label filter.
  api.get('/labels', async (c) => c.json({ labels: await (await backlogOf(c)).labels() }));
  // Titles and statuses of a few items at once (the timeline names what it mentions).
  api.get('/stubs', async (c) => {
    const ids = (c.req.query('ids') ?? '').split(',').filter(Boolean).slice(0, LIMITS.batchGetMax);
    const { items } = await (await backlogOf(c)).get(ids);
    return c.json({ items: items.map(toStub) });
  });
  api.get('/items/:id', async (c) => {
    const { items } = await (await backlogOf(c)).get([c.req.param('id')]);
    const item = items[0];
    return item ? c.json(item) : c.json({ error: `No item ${c.req.param('id')}` }, 404);
  });
  api.get('/search', async (c) => {
    const q = c.req.query();
    const request = {
      query: (q.q ?? '').slice(0, LIMITS.queryLength),
      types: pick<EntityType>(ENTITY_TYPES, q.types),
      status: pick<Status>(STATUSES, q.status),
      limit: boundedInt(q.limit, 20, LIMITS.searchLimitMax),
    };
    // scope=all: every backlog the server knows, ranked together, each hit naming its project.
    const across = q.scope === 'all' ? projects?.across : undefined;
    return c.json(across ? await across.search(request) : await (await backlogOf(c)).search(request));
  });
  // The session briefing (issue 18) for `backlog-mcp brief` and hooks: same text as the MCP prompt and resource.
  api.get('/briefing', async (c) => {
    const q = c.req.query();
    const maxBytes = q.max_bytes === undefined ? undefined : Number(q.max_bytes);
    return c.json(await (await backlogOf(c)).briefing({ agent: q.agent?.slice(0, 200) || undefined, maxBytes }));
  });
  api.get('/activity', async (c) => {
    const q = c.req.query();
    const entries = await (await backlogOf(c)).recentActivity({
      id: q.id || undefined,
      limit: boundedInt(q.limit, 50, 1000),
    });
    return c.json({ entries });
  });
  return api;
}

/** `/api/items`: the core's list as it is, or the viewer's windowed form (several types, created order, a page, a row). */
async function listItemsRoute(c: Context, backlog: Backlog): Promise<Response> {
  const q = c.req.query();
  const types = pick<EntityType>(ENTITY_TYPES, q.type);
  const limit = boundedInt(q.limit, 100, LIMITS.listLimitMax);
  const offset = boundedInt(q.offset, 0, Number.MAX_SAFE_INTEGER);
  const sort = q.sort === 'created' ? 'created' : 'updated';
  const filter = {
    status: pick<Status>(STATUSES, q.status),
    epic_id: q.epic_id || undefined,
    parent_id: q.parent_id || undefined,
    query: q.q?.slice(0, LIMITS.queryLength) || undefined,
    labels: labelsOf(q.labels),
    counts: true,
  };
  // The plain form (one type, first page, newest update first) is answered by the core as it is.
  if ((types?.length ?? 0) <= 1 && offset === 0 && sort === 'updated' && !q.locate) {
    return c.json(await backlog.list({ ...filter, type: types?.[0], limit }));
  }
  // The viewer's windowed form: several types, created order, a page at an offset, the row of one item.
  const all = await backlog.list({ ...filter, type: types?.length === 1 ? types[0] : undefined, limit: Infinity });
  let stubs = types && types.length > 1 ? all.items.filter((stub) => types.includes(stub.type)) : all.items;
  if (sort === 'created') {
    const { items } = await backlog.get(stubs.map((stub) => stub.id));
    const created = new Map(items.map((item) => [item.id, item.created_at]));
    const at = (id: string) => created.get(id) ?? '';
    stubs = [...stubs].sort((a, b) => (at(a.id) !== at(b.id) ? (at(a.id) < at(b.id) ? 1 : -1) : a.id < b.id ? 1 : -1));
  }
  const located = q.locate ? stubs.findIndex((stub) => stub.id === q.locate) : undefined;
  return c.json({
    items: stubs.slice(offset, offset + limit),
    total: stubs.length,
    offset,
    counts: all.counts,
    ...(located === undefined ? {} : { position: located }),
  });
}
