import { STATUSES } from '@backlog-mcp/shared';
import type { Context } from 'hono';
import { agentsOverview } from '../core/agents.js';
import type { Backlog } from '../core/backlog.js';

// The viewer's Agents view (issue 17): who holds what, lapsed claims, last actions, counts.
// Read-only; the shaping is core/agents.ts, here only the reading and the query.

/**
 * How much of the journal is read: the newest entries, enough for a week of a busy team. Counts of
 * an older week past this many entries come out low, which the view can live with; reading the
 * whole journal on every live refetch could not.
 */
export const JOURNAL_WINDOW = 5000;

/** A local day is at most 25 hours (a DST change); an older "midnight" is not today's. */
const MAX_DAY_MS = 25 * 3_600_000;

/** `GET /api/agents?today=<ISO of the viewer's midnight>`. */
export async function agentsRoute(c: Context, backlog: Backlog): Promise<Response> {
  const rawToday = c.req.query('today');
  const today = rawToday ? new Date(rawToday.slice(0, 40)) : undefined;
  const [list, entries] = await Promise.all([
    backlog.list({ status: [...STATUSES], limit: Number.POSITIVE_INFINITY }),
    backlog.recentActivity({ limit: JOURNAL_WINDOW }),
  ]);
  const now = new Date();
  const todayStart =
    today && !Number.isNaN(today.getTime()) && now.getTime() - today.getTime() < MAX_DAY_MS ? today : undefined;
  return c.json(agentsOverview(list.items, entries, { now, todayStart }));
}
