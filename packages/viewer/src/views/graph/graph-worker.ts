// Lays the dependency graph out off the page's thread: 500 nodes take a noticeable part of a
// second, during which the board-like views, pan and zoom must stay responsive. One request in,
// one result out; the hook (use-graph.ts) drops results it no longer wants.

import type { GraphRow } from '@backlog-mcp/shared';
import { computeGraph, type GraphQuery, type GraphResult } from './graph-compute.js';

export interface LayoutRequest {
  seq: number;
  rows: GraphRow[];
  query: GraphQuery;
  /** The page's clock, so `ready` (a lease still running) is judged as the page judges it. */
  now: number;
}

export type LayoutReply = { seq: number; result: GraphResult } | { seq: number; error: string };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutReply): void;
};

scope.onmessage = (event) => {
  const { seq, rows, query, now } = event.data;
  try {
    scope.postMessage({ seq, result: computeGraph(rows, query, new Date(now)) });
  } catch (e) {
    scope.postMessage({ seq, error: String((e as Error).message ?? e) });
  }
};
