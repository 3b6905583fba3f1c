// Positions a GraphModel for SVG with @dagrejs/dagre (docs/adr/0015-graph-layout.md). dagre lays
// out the `blocked_by` arrows left to right, so blockers stand left of what waits on them.
// Containment is not given to dagre: its compound (cluster) layout was several times slower at
// 500 nodes and crashed with the fast ranker, so containers are drawn as a second edge style, a
// straight dashed link from container to child, over the layout that the arrows decide.

import dagre from '@dagrejs/dagre';
import type { GraphEdge, GraphModel, GraphNode } from './graph-model.js';

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends GraphNode {
  /** Centre, in SVG user units. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends GraphEdge {
  /** From the blocker's border to the blocked item's border, bends included. */
  points: Point[];
}

export interface ContainmentLink {
  from: string;
  to: string;
  points: [Point, Point];
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  containment: ContainmentLink[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  /**
   * dagre's ranking. 'network-simplex' (the default) is also the fastest at 500 nodes: the
   * cheaper 'longest-path' makes long arrows, and their bend points cost more to order than it saves.
   */
  ranker?: 'network-simplex' | 'tight-tree' | 'longest-path';
}

/** From this size on, skip dagre's extra crossing-reduction sweeps: most of the time, few crossings saved. */
const QUICK_ORDER_FROM = 200;

export function layoutGraph(model: GraphModel, options: LayoutOptions = {}): GraphLayout {
  const width = options.nodeWidth ?? 180;
  const height = options.nodeHeight ?? 40;
  const ranker = options.ranker ?? 'network-simplex';
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 56, marginx: 16, marginy: 16, ranker });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of model.nodes) g.setNode(node.id, { width, height });
  // The critical path weighs more, so dagre keeps it straight and short.
  for (const edge of model.edges) g.setEdge(edge.from, edge.to, { weight: edge.critical ? 4 : 1 });
  dagre.layout(g, { disableOptimalOrderHeuristic: model.nodes.length >= QUICK_ORDER_FROM });

  const nodes = model.nodes.map((node): PlacedNode => {
    const at = g.node(node.id);
    return { ...node, x: at.x, y: at.y, width, height };
  });
  const edges = model.edges.map((edge): PlacedEdge => {
    const label: { points?: Point[] } | undefined = g.edge(edge.from, edge.to);
    const points = (label?.points ?? []).map(({ x, y }) => ({ x, y }));
    return { ...edge, points };
  });
  const placed = new Map(nodes.map((node) => [node.id, node]));
  const containment: ContainmentLink[] = [];
  for (const node of nodes) {
    const container = node.container ? placed.get(node.container) : undefined;
    if (container) {
      containment.push({ from: container.id, to: node.id, points: [centre(container), centre(node)] });
    }
  }
  const size = g.graph();
  return { nodes, edges, containment, width: size.width ?? 0, height: size.height ?? 0 };
}

function centre(node: PlacedNode): Point {
  return { x: node.x, y: node.y };
}
