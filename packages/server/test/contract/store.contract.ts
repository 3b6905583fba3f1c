import type { EntityType, Item } from '@backlog-mcp/shared';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { BacklogError } from '../../src/core/errors.js';
import type { Store } from '../../src/core/ports.js';

/**
 * The core's Store port (src/core/ports.ts), asserted the same way on every adapter: the
 * Markdown files (adapters/files) and D1 (adapters/d1). Only what the port promises is
 * asserted; where the adapters legitimately differ (the error kind of a refused write, how
 * far ahead a save may jump), the case says so.
 */
export interface StoreBackend {
  /** A store over fresh, empty storage. */
  store: Store;
  /** Another store over the same storage: what another process (Node) or request (Worker) sees. */
  reopen(): Promise<Store>;
  /** Puts a document where readDocument finds it, the way people or a deploy do. */
  addDocument(path: string, content: string): Promise<void>;
  /** Closes every store it opened and removes the storage. */
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
/** A timestamp `seconds` after 2026-01-01, as the core writes them. */
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/**
 * Another store's view once the first store's writes are durable. A store with `durability`
 * returns from a write once it is applied, and is durable when `durable` says so (the core waits
 * on that before it answers anyone); one without it is durable on return.
 */
async function reopenDurable(b: StoreBackend): Promise<Store> {
  const durability = b.store.durability;
  await durability?.durable(0, durability.mark());
  return b.reopen();
}

/** What the core passes to create(): the item, given the ID the store allocated. */
function build(type: EntityType, fields: Partial<Item> = {}): (id: string) => Item {
  return (id) => ({
    id,
    type,
    title: `Item ${id}`,
    status: 'open',
    description: '',
    version: 1,
    created_at: at(0),
    updated_at: at(0),
    ...fields,
  });
}

/** Resolves to the BacklogError a promise rejects with, or fails. */
async function refusal(promise: Promise<unknown>): Promise<BacklogError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BacklogError);
  return error as BacklogError;
}

/** Registers the shared cases in the calling describe block: one fresh backend per case. */
export function storeContract(open: () => Promise<StoreBackend>): void {
  let b: StoreBackend;
  let store: Store;
  beforeEach(async () => {
    b = await open();
    store = b.store;
  });
  afterEach(async () => {
    await b?.close();
  });

  const ids = async (s: Store = store) => (await s.snapshot()).items.map((item) => item.id);

  it('starts empty: no items, no item by ID, no document', async () => {
    const snapshot = await store.snapshot();
    expect(snapshot.items).toEqual([]);
    expect(snapshot.byId.size).toBe(0);
    expect(await store.get('TASK-0001')).toBeUndefined();
    expect(await store.readDocument('nothing.md')).toBeUndefined();
  });

  it('allocates IDs per type from 0001, passes each to build, and stores what build returns', async () => {
    const seen: string[] = [];
    const make = async (type: EntityType) => {
      const item = await store.create(type, (id) => {
        seen.push(id);
        return build(type)(id);
      });
      expect(await store.get(item.id)).toEqual(item);
      return item.id;
    };
    const made = [];
    for (const type of ['task', 'task', 'epic', 'folder', 'artifact', 'milestone', 'task', 'epic'] as const) {
      made.push(await make(type));
    }
    expect(made).toEqual([
      'TASK-0001',
      'TASK-0002',
      'EPIC-0001',
      'FLDR-0001',
      'ARTF-0001',
      'MLST-0001',
      'TASK-0003',
      'EPIC-0002',
    ]);
    // build may be called again after a collision, never with an ID that was handed out.
    expect(seen).toEqual(made);
    expect((await ids()).sort()).toEqual([...made].sort());
  });

  it('keeps every field of an item, as another store over the same storage reads it', async () => {
    const full = build('task', {
      title: 'Every field: "quotes", #hash, colon: yes',
      status: 'blocked',
      description: '# Heading\n\nA body with `code`, **bold** and a list:\n\n- one\n- two\n',
      epic_id: 'EPIC-0001',
      parent_id: 'FLDR-0002',
      references: [{ url: 'https://example.com/a', title: 'A' }, { url: 'mcp://backlog/tasks/TASK-0009.md' }],
      evidence: ['PR #45', 'Verified: works'],
      blocked_reason: ['waiting on review'],
      due_date: '2026-12-31',
      blocked_by: ['TASK-0007'],
      priority: 'high',
      labels: ['backend', 'ops'],
      assignee: 'agent-one#0a1b2c3d',
      lease_until: at(1800),
      created_at: at(1),
      updated_at: at(2),
    });
    const created = await store.create('task', full);
    expect(created).toEqual(full('TASK-0001'));
    expect(await store.get('TASK-0001')).toEqual(created);
    const other = await reopenDurable(b);
    expect(await other.get('TASK-0001')).toEqual(created);
    expect((await other.snapshot()).items).toEqual([created]);
  });

  it('lists the snapshot newest first, ties by the higher ID, and indexes it by ID', async () => {
    await store.create('task', build('task', { updated_at: at(10) })); // TASK-0001
    await store.create('task', build('task', { updated_at: at(30) })); // TASK-0002
    await store.create('task', build('task', { updated_at: at(20) })); // TASK-0003
    await store.create('task', build('task', { updated_at: at(30) })); // TASK-0004
    await store.create('epic', build('epic', { updated_at: at(30) })); // EPIC-0001
    await store.create('folder', build('folder', { updated_at: at(5) })); // FLDR-0001
    const expected = ['TASK-0004', 'TASK-0002', 'EPIC-0001', 'TASK-0003', 'TASK-0001', 'FLDR-0001'];
    expect(await ids()).toEqual(expected);
    const snapshot = await store.snapshot();
    expect(snapshot.byId.size).toBe(snapshot.items.length);
    for (const item of snapshot.items) expect(snapshot.byId.get(item.id)).toEqual(item);
    expect(await ids(await reopenDurable(b))).toEqual(expected);
  });

  it('gives the same snapshot while nothing changes, and a new one after every change', async () => {
    const empty = await store.snapshot();
    expect(await store.snapshot()).toBe(empty);
    const item = await store.create('task', build('task'));
    const afterCreate = await store.snapshot();
    expect(afterCreate).not.toBe(empty);
    expect(afterCreate.byId.get(item.id)).toEqual(item);
    expect(await store.snapshot()).toBe(afterCreate);

    const saved = { ...item, title: 'Saved', version: 2, updated_at: at(5) };
    await store.save(saved);
    const afterSave = await store.snapshot();
    expect(afterSave).not.toBe(afterCreate);
    expect(afterSave.items).toEqual([saved]);
    expect(afterSave.byId.get(item.id)).toEqual(saved);

    await store.remove(item.id);
    const afterRemove = await store.snapshot();
    expect(afterRemove).not.toBe(afterSave);
    expect(afterRemove.items).toEqual([]);
    expect(afterRemove.byId.has(item.id)).toBe(false);
  });

  it('saves the next version over an item, and refuses a stale one without writing it', async () => {
    const item = await store.create('task', build('task'));
    const v2 = { ...item, title: 'Second', status: 'in_progress' as const, version: 2, updated_at: at(5) };
    await store.save(v2);
    expect(await store.get(item.id)).toEqual(v2);
    expect(await (await reopenDurable(b)).get(item.id)).toEqual(v2);
    // Saving a version the store already has (a writer that read before the last save): refused.
    // Both adapters refuse it, with a conflict; the port's own comment does not state the rule.
    for (const stale of [
      { ...item, title: 'Lost update', version: 2, updated_at: at(6) },
      { ...item, title: 'Older still', version: 1, updated_at: at(7) },
    ]) {
      expect((await refusal(store.save(stale))).kind).toBe('conflict');
    }
    expect(await store.get(item.id)).toEqual(v2);
    expect(await (await reopenDurable(b)).get(item.id)).toEqual(v2);
    const v3 = { ...v2, description: 'Third', version: 3, updated_at: at(8) };
    await store.save(v3);
    expect(await store.get(item.id)).toEqual(v3);
  });

  it('refuses to save an item that does not exist, and creates nothing', async () => {
    await store.create('task', build('task'));
    const ghost = build('task', { version: 2 })('TASK-0009');
    // Files: a conflict (the file is not there); D1: not_found. The port says "an existing item".
    expect(['conflict', 'not_found']).toContain((await refusal(store.save(ghost))).kind);
    expect(await store.get('TASK-0009')).toBeUndefined();
    expect(await ids()).toEqual(['TASK-0001']);
    expect(await ids(await reopenDurable(b))).toEqual(['TASK-0001']);
  });

  it('removes an item for good and never hands its ID out again, not even to another store', async () => {
    for (let i = 0; i < 3; i++) await store.create('task', build('task'));
    await store.remove('TASK-0003');
    expect(await store.get('TASK-0003')).toBeUndefined();
    expect(await ids()).not.toContain('TASK-0003');
    expect((await store.create('task', build('task'))).id).toBe('TASK-0004');
    await store.remove('TASK-0004');
    await store.remove('TASK-0002');
    const other = await reopenDurable(b);
    expect(await other.get('TASK-0004')).toBeUndefined();
    expect((await other.snapshot()).items.map((item) => item.id)).toEqual(['TASK-0001']);
    expect((await other.create('task', build('task'))).id).toBe('TASK-0005');
    // Other types keep their own sequence.
    expect((await other.create('epic', build('epic'))).id).toBe('EPIC-0001');
    const refused = await refusal(store.remove('not-an-id'));
    expect(refused).toMatchObject({ kind: 'invalid', field: 'id' });
  });

  it('hands distinct IDs to concurrent creates, from one store and from two', async () => {
    const other = await reopenDurable(b);
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? other : store).create('task', build('task'))),
    );
    const madeIds = made.map((item) => item.id);
    expect(new Set(madeIds).size).toBe(12);
    for (const item of made) expect(item.id).toMatch(/^TASK-\d{4,}$/);
    expect((await ids(await reopenDurable(b))).sort()).toEqual([...madeIds].sort());
  });

  it('reads documents, overwrites existing ones, and never creates one', async () => {
    await b.addDocument('notes/plan.md', 'Plan: ship it\n');
    expect(await store.readDocument('notes/plan.md')).toBe('Plan: ship it\n');
    await store.writeDocument('notes/plan.md', 'Plan: ship it on Friday\n');
    expect(await store.readDocument('notes/plan.md')).toBe('Plan: ship it on Friday\n');
    expect(await (await reopenDurable(b)).readDocument('notes/plan.md')).toBe('Plan: ship it on Friday\n');
    expect(await refusal(store.writeDocument('notes/new.md', 'x'))).toMatchObject({ kind: 'invalid', field: 'uri' });
    expect(await store.readDocument('notes/new.md')).toBeUndefined();
    expect(await store.readDocument('plan.md')).toBeUndefined();
  });
}
