import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';
import { rejection } from './support/rejection.js';

const alice: Actor = { tool: 'test', name: 'alice' };
const bob: Actor = { tool: 'test', name: 'bob' };
const MINUTE = 60_000;
const LEASE = 30 * MINUTE; // the default lease (core/claims.ts)

describe('claims', () => {
  let env: MemoryBacklog;
  let id: string;

  beforeEach(async () => {
    env = await openMemoryBacklog();
    ({ id } = await env.backlog.create({ title: 'Fix the login form' }, alice));
  });

  const claimedByAlice = () => env.backlog.update(id, { claim: true }, alice);

  it('takes an open item: in progress, held by the claimant until the lease ends, journalled', async () => {
    const { item, changed } = await claimedByAlice();
    expect(item).toMatchObject({ status: 'in_progress', assignee: 'alice', lease_until: env.clock.iso(LEASE) });
    expect(item.version).toBe(2);
    expect(changed).toEqual(['status', 'assignee', 'lease_until']);
    expect(env.journal.last()).toMatchObject({
      action: 'updated',
      id,
      actor: 'alice',
      fields: ['status', 'assignee', 'lease_until'],
      summary: 'claimed by alice; status → in_progress',
    });
    const [stub] = (await env.backlog.list({ status: ['in_progress'] })).items;
    expect(stub).toMatchObject({ id, assignee: 'alice', lease_until: env.clock.iso(LEASE) });
  });

  it('uses the lease length the core was given', async () => {
    const short = await openMemoryBacklog({ leaseMs: 5 * MINUTE });
    const created = await short.backlog.create({ title: 'short lease' }, alice);
    const { item } = await short.backlog.update(created.id, { claim: true }, alice);
    expect(item.lease_until).toBe(short.clock.iso(5 * MINUTE));
  });

  it('keeps a status asked for together with the claim', async () => {
    const { item } = await env.backlog.update(id, { claim: true, status: 'blocked' }, alice);
    expect(item).toMatchObject({ status: 'blocked', assignee: 'alice' });
  });

  it('refuses to claim finished work without a status, changing nothing, and reopens it when asked to', async () => {
    // Found by trying it: a claim on a done item used to put it back in progress, silently.
    for (const finished of ['done', 'cancelled'] as const) {
      const { item } = await env.backlog.update(id, { status: finished }, alice);
      const error = await rejection(env.backlog.update(id, { claim: true }, bob));
      expect(error.kind).toBe('conflict');
      expect(error.field).toBe('claim');
      expect(error.message).toBe(
        `claim: ${id} is ${finished}; a claim would reopen it. To reopen it and take it, pass status "in_progress" (or "open") with claim=true; otherwise pick other work (backlog_list ready=true).`,
      );
      expect((await env.backlog.get([id])).items[0]).toEqual(item);
    }
    const reopened = await env.backlog.update(id, { claim: true, status: 'in_progress' }, bob);
    expect(reopened.item).toMatchObject({ status: 'in_progress', assignee: 'bob' });
  });

  it('claims under an explicit agent name, else the client name tagged with its session', async () => {
    const named = await env.backlog.update(id, { claim: true, agent: '  builder-7 ' }, alice);
    expect(named.item.assignee).toBe('builder-7');
    expect(env.journal.last()?.actor).toBe('builder-7');

    const other = await env.backlog.create({ title: 'second' }, alice);
    const session = await env.backlog.update(other.id, { claim: true }, { tool: 'mcp', name: 'claude', session: 's1' });
    expect(session.item.assignee).toBe('claude#s1');

    const third = await env.backlog.create({ title: 'third' }, alice);
    const anonymous = await env.backlog.update(third.id, { claim: true }, { tool: 'mcp', session: 's2' });
    expect(anonymous.item.assignee).toBe('agent#s2');
  });

  it('refuses a claim from a client that names nobody, naming the agent field', async () => {
    const error = await rejection(env.backlog.update(id, { claim: true }, { tool: 'http' }));
    expect(error.kind).toBe('invalid');
    expect(error.field).toBe('agent');
    expect(error.message).toBe(
      'agent: expected a name for the claiming agent (the client sent none), received nothing.',
    );
  });

  it('lets two agents race for one item: exactly one wins', async () => {
    const results = await Promise.allSettled([
      env.backlog.update(id, { claim: true }, alice),
      env.backlog.update(id, { claim: true }, bob),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const [item] = (await env.backlog.get([id])).items;
    expect(['alice', 'bob']).toContain(item?.assignee);
  });

  describe('while the lease runs', () => {
    beforeEach(async () => {
      await claimedByAlice();
    });

    it('refuses another agent’s claim, naming the holder and the way out', async () => {
      const error = await rejection(env.backlog.update(id, { claim: true }, bob));
      expect(error.kind).toBe('conflict');
      expect(error.field).toBe('claim');
      expect(error.message).toBe(
        `claim: ${id} is held by alice until ${env.clock.iso(LEASE)}. Pick other work (backlog_list ready=true), ` +
          'wait for the lease to end, or pass force=true to override (the journal records it).',
      );
      const [item] = (await env.backlog.get([id])).items;
      expect(item).toMatchObject({ assignee: 'alice', version: 2 });
    });

    it('refuses another agent’s status change and release, but lets it add evidence', async () => {
      const status = await rejection(env.backlog.update(id, { status: 'done' }, bob));
      expect(status.kind).toBe('conflict');
      expect(status.field).toBe('status');
      expect(status.message).toContain(`status: ${id} is held by alice until ${env.clock.iso(LEASE)}; only the holder`);

      const release = await rejection(env.backlog.update(id, { claim: false }, bob));
      expect(release.field).toBe('claim');
      expect(release.message).toContain('only they can release it, or pass force=true');

      env.clock.advance(MINUTE);
      const { item, changed } = await env.backlog.update(id, { evidence: ['reproduced on staging'] }, bob);
      expect(changed).toEqual(['evidence']);
      expect(item).toMatchObject({ assignee: 'alice', lease_until: env.clock.iso(LEASE - MINUTE) });
    });

    it('renews the lease on any update from the holder, and on a repeated claim', async () => {
      env.clock.advance(10 * MINUTE);
      const worked = await env.backlog.update(id, { description: 'halfway' }, alice);
      expect(worked.changed).toEqual(['description', 'lease_until']);
      expect(worked.item.lease_until).toBe(env.clock.iso(LEASE));

      env.clock.advance(10 * MINUTE);
      const again = await env.backlog.update(id, { claim: true }, alice);
      expect(again.changed).toEqual(['lease_until']);
      expect(again.item.lease_until).toBe(env.clock.iso(LEASE));
    });

    it('is released by the holder: back to open, nobody holds it', async () => {
      const { item, changed } = await env.backlog.update(id, { claim: false }, alice);
      expect(item.status).toBe('open');
      expect(item).not.toHaveProperty('assignee');
      expect(item).not.toHaveProperty('lease_until');
      expect(changed).toEqual(['status', 'assignee', 'lease_until']);
      expect(env.journal.last()?.summary).toBe('released by alice; status → open');
      expect(await env.backlog.update(id, { claim: true }, bob)).toMatchObject({ item: { assignee: 'bob' } });
    });

    it.each(['done', 'cancelled'] as const)('ends when the holder sets %s', async (status) => {
      const { item } = await env.backlog.update(id, { status }, alice);
      expect(item.status).toBe(status);
      expect(item).not.toHaveProperty('assignee');
      expect(item).not.toHaveProperty('lease_until');
      // Finishing is not reported as a release.
      expect(env.journal.last()?.summary).toBe(`status → ${status}`);
    });

    it('is overridden with force: the journal records whose claim', async () => {
      env.clock.advance(MINUTE);
      const { item } = await env.backlog.update(id, { claim: true, force: true }, bob);
      expect(item).toMatchObject({ status: 'in_progress', assignee: 'bob', lease_until: env.clock.iso(LEASE) });
      expect(env.journal.last()).toMatchObject({
        actor: 'bob',
        overrode: 'alice',
        summary: "claimed by bob; forced over alice's claim",
      });
    });

    it('ends on a forced status change by another agent', async () => {
      const { item } = await env.backlog.update(id, { status: 'done', force: true }, bob);
      expect(item.status).toBe('done');
      expect(item).not.toHaveProperty('assignee');
      expect(env.journal.last()).toMatchObject({
        overrode: 'alice',
        summary: "status → done; forced over alice's claim",
      });

      const reopened = await env.backlog.create({ title: 'another' }, alice);
      await env.backlog.update(reopened.id, { claim: true }, alice);
      const back = await env.backlog.update(reopened.id, { status: 'open', force: true }, bob);
      expect(back.item.status).toBe('open');
      expect(back.item).not.toHaveProperty('assignee');
      expect(env.journal.last()?.summary).toBe("released by alice; status → open; forced over alice's claim");
    });

    it('is released by force by another agent', async () => {
      const { item } = await env.backlog.update(id, { claim: false, force: true }, bob);
      expect(item).toMatchObject({ status: 'open' });
      expect(item).not.toHaveProperty('assignee');
      expect(env.journal.last()?.overrode).toBe('alice');
    });

    it('records no override when force overrode nothing', async () => {
      await env.backlog.update(id, { evidence: ['logs attached'], force: true }, bob);
      expect(env.journal.last()).not.toHaveProperty('overrode');
      const [item] = (await env.backlog.get([id])).items;
      expect(item?.assignee).toBe('alice');

      const free = await env.backlog.create({ title: 'nobody holds this' }, alice);
      await env.backlog.update(free.id, { claim: true, force: true }, bob);
      expect(env.journal.last()).not.toHaveProperty('overrode');
    });
  });

  describe('once the lease has run out', () => {
    beforeEach(async () => {
      await claimedByAlice();
      env.clock.advance(LEASE); // the lease ends at exactly this instant
    });

    it('anyone may claim without force, and nothing is recorded as overridden', async () => {
      const { item } = await env.backlog.update(id, { claim: true }, bob);
      expect(item).toMatchObject({ assignee: 'bob', lease_until: env.clock.iso(LEASE) });
      expect(env.journal.last()).not.toHaveProperty('overrode');
      expect(env.journal.last()?.summary).toBe('claimed by bob');
    });

    it('anyone may change the status or release it', async () => {
      await expect(env.backlog.update(id, { status: 'blocked' }, bob)).resolves.toMatchObject({
        item: { status: 'blocked' },
      });
      const released = await env.backlog.update(id, { claim: false }, bob);
      expect(released.item).not.toHaveProperty('assignee');
    });

    it('a status change by another agent ends the lapsed claim: no stale holder, no revival by the old one', async () => {
      const { item } = await env.backlog.update(id, { status: 'blocked' }, bob);
      expect(item).not.toHaveProperty('assignee');
      expect(item).not.toHaveProperty('lease_until');
      expect(env.journal.last()?.summary).toBe("alice's claim had lapsed; status → blocked");
      const [stub] = (await env.backlog.list({ status: ['blocked'] })).items;
      expect(stub).not.toHaveProperty('assignee');
      // The old holder's later evidence does not take the item back.
      const later = await env.backlog.update(id, { evidence: ['still on it'] }, alice);
      expect(later.item).not.toHaveProperty('assignee');
      expect(later.item).not.toHaveProperty('lease_until');
    });

    it('an edit by another agent that leaves the status alone keeps the lapsed holder on record', async () => {
      const { item } = await env.backlog.update(id, { evidence: ['a note'] }, bob);
      expect(item).toMatchObject({ assignee: 'alice', lease_until: env.clock.iso(0) });
    });
  });

  it('refuses a stale if_version with the current version', async () => {
    await claimedByAlice();
    const error = await rejection(env.backlog.update(id, { evidence: ['late'], if_version: 1 }, alice));
    expect(error.kind).toBe('conflict');
    expect(error.field).toBe('if_version');
    expect(error.message).toMatch(new RegExp(`^if_version: ${id} is at version 2, not 1;`));
  });
});
