// From the rows the server sends and the reader's filter to a drawable graph: the one function the
// layout worker runs (graph-worker.ts), kept pure so it is unit-tested and timed in Node too.

import type { GraphRow } from '@backlog-mcp/shared';
import { layoutGraph } from './graph-layout.js';
import { buildGraph, isUnfinished } from './graph-model.js';
import { type GraphQuery, type GraphResult, MAX_NODES } from './graph-query.js';

export type { GraphQuery, GraphResult };

export function graphFilter(query: GraphQuery): (row: GraphRow) => boolean {
  const text = query.text.trim().toLowerCase();
  const types = new Set<string>(query.types);
  return (row) =>
    row.id === query.root ||
    ((query.showFinished || isUnfinished(row.status)) &&
      (types.size === 0 || types.has(row.type)) &&
      (!text || row.id.toLowerCase().includes(text) || row.title.toLowerCase().includes(text)));
}

export function computeGraph(rows: readonly GraphRow[], query: GraphQuery, now = new Date()): GraphResult {
  const started = performance.now();
  const model = buildGraph(rows, { root: query.root, filter: graphFilter(query) }, now);
  if (model.nodes.length > MAX_NODES) return { kind: 'too-many', count: model.nodes.length };
  const hiddenFinished = query.showFinished
    ? 0
    : buildGraph(rows, { root: query.root, filter: graphFilter({ ...query, showFinished: true }) }, now).nodes.length -
      model.nodes.length;
  const layout = layoutGraph(model);
  return { kind: 'graph', layout, criticalPath: model.criticalPath, hiddenFinished, ms: performance.now() - started };
}
