import { type Item, STATUSES } from '@backlog-mcp/shared';
import type { ActivityEntry } from './activity.js';
import type { BacklogCore } from './backlog-core.js';
import { activeHolder } from './claims.js';
import { listItems } from './item-queries.js';
import { relationsOf } from './relations.js';

/**
 * What an agent needs at the start of a session, gathered in one pass (issue 18). The sections are
 * in the order an agent acts on them; briefing-text.ts fits them into a byte ceiling.
 */
export interface BriefingLine {
  id: string;
  title: string;
  status: Item['status'];
  priority?: Item['priority'];
  /** Claim holder, for held and in-progress items. */
  holder?: string;
  /** Minutes left on the lease; negative when it lapsed (your own lapsed claims are listed). */
  lease_minutes?: number;
  /** What it waits on: blockers with their status, or the stated reason. */
  waits_on?: Array<{ id: string; status: string }>;
  reason?: string;
  /** When it was finished (done since), or when a milestone is due. */
  at?: string;
  /** Milestones: done and total among what they contain. */
  done?: number;
  total?: number;
}

export type SectionName = 'yours' | 'in_progress' | 'ready' | 'blocked' | 'milestones' | 'done_since';

export interface BriefingData {
  agent?: string;
  generated_at: string;
  /** Since when `done_since` counts: the agent's last journal entry, else 24 hours ago. */
  since: string;
  since_reason: 'last_activity' | 'last_24h';
  counts: { total: number; by_status: Record<string, number> };
  /** Every candidate per section, in order; `total` counts them all even where the list is capped. */
  sections: Record<SectionName, { items: BriefingLine[]; total: number }>;
}

export interface BriefingRequest {
  /** Whose briefing: claims held under this name (any session of it) are "yours". */
  agent?: string;
  /** Per section, at most this many lines are gathered (the text fits fewer). */
  perSection?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MILESTONE_HORIZON_DAYS = 14;
const FINISHED = new Set(['done', 'cancelled']);
const JOURNAL_LOOKBACK = 2000;

/** The holder's agent name: claims are held as `name#session` unless an explicit agent name was given. */
function agentNameOf(holder: string | undefined): string | undefined {
  return holder?.split('#')[0];
}

function line(item: Item, extra: Partial<BriefingLine> = {}): BriefingLine {
  const out: BriefingLine = { id: item.id, title: item.title, status: item.status, ...extra };
  if (item.priority) out.priority = item.priority;
  return out;
}

function leaseMinutes(item: Item, now: Date): number | undefined {
  return item.lease_until ? Math.round((Date.parse(item.lease_until) - now.getTime()) / 60_000) : undefined;
}

function capped(items: BriefingLine[], limit: number): { items: BriefingLine[]; total: number } {
  return { items: items.slice(0, limit), total: items.length };
}

/** Everything under a milestone: items whose parent chain reaches it. */
function contents(milestone: Item, core: { childrenOf(id: string): readonly Item[] }): Item[] {
  const found: Item[] = [];
  const seen = new Set<string>([milestone.id]);
  const queue = [milestone.id];
  while (queue.length > 0) {
    for (const child of core.childrenOf(queue.shift() as string)) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      found.push(child);
      queue.push(child.id);
    }
  }
  return found;
}

function sinceOf(entries: readonly ActivityEntry[], agent: string | undefined, now: Date) {
  const last = agent ? entries.find((entry) => entry.actor === agent || agentNameOf(entry.actor) === agent) : undefined;
  return last
    ? { since: last.at, since_reason: 'last_activity' as const }
    : { since: new Date(now.getTime() - DAY_MS).toISOString(), since_reason: 'last_24h' as const };
}

export async function gatherBriefing(core: BacklogCore, request: BriefingRequest): Promise<BriefingData> {
  const now = core.now();
  const limit = request.perSection ?? 25;
  const agent = request.agent?.trim() || undefined;
  const snapshot = await core.deps.store.snapshot();
  const relations = relationsOf(snapshot);
  const entries = await core.deps.journal.recent({ limit: JOURNAL_LOOKBACK });
  const { since, since_reason } = sinceOf(entries, agent, now);
  // "claude-code" owns the claims of every claude-code session; "claude-code#1a2b" only its own.
  const mine = (item: Item) => agent !== undefined && (item.assignee === agent || agentNameOf(item.assignee) === agent);

  const yours: BriefingLine[] = [];
  const inProgress: BriefingLine[] = [];
  const blocked: BriefingLine[] = [];
  const doneSince: BriefingLine[] = [];
  const milestones: BriefingLine[] = [];
  const byStatus: Record<string, number> = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  const horizon = now.getTime() + MILESTONE_HORIZON_DAYS * DAY_MS;
  for (const item of snapshot.items) {
    byStatus[item.status] = (byStatus[item.status] ?? 0) + 1;
    const holder = activeHolder(item, now);
    const lease = leaseMinutes(item, now);
    const lapsedMine = !holder && mine(item) && item.status === 'in_progress';
    if ((holder && mine(item)) || lapsedMine) {
      yours.push(
        line(item, { holder: item.assignee as string, ...(lease === undefined ? {} : { lease_minutes: lease }) }),
      );
    } else if (item.status === 'in_progress' || holder) {
      // A lapsed claim still names who had it: the person reading can ask them.
      const who = holder ?? item.assignee;
      inProgress.push(line(item, who ? { holder: who, ...(lease === undefined ? {} : { lease_minutes: lease }) } : {}));
    }
    const waits = (item.blocked_by ?? [])
      .map((id) => ({ id, status: snapshot.byId.get(id)?.status ?? 'deleted' }))
      .filter((blocker) => !FINISHED.has(blocker.status) && blocker.status !== 'deleted');
    if (item.status === 'blocked' || (!FINISHED.has(item.status) && waits.length > 0)) {
      const reason = item.blocked_reason?.[0];
      blocked.push(line(item, { ...(waits.length ? { waits_on: waits } : {}), ...(reason ? { reason } : {}) }));
    }
    if (item.status === 'done' && item.updated_at >= since) doneSince.push(line(item, { at: item.updated_at }));
    if (item.type === 'milestone' && !FINISHED.has(item.status) && item.due_date) {
      const due = Date.parse(item.due_date);
      if (Number.isFinite(due) && due <= horizon) {
        const inside = contents(item, relations);
        const done = inside.filter((child) => child.status === 'done').length;
        milestones.push(line(item, { at: item.due_date, done, total: inside.length }));
      }
    }
  }
  milestones.sort((a, b) => ((a.at ?? '') < (b.at ?? '') ? -1 : 1));
  // Your claims by the lease that ends first; others' work with a live claim before the unclaimed.
  yours.sort((a, b) => (a.lease_minutes ?? 0) - (b.lease_minutes ?? 0));
  inProgress.sort((a, b) => Number((b.lease_minutes ?? -1) >= 0) - Number((a.lease_minutes ?? -1) >= 0));
  // The same list and order as backlog_list ready=true: what an agent should pick next.
  const ready = await listItems(core, { ready: true, limit });
  return {
    ...(agent ? { agent } : {}),
    generated_at: now.toISOString(),
    since,
    since_reason,
    counts: { total: snapshot.items.length, by_status: byStatus },
    sections: {
      yours: capped(yours, limit),
      in_progress: capped(inProgress, limit),
      ready: {
        items: ready.items.map((stub) => ({
          id: stub.id,
          title: stub.title,
          status: stub.status,
          ...(stub.priority ? { priority: stub.priority } : {}),
        })),
        total: ready.total,
      },
      blocked: capped(blocked, limit),
      milestones: capped(milestones, limit),
      done_since: capped(doneSince, limit),
    },
  };
}
