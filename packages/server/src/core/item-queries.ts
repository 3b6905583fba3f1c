import {
  type Item,
  type ItemRef,
  type ItemStub,
  isActive,
  normalizeId,
  normalizeLabels,
  toRef,
  toStub,
} from '@backlog-mcp/shared';
import type { BacklogCore } from './backlog-core.js';
import { activeHolder } from './claims.js';
import { blockersResolved, readyOrder } from './dependencies.js';
import { LIMITS } from './limits.js';
import { type Counts, filterItems, type ListFilter } from './list.js';
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
}

export type ListRequest = ListFilter & { limit?: number; counts?: boolean; ready?: boolean };

export async function listItems(core: BacklogCore, filter: ListRequest): Promise<ListResult> {
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
  const result: ListResult = { items: matches.slice(0, limit).map(toStub), total: matches.length };
  if (filter.counts) result.counts = counts;
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
