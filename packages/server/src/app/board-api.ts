import { ENTITY_TYPES, type EntityType, type ItemStub, STATUSES, type Status } from '@backlog-mcp/shared';
import type { Context } from 'hono';
import type { Backlog } from '../core/backlog.js';
import { LIMITS } from '../core/limits.js';

// The viewer's board (issue 17): one column (a status) a page at a time, with every column's count
// under the same filters, so a windowed column knows its height and its header its number without
// fetching the others. `/api/items` cannot say "under this milestone at any depth" nor "done lately",
// which a board needs; both are read here from the core's list, so the API stays read-only.

const DAY_MS = 86_400_000;
/** What a board shows of Done unless asked for all: the last two weeks, as Linear and GitHub Projects do. */
export const DONE_DAYS_DEFAULT = 14;

function pick<T extends string>(allowed: readonly T[], raw: string | undefined): T[] {
  return (raw ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
}

function nonNegative(raw: string | undefined, fallback: number, max: number): number {
  const n = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/** True when `ancestor` is `stub`'s parent, its parent's parent, and so on (a cycle cannot trap it). */
function under(stub: ItemStub, ancestor: string, parents: ReadonlyMap<string, string | undefined>): boolean {
  const seen = new Set<string>();
  let at = stub.parent_id;
  while (at && !seen.has(at)) {
    if (at === ancestor) return true;
    seen.add(at);
    at = parents.get(at);
  }
  return false;
}

interface BoardFilter {
  types: EntityType[];
  epic?: string;
  milestone?: string;
  parent?: string;
  q?: string;
  /** Done items updated within this many days; 0: all of them. */
  doneDays: number;
}

/** Every item of the board's scope, any status, newest update first (the core's list order). */
async function scoped(backlog: Backlog, filter: BoardFilter, now: number): Promise<ItemStub[]> {
  const all = await backlog.list({
    status: [...STATUSES],
    type: filter.types.length === 1 ? filter.types[0] : undefined,
    epic_id: filter.epic,
    query: filter.q,
    limit: Number.POSITIVE_INFINITY,
  });
  let stubs = all.items;
  if (filter.types.length > 1) stubs = stubs.filter((s) => filter.types.includes(s.type));
  if (filter.milestone || filter.parent) {
    // The chain needs every item's parent, not only those the filter kept.
    const every = await backlog.list({ status: [...STATUSES], limit: Number.POSITIVE_INFINITY });
    const parents = new Map(every.items.map((s) => [s.id, s.parent_id]));
    if (filter.milestone) stubs = stubs.filter((s) => under(s, filter.milestone as string, parents));
    if (filter.parent) stubs = stubs.filter((s) => under(s, filter.parent as string, parents));
  }
  if (filter.doneDays > 0) {
    // Items carry no completion time; the last update of a done item is when it was closed, or later.
    const since = new Date(now - filter.doneDays * DAY_MS).toISOString();
    stubs = stubs.filter((s) => s.status !== 'done' || s.updated_at >= since);
  }
  return stubs;
}

function filterOf(q: Record<string, string>): BoardFilter {
  const id = (raw: string | undefined) => (raw && /^[A-Za-z]{4}-\d{1,12}$/.test(raw) ? raw.toUpperCase() : undefined);
  return {
    types: pick<EntityType>(ENTITY_TYPES, q.type),
    epic: id(q.epic_id),
    milestone: id(q.milestone),
    parent: id(q.parent_id),
    q: q.q?.slice(0, LIMITS.queryLength) || undefined,
    doneDays: q.done === 'all' ? 0 : nonNegative(q.done_days, DONE_DAYS_DEFAULT, 3650),
  };
}

/** `GET /api/board?column=open&offset=0&limit=100&type=&epic_id=&milestone=&parent_id=&q=&done=all`. */
export async function boardRoute(c: Context, backlog: Backlog): Promise<Response> {
  const q = c.req.query();
  const column: Status = pick<Status>(STATUSES, q.column)[0] ?? 'open';
  const offset = nonNegative(q.offset, 0, Number.MAX_SAFE_INTEGER);
  const limit = Math.max(1, nonNegative(q.limit, 100, LIMITS.listLimitMax));
  const stubs = await scoped(backlog, filterOf(q), Date.now());
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  const inColumn: ItemStub[] = [];
  for (const stub of stubs) {
    counts[stub.status]++;
    if (stub.status === column) inColumn.push(stub);
  }
  return c.json({ column, items: inColumn.slice(offset, offset + limit), total: inColumn.length, offset, counts });
}
