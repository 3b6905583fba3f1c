// Types and calls of the server's read-only JSON API. Relative URLs only: the server
// refuses any other origin, and the page needs nothing but its own server. Every call asks about
// the backlog the page shows (scope.ts).
import type { GraphRow } from '@backlog-mcp/shared';
import { inProject, onProjectShown, shownProject } from './scope';

export const STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];
export const ACTIVE: readonly Status[] = ['open', 'in_progress', 'blocked'];
export const TYPES = ['task', 'epic', 'folder', 'artifact', 'milestone'] as const;
export type ItemType = (typeof TYPES)[number];

export const STATUS_LABEL: Record<Status, string> = {
  open: 'Open',
  in_progress: 'In progress',
  blocked: 'Blocked',
  done: 'Done',
  cancelled: 'Cancelled',
};
export const TYPE_LABEL: Record<ItemType, string> = {
  task: 'Task',
  epic: 'Epic',
  folder: 'Folder',
  artifact: 'Artifact',
  milestone: 'Milestone',
};

export interface Reference {
  url: string;
  title?: string;
}

export interface Stub {
  id: string;
  title: string;
  status: Status;
  type: ItemType;
  parent_id?: string;
  epic_id?: string;
  priority?: string;
  /** Lower-case, as the server stores them; user text, so always rendered as text. */
  labels?: string[];
  assignee?: string;
  /** Set with `assignee` while a claim's lease runs. */
  lease_until?: string;
  updated_at: string;
}

export interface Item extends Stub {
  description: string;
  references?: Reference[];
  evidence?: string[];
  blocked_reason?: string[];
  blocked_by?: string[];
  due_date?: string;
  created_at: string;
}

export interface Counts {
  by_status: Record<string, number>;
  by_type: Record<string, number>;
}

export interface ListPage {
  items: Stub[];
  total: number;
  offset?: number;
  counts?: Counts;
  position?: number;
}

export interface SearchHit extends Stub {
  score: number;
  snippet: string;
  matched_fields: string[];
  /** The hit's project (a search of all projects names it). */
  project?: string;
}

export interface SearchAnswer {
  results: SearchHit[];
  total: number;
  search_mode: string;
}

export interface ActivityEntry {
  at: string;
  tool: string;
  action: 'created' | 'updated' | 'deleted' | 'edited';
  id?: string;
  uri?: string;
  fields?: string[];
  actor?: string;
  summary?: string;
}

export class NotFound extends Error {}

/** An answer about a project the page no longer shows: nobody may use it (its IDs mean other items now). */
export class Stale extends Error {}

/** The server serves no backlog at the project the URL names (moved, deleted, or never one). */
export class ProjectMissing extends Error {}
type ProjectMissingListener = (message: string) => void;
const projectMissingListeners = new Set<ProjectMissingListener>();

export function onProjectMissing(listener: ProjectMissingListener): () => void {
  projectMissingListeners.add(listener);
  return () => projectMissingListeners.delete(listener);
}

/** A 404: the item (NotFound), or the project itself, which the server says by naming the field. */
async function notFound(path: string, response: Response): Promise<Error> {
  const body = (await response.json().catch(() => ({}))) as { error?: unknown; field?: unknown };
  if (body.field !== 'project') return new NotFound(path);
  const message = typeof body.error === 'string' ? body.error : 'No backlog there.';
  for (const listener of projectMissingListeners) listener(message);
  return new ProjectMissing(message);
}

/** The server refused this browser's session (no cookie yet, or the token changed): what it said. */
type SignedOutListener = (message: string) => void;
const signedOutListeners = new Set<SignedOutListener>();

export function onSignedOut(listener: SignedOutListener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

async function reportSignedOut(response: Response): Promise<void> {
  const body = (await response.json().catch(() => ({}))) as { error?: unknown; error_description?: unknown };
  const said = body.error_description ?? body.error;
  const message = typeof said === 'string' ? said : 'The server asks for a sign-in.';
  for (const listener of signedOutListeners) listener(message);
}

/** GET `path` about the shown project (`scoped`), or about the server as a whole. */
async function getJson<T>(path: string, signal?: AbortSignal, scoped = true): Promise<T> {
  const project = shownProject();
  const response = await fetch(scoped ? inProject(path, project) : path, {
    signal,
    headers: { accept: 'application/json' },
  });
  if (scoped && project !== shownProject()) throw new Stale(path);
  if (response.status === 404) throw await notFound(path, response);
  if (response.status === 401) {
    await reportSignedOut(response);
    throw new Error(`${path}: not signed in`);
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const body = (await response.json()) as T;
  // Checked again after the body: the page may have switched while it arrived.
  if (scoped && project !== shownProject()) throw new Stale(path);
  return body;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  return search.toString();
}

export interface ListQuery {
  status: readonly Status[];
  types: readonly ItemType[];
  epic?: string;
  parent?: string;
  q?: string;
  /** All of these labels. */
  labels?: readonly string[];
  sort: 'updated' | 'created';
}

export function listItems(
  filter: ListQuery,
  offset: number,
  limit: number,
  locate?: string,
  signal?: AbortSignal,
): Promise<ListPage> {
  return getJson<ListPage>(
    `/api/items?${query({
      status: filter.status.join(','),
      type: filter.types.join(','),
      epic_id: filter.epic,
      parent_id: filter.parent,
      q: filter.q,
      labels: filter.labels?.join(','),
      sort: filter.sort,
      offset,
      limit,
      locate,
    })}`,
    signal,
  ).then((page) => {
    remember(page.items);
    return page;
  });
}

export function getItem(id: string, signal?: AbortSignal): Promise<Item> {
  return getJson<Item>(`/api/items/${encodeURIComponent(id)}`, signal).then((item) => {
    remember([item]);
    return item;
  });
}

/** The shown project's search, or (`everywhere`) every backlog the server knows, each hit naming its project. */
export function search(
  q: string,
  types: readonly ItemType[],
  status: readonly Status[],
  everywhere: boolean,
  signal?: AbortSignal,
): Promise<SearchAnswer> {
  const scope = everywhere ? 'all' : undefined;
  return getJson<SearchAnswer>(
    `/api/search?${query({ q, types: types.join(','), status: status.join(','), limit: 30, scope })}`,
    signal,
  );
}

/** Items per status, live for an open backlog, last known for a closed one. */
export interface ProjectCounts {
  total: number;
  by_status: Record<string, number>;
}

/** A backlog the server serves or remembers: the global one, or a project's `.backlog/` folder. */
export interface ProjectInfo {
  /** The backlog folder. */
  dir: string;
  /** The folder holding `.backlog/` (for the global backlog: its data folder); what `?project=` names. */
  project: string;
  global: boolean;
  /** Open now (closed ones reopen on the first request). */
  open: boolean;
  /** MCP sessions bound to it now. */
  sessions: number;
  streams: number;
  last_used?: string;
  counts?: ProjectCounts;
}

/** Every backlog of this server, the global one first; empty where there is only one (the Worker). */
export function listProjects(signal?: AbortSignal): Promise<ProjectInfo[]> {
  return getJson<{ projects: ProjectInfo[] }>('/api/projects', signal, false).then((r) => r.projects);
}

export interface LabelCount {
  name: string;
  count: number;
}

/** Every label in use, most used first. */
export function labels(signal?: AbortSignal): Promise<LabelCount[]> {
  return getJson<{ labels: LabelCount[] }>('/api/labels', signal).then((r) => r.labels);
}

export function activity(id: string | undefined, limit: number, signal?: AbortSignal): Promise<ActivityEntry[]> {
  return getJson<{ entries: ActivityEntry[] }>(`/api/activity?${query({ id, limit })}`, signal).then((r) => r.entries);
}

/** Titles the page has seen, so the timeline can name items without asking again. */
export const knownStubs = new Map<string, Stub>();
// IDs are per backlog: another project's TASK-0001 is another item.
onProjectShown(() => knownStubs.clear());

export function remember(stubs: readonly Stub[]): void {
  for (const stub of stubs) knownStubs.set(stub.id, stub);
}

export async function stubs(ids: readonly string[], signal?: AbortSignal): Promise<Stub[]> {
  if (ids.length === 0) return [];
  const answer = await getJson<{ items: Stub[] }>(`/api/stubs?ids=${encodeURIComponent(ids.join(','))}`, signal);
  remember(answer.items);
  return answer.items;
}

/** The board's filters; every column of one board asks with the same. */
export interface BoardQuery {
  types: readonly ItemType[];
  epic?: string;
  milestone?: string;
  parent?: string;
  q?: string;
  /** Every done item, not only the last 14 days'. */
  allDone: boolean;
}

export interface BoardPage {
  items: Stub[];
  total: number;
  offset: number;
  /** Every column's count under the same filters. */
  counts: Record<Status, number>;
}

/** A page of one board column (a status), with all columns' counts. */
export function boardColumn(
  filter: BoardQuery,
  column: Status,
  offset: number,
  limit: number,
  signal?: AbortSignal,
): Promise<BoardPage> {
  return getJson<BoardPage>(
    `/api/board?${query({
      column,
      type: filter.types.join(','),
      epic_id: filter.epic,
      milestone: filter.milestone,
      parent_id: filter.parent,
      q: filter.q,
      done: filter.allDone ? 'all' : undefined,
      offset,
      limit,
    })}`,
    signal,
  ).then((page) => {
    remember(page.items);
    return page;
  });
}

/** A claim as the Agents view shows it (server: core/agents.ts). */
export interface AgentHold {
  id: string;
  title: string;
  status: Status;
  holder: string;
  session?: string;
  lease_until: string;
  lease_left_ms: number;
}

export interface AgentSummary {
  name: string;
  sessions: string[];
  holding: AgentHold[];
  /** In progress, lease ended: possibly abandoned work. */
  lapsed: AgentHold[];
  recent: ActivityEntry[];
  today: number;
  week: number;
  last_at?: string;
}

export interface AgentsOverview {
  generated_at: string;
  agents: AgentSummary[];
}

/** Every agent with its claims, last actions and counts; "today" from the viewer's own midnight. */
export function agents(signal?: AbortSignal): Promise<AgentsOverview> {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  return getJson<AgentsOverview>(`/api/agents?${query({ today: midnight.toISOString() })}`, signal);
}

/** One day of a burn-up: items in scope and items done at that day's end (the last: now). */
export interface BurnPoint {
  day: string;
  scope: number;
  done: number;
}

/** A milestone's or epic's progress, as core/progress.ts computes it. */
export interface ScopeProgress {
  id: string;
  type: 'milestone' | 'epic';
  title: string;
  status: Status;
  due_date?: string;
  days_left?: number;
  done: number;
  total: number;
  counts: Record<Status, number>;
  rate: number;
  overdue: boolean;
  at_risk: boolean;
  burnup: BurnPoint[];
}

/** Every milestone and epic of the project, overdue first. */
export function progress(signal?: AbortSignal): Promise<ScopeProgress[]> {
  return getJson<{ scopes: ScopeProgress[] }>('/api/progress', signal).then((r) => r.scopes);
}

/** Every item under `root` (an epic, milestone or folder), or the whole backlog, with what links them. */
export function graphRows(root: string | undefined, signal?: AbortSignal): Promise<GraphRow[]> {
  const query = root ? `?root=${encodeURIComponent(root)}` : '';
  return getJson<{ rows: GraphRow[] }>(`/api/graph${query}`, signal).then((r) => r.rows);
}
