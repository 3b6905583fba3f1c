import type { Item } from '@backlog-mcp/shared';
import { describe, expect, it } from 'vitest';
import { NewestFirst } from '../../src/adapters/files/newest-first.js';
import { newestFirst } from '../../src/core/list.js';

function item(seq: number, minute: number): Item {
  const at = new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  return {
    id: `TASK-${String(seq).padStart(4, '0')}`,
    type: 'task',
    title: `Item ${seq}`,
    status: 'open',
    description: '',
    version: 1,
    created_at: at,
    updated_at: at,
  };
}

describe('the store list, newest first', () => {
  it('always reads as a full sort would, through creates, updates, deletes and hand edits with old dates', () => {
    let state = 42;
    const next = () => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const byId = new Map<string, Item>();
    const list = new NewestFirst(byId);
    let clock = 0;
    let seq = 0;
    for (let i = 0; i < 20; i++) byId.set(item(++seq, clock++).id, item(seq, clock));
    const write = (written: Item) => {
      const previous = byId.get(written.id);
      byId.set(written.id, written);
      list.written(written, previous);
    };
    for (let step = 0; step < 5_000; step++) {
      const roll = next();
      const ids = [...byId.keys()];
      const someId = ids[Math.floor(next() * ids.length)];
      if (roll < 0.4) write(item(++seq, ++clock));
      else if (roll < 0.7 && someId) write({ ...(byId.get(someId) as Item), updated_at: item(0, ++clock).updated_at });
      else if (roll < 0.8 && someId) {
        // A hand edit that moves an item back in time: not the newest, so the next read sorts.
        write({ ...(byId.get(someId) as Item), updated_at: item(0, Math.floor(next() * clock)).updated_at });
      } else if (roll < 0.9 && someId) {
        const gone = byId.get(someId) as Item;
        byId.delete(someId);
        list.removed(gone);
      } else {
        expect(list.items()).toEqual([...byId.values()].sort(newestFirst));
      }
    }
    expect(list.items()).toEqual([...byId.values()].sort(newestFirst));
  });

  it('does not copy the list per write: reading once after many creates gives them in front, newest first', () => {
    const byId = new Map<string, Item>();
    const list = new NewestFirst(byId);
    const old = item(1, 0);
    byId.set(old.id, old);
    const first = list.items();
    const before = list.view();
    expect(list.view()).toBe(before); // callers memoise on the snapshot: the same one while nothing changed
    for (let seq = 2; seq <= 1_000; seq++) {
      const created = item(seq, seq);
      byId.set(created.id, created);
      list.written(created, undefined);
    }
    const after = list.items();
    expect(first).toEqual([old]); // what was read before stays as it was
    expect(after.map((i) => i.id).slice(0, 2)).toEqual(['TASK-1000', 'TASK-0999']);
    expect(after.at(-1)).toBe(old);
    expect(after).toHaveLength(1_000);
    expect(list.view()).not.toBe(before);
    expect(list.view().items).toBe(after);
  });
});
