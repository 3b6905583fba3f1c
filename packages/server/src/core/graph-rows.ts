import type { GraphRow, Item } from '@backlog-mcp/shared';
import type { BacklogCore } from './backlog-core.js';
import { notFound } from './errors.js';
import { relationsOf } from './relations.js';
import { requireId } from './rules.js';

function toGraphRow(item: Item): GraphRow {
  const row: GraphRow = { id: item.id, title: item.title, type: item.type, status: item.status };
  if (item.parent_id) row.parent_id = item.parent_id;
  if (item.epic_id) row.epic_id = item.epic_id;
  if (item.blocked_by?.length) row.blocked_by = [...item.blocked_by];
  if (item.assignee) row.assignee = item.assignee;
  if (item.lease_until) row.lease_until = item.lease_until;
  return row;
}

/**
 * The rows under `root` (itself and every item whose parent_id or epic_id chain reaches it), then
 * the blockers of those rows that live outside it, or else every item. The outside blockers are
 * there for the ready mark only: the viewer reads a missing blocker as resolved (as the server
 * reads a deleted one), so without them an item waiting on another epic would show as ready.
 */
export async function graphRows(core: BacklogCore, rawRoot?: string): Promise<GraphRow[]> {
  const snapshot = await core.deps.store.snapshot();
  if (rawRoot === undefined) return snapshot.items.map(toGraphRow);
  const rootId = requireId('root', rawRoot);
  const root = snapshot.byId.get(rootId);
  if (!root) throw notFound('root', rootId);
  const relations = relationsOf(snapshot);
  const found: Item[] = [root];
  const seen = new Set([root.id]);
  for (let at = 0; at < found.length; at++) {
    for (const child of relations.childrenOf((found[at] as Item).id)) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      found.push(child);
    }
  }
  for (const item of [...found]) {
    for (const id of item.blocked_by ?? []) {
      const blocker = snapshot.byId.get(id);
      if (blocker && !seen.has(id)) {
        seen.add(id);
        found.push(blocker);
      }
    }
  }
  return found.map(toGraphRow);
}
