// The viewer's graph layout (packages/viewer/src/views/graph/graph-layout.ts) over dagre.
import { describe, expect, it } from 'vitest';
import { layoutGraph } from '../../../viewer/src/views/graph/graph-layout.js';
import { buildGraph, type GraphRow } from '../../../viewer/src/views/graph/graph-model.js';

const rows: GraphRow[] = [
  { id: 'EPIC-0001', title: 'Epic', type: 'epic', status: 'open' },
  { id: 'TASK-0001', title: 'a', type: 'task', status: 'open', epic_id: 'EPIC-0001' },
  { id: 'TASK-0002', title: 'b', type: 'task', status: 'open', epic_id: 'EPIC-0001', blocked_by: ['TASK-0001'] },
  { id: 'TASK-0003', title: 'c', type: 'task', status: 'done', epic_id: 'EPIC-0001', blocked_by: ['TASK-0002'] },
];

describe('layoutGraph', () => {
  const layout = layoutGraph(buildGraph(rows, { root: 'EPIC-0001' }), { nodeWidth: 100, nodeHeight: 30 });
  const at = new Map(layout.nodes.map((node) => [node.id, node]));

  it('places every node inside the drawing, at its requested size', () => {
    expect(layout.nodes).toHaveLength(4);
    for (const node of layout.nodes) {
      expect(node.width).toBe(100);
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.y + node.height / 2).toBeLessThanOrEqual(layout.height);
      expect(node.x + node.width / 2).toBeLessThanOrEqual(layout.width);
    }
  });

  it('routes one arrow per blocked_by, blockers to the left of what waits on them', () => {
    expect(layout.edges).toHaveLength(2);
    for (const edge of layout.edges) {
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
      expect(at.get(edge.from)?.x).toBeLessThan(at.get(edge.to)?.x ?? 0);
    }
  });

  it('links each item to its container with the second edge style', () => {
    expect(layout.containment.map((link) => link.to).sort()).toEqual(['TASK-0001', 'TASK-0002', 'TASK-0003']);
    expect(layout.containment.every((link) => link.from === 'EPIC-0001')).toBe(true);
  });

  it('lays out an empty graph', () => {
    const empty = layoutGraph(buildGraph([], {}));
    expect(empty.nodes).toEqual([]);
    expect(empty.edges).toEqual([]);
  });
});
