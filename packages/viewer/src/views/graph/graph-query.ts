// What the reader asks the graph to show, and what comes back: plain data that crosses to the
// layout worker. Kept apart from graph-compute.ts so the page can name these without loading dagre.

import type { EntityType } from '@backlog-mcp/shared';
import type { GraphLayout } from './graph-layout.js';

/** What the reader asked to see, as plain data: it crosses to a worker, so it cannot be a function. */
export interface GraphQuery {
  /** The container drawn with everything under it; undefined: the whole backlog. */
  root?: string;
  /** Draw done and cancelled items too (they never hold anything up, so they are hidden by default). */
  showFinished: boolean;
  /** Only these types (the root is always drawn); empty: every type. */
  types: readonly EntityType[];
  /** Only items whose ID or title holds this text (any case); empty: no text filter. */
  text: string;
}

/**
 * More nodes than this are not laid out: the picture would be unreadable and the layout slow
 * (dagre grows faster than linearly). The reader is asked to narrow the graph instead.
 */
export const MAX_NODES = 1000;

export type GraphResult =
  | {
      kind: 'graph';
      layout: GraphLayout;
      /** Blocker first. */
      criticalPath: string[];
      /** Finished items in scope left out because showFinished is off. */
      hiddenFinished: number;
      /** Model and layout, in milliseconds (the benchmark reads it from the page). */
      ms: number;
    }
  | { kind: 'too-many'; count: number };
