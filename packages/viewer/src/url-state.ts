import { ACTIVE, type ItemType, STATUSES, type Status, TYPES } from './api';

/** Everything a link must reproduce: the selection, the filters, the search and the view. */
export interface ViewState {
  id?: string;
  /** "active", "done", "all" or a comma list of statuses. */
  status: string;
  types: ItemType[];
  epic?: string;
  /** Items must carry all of these labels (lower-case). */
  labels: string[];
  q: string;
  sort: 'updated' | 'created';
  view: 'items' | 'activity';
  /** The activity timeline's item filter. */
  for?: string;
  /** The spotlight's query while it is open (undefined: closed). */
  spot?: string;
}

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

export function parseUrl(search: string): ViewState {
  const p = new URLSearchParams(search);
  const id = p.get('id') ?? undefined;
  const epic = p.get('epic') ?? undefined;
  const forId = p.get('for') ?? undefined;
  const types = (p.get('type') ?? '').split(',').filter((t): t is ItemType => (TYPES as readonly string[]).includes(t));
  const status = p.get('status') ?? 'active';
  return {
    id: id && ID.test(id) ? id.toUpperCase() : undefined,
    status: /^[a-z_,]{1,80}$/.test(status) ? status : 'active',
    types,
    epic: epic && ID.test(epic) ? epic.toUpperCase() : undefined,
    labels: labelsOf(p.get('labels')),
    q: (p.get('q') ?? '').slice(0, 200),
    sort: p.get('sort') === 'created' ? 'created' : 'updated',
    view: p.get('view') === 'activity' ? 'activity' : 'items',
    for: forId && ID.test(forId) ? forId.toUpperCase() : undefined,
    spot: p.has('spot') ? (p.get('spot') ?? '').slice(0, 200) : undefined,
  };
}

export function toSearch(state: ViewState): string {
  const p = new URLSearchParams();
  if (state.view !== 'items') p.set('view', state.view);
  if (state.id) p.set('id', state.id);
  if (state.status !== 'active') p.set('status', state.status);
  if (state.types.length) p.set('type', state.types.join(','));
  if (state.epic) p.set('epic', state.epic);
  if (state.labels.length) p.set('labels', state.labels.join(','));
  if (state.q) p.set('q', state.q);
  if (state.sort !== 'updated') p.set('sort', state.sort);
  if (state.for) p.set('for', state.for);
  if (state.spot !== undefined) p.set('spot', state.spot);
  const text = p.toString();
  return text ? `?${text}` : '';
}
