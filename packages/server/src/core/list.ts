import { ACTIVE_STATUSES, type EntityType, type Item, type Status } from '@backlog-mcp/shared';

export interface ListFilter {
  status?: Status[];
  type?: EntityType;
  epic_id?: string;
  parent_id?: string;
  query?: string;
  /** All of these labels (lower-case): an item must carry every one. */
  labels?: string[];
  /** IDs the search matched for `query`; set by the core, never by callers. */
  matchedIds?: ReadonlySet<string>;
}

export interface Counts {
  by_status: Record<string, number>;
  by_type: Record<string, number>;
}

/** Lower-cased text of every field, computed once per immutable item version. */
const haystacks = new WeakMap<Item, string>();

function haystack(item: Item): string {
  let text = haystacks.get(item);
  if (text === undefined) {
    const parts = [
      item.id,
      item.title,
      item.description,
      ...(item.evidence ?? []),
      ...(item.blocked_reason ?? []),
      ...(item.references ?? []).flatMap((r) => [r.url, r.title ?? '']),
    ];
    text = parts.join('\n').toLowerCase();
    haystacks.set(item, text);
  }
  return text;
}

/** Everything but status and type: the scope the counts describe. */
function inScope(item: Item, filter: ListFilter, words: readonly string[]): boolean {
  if (filter.epic_id && item.epic_id !== filter.epic_id) return false;
  if (filter.parent_id && item.parent_id !== filter.parent_id) return false;
  if (filter.labels?.length) {
    // Stored labels are already lower-case (the codec normalises them); the filter's may not be.
    const has = item.labels ?? [];
    if (!filter.labels.every((label) => has.includes(label.toLowerCase()))) return false;
  }
  if (words.length > 0 && !filter.matchedIds?.has(item.id)) {
    // The search's hits, plus exact substrings: "auth" or a URL fragment still match literally.
    const text = haystack(item);
    if (!words.every((word) => text.includes(word))) return false;
  }
  return true;
}

export function newestFirst(a: Item, b: Item): number {
  if (a.updated_at !== b.updated_at) return a.updated_at < b.updated_at ? 1 : -1;
  // Numeric, not textual: TASK-10000 is newer than TASK-9999.
  const seq = (id: string) => Number(id.slice(id.indexOf('-') + 1));
  const diff = seq(b.id) - seq(a.id);
  return diff !== 0 ? diff : a.id < b.id ? 1 : -1;
}

export function filterItems(
  items: readonly Item[],
  filter: ListFilter,
  wantCounts = true,
): { matches: Item[]; counts: Counts } {
  const statuses = new Set<Status>(filter.status?.length ? filter.status : ACTIVE_STATUSES);
  const words = (filter.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const counts: Counts = { by_status: {}, by_type: {} };
  const matches: Item[] = [];
  for (const item of items) {
    if (!inScope(item, filter, words)) continue;
    if (wantCounts) {
      counts.by_status[item.status] = (counts.by_status[item.status] ?? 0) + 1;
      counts.by_type[item.type] = (counts.by_type[item.type] ?? 0) + 1;
    }
    if (!statuses.has(item.status)) continue;
    if (filter.type && item.type !== filter.type) continue;
    matches.push(item);
  }
  return { matches, counts }; // the snapshot is already newest first
}
