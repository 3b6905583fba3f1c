import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import type { CreateInput } from '../../src/core/backlog.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';

const DAY = 86_400_000;
const bob: Actor = { tool: 'test', name: 'bob', session: 's1' };

describe('milestone and epic progress', () => {
  let env: MemoryBacklog;

  beforeEach(async () => {
    env = await openMemoryBacklog();
  });

  const make = async (input: CreateInput) => (await env.backlog.create(input, bob)).id;
  const status = (id: string, s: 'done' | 'open' | 'in_progress' | 'cancelled') =>
    env.backlog.update(id, { status: s }, bob);
  const scopeOf = async (id: string) => {
    const found = (await env.backlog.progress()).find((s) => s.id === id);
    if (!found) throw new Error(`no progress for ${id}`);
    return found;
  };

  it('counts a milestone by parent chain and an epic by epic_id, cancelled out of the total', async () => {
    const milestone = await make({ title: 'Beta', type: 'milestone' });
    const epic = await make({ title: 'Auth', type: 'epic', parent_id: milestone });
    const a = await make({ title: 'Login', parent_id: epic });
    const b = await make({ title: 'Logout', epic_id: epic });
    const c = await make({ title: 'Docs', parent_id: milestone });
    await status(a, 'done');
    await status(c, 'cancelled');
    const m = await scopeOf(milestone);
    // the epic, a and c sit under the milestone by parent chain; b only names the epic
    expect([m.done, m.total]).toEqual([1, 2]);
    expect(m.counts).toMatchObject({ open: 1, done: 1, cancelled: 1 });
    const e = await scopeOf(epic);
    expect([e.done, e.total]).toEqual([1, 2]);
    expect(e.counts).toMatchObject({ open: 1, done: 1 });
    expect(b).toBeTruthy();
  });

  it('draws a burn-up per day from the journal, its last point the current done count', async () => {
    const milestone = await make({ title: 'Beta', type: 'milestone' });
    const a = await make({ title: 'A', parent_id: milestone });
    const b = await make({ title: 'B', parent_id: milestone });
    env.clock.advance(DAY);
    await status(a, 'done');
    const c = await make({ title: 'C', parent_id: milestone });
    env.clock.advance(DAY);
    await status(b, 'done');
    await status(a, 'open'); // reopened: done goes back down
    env.clock.advance(DAY);
    await status(c, 'done');
    const { burnup, done } = await scopeOf(milestone);
    expect(burnup.map((p) => [p.scope, p.done])).toEqual([
      [2, 0],
      [3, 1],
      [3, 1],
      [3, 2],
    ]);
    expect(burnup.at(-1)?.done).toBe(done);
    expect(burnup[0]?.day).toBe(env.clock.iso(-3 * DAY).slice(0, 10));
  });

  it('flags at risk when work left outruns the recent rate, and overdue first', async () => {
    const due = (days: number) => env.clock.iso(days * DAY).slice(0, 10);
    const slow = await make({ title: 'Slow', type: 'milestone', due_date: due(20) });
    const fast = await make({ title: 'Fast', type: 'milestone', due_date: due(20) });
    const late = await make({ title: 'Late', type: 'epic', due_date: due(2) });
    for (let i = 0; i < 4; i++) await make({ title: `slow ${i}`, parent_id: slow });
    const quick = [];
    for (let i = 0; i < 4; i++) quick.push(await make({ title: `fast ${i}`, parent_id: fast }));
    await make({ title: 'late work', epic_id: late });
    const oneSlow = await make({ title: 'slow done', parent_id: slow });
    await status(oneSlow, 'done');
    for (const id of quick.slice(0, 3)) await status(id, 'done');
    env.clock.advance(5 * DAY);
    // slow: 4 left at 1/14 a day = 56 days > 15 left; fast: 1 left at 3/14 a day ≈ 4.7 days ≤ 15
    expect((await scopeOf(slow)).at_risk).toBe(true);
    expect((await scopeOf(fast)).at_risk).toBe(false);
    const all = await env.backlog.progress();
    expect(all[0]?.id).toBe(late);
    expect(all[0]?.overdue).toBe(true);
    expect(all[0]?.at_risk).toBe(true);
    expect(all[0]?.days_left).toBeLessThan(0);
  });

  it('sees no risk in a finished scope or one without a due date', async () => {
    const undated = await make({ title: 'Someday', type: 'milestone' });
    await make({ title: 'x', parent_id: undated });
    const closed = await make({ title: 'Shipped', type: 'milestone', due_date: '2026-01-01' });
    await make({ title: 'y', parent_id: closed });
    await status(closed, 'done');
    expect((await scopeOf(undated)).at_risk).toBe(false);
    const shipped = await scopeOf(closed);
    expect([shipped.at_risk, shipped.overdue]).toEqual([false, false]);
  });
});
