import { STATUSES } from '@backlog-mcp/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import { agentsOverview } from '../../src/core/agents.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** MCP sessions: claims are held as name#session, the journal names the client. */
const alice: Actor = { tool: 'test', name: 'alice', session: 's1' };
const aliceAgain: Actor = { tool: 'test', name: 'alice', session: 's9' };
const bob: Actor = { tool: 'test', name: 'bob', session: 's2' };

describe('the agents overview', () => {
  let env: MemoryBacklog;

  beforeEach(async () => {
    env = await openMemoryBacklog(); // 2026-03-02T09:00Z
  });

  const overview = async (todayStart?: Date) => {
    const items = (await env.backlog.list({ status: [...STATUSES], limit: Number.POSITIVE_INFINITY })).items;
    const entries = await env.backlog.recentActivity({ limit: 1000 });
    return agentsOverview(items, entries, { now: env.clock.now(), todayStart });
  };
  const make = async (title: string, actor: Actor = bob) => {
    env.clock.advance(MINUTE);
    return (await env.backlog.create({ title }, actor)).id;
  };
  const agent = (o: Awaited<ReturnType<typeof overview>>, name: string) => o.agents.find((a) => a.name === name);

  it('groups name#session claims under the name, with sessions and lease left, soonest end first', async () => {
    const one = await make('Login form');
    const two = await make('Rate limiter');
    await env.backlog.update(one, { claim: true }, alice);
    env.clock.advance(10 * MINUTE);
    await env.backlog.update(two, { claim: true }, aliceAgain);
    env.clock.advance(5 * MINUTE);
    const a = agent(await overview(), 'alice');
    expect(a?.sessions).toEqual(['s1', 's9']);
    expect(a?.holding.map((h) => [h.id, h.holder, h.lease_left_ms])).toEqual([
      [one, 'alice#s1', 15 * MINUTE],
      [two, 'alice#s9', 25 * MINUTE],
    ]);
    expect(a?.lapsed).toEqual([]);
  });

  it('flags an in-progress item whose lease ran out, and drops it once released or done', async () => {
    const id = await make('Deploy');
    await env.backlog.update(id, { claim: true }, alice);
    env.clock.advance(31 * MINUTE);
    let a = agent(await overview(), 'alice');
    expect(a?.holding).toEqual([]);
    expect(a?.lapsed.map((h) => [h.id, h.status, h.lease_left_ms])).toEqual([[id, 'in_progress', -MINUTE]]);
    await env.backlog.update(id, { status: 'done' }, bob);
    a = agent(await overview(), 'alice');
    expect(a?.lapsed).toEqual([]);
    expect(a?.holding).toEqual([]);
  });

  it('a release ends the hold at once', async () => {
    const id = await make('Docs');
    await env.backlog.update(id, { claim: true }, alice);
    expect(agent(await overview(), 'alice')?.holding.map((h) => h.id)).toEqual([id]);
    env.clock.advance(MINUTE);
    await env.backlog.update(id, { claim: false }, alice);
    expect(agent(await overview(), 'alice')?.holding).toEqual([]);
  });

  it('lists last actions newest first, a few, and counts today and the last seven days', async () => {
    env.clock.advance(-3 * DAY); // three days ago: counts in the week, not today
    for (let i = 0; i < 3; i++) await make(`old ${i}`, alice);
    env.clock.advance(3 * DAY);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await make(`new ${i}`, alice));
    const a = agent(await overview(), 'alice');
    expect(a?.today).toBe(6);
    expect(a?.week).toBe(9);
    expect(a?.recent.map((r) => r.id)).toEqual(ids.slice(1).reverse());
    expect(a?.recent[0]).toMatchObject({ action: 'created', tool: 'test' });
    expect(a?.last_at).toBe(env.clock.iso());
    // The viewer's own midnight: from 09:03 on, only the last three count as today.
    const late = agent(await overview(new Date(Date.parse(env.clock.iso()) - 2.5 * MINUTE)), 'alice');
    expect(late?.today).toBe(3);
  });

  it('leaves out actors idle for over a week, and puts agents holding work first', async () => {
    await make('ancient', alice);
    env.clock.advance(8 * DAY);
    const held = await make('held by bob');
    await env.backlog.update(held, { claim: true }, bob);
    await make('carol acted last', { tool: 'test', name: 'carol' });
    const o = await overview();
    expect(o.agents.map((a) => a.name)).toEqual(['bob', 'carol']);
  });
});
