import type { Item } from '@backlog-mcp/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import type { ChangeEvent } from '../../src/core/events.js';

const BEFORE: Item = {
  id: 'TASK-0001',
  type: 'task',
  title: 'Before the edit',
  status: 'open',
  description: '',
  version: 1,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

import { Backlog } from '../../src/core/backlog.js';
import { until } from '../support/wait.js';
import {
  type MemoryBacklog,
  MemoryJournal,
  MemorySearchIndex,
  MemoryStore,
  openMemoryBacklog,
} from './support/memory-ports.js';
import { rejection } from './support/rejection.js';

const me: Actor = { tool: 'test', name: 'me' };

describe('items', () => {
  let env: MemoryBacklog;

  beforeEach(async () => {
    env = await openMemoryBacklog();
  });

  it('are created open at version 1, stamped by the clock, and journalled', async () => {
    const item = await env.backlog.create({ title: 'First', description: 'body' }, me);
    expect(item).toEqual({
      id: 'TASK-0001',
      type: 'task',
      title: 'First',
      status: 'open',
      description: 'body',
      version: 1,
      created_at: env.clock.iso(),
      updated_at: env.clock.iso(),
    });
    expect(env.journal.last()).toEqual({
      at: env.clock.iso(),
      tool: 'test',
      action: 'created',
      id: 'TASK-0001',
      actor: 'me',
      summary: 'task "First"',
    });
  });

  it('get IDs per type prefix, never reusing a deleted one', async () => {
    const ids: string[] = [];
    for (const type of ['task', 'epic', 'task', 'folder', 'milestone', 'artifact'] as const) {
      ids.push((await env.backlog.create({ title: type, type }, me)).id);
    }
    expect(ids).toEqual(['TASK-0001', 'EPIC-0001', 'TASK-0002', 'FLDR-0001', 'MLST-0001', 'ARTF-0001']);
    await env.backlog.delete('TASK-0002', me);
    expect((await env.backlog.create({ title: 'next' }, me)).id).toBe('TASK-0003');
  });

  it('are found in any ID spelling; the rest are reported as not found, as given', async () => {
    await env.backlog.create({ title: 'one' }, me);
    const { items, not_found } = await env.backlog.get(['task 1', 'TASK-0099', 'nonsense']);
    expect(items.map((item) => item.id)).toEqual(['TASK-0001']);
    expect(not_found).toEqual(['TASK-0099', 'nonsense']);
  });

  it('cannot be deleted while they contain others', async () => {
    const epic = await env.backlog.create({ title: 'epic', type: 'epic' }, me);
    const a = await env.backlog.create({ title: 'a', epic_id: epic.id }, me);
    const b = await env.backlog.create({ title: 'b', epic_id: epic.id }, me);
    const error = await rejection(env.backlog.delete(epic.id, me));
    expect(error.kind).toBe('conflict');
    expect(error.field).toBe('id');
    expect(error.message).toBe(
      `id: ${epic.id} still contains 2 item(s) (${b.id}, ${a.id}). ` +
        'Move them elsewhere (backlog_update parent_id/epic_id) or delete them first.',
    );
    await env.backlog.update(a.id, { epic_id: null }, me);
    await env.backlog.delete(b.id, me);
    await env.backlog.delete(epic.id, me);
    expect(env.journal.last()).toMatchObject({ action: 'deleted', id: epic.id, summary: 'epic "epic"' });
    expect((await env.backlog.get([epic.id])).not_found).toEqual([epic.id]);
  });

  it('are listed newest first, active ones by default, with counts over every status', async () => {
    const old = await env.backlog.create({ title: 'old' }, me);
    env.clock.advance(1000);
    const finished = await env.backlog.create({ title: 'finished' }, me);
    await env.backlog.update(finished.id, { status: 'done' }, me);
    env.clock.advance(1000);
    const fresh = await env.backlog.create({ title: 'fresh', type: 'epic' }, me);
    const list = await env.backlog.list({ counts: true });
    expect(list.items.map((stub) => stub.id)).toEqual([fresh.id, old.id]);
    expect(list.total).toBe(2);
    expect(list.counts).toEqual({ by_status: { open: 2, done: 1 }, by_type: { task: 2, epic: 1 } });
    const done = await env.backlog.list({ status: ['done'] });
    expect(done.items.map((stub) => stub.id)).toEqual([finished.id]);
  });

  it('tell subscribers about every write', async () => {
    const events: ChangeEvent[] = [];
    env.backlog.events.on((event) => events.push(event));
    const { id } = await env.backlog.create({ title: 'watched' }, me);
    await env.backlog.update(id, { priority: 'low' }, me);
    await env.backlog.delete(id, me);
    expect(events.map((event) => [event.kind, 'fields' in event ? event.fields : undefined])).toEqual([
      ['created', undefined],
      ['updated', ['priority']],
      ['deleted', undefined],
    ]);
  });

  it('changed outside the core (an editor, git) are indexed and journalled as the file tool', async () => {
    const { id } = await env.backlog.create({ title: 'before' }, me);
    const current = (await env.store.get(id)) as Item;
    env.store.externalUpsert({ ...current, title: 'edited by hand quokka', version: 2 });
    const found = await until(
      () => env.backlog.search({ query: 'quokka' }),
      (result) => result.total === 1,
    );
    expect(found.results.map((entry) => entry.id)).toEqual([id]);
    expect(env.journal.last()).toMatchObject({ tool: 'file', action: 'updated', id });

    env.store.externalRemove(id);
    await until(
      async () => env.journal.last()?.action,
      (action) => action === 'deleted',
    );
    expect((await env.backlog.search({ query: 'quokka' })).total).toBe(0);
  });

  it('changed outside the core while the index is being built are indexed too', async () => {
    const store = new MemoryStore({ items: [{ ...BEFORE }] });
    let build!: () => void;
    const building = new Promise<void>((resolve) => {
      build = resolve;
    });
    // An index whose build takes a while: long enough for an editor to save in the middle of it.
    const search = new (class extends MemorySearchIndex {
      override async rebuild(items: readonly Item[]): Promise<void> {
        await building;
        await super.rebuild(items);
      }
    })();
    const backlog = new Backlog({ store, search, journal: new MemoryJournal() });
    const started = backlog.start();
    await new Promise((resolve) => setImmediate(resolve));
    store.externalUpsert({ ...BEFORE, title: 'edited by hand wombat', version: 2 });
    build();
    await started;
    const found = await until(
      () => backlog.search({ query: 'wombat' }),
      (result) => result.total === 1,
    );
    expect(found.results.map((entry) => entry.id)).toEqual(['TASK-0001']);
  });

  it('search answers with stubs, snippets and the engine’s mode', async () => {
    await env.backlog.create({ title: 'Rotate the signing keys', description: 'Keys expire in May.' }, me);
    await env.backlog.create({ title: 'Unrelated' }, me);
    const found = await env.backlog.search({ query: 'keys' });
    expect(found.search_mode).toBe('memory');
    expect(found.total).toBe(1);
    expect(found.results[0]).toMatchObject({ id: 'TASK-0001', title: 'Rotate the signing keys', status: 'open' });
    expect(found.results[0]?.snippet).toContain('Keys');
    const empty = await rejection(env.backlog.search({ query: '  ' }));
    expect(empty.message).toBe('query: expected a non-empty search text, received "  ".');
  });

  it('bodies and documents are edited through their URIs', async () => {
    const docs = await openMemoryBacklog({ documents: { 'guide.md': 'Step one\n' } });
    const { id } = await docs.backlog.create({ title: 'edit me', description: 'Hello world' }, me);
    const edited = await docs.backlog.editResource(
      `mcp://backlog/tasks/${id}.md`,
      { type: 'str_replace', old_str: 'world', new_str: 'there' },
      me,
    );
    expect(edited).toEqual({
      uri: `mcp://backlog/tasks/${id}.md`,
      id,
      version: 2,
      message: `str_replace applied to the body of ${id}`,
    });
    expect((await docs.backlog.readResource(`mcp://backlog/tasks/${id}.md`)).text).toBe('Hello there');

    await docs.backlog.editResource('mcp://backlog/resources/guide.md', { type: 'append', new_str: 'Step two' }, me);
    expect((await docs.backlog.readResource('mcp://backlog/resources/guide.md')).text).toMatch(/^Step one\nStep two/);
    const missing = await rejection(
      docs.backlog.editResource('mcp://backlog/resources/new.md', { type: 'append', new_str: 'x' }, me),
    );
    expect(missing.kind).toBe('not_found');
    expect(missing.field).toBe('uri');
    const traversal = await rejection(docs.backlog.readResource('mcp://backlog/resources/../secrets'));
    expect(traversal.field).toBe('uri');
  });
});
