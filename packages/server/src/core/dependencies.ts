import type { Item } from '@backlog-mcp/shared';
import { invalid, notFound } from './errors.js';
import { requireId } from './rules.js';

const RESOLVED = new Set(['done', 'cancelled']);

/**
 * Canonicalises `blocked_by` and proves it is a DAG: every blocker exists, and
 * none of them (transitively) waits on the item itself. The error names the cycle.
 * A blocker the item already had that has since been deleted is dropped, not refused:
 * a client that reads the list, adds one and writes it back must not fail on it.
 */
export function checkBlockers(
  ownId: string | undefined,
  raw: readonly string[],
  byId: ReadonlyMap<string, Item>,
  had: readonly string[] = [],
): string[] {
  const gone = new Set(had.filter((id) => !byId.has(id)));
  const ids = [...new Set(raw.map((value) => requireId('blocked_by', value)))].filter((id) => !gone.has(id));
  for (const id of ids) {
    if (id === ownId) throw invalid('blocked_by', 'IDs of other items (an item cannot wait on itself)', id);
    if (!byId.has(id)) throw notFound('blocked_by', id);
  }
  if (!ownId) return ids; // a new item has no dependents yet, so it cannot close a cycle
  for (const start of ids) {
    const path = pathTo(start, ownId, byId);
    if (path) {
      throw invalid(
        'blocked_by',
        'dependencies without cycles',
        start,
        `That would make a cycle: ${[ownId, ...path].join(' → ')}.`,
      );
    }
  }
  return ids;
}

/** Depth-first search along blocked_by edges; returns the path from `from` to `target`, if any. */
function pathTo(from: string, target: string, byId: ReadonlyMap<string, Item>): string[] | undefined {
  const previous = new Map<string, string | undefined>([[from, undefined]]);
  const stack = [from];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    if (current === target) {
      const path: string[] = [];
      for (let at: string | undefined = current; at !== undefined; at = previous.get(at)) path.unshift(at);
      return path;
    }
    for (const next of byId.get(current)?.blocked_by ?? []) {
      if (!previous.has(next)) {
        previous.set(next, current);
        stack.push(next);
      }
    }
  }
  return undefined;
}

/** A blocker that is done, cancelled or gone no longer holds anything up. */
export function blockersResolved(item: Item, byId: ReadonlyMap<string, Item>): boolean {
  return (item.blocked_by ?? []).every((id) => {
    const blocker = byId.get(id);
    return !blocker || RESOLVED.has(blocker.status);
  });
}

export const PRIORITY_RANK = { high: 0, medium: 1, low: 2 } as const;

/** Most important first, then oldest first: the order agents should pick work in. */
export function readyOrder(a: Item, b: Item): number {
  const rank = PRIORITY_RANK[a.priority ?? 'medium'] - PRIORITY_RANK[b.priority ?? 'medium'];
  if (rank !== 0) return rank;
  return a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1;
}
