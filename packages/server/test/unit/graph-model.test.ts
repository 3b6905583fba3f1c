// The viewer's dependency-graph model (packages/viewer/src/views/graph), tested here because this
// is the repository's unit-test setup; the module is pure, so no browser is needed.
import { describe, expect, it } from 'vitest';
import { criticalPath } from '../../../viewer/src/views/graph/critical-path.js';
import { buildGraph, type GraphRow } from '../../../viewer/src/views/graph/graph-model.js';

const NOW = new Date('2026-11-30T12:00:00Z');

/** EPIC-0001 holds a folder and six tasks; EPIC-0002 is unrelated and must stay out of its scope. */
function fixture(): GraphRow[] {
  const task = (id: string, status: GraphRow['status'], blocked_by: string[] = [], extra: Partial<GraphRow> = {}) =>
    ({ id, title: id, type: 'task', status, epic_id: 'EPIC-0001', blocked_by, ...extra }) as GraphRow;
  return [
    { id: 'EPIC-0001', title: 'Epic', type: 'epic', status: 'open' },
    { id: 'FLDR-0001', title: 'Folder', type: 'folder', status: 'open', parent_id: 'EPIC-0001' },
    task('TASK-0001', 'done'),
    task('TASK-0002', 'open', ['TASK-0001']), // blocker done: ready
    task('TASK-0003', 'in_progress', ['TASK-0002']),
    task('TASK-0004', 'open', ['TASK-0003', 'TASK-0002'], { parent_id: 'FLDR-0001' }),
    task('TASK-0005', 'open', ['TASK-0004'], { parent_id: 'FLDR-0001' }),
    task('TASK-0006', 'open', [], { assignee: 'agent-a', lease_until: '2026-11-30T13:00:00Z' }), // claimed
    task('TASK-0007', 'open', [], { assignee: 'agent-b', lease_until: '2026-11-30T11:00:00Z' }), // lease expired
    { id: 'EPIC-0002', title: 'Other', type: 'epic', status: 'open' },
    {
      id: 'TASK-0100',
      title: 'Elsewhere',
      type: 'task',
      status: 'open',
      epic_id: 'EPIC-0002',
      blocked_by: ['TASK-0005'],
    },
  ];
}

describe('buildGraph', () => {
  it('has one node per item in scope and one arrow per blocked_by, blocker to blocked', () => {
    const graph = buildGraph(fixture(), { root: 'EPIC-0001' }, NOW);
    expect(graph.nodes.map((n) => n.id).sort()).toEqual([
      'EPIC-0001',
      'FLDR-0001',
      'TASK-0001',
      'TASK-0002',
      'TASK-0003',
      'TASK-0004',
      'TASK-0005',
      'TASK-0006',
      'TASK-0007',
    ]);
    const arrows = graph.edges.map((e) => `${e.from}>${e.to}`).sort();
    expect(arrows).toEqual([
      'TASK-0001>TASK-0002',
      'TASK-0002>TASK-0003',
      'TASK-0002>TASK-0004',
      'TASK-0003>TASK-0004',
      'TASK-0004>TASK-0005',
    ]);
  });

  it('nests items in their container and marks containers as groups', () => {
    const graph = buildGraph(fixture(), { root: 'EPIC-0001' }, NOW);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    expect(byId.get('TASK-0005')?.container).toBe('FLDR-0001');
    expect(byId.get('TASK-0002')?.container).toBe('EPIC-0001');
    expect(byId.get('EPIC-0001')?.container).toBeUndefined();
    expect(byId.get('FLDR-0001')?.isGroup).toBe(true);
    expect(byId.get('TASK-0002')?.isGroup).toBe(false);
  });

  it('marks ready items as the server does: open, unclaimed, every blocker resolved', () => {
    const graph = buildGraph(fixture(), { root: 'EPIC-0001' }, NOW);
    const ready = graph.nodes.filter((n) => n.ready).map((n) => n.id);
    expect(ready.sort()).toEqual(['TASK-0002', 'TASK-0007']);
  });

  it('finds the hand-computed critical path: the longest chain of unfinished blockers', () => {
    // Unfinished: 0002 → 0003 → 0004 → 0005 (4 items); 0002 → 0004 is a shortcut; 0001 is done.
    const graph = buildGraph(fixture(), { root: 'EPIC-0001' }, NOW);
    expect(graph.criticalPath).toEqual(['TASK-0002', 'TASK-0003', 'TASK-0004', 'TASK-0005']);
    const critical = graph.edges.filter((e) => e.critical).map((e) => `${e.from}>${e.to}`);
    expect(critical.sort()).toEqual(['TASK-0002>TASK-0003', 'TASK-0003>TASK-0004', 'TASK-0004>TASK-0005']);
    expect(graph.nodes.filter((n) => n.onCriticalPath)).toHaveLength(4);
  });

  it('takes the whole backlog through a filter, keeping arrows across epics', () => {
    const graph = buildGraph(fixture(), { filter: (row) => row.type === 'task' }, NOW);
    expect(graph.nodes).toHaveLength(8);
    expect(graph.edges.some((e) => e.from === 'TASK-0005' && e.to === 'TASK-0100')).toBe(true);
    expect(graph.criticalPath).toEqual(['TASK-0002', 'TASK-0003', 'TASK-0004', 'TASK-0005', 'TASK-0100']);
  });

  it('draws nothing for an unknown root', () => {
    expect(buildGraph(fixture(), { root: 'EPIC-0404' }, NOW)).toEqual({ nodes: [], edges: [], criticalPath: [] });
  });
});

describe('criticalPath', () => {
  it('counts a lone item as a path of one and an empty graph as none', () => {
    expect(criticalPath([], [])).toEqual([]);
    expect(criticalPath(['A'], [])).toEqual(['A']);
  });

  it('survives a cycle that should never exist, leaving its nodes out', () => {
    const path = criticalPath(
      ['A', 'B', 'C', 'D'],
      [
        { from: 'A', to: 'B' },
        { from: 'C', to: 'D' },
        { from: 'D', to: 'C' },
      ],
    );
    expect(path).toEqual(['A', 'B']);
  });
});
