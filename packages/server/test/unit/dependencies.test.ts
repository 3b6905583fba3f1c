import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';
import { rejection } from './support/rejection.js';

const me: Actor = { tool: 'test', name: 'me' };

describe('blocked_by dependencies', () => {
  let env: MemoryBacklog;
  const task = async (title: string, blocked_by?: string[]) =>
    (await env.backlog.create({ title, ...(blocked_by ? { blocked_by } : {}) }, me)).id;

  beforeEach(async () => {
    env = await openMemoryBacklog();
  });

  it('stores blockers canonical and once, whatever spelling came in', async () => {
    await task('design');
    await task('api');
    const item = await env.backlog.create({ title: 'ui', blocked_by: ['task-1', 'TASK-0001', 'Task 2'] }, me);
    expect(item.blocked_by).toEqual(['TASK-0001', 'TASK-0002']);
  });

  it('shows what an item waits on and what it blocks', async () => {
    const design = await task('design');
    const ui = await task('ui', [design]);
    const {
      items: [first, second],
    } = await env.backlog.get([design, ui]);
    expect(first?.blocking).toEqual([{ id: ui, title: 'ui', status: 'open' }]);
    expect(first).not.toHaveProperty('waits_on');
    expect(second?.waits_on).toEqual([{ id: design, title: 'design', status: 'open' }]);
    expect(second).not.toHaveProperty('blocking');
  });

  it('refuses a blocker that does not exist, or is not an ID', async () => {
    const missing = await rejection(env.backlog.create({ title: 'x', blocked_by: ['TASK-0099'] }, me));
    expect(missing.kind).toBe('not_found');
    expect(missing.field).toBe('blocked_by');
    expect(missing.message).toBe('blocked_by: no item TASK-0099 exists.');

    const garbage = await rejection(env.backlog.create({ title: 'x', blocked_by: ['soon'] }, me));
    expect(garbage.kind).toBe('invalid');
    expect(garbage.message).toBe(
      'blocked_by: expected an item ID such as TASK-0001 (prefixes TASK, EPIC, FLDR, ARTF, MLST), received "soon".',
    );
    expect(await env.backlog.count()).toBe(0);
  });

  it('refuses an item waiting on itself', async () => {
    const a = await task('a');
    const error = await rejection(env.backlog.update(a, { blocked_by: ['task-1'] }, me));
    expect(error.field).toBe('blocked_by');
    expect(error.message).toBe(
      'blocked_by: expected IDs of other items (an item cannot wait on itself), received "TASK-0001".',
    );
  });

  it('refuses a two-item cycle, naming it, and writes nothing', async () => {
    const a = await task('a');
    const b = await task('b', [a]);
    const journalled = env.journal.entries.length;
    const error = await rejection(env.backlog.update(a, { blocked_by: [b] }, me));
    expect(error.kind).toBe('invalid');
    expect(error.field).toBe('blocked_by');
    expect(error.message).toBe(
      'blocked_by: expected dependencies without cycles, received "TASK-0002". ' +
        'That would make a cycle: TASK-0001 → TASK-0002 → TASK-0001.',
    );
    const [item] = (await env.backlog.get([a])).items;
    expect(item).not.toHaveProperty('blocked_by');
    expect(item?.version).toBe(1);
    expect(env.journal.entries).toHaveLength(journalled);
  });

  it('refuses a longer cycle, naming every step', async () => {
    const a = await task('a');
    const b = await task('b', [a]);
    const c = await task('c', [b]);
    const error = await rejection(env.backlog.update(a, { blocked_by: [c] }, me));
    expect(error.message).toContain('That would make a cycle: TASK-0001 → TASK-0003 → TASK-0002 → TASK-0001.');
  });

  it('allows a diamond (shared blockers are not a cycle), and refuses closing it into one', async () => {
    const root = await task('root');
    const left = await task('left', [root]);
    const right = await task('right', [root]);
    const join = await env.backlog.create({ title: 'join', blocked_by: [left, right] }, me);
    expect(join.blocked_by).toEqual([left, right]);
    const error = await rejection(env.backlog.update(root, { blocked_by: [join.id] }, me));
    expect(error.message).toMatch(/That would make a cycle: TASK-0001 → TASK-0004 → TASK-000[23] → TASK-0001\.$/);
  });

  it('refuses the cycle even when one of several new blockers closes it', async () => {
    const a = await task('a');
    const b = await task('b', [a]);
    const free = await task('free');
    const error = await rejection(env.backlog.update(a, { blocked_by: [free, b] }, me));
    expect(error.message).toContain(`received "${b}"`);
  });

  it('takes back a list still naming a deleted blocker (read, add one, write back): the gone ID is dropped', async () => {
    const design = await task('design');
    const api = await task('api');
    const ui = await task('ui', [design]);
    await env.backlog.delete(design, me);
    const [stored] = (await env.backlog.get([ui])).items;
    const { item } = await env.backlog.update(ui, { blocked_by: [...(stored?.blocked_by ?? []), api] }, me);
    expect(item.blocked_by).toEqual([api]);
    // An ID the item never had must still exist.
    const missing = await rejection(env.backlog.update(ui, { blocked_by: [api, 'TASK-0099'] }, me));
    expect(missing.message).toBe('blocked_by: no item TASK-0099 exists.');
    // Only the deleted one left: the list is cleared, not stored empty.
    await env.backlog.delete(api, me);
    const cleared = await env.backlog.update(ui, { blocked_by: [api] }, me);
    expect(cleared.item).not.toHaveProperty('blocked_by');
  });

  it('clears blockers with null or an empty list', async () => {
    const a = await task('a');
    const b = await task('b', [a]);
    const cleared = await env.backlog.update(b, { blocked_by: null }, me);
    expect(cleared.item).not.toHaveProperty('blocked_by');
    expect(cleared.changed).toEqual(['blocked_by']);
    await env.backlog.update(b, { blocked_by: [a] }, me);
    const emptied = await env.backlog.update(b, { blocked_by: [] }, me);
    expect(emptied.item).not.toHaveProperty('blocked_by');
    // Once cleared, the reverse edge is allowed.
    await expect(env.backlog.update(a, { blocked_by: [b] }, me)).resolves.toMatchObject({
      item: { blocked_by: [b] },
    });
  });
});
