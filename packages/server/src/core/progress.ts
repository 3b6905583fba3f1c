import { type Item, STATUSES, type Status } from '@backlog-mcp/shared';
import type { ActivityEntry } from './activity.js';

// Milestone and epic progress (issue 17, part 3), pure: items and journal entries in, numbers out,
// so the unit tests drive it with a hand-moved clock and the route only gathers the inputs.
//
// Definitions (docs/viewer.md repeats them for users):
// - members: a milestone holds the items whose parent chain reaches it; an epic also holds the
//   items whose epic_id names it. Cancelled members count in the per-status bar only, never in
//   done/total nor in the burn-up's scope (dropped work is not work left).
// - rate: members that became done in the last RATE_DAYS days, divided by RATE_DAYS.
// - at risk: an unfinished scope with a due date and work left that is overdue, or whose work
//   left / rate exceeds the days left (a rate of 0 means never, so at risk).
// - burn-up: one point per UTC day from the first member's (or the scope's own) creation to today;
//   scope = members created by that day's end, done = members whose status at that day's end was
//   done, replayed from the journal's "status → x" summaries. The last point is taken at `now`
//   with every member's current status, so its done equals the current done count.

const DAY_MS = 86_400_000;
export const RATE_DAYS = 14;
/** A burn-up longer than this shows its last days only; a year is plenty to read a trend. */
export const MAX_POINTS = 366;

export interface BurnPoint {
  day: string;
  scope: number;
  done: number;
}

export interface ScopeProgress {
  id: string;
  type: 'milestone' | 'epic';
  title: string;
  status: Status;
  due_date?: string;
  done: number;
  total: number;
  counts: Record<Status, number>;
  /** Members done per day over the last RATE_DAYS days. */
  rate: number;
  overdue: boolean;
  at_risk: boolean;
  /** Whole days from today to the due date (negative: overdue). */
  days_left?: number;
  burnup: BurnPoint[];
}

type Timeline = Array<{ at: string; status: Status }>;

const STATUS_IN_SUMMARY = /status → ([a-z_]+)/;

/** Each item's status changes as the journal tells them, oldest first. */
function statusTimelines(entries: readonly ActivityEntry[]): Map<string, Timeline> {
  const byId = new Map<string, Timeline>();
  for (const entry of entries) {
    const status = entry.id && entry.summary?.match(STATUS_IN_SUMMARY)?.[1];
    if (!entry.id || !status || !(STATUSES as readonly string[]).includes(status)) continue;
    const line = byId.get(entry.id) ?? [];
    line.push({ at: entry.at, status: status as Status });
    byId.set(entry.id, line);
  }
  for (const line of byId.values()) line.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return byId;
}

/** An item's status at `at`: the last journaled change by then, else open (items start open). */
function statusAt(item: Item, line: Timeline | undefined, at: string): Status {
  let status: Status = 'open';
  if (!line?.length && item.status !== 'open') {
    // No journal for it (an import, a lost journal): the last update is the best time we have.
    return item.updated_at <= at ? item.status : 'open';
  }
  for (const change of line ?? []) if (change.at <= at) status = change.status;
  return status;
}

/** When the item last became done, if it is done now. */
function doneSince(item: Item, line: Timeline | undefined): string | undefined {
  if (item.status !== 'done') return undefined;
  const last = [...(line ?? [])].reverse().find((c) => c.status === 'done');
  return last?.at ?? item.updated_at;
}

function ancestors(item: Item, byId: ReadonlyMap<string, Item>): string[] {
  const seen: string[] = [];
  let at = item.parent_id;
  while (at && !seen.includes(at)) {
    seen.push(at);
    at = byId.get(at)?.parent_id;
  }
  return seen;
}

/** Every scope's members, by scope ID. */
function membersOf(items: readonly Item[]): Map<string, Item[]> {
  const byId = new Map(items.map((i) => [i.id, i]));
  const members = new Map<string, Item[]>();
  for (const item of items) {
    const holders = new Set(ancestors(item, byId));
    if (item.epic_id) holders.add(item.epic_id);
    holders.delete(item.id);
    for (const holder of holders) members.set(holder, [...(members.get(holder) ?? []), item]);
  }
  return members;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function burnup(scope: Item, members: readonly Item[], lines: Map<string, Timeline>, now: Date): BurnPoint[] {
  const live = members.filter((m) => m.status !== 'cancelled');
  const first = [scope.created_at, ...live.map((m) => m.created_at)].sort()[0] as string;
  const start = Math.max(Date.parse(`${first.slice(0, 10)}T00:00:00.000Z`), now.getTime() - (MAX_POINTS - 1) * DAY_MS);
  const points: BurnPoint[] = [];
  for (let day = Date.parse(`${dayOf(start)}T00:00:00.000Z`); day <= now.getTime(); day += DAY_MS) {
    // A day's end, except today's, which is now: the last point is the present state.
    const at = new Date(Math.min(day + DAY_MS - 1, now.getTime())).toISOString();
    const existing = live.filter((m) => m.created_at <= at);
    const done = existing.filter((m) => statusAt(m, lines.get(m.id), at) === 'done').length;
    points.push({ day: dayOf(day), scope: existing.length, done });
  }
  const last = points.at(-1);
  if (last) {
    // Today's point is the present, whatever the journal missed.
    last.scope = live.length;
    last.done = live.filter((m) => m.status === 'done').length;
  }
  return points;
}

function progressOf(scope: Item, members: readonly Item[], lines: Map<string, Timeline>, now: Date): ScopeProgress {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const m of members) counts[m.status]++;
  const total = members.length - counts.cancelled;
  const done = counts.done;
  const since = new Date(now.getTime() - RATE_DAYS * DAY_MS).toISOString();
  const recent = members.filter((m) => (doneSince(m, lines.get(m.id)) ?? '') >= since).length;
  const rate = recent / RATE_DAYS;
  const finished = scope.status === 'done' || scope.status === 'cancelled';
  const left = total - done;
  let daysLeft: number | undefined;
  let overdue = false;
  let atRisk = false;
  if (scope.due_date) {
    // Due at the end of its day (UTC), as a person reading "due 3 May" would expect.
    const dueEnd = Date.parse(`${scope.due_date.slice(0, 10)}T23:59:59.999Z`);
    daysLeft = Math.floor((dueEnd - now.getTime()) / DAY_MS);
    overdue = !finished && left > 0 && dueEnd < now.getTime();
    const needed = rate > 0 ? left / rate : Number.POSITIVE_INFINITY;
    atRisk = !finished && left > 0 && (overdue || needed > (dueEnd - now.getTime()) / DAY_MS);
  }
  return {
    id: scope.id,
    type: scope.type as 'milestone' | 'epic',
    title: scope.title,
    status: scope.status,
    ...(scope.due_date ? { due_date: scope.due_date, days_left: daysLeft } : {}),
    done,
    total,
    counts,
    rate,
    overdue,
    at_risk: atRisk,
    burnup: burnup(scope, members, lines, now),
  };
}

/** Overdue first, then by due date (undated last), then by title. */
function order(a: ScopeProgress, b: ScopeProgress): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const da = a.due_date ?? '\uffff';
  const db = b.due_date ?? '\uffff';
  if (da !== db) return da < db ? -1 : 1;
  return a.title.localeCompare(b.title) || (a.id < b.id ? -1 : 1);
}

/** Every milestone's and epic's progress; `entries` in any order. */
export function computeProgress(items: readonly Item[], entries: readonly ActivityEntry[], now: Date): ScopeProgress[] {
  const members = membersOf(items);
  const lines = statusTimelines(entries);
  return items
    .filter((i) => i.type === 'milestone' || i.type === 'epic')
    .map((scope) => progressOf(scope, members.get(scope.id) ?? [], lines, now))
    .sort(order);
}
