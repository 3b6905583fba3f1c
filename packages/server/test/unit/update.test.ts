import type { Item } from '@backlog-mcp/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import type { UpdatePatch } from '../../src/core/backlog.js';
import { type MemoryBacklog, openMemoryBacklog } from './support/memory-ports.js';
import { rejection } from './support/rejection.js';

const me: Actor = { tool: 'test', name: 'me' };

interface FieldCase {
  field: keyof UpdatePatch & keyof Item;
  /** What the caller sends. */
  set: unknown;
  /** What is stored, when it differs (canonical IDs, normalised labels). */
  stored?: unknown;
  list?: boolean;
}

/** Every optional field a patch can set and clear (core/backlog.ts: OPTIONAL_FIELDS). */
const FIELDS: FieldCase[] = [
  { field: 'epic_id', set: 'epic-1', stored: 'EPIC-0001' },
  { field: 'parent_id', set: 'fldr 1', stored: 'FLDR-0001' },
  { field: 'due_date', set: '2026-12-31' },
  { field: 'priority', set: 'high' },
  { field: 'labels', set: [' Backend ', 'backend', 'API'], stored: ['backend', 'api'], list: true },
  { field: 'blocked_by', set: ['task-2'], stored: ['TASK-0002'], list: true },
  { field: 'blocked_reason', set: ['waiting for the API key'], list: true },
  { field: 'evidence', set: ['tests pass', 'deployed to staging'], list: true },
  { field: 'references', set: [{ url: 'https://example.com/spec', title: 'spec' }], list: true },
];

describe('update', () => {
  let env: MemoryBacklog;
  let id: string;

  beforeEach(async () => {
    env = await openMemoryBacklog();
    await env.backlog.create({ title: 'Auth', type: 'epic' }, me);
    await env.backlog.create({ title: 'Inbox', type: 'folder' }, me);
    ({ id } = await env.backlog.create({ title: 'The task' }, me));
    await env.backlog.create({ title: 'A blocker' }, me);
  });

  const update = (patch: UpdatePatch) => env.backlog.update(id, patch, me);
  const stored = async () => (await env.backlog.get([id])).items[0] as Item;

  describe.each(FIELDS)('$field', ({ field, set, stored: expected = set }) => {
    it('is set, reported as changed, journalled and stored', async () => {
      const { item, changed } = await update({ [field]: set } as UpdatePatch);
      expect(item[field]).toEqual(expected);
      expect(item.version).toBe(2);
      expect(changed).toEqual([field]);
      expect(env.journal.last()).toMatchObject({ action: 'updated', id, fields: [field] });
      expect((await stored())[field]).toEqual(expected);
    });

    it('is cleared with null: the key is gone', async () => {
      await update({ [field]: set } as UpdatePatch);
      const { item, changed } = await update({ [field]: null } as UpdatePatch);
      expect(item).not.toHaveProperty(field);
      expect(changed).toEqual([field]);
      expect(await stored()).not.toHaveProperty(field);
    });

    it('is left alone when the patch does not name it', async () => {
      await update({ [field]: set } as UpdatePatch);
      const { item } = await update({ title: 'Renamed' });
      expect(item[field]).toEqual(expected);
    });

    it('changes nothing (no new version, no journal line) when cleared while absent', async () => {
      const before = env.journal.entries.length;
      const { item, changed } = await update({ [field]: null } as UpdatePatch);
      expect(changed).toEqual([]);
      expect(item.version).toBe(1);
      expect(env.journal.entries).toHaveLength(before);
    });
  });

  it.each(FIELDS.filter((c) => c.list))('$field is cleared with an empty list too', async ({ field, set }) => {
    await update({ [field]: set } as UpdatePatch);
    const { item, changed } = await update({ [field]: [] } as UpdatePatch);
    expect(item).not.toHaveProperty(field);
    expect(changed).toEqual([field]);
  });

  it('sets several fields at once and lists them in a fixed order', async () => {
    const { changed } = await update({ evidence: ['done'], priority: 'low', status: 'done', title: 'Final' });
    expect(changed).toEqual(['title', 'status', 'priority', 'evidence']);
    expect(env.journal.last()?.summary).toBe('status → done');
  });

  it('replaces the description, and null empties it', async () => {
    expect((await update({ description: '# Plan\n\nsteps' })).item.description).toBe('# Plan\n\nsteps');
    const { item, changed } = await update({ description: null });
    expect(item.description).toBe('');
    expect(changed).toEqual(['description']);
  });

  it('reads the description from source_path where the runtime can read files', async () => {
    const reading = await openMemoryBacklog({ readSource: async (path) => `read from ${path}` });
    const created = await reading.backlog.create({ title: 'from a file', source_path: 'notes/plan.md' }, me);
    expect(created.description).toBe('read from notes/plan.md');

    const error = await rejection(update({ source_path: 'notes/plan.md' }));
    expect(error.kind).toBe('unavailable');
    expect(error.field).toBe('source_path');
    expect(error.message).toBe(
      'source_path: reading local files is not available on this server; pass description instead.',
    );
    const both = await rejection(update({ source_path: 'a.md', description: 'b' }));
    expect(both.message).toBe('source_path: expected either description or source_path, not both, received "a.md".');
  });

  it('keeps the created_at and moves updated_at to the clock', async () => {
    const created = await stored();
    env.clock.advance(5000);
    const { item } = await update({ title: 'Later' });
    expect(item.created_at).toBe(created.created_at);
    expect(item.updated_at).toBe(env.clock.iso());
  });

  describe('refuses, naming the field', () => {
    const cases: Array<[string, UpdatePatch, string, string]> = [
      ['an empty title', { title: '   ' }, 'title', 'title: expected a non-empty title, received "   ".'],
      [
        'a two-line title',
        { title: 'one\ntwo' },
        'title',
        'title: expected a single line of text without control characters, received "one\\ntwo".',
      ],
      [
        'a date that does not exist',
        { due_date: '2026-02-30' },
        'due_date',
        'due_date: expected an ISO date YYYY-MM-DD that exists, such as 2026-12-31, received "2026-02-30".',
      ],
      [
        'an epic_id naming a task',
        { epic_id: 'TASK-0002' },
        'epic_id',
        'epic_id: expected the ID of an epic (EPIC-...), received "TASK-0002". TASK-0002 is a task.',
      ],
      [
        'an epic_id naming nothing',
        { epic_id: 'EPIC-0009' },
        'epic_id',
        'epic_id: no item EPIC-0009 exists. Create the epic first or pick one from backlog_list type=epic.',
      ],
      [
        'the item as its own parent',
        { parent_id: 'TASK-0001' },
        'parent_id',
        'parent_id: expected another item than the item itself, received "TASK-0001".',
      ],
      ['a parent naming nothing', { parent_id: 'TASK-0077' }, 'parent_id', 'parent_id: no item TASK-0077 exists.'],
      [
        'a body holding a merge conflict',
        { description: 'a\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> main\n' },
        'description',
        'description: expected text without a git merge-conflict block',
      ],
    ];

    it.each(cases)('%s', async (_, patch, field, message) => {
      const error = await rejection(update(patch));
      expect(error.field).toBe(field);
      expect(error.message.startsWith(message)).toBe(true);
      expect((await stored()).version).toBe(1);
    });

    it('an epic inside an epic', async () => {
      const error = await rejection(env.backlog.update('EPIC-0001', { epic_id: 'EPIC-0001' }, me));
      expect(error.message).toBe(
        'epic_id: expected no epic_id on an epic (nest epics with parent_id), received "EPIC-0001".',
      );
    });

    it('a parent that cannot contain items', async () => {
      const artifact = await env.backlog.create({ title: 'screenshot', type: 'artifact' }, me);
      const error = await rejection(update({ parent_id: artifact.id }));
      expect(error.message).toBe(
        `parent_id: expected an item that can contain others (task, epic, folder, milestone), received "${artifact.id}". ` +
          `${artifact.id} is an artifact.`,
      );
    });

    it('a parent that is one of the item’s own descendants', async () => {
      const child = await env.backlog.create({ title: 'child', parent_id: id }, me);
      const grandchild = await env.backlog.create({ title: 'grandchild', parent_id: child.id }, me);
      const error = await rejection(update({ parent_id: grandchild.id }));
      expect(error.message).toBe(
        `parent_id: expected a parent that is not one of the item’s own descendants, received "${grandchild.id}". ` +
          `${grandchild.id} is inside ${id}, so this would make a cycle.`,
      );
    });

    it('an ID that is not one, or names nothing', async () => {
      const bad = await rejection(env.backlog.update('banana', { title: 'x' }, me));
      expect(bad.kind).toBe('invalid');
      expect(bad.message).toMatch(/^id: expected an item ID such as TASK-0001/);
      const gone = await rejection(env.backlog.update('task-42', { title: 'x' }, me));
      expect(gone.kind).toBe('not_found');
      expect(gone.message).toBe(
        'id: no item TASK-0042 exists. Use backlog_list or backlog_search to find existing IDs.',
      );
    });
  });
});
