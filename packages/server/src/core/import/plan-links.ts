import { CONTAINER_TYPES, type Item } from '@backlog-mcp/shared';

/**
 * The links of a planned import made safe to write: our rules (parents can contain, no parent
 * loops, blocked_by without cycles) hold for every item an agent writes, so they must hold for
 * imported ones too. Another tool's data may break them; a user moving 500 tasks wants them
 * imported with the offending link dropped and named, not the whole import refused.
 */

/** Drops a parent that cannot contain (an artifact) and the link that closes a parent loop. */
export function breakParentCycles(items: readonly Item[], byId: ReadonlyMap<string, Item>, warnings: string[]): void {
  for (const item of items) {
    const parent = item.parent_id ? byId.get(item.parent_id) : undefined;
    if (item.parent_id && parent && !CONTAINER_TYPES.includes(parent.type)) {
      warnings.push(`${item.id}: parent ${parent.id} is an ${parent.type}, which holds nothing; the link is dropped.`);
      delete item.parent_id;
    }
  }
  for (const item of items) {
    const seen = new Set<string>([item.id]);
    for (let at = item.parent_id; at; at = byId.get(at)?.parent_id) {
      if (!seen.has(at)) {
        seen.add(at);
        continue;
      }
      warnings.push(`${item.id}: its parent chain loops back to it; its parent link (${item.parent_id}) is dropped.`);
      delete item.parent_id;
      break;
    }
  }
}

/** Drops each blocked_by link that would close a cycle, keeping the rest of the graph as it was. */
export function breakBlockerCycles(items: readonly Item[], byId: ReadonlyMap<string, Item>, warnings: string[]): void {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string): void => {
    state.set(id, 'open');
    const item = byId.get(id);
    for (const blocker of [...(item?.blocked_by ?? [])]) {
      const mark = state.get(blocker);
      if (mark === 'open' && item?.blocked_by) {
        item.blocked_by = item.blocked_by.filter((b) => b !== blocker);
        if (item.blocked_by.length === 0) delete item.blocked_by;
        warnings.push(`${id}: waiting on ${blocker} would close a cycle; that dependency is dropped.`);
      } else if (mark === undefined && byId.has(blocker)) {
        visit(blocker);
      } else if (!byId.has(blocker) && item?.blocked_by) {
        item.blocked_by = item.blocked_by.filter((b) => b !== blocker);
        if (item.blocked_by.length === 0) delete item.blocked_by;
      }
    }
    state.set(id, 'done');
  };
  for (const item of items) if (!state.has(item.id)) visit(item.id);
}

/** JSON with object keys sorted, so two equal values compare equal whatever order their keys came in. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
