import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import type { CreateInput } from '../../src/core/backlog.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';

const me: Actor = { tool: 'test', name: 'me' };
const MINUTE = 60_000;

/** ready=true: open tasks with no active subtasks, every blocker done, cancelled or gone, nobody holding them. */
describe('list ready=true', () => {
  let env: MemoryBacklog;

  beforeEach(async () => {
    env = await openMemoryBacklog();
  });

  /** Each item a minute after the last, so "oldest first" has something to order. */
  const make = async (input: CreateInput) => {
    env.clock.advance(MINUTE);
    return (await env.backlog.create(input, me)).id;
  };
  const ready = async (extra: Parameters<MemoryBacklog['backlog']['list']>[0] = {}) =>
    (await env.backlog.list({ ...extra, ready: true })).items.map((stub) => stub.id);

  it('offers open tasks only: no other status, no other type', async () => {
    const open = await make({ title: 'open task' });
    for (const status of ['in_progress', 'blocked', 'done', 'cancelled'] as const) {
      await env.backlog.update(await make({ title: status }), { status }, me);
    }
    for (const type of ['epic', 'folder', 'milestone', 'artifact'] as const) await make({ title: type, type });
    expect(await ready()).toEqual([open]);
  });

  it('offers leaves: a task with an active subtask waits for it', async () => {
    const parent = await make({ title: 'parent' });
    const child = await make({ title: 'child', parent_id: parent });
    expect(await ready()).toEqual([child]);
    await env.backlog.update(child, { status: 'in_progress' }, me);
    expect(await ready()).toEqual([]);
    await env.backlog.update(child, { status: 'done' }, me);
    expect(await ready()).toEqual([parent]);
  });

  it('counts a cancelled subtask as finished', async () => {
    const parent = await make({ title: 'parent' });
    const child = await make({ title: 'child', parent_id: parent });
    await env.backlog.update(child, { status: 'cancelled' }, me);
    expect(await ready()).toEqual([parent]);
  });

  it('waits until every blocker is done or cancelled', async () => {
    const first = await make({ title: 'first' });
    const second = await make({ title: 'second' });
    const after = await make({ title: 'after both', blocked_by: [first, second] });
    expect(await ready()).toEqual([first, second]);
    await env.backlog.update(first, { status: 'done' }, me);
    expect(await ready()).toEqual([second]);
    await env.backlog.update(second, { status: 'blocked' }, me); // blocked is still unresolved
    expect(await ready()).toEqual([]);
    await env.backlog.update(second, { status: 'cancelled' }, me);
    expect(await ready()).toEqual([after]);
  });

  it('treats a deleted blocker as resolved', async () => {
    const blocker = await make({ title: 'blocker' });
    const waiting = await make({ title: 'waiting', blocked_by: [blocker] });
    await env.backlog.delete(blocker, me);
    expect(await ready()).toEqual([waiting]);
  });

  it('leaves out an open task somebody holds, until the lease runs out', async () => {
    const held = await make({ title: 'held' });
    const free = await make({ title: 'free' });
    await env.backlog.update(held, { claim: true, status: 'open' }, { tool: 'test', name: 'alice' });
    expect(await ready()).toEqual([free]);
    env.clock.advance(30 * MINUTE);
    expect(await ready()).toEqual([held, free]);
  });

  it('orders by priority, then oldest first', async () => {
    const oldLow = await make({ title: 'old low', priority: 'low' });
    const oldMedium = await make({ title: 'old medium (default)' });
    const newHigh = await make({ title: 'new high', priority: 'high' });
    const newMedium = await make({ title: 'new medium', priority: 'medium' });
    const oldHigh = await make({ title: 'old high', priority: 'high' });
    // Touching an item does not move it: the order is by creation, not by update.
    await env.backlog.update(oldLow, { description: 'touched' }, me);
    await env.backlog.update(newHigh, { priority: 'high', description: 'also touched' }, me);
    expect(await ready()).toEqual([newHigh, oldHigh, oldMedium, newMedium, oldLow]);
  });

  it('applies the other filters and the limit, with the total of all ready items', async () => {
    const epic = await make({ title: 'epic', type: 'epic' });
    const inEpic = await make({ title: 'in the epic', epic_id: epic, labels: ['ui'] });
    const alsoInEpic = await make({ title: 'also in the epic', epic_id: epic });
    await make({ title: 'elsewhere', labels: ['ui'] });
    expect(await ready({ epic_id: epic })).toEqual([inEpic, alsoInEpic]);
    expect(await ready({ epic_id: epic, labels: ['UI'] })).toEqual([inEpic]);
    const limited = await env.backlog.list({ ready: true, limit: 1 });
    expect(limited.items).toHaveLength(1);
    expect(limited.total).toBe(3);
  });

  it('asks for open items whatever status filter came with it', async () => {
    const open = await make({ title: 'open' });
    await env.backlog.update(await make({ title: 'busy' }), { status: 'in_progress' }, me);
    expect(await ready({ status: ['in_progress'] })).toEqual([open]);
  });

  it('returns compact stubs', async () => {
    const id = await make({ title: 'stub me', priority: 'high', labels: ['x'] });
    const [stub] = (await env.backlog.list({ ready: true })).items;
    expect(stub).toEqual({
      id,
      title: 'stub me',
      status: 'open',
      type: 'task',
      priority: 'high',
      labels: ['x'],
      version: 1,
      updated_at: env.clock.iso(),
    });
  });
});
