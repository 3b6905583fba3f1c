import type { ItemStub } from '@backlog-mcp/shared';
import { PRIORITY_RANK } from './dependencies.js';
import type { ListRequest, ListResult } from './item-queries.js';
import type { SearchRequest, SearchResult, SearchResultEntry } from './item-search.js';
import { LIMITS } from './limits.js';
import type { Counts } from './list.js';

/**
 * `scope: "all"`: the same question put to several backlogs, answers ranked together. Each backlog
 * is still one Backlog that knows of no other; only these merges see several, named by `project`.
 */
export interface Across {
  list(request: ListRequest): Promise<ListResult>;
  search(request: SearchRequest): Promise<SearchResult>;
}

/** One backlog's answer and the name results carry for it. */
export interface ProjectAnswer<T> {
  project: string;
  answer: T;
}

type Tagged<T> = T & { project: string };

function tag<T extends object>(project: string, items: readonly T[]): Tagged<T>[] {
  return items.map((item) => ({ ...item, project }));
}

/**
 * Stable k-way order: `before` decides across backlogs; ties keep each backlog's own order
 * (its ready order or recency already broke them) and take backlogs in turn.
 */
function interleave<T>(lists: readonly T[][], before: (a: T, b: T) => number): T[] {
  const tagged = lists.flatMap((list, source) => list.map((item, rank) => ({ item, rank, source })));
  tagged.sort((a, b) => before(a.item, b.item) || a.rank - b.rank || a.source - b.source);
  return tagged.map((entry) => entry.item);
}

const newer = (a: ItemStub, b: ItemStub): number =>
  a.updated_at === b.updated_at ? 0 : a.updated_at < b.updated_at ? 1 : -1;
const moreUrgent = (a: ItemStub, b: ItemStub): number =>
  PRIORITY_RANK[a.priority ?? 'medium'] - PRIORITY_RANK[b.priority ?? 'medium'];

function addCounts(into: Counts, from: Counts | undefined): void {
  for (const key of ['by_status', 'by_type'] as const) {
    for (const [name, n] of Object.entries(from?.[key] ?? {})) into[key][name] = (into[key][name] ?? 0) + n;
  }
}

/** Lists from several backlogs as one: ready work by priority, everything else newest first. */
export function mergeLists(parts: readonly ProjectAnswer<ListResult>[], request: ListRequest): ListResult {
  const lists = parts.map((part) => tag(part.project, part.answer.items));
  const items = interleave(lists, request.ready ? moreUrgent : newer).slice(
    0,
    request.limit ?? LIMITS.listLimitDefault,
  );
  const result: ListResult = { items, total: parts.reduce((sum, part) => sum + part.answer.total, 0) };
  if (request.counts) {
    const counts: Counts = { by_status: {}, by_type: {} };
    for (const part of parts) addCounts(counts, part.answer.counts);
    result.counts = counts;
  }
  return result;
}

/** Search hits from several backlogs as one ranking (by score, or newest first for sort=recent). */
export function mergeSearches(parts: readonly ProjectAnswer<SearchResult>[], request: SearchRequest): SearchResult {
  const lists = parts.map((part) => tag(part.project, part.answer.results));
  const byScore = (a: SearchResultEntry, b: SearchResultEntry) => b.score - a.score;
  const results = interleave(lists, request.sort === 'recent' ? newer : byScore).slice(
    0,
    request.limit ?? LIMITS.searchLimitDefault,
  );
  const modes = [...new Set(parts.map((part) => part.answer.search_mode))];
  return {
    results,
    total: parts.reduce((sum, part) => sum + part.answer.total, 0),
    search_mode: modes.length === 1 ? (modes[0] as string) : modes.join('+') || 'text',
  };
}
