import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/activity.js';
import { Backlog } from '../../src/core/backlog.js';
import { BacklogError } from '../../src/core/errors.js';
import { listFingerprint } from '../../src/core/item-queries.js';
import { searchFingerprint } from '../../src/core/item-search.js';
import {
  type CursorBody,
  decodeCursor,
  encodeCursor,
  fingerprint,
  PAGING,
  SearchCursors,
  type SearchSnapshot,
} from '../../src/core/paging.js';
import type { SearchOptions, SearchResults } from '../../src/core/ports.js';
import { MemoryJournal, MemorySearchIndex, MemoryStore, openMemoryBacklog, TestClock } from './support/memory-ports.js';
import { rejection } from './support/rejection.js';

const me: Actor = { tool: 'test', name: 'me' };

function refusal(run: () => unknown): BacklogError {
  try {
    run();
  } catch (error) {
    if (error instanceof BacklogError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const snapshot = (ids: string[]): SearchSnapshot => ({
  fingerprint: 'f',
  ids,
  scores: ids.map(() => 1),
  fields: ids.map(() => 0),
  fieldSets: [['title']],
  terms: [],
  total: ids.length,
  search_mode: 'memory',
  complete: true,
});

describe('cursor codec', () => {
  const body: CursorBody = { v: 1, k: 'list', f: 'abc', key: { u: '2026-01-01T00:00:00.000Z', i: 'TASK-0001' } };

  it('round-trips as URL-safe base64 well under the length cap', () => {
    const cursor = encodeCursor(body);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor.length).toBeLessThan(PAGING.cursorLength / 2);
    expect(decodeCursor(cursor, 'list', 'abc')).toEqual(body);
    const search: CursorBody = { v: 1, k: 'search', f: 'abc', s: 'ff'.repeat(12), o: 100 };
    expect(decodeCursor(encodeCursor(search), 'search', 'abc')).toEqual(search);
  });

  it('refuses, naming cursor, what it did not make or made for other filters', () => {
    const valid = encodeCursor(body);
    const cases: Array<[string, string, RegExp]> = [
      ['not base64!', 'list', /^cursor: expected the next_cursor of an earlier page/],
      ['a'.repeat(PAGING.cursorLength + 1), 'list', /^cursor: expected the next_cursor/],
      [btoa('not json').replace(/=+$/, ''), 'list', /^cursor: expected the next_cursor/],
      [encodeCursor({ ...body, v: 2 } as unknown as CursorBody), 'list', /^cursor: expected the next_cursor/],
      [valid, 'search', /^cursor: expected the next_cursor/],
      [encodeCursor({ ...body, key: { p: 'urgent', c: 'x', i: 'TASK-1' } }), 'list', /^cursor: expected/],
      [encodeCursor({ v: 1, k: 'search', f: 'abc', s: 'x', o: -1 }), 'search', /^cursor: expected/],
    ];
    for (const [raw, kind, message] of cases) {
      const error = refusal(() => decodeCursor(raw, kind as 'list' | 'search', 'abc'));
      expect(error.field).toBe('cursor');
      expect(error.message).toMatch(message);
    }
    const other = refusal(() => decodeCursor(valid, 'list', 'xyz'));
    expect(other.message).toMatch(/^cursor: made for other filters than these/);
  });
});

describe('filter fingerprints', () => {
  it('ignore key order, list order, limit, cursor, counts; see every filter', () => {
    expect(fingerprint({ a: 1, b: [2, 1] })).toBe(fingerprint({ b: [1, 2], a: 1, c: undefined }));
    const base = listFingerprint({ status: ['open', 'done'], labels: ['UI', 'api'] });
    expect(listFingerprint({ labels: ['api', ' ui '], status: ['done', 'open'], limit: 5, counts: true })).toBe(base);
    expect(listFingerprint({ status: ['open'], labels: ['UI', 'api'] })).not.toBe(base);
    expect(listFingerprint({ status: ['open', 'done'], labels: ['UI', 'api'], ready: true })).not.toBe(base);
    expect(listFingerprint({ status: ['open', 'done'], labels: ['UI', 'api'], query: 'x' })).not.toBe(base);
    const search = searchFingerprint({ query: 'login', types: ['task'] });
    expect(searchFingerprint({ query: ' login ', types: ['task'], limit: 3, include_content: true })).toBe(search);
    expect(searchFingerprint({ query: 'login', types: ['task'], sort: 'recent' })).not.toBe(search);
    expect(searchFingerprint({ query: 'logout', types: ['task'] })).not.toBe(search);
  });
});

describe('search cursor store', () => {
  it('keeps at most max snapshots, dropping the least recently used', () => {
    const store = new SearchCursors(3, 60_000);
    const [a, b, c] = ['a', 'b', 'c'].map((id) => store.put(snapshot([id]))) as [string, string, string];
    expect(store.get(a)?.ids).toEqual(['a']); // a is now the most recent: b goes first
    const d = store.put(snapshot(['d']));
    expect(store.size).toBe(3);
    expect(store.get(b)).toBeUndefined();
    expect([store.get(a), store.get(c), store.get(d)].map((s) => s?.ids[0])).toEqual(['a', 'c', 'd']);
  });

  it('holds at most maxHits hits in all, dropping the least recently used others first', () => {
    const store = new SearchCursors(10, 60_000, Date.now, 5);
    const a = store.put(snapshot(['a1', 'a2']));
    const b = store.put(snapshot(['b1', 'b2']));
    const c = store.put(snapshot(['c1', 'c2', 'c3', 'c4']));
    store.fit(c);
    expect(store.get(a)).toBeUndefined();
    expect(store.get(b)).toBeUndefined();
    expect(store.get(c)?.ids).toHaveLength(4);
  });

  it('forgets a snapshot ttl after its last use, each use extending it', () => {
    let now = 0;
    const store = new SearchCursors(10, 1_000, () => now);
    const token = store.put(snapshot(['a']));
    now = 900;
    expect(store.get(token)).toBeDefined();
    now = 1_800;
    expect(store.get(token)).toBeDefined();
    now = 2_800;
    expect(store.get(token)).toBeUndefined();
  });
});

describe('paging in the core', () => {
  it('list: items made between pages, at the same millisecond, shift no page', async () => {
    const env = await openMemoryBacklog();
    const original: string[] = [];
    for (let i = 0; i < 40; i++) original.push((await env.backlog.create({ title: `item ${i}` }, me)).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await env.backlog.list({ limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor;
      pages++;
      // The clock never moves: the new items tie with every other on updated_at.
      await env.backlog.create({ title: `made meanwhile ${pages}` }, me);
    } while (cursor);
    expect(seen).toEqual([...original].reverse());
    expect(pages).toBe(Math.ceil(40 / 7));
  });

  it('list: the last page has no next_cursor; an exact fit ends without an empty page', async () => {
    const env = await openMemoryBacklog();
    for (let i = 0; i < 6; i++) await env.backlog.create({ title: `item ${i}` }, me);
    const first = await env.backlog.list({ limit: 3 });
    expect(first.next_cursor).toBeDefined();
    const second = await env.backlog.list({ limit: 3, cursor: first.next_cursor });
    expect(second.items).toHaveLength(3);
    expect(second.next_cursor).toBeUndefined();
    expect((await env.backlog.list({ limit: 6 })).next_cursor).toBeUndefined();
  });

  it('search: past the engine’s candidate depth, the snapshot grows once with the rest, no repeats', async () => {
    /** An engine that ranks only its best 5 unless asked for every match, like the hybrid index (200). */
    class Shallow extends MemorySearchIndex {
      exhaustiveCalls = 0;
      override async search(query: string, options: SearchOptions): Promise<SearchResults> {
        const all = await super.search(query, options);
        if (options.exhaustive) this.exhaustiveCalls++;
        return options.exhaustive ? all : { hits: all.hits.slice(0, 5), total: all.total };
      }
    }
    const search = new Shallow();
    const store = new MemoryStore({});
    const backlog = new Backlog({ store, search, journal: new MemoryJournal(), now: new TestClock().now });
    await backlog.start();
    for (let i = 0; i < 23; i++) await backlog.create({ title: `widget ${i}` }, me);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await backlog.search({ query: 'widget', limit: 4, paged: true, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBeGreaterThanOrEqual(23);
      seen.push(...page.results.map((hit) => hit.id));
      cursor = page.next_cursor;
      await backlog.create({ title: 'widget made meanwhile' }, me);
    } while (cursor);
    expect(search.exhaustiveCalls).toBe(1);
    expect(new Set(seen).size).toBe(seen.length);
    const original = Array.from({ length: 23 }, (_, i) => `TASK-${String(i + 1).padStart(4, '0')}`);
    expect(seen).toEqual(expect.arrayContaining(original));
  });

  it('search: cursors live in the store the Backlog was given (the Worker shares one per isolate)', async () => {
    const shared = new SearchCursors();
    const store = new MemoryStore({});
    const open = (cursors?: SearchCursors) =>
      new Backlog({ store, search, journal: new MemoryJournal(), ...(cursors ? { searchCursors: cursors } : {}) });
    const search = new MemorySearchIndex();
    const first = open(shared);
    await first.start();
    for (let i = 0; i < 5; i++) await first.create({ title: `widget ${i}` }, me);
    const page = await first.search({ query: 'widget', limit: 2, paged: true });
    expect((await first.search({ query: 'widget', limit: 2 })).next_cursor).toBeUndefined(); // the viewer's kind
    expect(shared.size).toBe(1);
    expect((await open(shared).search({ query: 'widget', limit: 2, cursor: page.next_cursor })).results).toHaveLength(
      2,
    );
    const elsewhere = await rejection(open().search({ query: 'widget', cursor: page.next_cursor }));
    expect(elsewhere.message).toMatch(/^cursor: expired or unknown: run the search again without cursor/);
  });
});
