import { type EntityType, type Item, type ItemStub, type Status, toRef, toStub } from '@backlog-mcp/shared';
import { type BacklogCore, requireItem } from './backlog-core.js';
import { buildContext, type RelatedItem, type TaskContext } from './context.js';
import { BacklogError, invalid } from './errors.js';
import { LIMITS } from './limits.js';
import { decodeCursor, encodeCursor, expiredCursor, fingerprint, type SearchSnapshot } from './paging.js';
import type { SearchHit } from './ports.js';
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
  /** The next_cursor of the previous page (same query and filters). */
  cursor?: string;
  /**
   * The caller will follow next_cursor (the MCP tool): keep the ranking for later pages. Others
   * (the viewer, scope "all") get one page and fill no cursor store.
   */
  paged?: boolean;
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
  /** Present while more results follow this page: pass it back as `cursor` (same query and filters). */
  next_cursor?: string;
}

export interface ContextRequest {
  task_id?: string;
  query?: string;
  depth?: 1 | 2;
  include_related?: boolean;
  /** Whole neighbour items and the focal body uncut, instead of compact refs. */
  include_content?: boolean;
}

/** What a search cursor is tied to: the query, filters and order, not limit or include_content. */
export function searchFingerprint(request: SearchRequest): string {
  return fingerprint({
    query: request.query.trim(),
    types: request.types?.length ? request.types : undefined,
    status: request.status?.length ? request.status : undefined,
    sort: request.sort === 'recent' ? 'recent' : undefined,
  });
}

export async function searchItems(core: BacklogCore, request: SearchRequest): Promise<SearchResult> {
  const query = request.query.trim();
  if (!query) throw invalid('query', 'a non-empty search text', request.query);
  const print = searchFingerprint(request);
  const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor, 'search', print);
  const { byId } = await core.deps.store.snapshot();
  const types = request.types?.length ? new Set(request.types) : undefined;
  const statuses = request.status?.length ? new Set(request.status) : undefined;
  const passes = (item: Item | undefined): item is Item =>
    !!item && (!types || types.has(item.type)) && (!statuses || statuses.has(item.status));
  const limit = request.limit ?? LIMITS.searchLimitDefault;
  // No scope, no filter: every indexed item is in the snapshot, and a missing one is skipped below.
  const filter = types || statuses ? (id: string): boolean => passes(byId.get(id)) : undefined;
  // Ask for every relevant hit, so `total` is honest and `recent` re-orders the same set.
  const rank = (exhaustive: boolean) =>
    core.deps.search.search(query, { limit: Number.MAX_SAFE_INTEGER, filter, exhaustive });
  const order = (hits: readonly SearchHit[]) =>
    request.sort === 'recent' ? [...hits].sort((a, b) => compareRecent(byId.get(a.id), byId.get(b.id))) : hits;
  let snapshot: SearchSnapshot | undefined;
  let fresh: readonly SearchHit[] | undefined;
  let token: string | undefined;
  if (cursor) {
    snapshot = core.searchCursors.get(cursor.s);
    if (!snapshot || snapshot.fingerprint !== print) throw expiredCursor();
    token = cursor.s;
  } else {
    // Newest first must see every match; by relevance, the engine's best candidates come first.
    const recent = request.sort === 'recent';
    const { hits, total } = await rank(recent);
    fresh = order(hits);
    snapshot = {
      fingerprint: print,
      ids: [],
      scores: [],
      fields: [],
      fieldSets: [],
      terms: [],
      total,
      search_mode: core.deps.search.mode,
      complete: recent || hits.length >= total,
    };
    appendHits(snapshot, fresh);
  }
  // Later pages keep the first page's order; items come fresh, and those deleted or no longer
  // matching the filters since are skipped.
  const results: SearchResultEntry[] = [];
  let at = cursor?.o ?? 0;
  for (;;) {
    for (; at < snapshot.ids.length && results.length < limit; at++) {
      const item = byId.get(snapshot.ids[at] as string);
      if (!passes(item)) continue;
      const fields = snapshot.fieldSets[snapshot.fields[at] as number] ?? [];
      const entry: SearchResultEntry = {
        ...toStub(item),
        score: round(snapshot.scores[at] as number),
        // The first page highlights each hit's own terms; later ones every term the query matched.
        snippet: makeSnippet(snippetSource(item, fields), fresh?.[at]?.terms ?? snapshot.terms),
        matched_fields: fields,
      };
      if (request.include_content) entry.description = item.description;
      results.push(entry);
    }
    if (results.length >= limit || snapshot.complete) break;
    // The engine's best candidates are used up: rank every match once, and go on with those not
    // yet in the snapshot, in their order (items made since may join here, none is repeated).
    appendHits(snapshot, order((await rank(true)).hits));
    snapshot.complete = true;
  }
  const result: SearchResult = { results, total: snapshot.total, search_mode: snapshot.search_mode };
  if ((request.paged || cursor) && (at < snapshot.ids.length || !snapshot.complete)) {
    token ??= core.searchCursors.put(snapshot);
    core.searchCursors.fit(token);
    result.next_cursor = encodeCursor({ v: 1, k: 'search', f: print, s: token, o: at });
  }
  return result;
}

/** Adds the hits not yet in the snapshot, compactly: each hit's matched fields as an index into a few distinct sets. */
function appendHits(snapshot: SearchSnapshot, hits: readonly SearchHit[]): void {
  const present = snapshot.ids.length ? new Set(snapshot.ids) : undefined;
  const setIndex = new Map(snapshot.fieldSets.map((set, i) => [set.join(','), i]));
  const terms = new Set(snapshot.terms);
  for (const hit of hits) {
    if (present?.has(hit.id)) continue;
    const key = hit.matched_fields.join(',');
    let index = setIndex.get(key);
    if (index === undefined) {
      index = snapshot.fieldSets.push(hit.matched_fields) - 1;
      setIndex.set(key, index);
    }
    snapshot.ids.push(hit.id);
    snapshot.scores.push(hit.score);
    snapshot.fields.push(index);
    for (const term of hit.terms) terms.add(term);
  }
  snapshot.terms = [...terms];
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
