import type { Item } from '@backlog-mcp/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundedLevenshtein } from '../src/search/term-dictionary.js';
import { TextIndex } from '../src/search/text-index.js';

function item(id: string, title: string, description = '', extra: Partial<Item> = {}): Item {
  const at = '2026-01-01T00:00:00.000Z';
  return { id, type: 'task', title, status: 'open', description, version: 1, created_at: at, updated_at: at, ...extra };
}

const ids = (hits: Array<{ id: string }>) => hits.map((hit) => hit.id);

describe('text index', () => {
  it('ranks a title match above a body match, and reports fields and matched terms', () => {
    const index = new TextIndex();
    index.rebuild([
      item('TASK-0001', 'Write the release notes', 'mentions the cache once'),
      item('TASK-0002', 'Cache invalidation for sessions', 'the session cache keeps stale tokens'),
      item('TASK-0003', 'Unrelated chore', 'nothing here'),
    ]);
    const hits = index.search('session cache', { limit: 10 }).hits;
    expect(ids(hits)).toEqual(['TASK-0002', 'TASK-0001']);
    expect(hits[0]?.matched_fields).toEqual(['title', 'description']);
    expect(hits[0]?.terms).toEqual(['session', 'cach']);
    expect(hits[1]?.terms).toEqual(['cach']);
  });

  it('finds prefixes and typos, but searchExact does not', () => {
    const index = new TextIndex();
    index.rebuild([item('TASK-0001', 'Authentication flow'), item('TASK-0002', 'Kubernetes upgrade')]);
    expect(ids(index.search('authenti', { limit: 5 }).hits)).toEqual(['TASK-0001']);
    expect(ids(index.search('kubernetse', { limit: 5 }).hits)).toEqual(['TASK-0002']);
    expect(index.searchExact('authenti', { limit: 5 })).toEqual([]);
    expect(index.searchExact('kubernetse', { limit: 5 })).toEqual([]);
  });

  it('forgets removed items and re-indexes updated ones', () => {
    const index = new TextIndex();
    index.rebuild([item('TASK-0001', 'Old words here'), item('TASK-0002', 'Other')]);
    index.upsert(item('TASK-0001', 'Fresh title'));
    expect(index.search('old', { limit: 5 }).hits).toEqual([]);
    expect(ids(index.search('fresh', { limit: 5 }).hits)).toEqual(['TASK-0001']);
    index.remove('TASK-0001');
    expect(index.search('fresh', { limit: 5 }).hits).toEqual([]);
    expect(index.size).toBe(1);
  });

  it('answers "did this id match?" by remembered place as it does by id, after items move and go', () => {
    const index = new TextIndex({ compactAfter: 2 });
    const all = ['TASK-0001', 'TASK-0002', 'TASK-0003', 'TASK-0004'];
    index.rebuild(all.map((id, n) => item(id, n % 2 === 0 ? 'login form' : 'invoice export')));
    // One hint per "row" elsewhere, kept across searches as the hybrid index keeps them.
    const hints = new Int32Array(all.length);
    const agree = (query: string) => {
      const results = index.search(query, { limit: 10 });
      for (const [row, id] of all.entries()) expect(results.hasAt(id, hints, row)).toBe(results.has(id));
    };
    agree('login');
    index.upsert(item('TASK-0001', 'invoice export')); // a new slot: the hint is stale
    index.upsert(item('TASK-0002', 'login form'));
    agree('login');
    index.remove('TASK-0003');
    index.remove('TASK-0004'); // more dead postings than live ones: every slot renumbered
    agree('login');
    agree('invoice');
    expect(index.compactions).toBeGreaterThan(0);
  });

  it('applies the filter and the limit to the best hits only', () => {
    const index = new TextIndex();
    const items = Array.from({ length: 50 }, (_, i) =>
      item(`TASK-${String(i + 1).padStart(4, '0')}`, `deploy ${'deploy '.repeat(i % 5)}`),
    );
    index.rebuild(items);
    const { hits, total } = index.search('deploy', { limit: 3, filter: (id) => id.endsWith('0') });
    expect(hits).toHaveLength(3);
    expect(total).toBe(5);
    expect(hits.every((hit) => hit.id.endsWith('0'))).toBe(true);
    const scores = hits.map((hit) => hit.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('indexes labels like a title and forgets a removed label', () => {
    const index = new TextIndex();
    const labelled = (labels?: string[]) =>
      item('TASK-0001', 'Rework the settings page', 'Tabs and a visible save button.', labels ? { labels } : {});
    index.rebuild([
      item('TASK-0002', 'Infrastructure review', `${'replicas queues backups '.repeat(20)}and the frontend repo`),
      labelled(['frontend', 'tech debt']),
    ]);
    const { hits } = index.search('frontend', { limit: 5 });
    expect(ids(hits)).toEqual(['TASK-0001', 'TASK-0002']);
    expect(hits[0]?.matched_fields).toEqual(['labels']);
    expect(ids(index.search('debt', { limit: 5 }).hits)).toEqual(['TASK-0001']);
    index.upsert(labelled());
    expect(ids(index.search('frontend', { limit: 5 }).hits)).toEqual(['TASK-0002']);
    expect(index.search('debt', { limit: 5 }).total).toBe(0);
  });

  it('says whether some visible match contains every query word itself', () => {
    const index = new TextIndex();
    index.rebuild([
      item('TASK-0001', 'Retry webhook deliveries', 'with backoff'),
      item('TASK-0002', 'Kubernetes upgrade', 'webhooks for the cluster'),
    ]);
    expect(index.search('retry webhook', { limit: 5 }).complete).toBe(true);
    // Only one item has both words: hidden by the filter, the query is no longer answered by its words.
    expect(index.search('retry webhook', { limit: 5, filter: (id) => id !== 'TASK-0001' }).complete).toBe(false);
    expect(index.search('retry kubernetes', { limit: 5 }).complete).toBe(false);
    // A typo or a prefix stand-in is a match, but not the word itself.
    expect(index.search('kubernetse', { limit: 5 }).total).toBe(1);
    expect(index.search('kubernetse', { limit: 5 }).complete).toBe(false);
    expect(index.search('kubern', { limit: 5 }).complete).toBe(false);
  });

  it('gives the same ranking after thousands of updates (compaction) as a fresh build', () => {
    const words = 'alpha beta gamma delta epsilon zeta theta kappa lambda sigma'.split(' ');
    const make = (n: number, round: number) =>
      item(
        `TASK-${String(n + 1).padStart(4, '0')}`,
        `${words[(n + round) % 10]} ${words[(n * 3) % 10]}`,
        Array.from({ length: 30 }, (_, k) => words[(n * k + round) % 10]).join(' '),
      );
    const updated = new TextIndex({ compactAfter: 1000 });
    updated.rebuild(Array.from({ length: 300 }, (_, n) => make(n, 0)));
    for (let round = 1; round <= 12; round++) for (let n = 0; n < 300; n++) updated.upsert(make(n, round));
    const fresh = new TextIndex();
    fresh.rebuild(Array.from({ length: 300 }, (_, n) => make(n, 12)));
    for (const query of ['alpha', 'beta gamma', 'sigma kappa lambda', 'zeta']) {
      const a = updated.search(query, { limit: 20 }).hits;
      const b = fresh.search(query, { limit: 20 }).hits;
      expect(a.map((hit) => hit.score)).toEqual(b.map((hit) => hit.score));
      expect(new Set(ids(a))).toEqual(new Set(ids(b)));
    }
    expect(updated.size).toBe(300);
    expect(updated.compactions).toBeGreaterThan(0);
  });

  it('restores unchanged items from a snapshot and analyses the rest, with the same results as a fresh build', () => {
    const words = 'login session token cache flaky retry deploy invoice export dashboard'.split(' ');
    const make = (n: number, edit = '') =>
      item(
        `TASK-${String(n + 1).padStart(4, '0')}`,
        `${words[n % 10]} ${words[(n * 7) % 10]}${edit}`,
        words[(n * 3) % 10],
        {
          labels: n % 4 === 0 ? ['urgent'] : [],
        },
      );
    const before = Array.from({ length: 200 }, (_, n) => make(n));
    const first = new TextIndex({ compactAfter: 50 });
    first.rebuild(before);
    for (let n = 0; n < 40; n++) first.upsert(make(n)); // dead postings and a compaction behind the snapshot
    first.remove('TASK-0199');
    const saved = first.snapshot();
    expect(saved.ids).toHaveLength(199);

    // Since the snapshot: one item edited, one deleted, one new.
    const now = [...before.slice(0, 198), make(200)];
    now[5] = make(5, ' renamed');
    now.splice(10, 1);
    const restored = new TextIndex();
    expect(restored.rebuild(now, saved)).toBe(now.length - 2); // the edited one and the new one are analysed
    // Items in any order find their documents (the snapshot's order is only tried first).
    expect(new TextIndex().rebuild([...now].reverse(), saved)).toBe(now.length - 2);
    const fresh = new TextIndex();
    fresh.rebuild(now);
    for (const query of ['login', 'session cache', 'renamed', 'urgent', 'tokn', 'dash']) {
      const a = restored.search(query, { limit: 50 });
      const b = fresh.search(query, { limit: 50 });
      expect(a.hits).toEqual(b.hits);
      expect(a.total).toBe(b.total);
    }
    expect(ids(restored.search('renamed', { limit: 5 }).hits)).toEqual(['TASK-0006']);
  });

  it('ignores a snapshot made by another analysis', () => {
    const index = new TextIndex();
    index.rebuild([item('TASK-0001', 'Session cache')]);
    const saved = { ...index.snapshot(), version: 'text-index-0' };
    const other = new TextIndex();
    expect(other.rebuild([item('TASK-0001', 'Session cache')], saved)).toBe(0);
    expect(ids(other.search('cache', { limit: 5 }).hits)).toEqual(['TASK-0001']);
  });
});

describe('bounded edit distance', () => {
  const levenshtein = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const up = d[i - 1] as number[];
        row[j] = Math.min(
          (up[j] as number) + 1,
          (row[j - 1] as number) + 1,
          (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
    return (d[a.length] as number[])[b.length] as number;
  };

  it('agrees with the textbook distance up to the bound', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 9 });
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 3 }), (a, b, max) => {
        const exact = levenshtein(a, b);
        expect(boundedLevenshtein(a, b, max)).toBe(exact <= max ? exact : max + 1);
      }),
      { numRuns: 2000 },
    );
  });
});
