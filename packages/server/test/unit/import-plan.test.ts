// The import planner (core/import/plan.ts): which IDs imported items get, how their links are
// rewritten, what a re-import updates, and which links it refuses to write.
import type { EntityType, Item } from '@backlog-mcp/shared';
import { describe, expect, it } from 'vitest';
import type { ImportBatch, ImportedItem } from '../../src/core/import/imported-item.js';
import { planImport } from '../../src/core/import/plan.js';

const NOW = '2026-11-30T12:00:00.000Z';
const task = (id: string, extra: Partial<ImportedItem> = {}): ImportedItem => ({
  source: { system: 'beads', id },
  type: 'task',
  title: `Title ${id}`,
  status: 'open',
  description: '',
  ...extra,
});
const batch = (items: ImportedItem[]): ImportBatch => ({ system: 'beads', label: 'fixture', items, warnings: [] });
const context = (items: Item[] = [], marks: Partial<Record<EntityType, number>> = {}) => ({
  items,
  highestSeq: (type: EntityType) =>
    Math.max(marks[type] ?? 0, ...items.filter((i) => i.type === type).map((i) => Number(i.id.slice(5)))),
  now: NOW,
});

describe('planImport', () => {
  it('numbers new items above every ID ever used and rewrites links to the new IDs', () => {
    const plan = planImport(
      batch([
        task('bd-epic', { type: 'epic' }),
        task('bd-1', { epic: 'bd-epic', created_at: '2025-01-02T03:04:05.000Z' }),
        task('bd-2', { blocked_by: ['bd-1'], parent: 'bd-1' }),
      ]),
      context([], { task: 7 }),
    );
    const [epic, first, second] = plan.creates;
    expect(plan.creates.map((i) => i.id)).toEqual(['EPIC-0001', 'TASK-0008', 'TASK-0009']);
    expect(first?.epic_id).toBe(epic?.id);
    expect(first?.created_at).toBe('2025-01-02T03:04:05.000Z');
    expect(second?.blocked_by).toEqual(['TASK-0008']);
    expect(second?.parent_id).toBe('TASK-0008');
    expect(second?.extra?.source).toEqual({ system: 'beads', id: 'bd-2' });
    expect(second?.created_at).toBe(NOW);
  });

  it('keeps a preferred ID only when it was never used here', () => {
    const existing: Item = {
      id: 'TASK-0003',
      type: 'task',
      title: 'x',
      status: 'open',
      description: '',
      version: 1,
      created_at: NOW,
      updated_at: NOW,
    };
    const plan = planImport(
      batch([task('a', { preferredId: 'TASK-0002' }), task('b', { preferredId: 'TASK-0010' }), task('c')]),
      context([existing]),
    );
    expect(plan.creates.map((i) => i.id)).toEqual(['TASK-0011', 'TASK-0010', 'TASK-0012']);
  });

  it('updates what an earlier import made, and counts what did not change', () => {
    const first = planImport(batch([task('bd-1'), task('bd-2')]), context());
    const items = first.creates;
    const again = planImport(batch([task('bd-1'), task('bd-2', { status: 'done' })]), context(items));
    expect(again.creates).toEqual([]);
    expect(again.unchanged).toBe(1);
    expect(again.updates).toHaveLength(1);
    expect(again.updates[0]?.after.id).toBe(items[1]?.id);
    expect(again.updates[0]?.fields).toEqual(['status']);
    expect(again.updates[0]?.after.version).toBe(2);
  });

  it('drops a link that would close a cycle or name a missing item, and says so', () => {
    const plan = planImport(
      batch([task('a', { blocked_by: ['b'] }), task('b', { blocked_by: ['a', 'ghost'] }), task('c', { parent: 'c' })]),
      context(),
    );
    const blockers = plan.creates.flatMap((i) => (i.blocked_by ?? []).map((b) => `${b}>${i.id}`));
    expect(blockers).toHaveLength(1);
    expect(plan.warnings.some((w) => w.includes('cycle'))).toBe(true);
    expect(plan.warnings.some((w) => w.includes('ghost'))).toBe(true);
    expect(plan.creates[2]?.parent_id).toBeUndefined();
  });
});
