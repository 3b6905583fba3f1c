import { type EntityType, type Item, type ItemStub, type Status, toRef, toStub } from '@backlog-mcp/shared';
import { type BacklogCore, requireItem } from './backlog-core.js';
import { buildContext, type RelatedItem, type TaskContext } from './context.js';
import { BacklogError, invalid } from './errors.js';
import { LIMITS } from './limits.js';
import { relationsOf } from './relations.js';
import { requireId } from './rules.js';
import { makeSnippet } from './snippet.js';

export interface SearchRequest {
  query: string;
  types?: EntityType[];
  status?: Status[];
  limit?: number;
  sort?: 'relevance' | 'recent';
  include_content?: boolean;
}

export interface SearchResultEntry extends ItemStub {
  score: number;
  snippet: string;
  matched_fields: string[];
  description?: string;
}

export interface SearchResult {
  results: SearchResultEntry[];
  total: number;
  search_mode: string;
}

export interface ContextRequest {
  task_id?: string;
  query?: string;
  depth?: 1 | 2;
  include_related?: boolean;
  /** Whole neighbour items and the focal body uncut, instead of compact refs. */
  include_content?: boolean;
}

export async function searchItems(core: BacklogCore, request: SearchRequest): Promise<SearchResult> {
  const query = request.query.trim();
  if (!query) throw invalid('query', 'a non-empty search text', request.query);
  const { byId } = await core.deps.store.snapshot();
  const types = request.types?.length ? new Set(request.types) : undefined;
  const statuses = request.status?.length ? new Set(request.status) : undefined;
  // No scope, no filter: every indexed item is in the snapshot, and a missing one is skipped below.
  const filter =
    types || statuses
      ? (id: string): boolean => {
          const item = byId.get(id);
          return !!item && (!types || types.has(item.type)) && (!statuses || statuses.has(item.status));
        }
      : undefined;
  const limit = request.limit ?? LIMITS.searchLimitDefault;
  // Ask for every relevant hit, so `total` is honest and `recent` re-orders the same set.
  const { hits, total } = await core.deps.search.search(query, { limit: Number.MAX_SAFE_INTEGER, filter });
  const ordered =
    request.sort === 'recent' ? [...hits].sort((a, b) => compareRecent(byId.get(a.id), byId.get(b.id))) : hits;
  const results = ordered.slice(0, limit).flatMap((hit) => {
    const item = byId.get(hit.id);
    if (!item) return [];
    const entry: SearchResultEntry = {
      ...toStub(item),
      score: round(hit.score),
      snippet: makeSnippet(snippetSource(item, hit.matched_fields), hit.terms),
      matched_fields: hit.matched_fields,
    };
    if (request.include_content) entry.description = item.description;
    return [entry];
  });
  return { results, total, search_mode: core.deps.search.mode };
}

export async function taskContext(core: BacklogCore, request: ContextRequest): Promise<TaskContext> {
  const focal = await findFocal(core, request);
  const snapshot = await core.deps.store.snapshot();
  const { byId } = snapshot;
  const activity = await core.deps.journal.recent({ id: focal.id, limit: LIMITS.activityLimit });
  const related = request.include_related === false ? [] : await relatedItems(core, focal, byId);
  return buildContext({
    focal,
    relations: relationsOf(snapshot),
    lookup: (id) => byId.get(id),
    depth: request.depth ?? 1,
    full: request.include_content === true,
    activity,
    related,
  });
}

async function relatedItems(core: BacklogCore, focal: Item, byId: ReadonlyMap<string, Item>): Promise<RelatedItem[]> {
  const hits = await core.deps.search.related(focal, { limit: 5, filter: (id) => id !== focal.id });
  return hits.flatMap((hit) => {
    const item = byId.get(hit.id);
    return item ? [{ ...toRef(item), score: round(hit.score) }] : [];
  });
}

async function findFocal(core: BacklogCore, request: ContextRequest): Promise<Item> {
  if (request.task_id) return requireItem(core, 'task_id', requireId('task_id', request.task_id));
  const query = request.query?.trim();
  if (!query) throw invalid('task_id', 'a task_id, or a query describing the task', request.task_id);
  const [hit] = (await core.deps.search.search(query, { limit: 1 })).hits;
  const item = hit ? await core.deps.store.get(hit.id) : undefined;
  if (!item) throw new BacklogError('not_found', `query: no item matches ${JSON.stringify(query)}.`, 'query');
  return item;
}

function compareRecent(a: Item | undefined, b: Item | undefined): number {
  return (b?.updated_at ?? '').localeCompare(a?.updated_at ?? '');
}

function snippetSource(item: Item, fields: readonly string[]): string {
  if (fields.includes('description') || !fields.includes('title')) return item.description || item.title;
  return item.title;
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}
