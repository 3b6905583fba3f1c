// The dependency graph as data: which items are in scope, the `blocked_by` arrows between them,
// who contains whom, which items are ready to pick, and the critical path. Pure (no DOM, no
// fetch) so it is unit-tested in Node and timed by bench/graph.mjs; graph-layout.ts positions
// the result and graph-view.tsx draws it.

import type { GraphRow } from '@backlog-mcp/shared';
import { criticalPath } from './critical-path.js';

export type { GraphRow };

export interface GraphNode extends GraphRow {
  /** Open, unclaimed leaf task whose blockers are all resolved: the server's `ready` rule. */
  ready: boolean;
  /** The node this one is drawn inside: its parent_id, or else its epic_id, when that is in scope. */
  container?: string;
  /** Has children in scope, so it is drawn as a group around them. */
  isGroup: boolean;
  onCriticalPath: boolean;
}

/** blocker → blocked: the arrow points at the item that waits. */
export interface GraphEdge {
  from: string;
  to: string;
  critical: boolean;
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Blocker first: the longest chain of unfinished items, each waiting on the one before. */
  criticalPath: string[];
}

/** What to draw: everything under one container, or the whole backlog narrowed by a filter. */
export interface GraphScope {
  root?: string;
  filter?: (row: GraphRow) => boolean;
}

const RESOLVED: ReadonlySet<string> = new Set(['done', 'cancelled']);
const ACTIVE: ReadonlySet<string> = new Set(['open', 'in_progress', 'blocked']);

export function isUnfinished(status: string): boolean {
  return !RESOLVED.has(status);
}

export function buildGraph(rows: readonly GraphRow[], scope: GraphScope = {}, now = new Date()): GraphModel {
  const byId = new Map(rows.map((row) => [row.id, row]));
  const children = childrenIndex(rows);
  const inScope = selectScope(rows, byId, children, scope);
  const ids = new Set(inScope.map((row) => row.id));
  const edges: GraphEdge[] = [];
  for (const row of inScope) {
    for (const blocker of new Set(row.blocked_by ?? [])) {
      // An arrow needs both ends on the page; a blocker outside the scope still counts for `ready`.
      if (blocker !== row.id && ids.has(blocker)) edges.push({ from: blocker, to: row.id, critical: false });
    }
  }
  const path = criticalPath(
    inScope.filter((row) => isUnfinished(row.status)).map((row) => row.id),
    edges.filter((edge) => isUnfinished(byId.get(edge.from)?.status ?? 'done')),
  );
  markCritical(edges, path);
  const onPath = new Set(path);
  const nodes = inScope.map((row): GraphNode => {
    const container = containerOf(row, ids);
    return {
      ...row,
      ready: isReady(row, byId, children, now),
      ...(container ? { container } : {}),
      isGroup: (children.get(row.id) ?? []).some((child) => ids.has(child.id)),
      onCriticalPath: onPath.has(row.id),
    };
  });
  return { nodes, edges, criticalPath: path };
}

/** The server's containment: a child names its container in parent_id, or an epic in epic_id. */
function childrenIndex(rows: readonly GraphRow[]): Map<string, GraphRow[]> {
  const children = new Map<string, GraphRow[]>();
  const add = (key: string, row: GraphRow) => {
    const list = children.get(key);
    if (list) list.push(row);
    else children.set(key, [row]);
  };
  for (const row of rows) {
    if (row.parent_id) add(row.parent_id, row);
    if (row.epic_id && row.epic_id !== row.parent_id) add(row.epic_id, row);
  }
  return children;
}

/** The root and everything whose parent chain (parent_id or epic_id) reaches it; cycles cannot loop. */
function selectScope(
  rows: readonly GraphRow[],
  byId: ReadonlyMap<string, GraphRow>,
  children: ReadonlyMap<string, GraphRow[]>,
  scope: GraphScope,
): GraphRow[] {
  let picked: GraphRow[];
  if (scope.root === undefined) {
    picked = [...rows];
  } else {
    const root = byId.get(scope.root);
    picked = root ? [root] : [];
    const seen = new Set(picked.map((row) => row.id));
    for (let at = 0; at < picked.length; at++) {
      for (const child of children.get((picked[at] as GraphRow).id) ?? []) {
        if (seen.has(child.id)) continue;
        seen.add(child.id);
        picked.push(child);
      }
    }
  }
  return scope.filter ? picked.filter(scope.filter) : picked;
}

function containerOf(row: GraphRow, ids: ReadonlySet<string>): string | undefined {
  if (row.parent_id && ids.has(row.parent_id)) return row.parent_id;
  if (row.epic_id && ids.has(row.epic_id)) return row.epic_id;
  return undefined;
}

/**
 * Mirrors `backlog_list ready:true` (packages/server/src/core/item-queries.ts): an open task with
 * no active child, every blocker done, cancelled or deleted, and no running lease held by anyone.
 */
export function isReady(
  row: GraphRow,
  byId: ReadonlyMap<string, GraphRow>,
  children: ReadonlyMap<string, readonly GraphRow[]>,
  now: Date,
): boolean {
  if (row.type !== 'task' || row.status !== 'open') return false;
  if ((children.get(row.id) ?? []).some((child) => ACTIVE.has(child.status))) return false;
  const blocked = (row.blocked_by ?? []).some((id) => {
    const blocker = byId.get(id);
    return blocker !== undefined && !RESOLVED.has(blocker.status);
  });
  if (blocked) return false;
  const held = Boolean(row.assignee && row.lease_until && Date.parse(row.lease_until) > now.getTime());
  return !held;
}

function markCritical(edges: GraphEdge[], path: readonly string[]): void {
  const links = new Set<string>();
  for (let i = 1; i < path.length; i++) links.add(`${path[i - 1]}\u0000${path[i]}`);
  for (const edge of edges) edge.critical = links.has(`${edge.from}\u0000${edge.to}`);
}
