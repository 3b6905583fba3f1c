import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import type { CreateInput } from '../../src/core/backlog.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Claims from an MCP session are held as name#session: "alice" is the same agent in any session. */
const alice: Actor = { tool: 'test', name: 'alice', session: 's1' };
const bob: Actor = { tool: 'test', name: 'bob', session: 's2' };

const encoder = new TextEncoder();

describe('the session briefing', () => {
  let env: MemoryBacklog;

  beforeEach(async () => {
    env = await openMemoryBacklog();
  });

  const make = async (input: CreateInput, actor: Actor = bob) => {
    env.clock.advance(MINUTE);
    return (await env.backlog.create(input, actor)).id;
  };

  async function scene() {
    env.clock.advance(HOUR); // the news below is after alice's last activity; claims are fresh (30 min leases)
    const milestone = await make({
      title: 'Beta release',
      type: 'milestone',
      due_date: env.clock.iso(5 * 24 * HOUR).slice(0, 10),
    });
    const mine = await make({ title: 'Login form', parent_id: milestone });
    await env.backlog.update(mine, { claim: true }, alice);
    const theirs = await make({ title: 'Rate limiter', parent_id: milestone });
    await env.backlog.update(theirs, { claim: true }, bob);
    const readyHigh = await make({ title: 'CSV export', priority: 'high' });
    const readyLow = await make({ title: 'Tidy logs', priority: 'low' });
    const blocker = await make({ title: 'Schema migration' });
    const waiting = await make({ title: 'Deploy', blocked_by: [blocker] });
    const finished = await make({ title: 'Write docs', parent_id: milestone });
    await env.backlog.update(finished, { status: 'done' }, bob);
    return { milestone, mine, theirs, readyHigh, readyLow, blocker, waiting, finished };
  }

  it('names my claim, the others’ work, ready work in pick order, blockers, news and the milestone', async () => {
    const ids = await scene();
    env.clock.advance(3 * MINUTE);
    const { text, sections } = await env.backlog.briefing({ agent: 'alice' });
    expect(text).toContain(`Yours (alice):\n- ${ids.mine} Login form [lease`);
    expect(text).toContain(`In progress by others:\n- ${ids.theirs} Rate limiter [bob#s2, lease`);
    const ready = (await env.backlog.list({ ready: true })).items.map((stub) => stub.id);
    expect(sections.ready?.items.map((line) => line.id)).toEqual(ready.slice(0, sections.ready?.items.length));
    expect(ready[0]).toBe(ids.readyHigh);
    expect(text).toContain(`- ${ids.waiting} Deploy [waits on ${ids.blocker} open]`);
    expect(text).toMatch(
      new RegExp(`Done since your last activity \\(\\d+ min ago\\):\\n- ${ids.finished} Write docs`),
    );
    expect(text).toContain(`- ${ids.milestone} Beta release [due in 5 days, 1/3 done]`);
    expect(text).toMatch(/\nMore: backlog_context/);
  });

  it('without an agent: no "yours", every claim is in progress, news of the last 24 h', async () => {
    const ids = await scene();
    const { text } = await env.backlog.briefing();
    expect(text).not.toContain('Yours');
    expect(text).toContain(`In progress:\n- ${ids.theirs}`);
    expect(text).toContain(`- ${ids.mine} Login form [alice#s1, lease`);
    expect(text).toContain('Done in the last 24 h:');
  });

  it('says when my own claim lapsed, so I renew or release it', async () => {
    const ids = await scene();
    env.clock.advance(2 * HOUR);
    const { text } = await env.backlog.briefing({ agent: 'alice' });
    expect(text).toMatch(new RegExp(`- ${ids.mine} Login form \\[lease lapsed \\d+ min ago; renew or release it\\]`));
  });

  it('takes a session-tagged agent name too: only that session’s claims are "yours"', async () => {
    const ids = await scene();
    const { text } = await env.backlog.briefing({ agent: 'alice#s1' });
    expect(text).toContain(`Yours (alice#s1):\n- ${ids.mine} Login form`);
    expect((await env.backlog.briefing({ agent: 'alice#other' })).text).not.toContain('Yours');
  });

  it('cuts my claims last, and lists live claims of others before unclaimed work in progress', async () => {
    for (let i = 0; i < 6; i++) await env.backlog.update(await make({ title: `Mine ${i}` }), { claim: true }, alice);
    const stray = await make({ title: 'Left in progress' });
    await env.backlog.update(stray, { status: 'in_progress' }, bob);
    const held = await make({ title: 'Held by bob' });
    await env.backlog.update(held, { claim: true }, bob);
    for (let i = 0; i < 30; i++) await make({ title: `Ready work number ${i} with a long enough title` });
    const { sections, text } = await env.backlog.briefing({ agent: 'alice', maxBytes: 800 });
    // Ready and in-progress work give up lines first; my five (the section's own cap) stay.
    expect(sections.yours?.items).toHaveLength(5);
    expect(sections.ready?.items.length).toBeLessThanOrEqual(1);
    expect(text.indexOf(held)).toBeLessThan(text.indexOf(stray) === -1 ? Infinity : text.indexOf(stray));
    expect(sections.in_progress?.items[0]?.id).toBe(held);
  });

  it('leaves empty sections out', async () => {
    await make({ title: 'Only task' });
    const { text, sections } = await env.backlog.briefing({ agent: 'alice' });
    expect(Object.keys(sections)).toEqual(['ready']);
    expect(text.split('\n')).toEqual([
      'Backlog briefing for alice: 1 item (1 open, 0 in progress, 0 blocked, 0 done, 0 cancelled).',
      'Ready, in pick order:',
      expect.stringMatching(/^- TASK-0001 Only task$/),
      expect.stringMatching(/^More: /),
    ]);
  });

  it('stays under the byte ceiling however much there is, and counts what did not fit', async () => {
    for (let i = 0; i < 120; i++) {
      const id = await make({ title: `Task ${i} with a fairly long title about ${'several things '.repeat(3)}` });
      if (i % 4 === 1) await env.backlog.update(id, { claim: true }, i % 8 === 1 ? alice : bob);
      if (i % 4 === 2) await env.backlog.update(id, { status: 'done' }, bob);
    }
    for (const maxBytes of [200, 300, 600, 1000, 2000, 5000]) {
      const briefing = await env.backlog.briefing({ agent: 'alice', maxBytes });
      expect(encoder.encode(briefing.text).length, `max ${maxBytes}`).toBeLessThanOrEqual(maxBytes);
      expect(briefing.bytes).toBe(encoder.encode(briefing.text).length);
    }
    const { text, sections } = await env.backlog.briefing({ agent: 'alice' });
    expect(text).toMatch(/- \+\d+ more ready/);
    expect(sections.ready?.more).toBeGreaterThan(0);
    expect((sections.ready?.items.length ?? 0) + (sections.ready?.more ?? 0)).toBe(sections.ready?.total);
  });

  it('refuses a ceiling out of range, naming the field', async () => {
    await expect(env.backlog.briefing({ maxBytes: 10 })).rejects.toThrow(
      /^max_bytes: expected a whole number from 200 to 100000/,
    );
  });
});
