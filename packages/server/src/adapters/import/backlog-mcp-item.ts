import type { Item } from '@backlog-mcp/shared';
import type { ImportedItem } from '../../core/import/imported-item.js';

/**
 * One of our own items (decoded by our codec from a file or an export) as an ImportedItem.
 * `sourceId` is the ID the other items of the same source use for it; `preferredId` is left
 * out when the source's ID cannot be ours (an upstream type we do not have, say).
 */
export function itemToImported(item: Item, sourceId: string, preferredId: string | undefined): ImportedItem {
  const out: ImportedItem = {
    source: { system: 'backlog-mcp', id: sourceId },
    type: item.type,
    title: item.title,
    status: item.status,
    description: item.description,
    created_at: item.created_at,
    updated_at: item.updated_at,
  };
  if (preferredId !== undefined) out.preferredId = preferredId;
  if (item.priority) out.priority = item.priority;
  if (item.labels?.length) out.labels = [...item.labels];
  if (item.due_date) out.due_date = item.due_date;
  if (item.references?.length) out.references = item.references.map((ref) => ({ ...ref }));
  if (item.evidence?.length) out.evidence = [...item.evidence];
  if (item.blocked_reason?.length) out.blocked_reason = [...item.blocked_reason];
  if (item.parent_id) out.parent = item.parent_id;
  if (item.epic_id) out.epic = item.epic_id;
  if (item.blocked_by?.length) out.blocked_by = [...item.blocked_by];
  // A whole backlog moving keeps its claims: an export must round-trip every field, and a lease
  // that has run out is treated as no claim anyway.
  if (item.assignee) out.assignee = item.assignee;
  if (item.assignee && item.lease_until) out.lease_until = item.lease_until;
  if (item.extra && Object.keys(item.extra).length > 0) {
    // `source` is where an import records its origin; an upstream memory's own `source` (its
    // author) or an earlier import's record moves aside so this import's record can take the key.
    const { source, ...rest } = item.extra;
    out.extra = source === undefined ? rest : { ...rest, source_original: source };
  }
  return out;
}

/**
 * Links (parent, epic, blocked_by) to IDs that no item of the batch has are dropped, one warning
 * each: the batch's links must name its own items, and a partial folder or export can miss some.
 */
export function dropDanglingLinks(items: readonly ImportedItem[]): string[] {
  const known = new Set(items.map((item) => item.source.id));
  const warnings: string[] = [];
  for (const item of items) {
    for (const key of ['parent', 'epic'] as const) {
      const target = item[key];
      if (target !== undefined && !known.has(target)) {
        warnings.push(`${item.source.id}: ${key} ${target} is not in this source; dropped`);
        delete item[key];
      }
    }
    if (!item.blocked_by) continue;
    const kept = item.blocked_by.filter((id) => known.has(id));
    for (const id of item.blocked_by.filter((id) => !known.has(id))) {
      warnings.push(`${item.source.id}: blocked_by ${id} is not in this source; dropped`);
    }
    if (kept.length) item.blocked_by = kept;
    else delete item.blocked_by;
  }
  return warnings;
}
