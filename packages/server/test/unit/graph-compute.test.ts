// What the Graph tab asks the layout worker (packages/viewer/src/views/graph/graph-compute.ts):
// the reader's filters, the finished items it hides, and the size past which it refuses to draw.
import { describe, expect, it } from 'vitest';
import { computeGraph } from '../../../viewer/src/views/graph/graph-compute.js';
import type { GraphRow } from '../../../viewer/src/views/graph/graph-model.js';
import { MAX_NODES } from '../../../viewer/src/views/graph/graph-query.js';

const rows: GraphRow[] = [
  { id: 'EPIC-0001', title: 'Checkout', type: 'epic', status: 'done' },
  { id: 'TASK-0001', title: 'Card form', type: 'task', status: 'done', epic_id: 'EPIC-0001' },
  { id: 'TASK-0002', title: 'Card API', type: 'task', status: 'open', epic_id: 'EPIC-0001', blocked_by: ['TASK-0001'] },
  {
    id: 'TASK-0003',
    title: 'Refunds',
    type: 'task',
    status: 'blocked',
    epic_id: 'EPIC-0001',
    blocked_by: ['TASK-0002'],
  },
  { id: 'ARTF-0001', title: 'Card notes', type: 'artifact', status: 'open', epic_id: 'EPIC-0001' },
  { id: 'TASK-0004', title: 'Elsewhere', type: 'task', status: 'cancelled' },
];
const base = { showFinished: false, types: [], text: '' };
const ids = (result: ReturnType<typeof computeGraph>) =>
  result.kind === 'graph' ? result.layout.nodes.map((n) => n.id).sort() : [];

describe('computeGraph', () => {
  it('hides finished items unless asked, and says how many it hid', () => {
    const result = computeGraph(rows, base);
    expect(ids(result)).toEqual(['ARTF-0001', 'TASK-0002', 'TASK-0003']);
    expect(result.kind === 'graph' && result.hiddenFinished).toBe(3);
    const all = computeGraph(rows, { ...base, showFinished: true });
    expect(ids(all)).toHaveLength(rows.length);
    expect(all.kind === 'graph' && all.hiddenFinished).toBe(0);
  });

  it('always draws the chosen root, even finished or of another type', () => {
    const result = computeGraph(rows, { ...base, root: 'EPIC-0001', types: ['task'] });
    expect(ids(result)).toEqual(['EPIC-0001', 'TASK-0002', 'TASK-0003']);
  });

  it('narrows by text in the ID or the title, in any case', () => {
    expect(ids(computeGraph(rows, { ...base, text: 'CARD' }))).toEqual(['ARTF-0001', 'TASK-0002']);
    expect(ids(computeGraph(rows, { ...base, text: 'task-0003' }))).toEqual(['TASK-0003']);
  });

  it(`refuses to lay out more than ${MAX_NODES} nodes and says how many matched`, () => {
    const many: GraphRow[] = Array.from({ length: MAX_NODES + 1 }, (_, i) => ({
      id: `TASK-${String(i + 1).padStart(4, '0')}`,
      title: `t${i}`,
      type: 'task',
      status: 'open',
    }));
    expect(computeGraph(many, base)).toEqual({ kind: 'too-many', count: MAX_NODES + 1 });
    expect(computeGraph(many, { ...base, text: 't1' }).kind).toBe('graph');
  });
});
