import type { ItemStub } from '@backlog-mcp/shared';
import type { ActivityEntry } from './activity.js';

/**
 * Who is doing what (issue 17, the viewer's Agents view): every agent that holds a claim or acted in
 * the journal lately, with what it holds, how long its leases run, its last actions, the claims it
 * let lapse, and how much it did today and this week. Pure: the items, the journal's newest entries
 * and the time come in, so the unit tests move a clock by hand and the route stays read-only.
 *
 * Grouping: claims are held as `name#session` (two sessions of one program are two claimants,
 * activity.ts `claimant`) while the journal names the client (`name`). One person watching sees one
 * agent per name, so holders group under the part before `#`, and the sessions are listed with it.
 */

export interface AgentHold {
  id: string;
  title: string;
  status: ItemStub['status'];
  /** The full claim holder (`name#session`, or the explicit agent name). */
  holder: string;
  /** The session part of the holder, when there is one. */
  session?: string;
  lease_until: string;
  /** Milliseconds until the lease ends; negative once it has lapsed. */
  lease_left_ms: number;
}

export interface AgentAction {
  at: string;
  action: ActivityEntry['action'];
  tool: string;
  id?: string;
  uri?: string;
  fields?: string[];
  summary?: string;
}

export interface AgentSummary {
  name: string;
  /** Sessions seen in its claims, sorted; empty when it holds nothing under a session. */
  sessions: string[];
  /** Claims whose lease still runs, soonest to end first. */
  holding: AgentHold[];
  /** In progress, claimed by it, lease ended: work that may have been abandoned. */
  lapsed: AgentHold[];
  /** Its newest journal entries, newest first. */
  recent: AgentAction[];
  /** Journal entries since the start of today, and in the last seven days. */
  today: number;
  week: number;
  /** Its newest journal entry, if any in what was read. */
  last_at?: string;
}

export interface AgentsOverview {
  generated_at: string;
  /** Since when `today` counts (the caller's midnight, UTC midnight by default). */
  today_since: string;
  week_since: string;
  agents: AgentSummary[];
}

export interface AgentsOptions {
  now: Date;
  /** The start of "today" in the viewer's time zone; UTC midnight when absent. */
  todayStart?: Date;
  /** Last actions kept per agent. */
  recentPerAgent?: number;
}

const DAY_MS = 86_400_000;
export const RECENT_PER_AGENT = 5;

/** `alice#s1` → alice and s1; an explicit agent name has no session. */
export function splitHolder(holder: string): { name: string; session?: string } {
  const at = holder.indexOf('#');
  return at < 0 ? { name: holder } : { name: holder.slice(0, at), session: holder.slice(at + 1) };
}

function utcMidnight(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function emptyAgent(name: string): AgentSummary {
  return { name, sessions: [], holding: [], lapsed: [], recent: [], today: 0, week: 0 };
}

function holdOf(stub: ItemStub, holder: string, now: number): AgentHold {
  const lease = stub.lease_until as string;
  const hold: AgentHold = {
    id: stub.id,
    title: stub.title,
    status: stub.status,
    holder,
    lease_until: lease,
    lease_left_ms: Date.parse(lease) - now,
  };
  const { session } = splitHolder(holder);
  if (session) hold.session = session;
  return hold;
}

/** Claims, running and lapsed, filed under their agent. */
function addClaims(agents: Map<string, AgentSummary>, items: readonly ItemStub[], now: number): void {
  const get = (name: string) => agents.get(name) ?? (agents.set(name, emptyAgent(name)).get(name) as AgentSummary);
  for (const stub of items) {
    if (!stub.assignee || !stub.lease_until) continue;
    const hold = holdOf(stub, stub.assignee, now);
    const agent = get(splitHolder(stub.assignee).name);
    if (hold.lease_left_ms > 0) agent.holding.push(hold);
    // Only unfinished work is worth a flag: a lapsed claim on an open or blocked item asks nothing of anyone.
    else if (stub.status === 'in_progress') agent.lapsed.push(hold);
    else continue;
    if (hold.session && !agent.sessions.includes(hold.session)) agent.sessions.push(hold.session);
  }
}

/** Journal entries (newest first) as last actions and counts; entries without an actor are nobody's. */
function addJournal(
  agents: Map<string, AgentSummary>,
  entries: readonly ActivityEntry[],
  since: { today: string; week: string },
  keep: number,
): void {
  for (const entry of entries) {
    if (!entry.actor) continue;
    const { name } = splitHolder(entry.actor);
    let agent = agents.get(name);
    if (!agent) {
      // An actor that holds nothing is listed only when it acted this week: the view is about now.
      if (entry.at < since.week) continue;
      agent = emptyAgent(name);
      agents.set(name, agent);
    }
    agent.last_at ??= entry.at;
    if (agent.recent.length < keep) agent.recent.push(actionOf(entry));
    if (entry.at >= since.week) agent.week++;
    if (entry.at >= since.today) agent.today++;
  }
}

function actionOf(entry: ActivityEntry): AgentAction {
  const action: AgentAction = { at: entry.at, action: entry.action, tool: entry.tool };
  if (entry.id) action.id = entry.id;
  if (entry.uri) action.uri = entry.uri;
  if (entry.fields) action.fields = entry.fields;
  if (entry.summary) action.summary = entry.summary;
  return action;
}

/** Agents holding work (running or lapsed) first, then by their last action, newest first, then by name. */
function byAttention(a: AgentSummary, b: AgentSummary): number {
  const holds = (x: AgentSummary) => (x.holding.length + x.lapsed.length > 0 ? 1 : 0);
  return holds(b) - holds(a) || (b.last_at ?? '').localeCompare(a.last_at ?? '') || a.name.localeCompare(b.name);
}

/** Every agent with its claims, last actions and counts. `entries` are the journal's newest, newest first. */
export function agentsOverview(
  items: readonly ItemStub[],
  entries: readonly ActivityEntry[],
  options: AgentsOptions,
): AgentsOverview {
  const now = options.now.getTime();
  const todayStart =
    options.todayStart && options.todayStart.getTime() <= now ? options.todayStart : utcMidnight(options.now);
  const since = { today: todayStart.toISOString(), week: new Date(now - 7 * DAY_MS).toISOString() };
  const agents = new Map<string, AgentSummary>();
  addClaims(agents, items, now);
  addJournal(agents, entries, since, options.recentPerAgent ?? RECENT_PER_AGENT);
  for (const agent of agents.values()) {
    agent.holding.sort((a, b) => a.lease_left_ms - b.lease_left_ms);
    agent.lapsed.sort((a, b) => a.lease_left_ms - b.lease_left_ms);
    agent.sessions.sort();
  }
  return {
    generated_at: options.now.toISOString(),
    today_since: since.today,
    week_since: since.week,
    agents: [...agents.values()].sort(byAttention),
  };
}
