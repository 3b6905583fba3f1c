import {
  type Item,
  type ItemRef,
  type ItemStub,
  isActive,
  normalizeId,
  normalizeLabels,
  type Priority,
  toRef,
  toStub,
} from '@backlog-mcp/shared';
import type { BacklogCore } from './backlog-core.js';
import { activeHolder } from './claims.js';
import { blockersResolved, readyOrder } from './dependencies.js';
import { LIMITS } from './limits.js';
import { type Counts, filterItems, type ListFilter, newestFirst } from './list.js';
import { decodeCursor, encodeCursor, fingerprint, type ListKey } from './paging.js';
import type { Snapshot } from './ports.js';
import { relationsOf } from './relations.js';
import { requireId } from './rules.js';

/** An item as get returns it: every field, plus its dependencies in both directions. */
export interface ItemWithDependencies extends Item {
  waits_on?: ItemRef[];
  blocking?: ItemRef[];
}

export interface ListResult {
  items: ItemStub[];
  total: number;
  counts?: Counts;
  /** Present while more items follow this page: pass it back as `cursor` (same filters). */
  next_cursor?: string;
}

export type ListRequest = ListFilter & { limit?: number; counts?: boolean; ready?: boolean; cursor?: string };

/**
 * The arguments a list cursor is tied to: every filter, not limit (pages may differ in size),
 * cursor or counts (neither changes which items come in what order).
 */
export function listFingerprint(filter: ListRequest): string {
  const { limit: _limit, cursor: _cursor, counts: _counts, matchedIds: _matched, ...filters } = filter;
  return fingerprint({
    ...filters,
    labels: filters.labels ? normalizeLabels(filters.labels) : undefined,
    query: filters.query?.trim() || undefined,
    ready: filters.ready === true || undefined,
  });
}

/** The item's place in the order its list uses (a pure function of the item, so pages are keyset). */
function keyOf(item: Item, ready: boolean): ListKey {
  return ready ? { p: item.priority ?? 'medium', c: item.created_at, i: item.id } : { u: item.updated_at, i: item.id };
}

/**
 * Whether `item` comes strictly after the key in the list's order. A linear pass, not a binary
 * search: it must hold even where a store's order and the comparator differ on exact ties.
 */
function isAfter(item: Item, key: ListKey): boolean {
  if (item.id === key.i) return false;
  if ('u' in key) return newestFirst(item, { id: key.i, updated_at: key.u } as Item) > 0;
  return readyOrder(item, { id: key.i, priority: key.p as Priority, created_at: key.c } as Item) > 0;
}

export async function listItems(core: BacklogCore, filter: ListRequest): Promise<ListResult> {
  const print = filter.cursor === undefined ? '' : listFingerprint(filter);
  const cursor = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, 'list', print);
  const ready = filter.ready === true;
  const scoped: ListFilter = { ...filter };
  if (filter.epic_id) scoped.epic_id = requireId('epic_id', filter.epic_id);
  if (filter.parent_id) scoped.parent_id = requireId('parent_id', filter.parent_id);
  if (filter.labels) scoped.labels = normalizeLabels(filter.labels);
  if (filter.ready) scoped.status = ['open'];
  if (filter.query?.trim()) {
    const { hits } = await core.deps.search.search(filter.query, { limit: LIMITS.listLimitMax * 10, wordsOnly: true });
    // A filter must be predictable: semantic-only neighbours rank well in search but do not "contain" the words.
    scoped.matchedIds = new Set(hits.filter((hit) => !hit.matched_fields.includes('semantic')).map((hit) => hit.id));
  }
  const snapshot = await core.deps.store.snapshot();
  let { matches, counts } = memoFilter(snapshot, scoped, filter.counts === true);
  if (filter.ready) {
    const now = core.now();
    matches = unblockedInOrder(matches, snapshot).filter((item) => !activeHolder(item, now));
  }
  const limit = filter.limit ?? LIMITS.listLimitDefault;
  const rest = cursor ? matches.filter((item) => isAfter(item, cursor.key)) : matches;
  const page = rest.slice(0, limit);
  const result: ListResult = { items: page.map(toStub), total: matches.length };
  if (filter.counts) result.counts = counts;
  const last = page.at(-1);
  if (last && rest.length > limit) {
    result.next_cursor = encodeCursor({
      v: 1,
      k: 'list',
      f: print || listFingerprint(filter),
      key: keyOf(last, ready),
    });
  }
  return result;
}

export async function getItems(
  core: BacklogCore,
  ids: readonly string[],
): Promise<{ items: ItemWithDependencies[]; not_found: string[] }> {
  const snapshot = await core.deps.store.snapshot();
  const relations = relationsOf(snapshot);
  const items: ItemWithDependencies[] = [];
  const missing: string[] = [];
  for (const raw of ids) {
    const id = normalizeId(raw)?.id;
    const item = id ? await core.deps.store.get(id) : undefined;
    if (!item) {
      missing.push(raw);
      continue;
    }
    const withDeps: ItemWithDependencies = { ...item };
    const waitsOn = (item.blocked_by ?? []).flatMap((b) => {
      const blocker = snapshot.byId.get(b);
      return blocker ? [toRef(blocker)] : [];
    });
    const blocking = relations.dependentsOf(item.id).map(toRef);
    if (waitsOn.length) withDeps.waits_on = waitsOn;
    if (blocking.length) withDeps.blocking = blocking;
    items.push(withDeps);
  }
  return { items, not_found: missing };
}

/**
 * Between two writes every list over the same filter has the same answer: keep a
 * few per snapshot, so agents polling the backlog do not rescan 10,000 items each time.
 */
const listMemo = new WeakMap<Snapshot, Map<string, ReturnType<typeof filterItems>>>();

const readyMemo = new WeakMap<readonly Item[], Item[]>();

/**
 * Leaf work whose blockers are all resolved, in pick order: tasks with no active subtasks
 * (epics, folders, milestones and artifacts are never work to pick). Remembered per memoised
 * list (so per snapshot): only the time-dependent lease check is left for each call.
 */
function unblockedInOrder(matches: readonly Item[], snapshot: Snapshot): Item[] {
  let ready = readyMemo.get(matches);
  if (!ready) {
    const relations = relationsOf(snapshot);
    const leaf = (item: Item) => !relations.childrenOf(item.id).some((child) => isActive(child.status));
    ready = matches
      .filter((item) => item.type === 'task' && leaf(item) && blockersResolved(item, snapshot.byId))
      .sort(readyOrder);
    readyMemo.set(matches, ready);
  }
  return ready;
}

function memoFilter(snapshot: Snapshot, filter: ListFilter, wantCounts: boolean): ReturnType<typeof filterItems> {
  if (filter.query) return filterItems(snapshot.items, filter, wantCounts);
  const key = JSON.stringify([filter.status, filter.type, filter.epic_id, filter.parent_id, filter.labels, wantCounts]);
  let memo = listMemo.get(snapshot);
  if (!memo) {
    memo = new Map();
    listMemo.set(snapshot, memo);
  }
  let result = memo.get(key);
  if (!result) {
    result = filterItems(snapshot.items, filter, wantCounts);
    if (memo.size < 32) memo.set(key, result);
  }
  return result; // callers derive new arrays (filter, slice); the memo is never mutated
}
