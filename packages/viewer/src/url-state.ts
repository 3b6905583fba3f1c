import { ACTIVE, type ItemType, STATUSES, type Status, TYPES } from './api';

/** Everything a link must reproduce: the backlog, the selection, the filters, the search and the view. */
export interface ViewState {
  /** The project whose backlog is shown (its absolute path, as the server names it); undefined: the global one. */
  project?: string;
  id?: string;
  /** "active", "done", "all" or a comma list of statuses. */
  status: string;
  types: ItemType[];
  epic?: string;
  /** Items must carry all of these labels (lower-case). */
  labels: string[];
  q: string;
  sort: 'updated' | 'created';
  view: View;
  /** The board's milestone filter: items whose parent chain reaches it. */
  milestone?: string;
  /** The board's folder filter: items anywhere under it. */
  folder?: string;
  /** The board's Done column: the last 14 days (false) or every done item (true); the graph: finished items drawn. */
  allDone?: boolean;
  /** The board shows a Cancelled column. */
  cancelled?: boolean;
  /**
   * What the view centres on: the dependency graph's container (an epic, milestone or folder;
   * undefined: the whole backlog), and the milestone or epic whose burn-up Progress shows.
   */
  root?: string;
  /** The activity timeline's item filter. */
  for?: string;
  /** The spotlight's query while it is open (undefined: closed). */
  spot?: string;
}

export const VIEWS = ['items', 'activity', 'board', 'graph', 'progress', 'agents'] as const;
export type View = (typeof VIEWS)[number];

export const DEFAULT_STATE: ViewState = {
  status: 'active',
  types: [],
  labels: [],
  q: '',
  sort: 'updated',
  view: 'items',
};

const ID = /^[A-Za-z]{4}-\d{1,12}$/;

export function statusesOf(status: string): Status[] {
  if (status === 'active') return [...ACTIVE];
  if (status === 'done') return ['done', 'cancelled'];
  if (status === 'all') return [...STATUSES];
  const picked = status.split(',').filter((s): s is Status => (STATUSES as readonly string[]).includes(s));
  return picked.length ? picked : [...ACTIVE];
}

/** `labels=frontend,bug`, in the stored spelling: trimmed, lower-case, each once, at most 20. */
export function labelsOf(raw: string | null): string[] {
  const seen = new Set<string>();
  for (const part of (raw ?? '').split(',')) {
    const label = part.trim().replace(/\s+/g, ' ').toLowerCase().slice(0, 100);
    if (label) seen.add(label);
  }
  return [...seen].slice(0, 20);
}

/** The labels with `label` added, or taken out if it was there. */
export function toggleLabel(labels: readonly string[], label: string): string[] {
  return labels.includes(label) ? labels.filter((l) => l !== label) : [...labels, label];
}

/** A project is a path on the server's machine: only the server can tell whether a backlog is there. */
function projectOf(raw: string | null): string | undefined {
  const path = raw?.trim().slice(0, 4096);
  return path || undefined;
}

/**
 * What changing project does to the view: the item, the epic, the labels, the words and the
 * timeline's item belong to the old backlog (IDs are per backlog) and go; how the reader looks at
 * a list (items or activity, status, types, sort) stays.
 */
export function switchedTo(project: string | undefined): Partial<ViewState> {
  return {
    project,
    id: undefined,
    epic: undefined,
    milestone: undefined,
    folder: undefined,
    root: undefined,
    labels: [],
    q: '',
    for: undefined,
    spot: undefined,
  };
}

export function parseUrl(search: string): ViewState {
  const p = new URLSearchParams(search);
  const project = projectOf(p.get('project'));
  const id = p.get('id') ?? undefined;
  const epic = p.get('epic') ?? undefined;
  const forId = p.get('for') ?? undefined;
  const milestone = p.get('milestone') ?? undefined;
  const folder = p.get('folder') ?? undefined;
  const root = p.get('root') ?? undefined;
  const view = p.get('view') ?? 'items';
  const types = (p.get('type') ?? '').split(',').filter((t): t is ItemType => (TYPES as readonly string[]).includes(t));
  const status = p.get('status') ?? 'active';
  return {
    ...(project ? { project } : {}),
    id: id && ID.test(id) ? id.toUpperCase() : undefined,
    status: /^[a-z_,]{1,80}$/.test(status) ? status : 'active',
    types,
    epic: epic && ID.test(epic) ? epic.toUpperCase() : undefined,
    labels: labelsOf(p.get('labels')),
    q: (p.get('q') ?? '').slice(0, 200),
    sort: p.get('sort') === 'created' ? 'created' : 'updated',
    view: (VIEWS as readonly string[]).includes(view) ? (view as View) : 'items',
    milestone: milestone && ID.test(milestone) ? milestone.toUpperCase() : undefined,
    folder: folder && ID.test(folder) ? folder.toUpperCase() : undefined,
    root: root && ID.test(root) ? root.toUpperCase() : undefined,
    allDone: p.get('done') === 'all' ? true : undefined,
    cancelled: p.get('cancelled') === '1' ? true : undefined,
    for: forId && ID.test(forId) ? forId.toUpperCase() : undefined,
    spot: p.has('spot') ? (p.get('spot') ?? '').slice(0, 200) : undefined,
  };
}

export function toSearch(state: ViewState): string {
  const p = new URLSearchParams();
  if (state.project) p.set('project', state.project);
  if (state.view !== 'items') p.set('view', state.view);
  if (state.id) p.set('id', state.id);
  if (state.status !== 'active') p.set('status', state.status);
  if (state.types.length) p.set('type', state.types.join(','));
  if (state.epic) p.set('epic', state.epic);
  if (state.labels.length) p.set('labels', state.labels.join(','));
  if (state.q) p.set('q', state.q);
  if (state.sort !== 'updated') p.set('sort', state.sort);
  if (state.for) p.set('for', state.for);
  if (state.milestone) p.set('milestone', state.milestone);
  if (state.folder) p.set('folder', state.folder);
  if (state.root) p.set('root', state.root);
  if (state.allDone) p.set('done', 'all');
  if (state.cancelled) p.set('cancelled', '1');
  if (state.spot !== undefined) p.set('spot', state.spot);
  // A slash may stand as itself in a query: `project=/home/me/app` reads better than %2F.
  const text = p.toString().replaceAll('%2F', '/');
  return text ? `?${text}` : '';
}

/** The link to one item of the shown project (opened in a new tab, it shows the same item). */
export function itemHref(id: string, project: string | undefined): string {
  return toSearch({ ...DEFAULT_STATE, project, id });
}
