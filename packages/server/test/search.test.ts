import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Item } from '@backlog-mcp/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MarkdownStore } from '../src/adapters/files/file-store.js';
import { JsonlJournal } from '../src/adapters/files/journal-file.js';
import { Backlog } from '../src/core/backlog.js';
import { loadDefaultEmbedder } from '../src/runtime/node/embedder.js';
import { processTerm, tokenize } from '../src/search/analyze.js';
import { reciprocalRankFusion } from '../src/search/fusion.js';
import { HybridSearchIndex } from '../src/search/hybrid.js';
import { idCandidates } from '../src/search/id-intent.js';
import { MemoryVectorCache } from '../src/search/vector-cache.js';
import { VectorIndex } from '../src/search/vector-index.js';
import { HANG } from './support/limits.js';
import { removeDir, tempDataDir } from './support/servers.js';

let seq = 0;
function item(id: string, title: string, description = '', extra: Partial<Item> = {}): Item {
  const at = new Date(Date.UTC(2026, 0, 1, 0, seq++)).toISOString();
  return { id, type: 'task', title, status: 'open', description, version: 1, created_at: at, updated_at: at, ...extra };
}

describe('text analysis', () => {
  it('splits identifiers the way people search for them', () => {
    expect(tokenize('FeatureStore keyboard-first HTTPServer v2_retry_after')).toEqual(
      expect.arrayContaining([
        'featurestore',
        'feature',
        'store',
        'keyboard',
        'first',
        'http',
        'server',
        'retry',
        'after',
      ]),
    );
  });

  it('folds accents and keeps non-ASCII letters', () => {
    expect(tokenize('Café déjà vu, naïve Zürich')).toEqual(['cafe', 'deja', 'vu', 'naive', 'zurich']);
    expect(tokenize('Привет мир')).toEqual(['привет', 'мир']);
  });

  it('indexes CJK text as characters and pairs', () => {
    expect(tokenize('検索機能')).toEqual(expect.arrayContaining(['検', '検索', '機能']));
  });

  it('drops stop words and stems English words', () => {
    expect(processTerm('the')).toBeNull();
    expect(processTerm('testing')).toBe(processTerm('tests'));
    expect(processTerm('0042')).toBe('0042');
  });

  it('never throws on hostile input', () => {
    for (const text of ['', '\u0000\u0001', '🙂'.repeat(10_000), 'a'.repeat(1_000_000), '\uD800']) {
      expect(() => tokenize(text)).not.toThrow();
    }
  });
});

describe('ID intent', () => {
  it.each([
    ['TASK-12', ['TASK-0012']],
    ['task 12', ['TASK-0012']],
    ['Task #12', ['TASK-0012']],
    ['epic 3', ['EPIC-0003']],
    ['blocked by TASK-0042 again', ['TASK-0042']],
  ])('%s points at %j', (query, ids) => {
    expect(idCandidates(query)).toEqual(ids);
  });

  it('reads a bare padded number as any type', () => {
    expect(idCandidates('0012')).toContain('TASK-0012');
    expect(idCandidates('0012')).toContain('EPIC-0012');
    expect(idCandidates('12 monkeys')).toEqual([]);
  });
});

describe('vector index and fusion', () => {
  it('returns the nearest rows best first and keeps rows dense after removal', () => {
    const index = new VectorIndex(2, 1);
    index.upsert('a', new Float32Array([1, 0]));
    index.upsert('b', new Float32Array([0, 1]));
    index.upsert('c', new Float32Array([Math.SQRT1_2, Math.SQRT1_2]));
    expect(index.search(new Float32Array([1, 0]), 2, -1).map((h) => h.id)).toEqual(['a', 'c']);
    index.remove('a');
    expect(index.size).toBe(2);
    expect(index.search(new Float32Array([1, 0]), 5, 0.5).map((h) => h.id)).toEqual(['c']);
  });

  it('fuses by rank, so the last relevant hit of one list still counts', () => {
    const fused = reciprocalRankFusion([
      { list: [{ id: 'x' }, { id: 'y' }, { id: 'z' }], weight: 1 },
      { list: [{ id: 'z' }], weight: 1 },
    ]);
    const order = [...fused.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
    expect(order[0]).toBe('z');
    expect(fused.get('y')).toBeGreaterThan(0);
  });
});

describe('hybrid search', () => {
  const items = [
    item('TASK-0001', 'Fix authentication flow', 'Users are logged out after the session token expires.'),
    item('TASK-0002', 'Reduce dashboard load time', 'The analytics page takes 9 seconds to render charts.'),
    item('TASK-0003', 'Add CSV export to invoices', 'Finance wants to download invoices as spreadsheets.'),
    item('TASK-0012', 'Update the quarterly sales chart colours', 'Marketing asked for the brand palette.'),
    item('EPIC-0003', 'Billing', 'Everything about invoices and payments.', { type: 'epic' }),
  ];

  async function index(embedded = true): Promise<HybridSearchIndex> {
    const search = new HybridSearchIndex(
      embedded ? { embedder: loadDefaultEmbedder(), cache: new MemoryVectorCache() } : {},
    );
    await search.rebuild(items);
    return search;
  }

  it('reports hybrid mode with the shipped model, and text mode without it', async () => {
    expect((await index()).mode).toBe('hybrid');
    expect((await index(false)).mode).toBe('text');
  });

  it('finds an item by words it does not contain', async () => {
    const { hits } = await (await index()).search('login is broken', { limit: 3 });
    expect(hits[0]?.id).toBe('TASK-0001');
    expect(hits[0]?.matched_fields).toEqual(['semantic']);
  });

  it('tolerates typos and matches stems', async () => {
    const search = await index();
    expect((await search.search('autentication', { limit: 1 })).hits[0]?.id).toBe('TASK-0001');
    expect((await search.search('exporting invoice', { limit: 1 })).hits[0]?.id).toBe('TASK-0003');
  });

  it('puts the item an ID query names first', async () => {
    const search = await index();
    for (const query of ['TASK-12', 'task 12', '0012']) {
      expect((await search.search(query, { limit: 3 })).hits[0]?.id, query).toBe('TASK-0012');
    }
    expect((await search.search('epic 3', { limit: 1 })).hits[0]).toMatchObject({
      id: 'EPIC-0003',
      matched_fields: ['id'],
    });
  });

  it('applies filters to every ranking, ID intent included', async () => {
    const { hits } = await (await index()).search('TASK-0012 invoices', {
      limit: 10,
      filter: (id) => id.startsWith('EPIC'),
    });
    expect(hits.map((h) => h.id)).toEqual(['EPIC-0003']);
  });

  it('follows upserts and removals at once', async () => {
    const search = await index();
    await search.upsert(item('TASK-0099', 'Migrate the payment provider', 'Move from the old gateway.'));
    expect((await search.search('payment provider', { limit: 1 })).hits[0]?.id).toBe('TASK-0099');
    await search.remove('TASK-0099');
    expect((await search.search('payment provider', { limit: 5 })).hits.map((h) => h.id)).not.toContain('TASK-0099');
  });

  it('re-embeds nothing when the vectors are cached', async () => {
    const cache = new MemoryVectorCache<Int8Array>();
    const lines: string[] = [];
    const first = new HybridSearchIndex({ embedder: loadDefaultEmbedder(), cache, log: (l) => lines.push(l) });
    await first.rebuild(items);
    const second = new HybridSearchIndex({ embedder: loadDefaultEmbedder(), cache, log: (l) => lines.push(l) });
    await second.rebuild(items);
    expect(lines[0]).toMatch(/5 embedded, 0 vectors from cache/);
    expect(lines[1]).toMatch(/0 embedded, 5 vectors from cache/);
  });

  it('offers semantically related items', async () => {
    const search = await index();
    const related = await search.related(items[2] as Item, { limit: 2 });
    expect(related.map((h) => h.id)).not.toContain('TASK-0003');
  });
});

describe('common words in large backlogs', () => {
  it('ranks by the informative words and still answers a query of common words only', async () => {
    const many = Array.from({ length: 1200 }, (_, i) =>
      item(
        `TASK-${String(i + 1).padStart(4, '0')}`,
        `Common work item ${i}`,
        i === 700 ? 'needs the zanzibar adapter' : 'routine',
      ),
    );
    const search = new HybridSearchIndex();
    await search.rebuild(many);
    expect((await search.search('common zanzibar', { limit: 3 })).hits[0]?.id).toBe('TASK-0701');
    expect((await search.search('common work', { limit: 5 })).hits.length).toBe(5);
  });

  it('counts every match in the total, past the ranking depth, filters and ID intent included', async () => {
    const many = Array.from({ length: 450 }, (_, i) =>
      item(`TASK-${String(i + 1).padStart(4, '0')}`, i % 3 === 0 ? `Deploy step ${i}` : `Unrelated chore ${i}`),
    );
    const text = new HybridSearchIndex();
    await text.rebuild(many);
    const all = await text.search('deploy', { limit: 5 });
    expect(all.hits).toHaveLength(5);
    expect(all.total).toBe(150);
    const even = await text.search('deploy', { limit: 5, filter: (id) => Number(id.slice(5)) % 2 === 0 });
    expect(even.total).toBe(75);
    // TASK-0002 is named by ID but does not contain the word: one more match.
    expect((await text.search('deploy task 2', { limit: 5 })).total).toBe(151);
    const hybrid = new HybridSearchIndex({ embedder: loadDefaultEmbedder() });
    await hybrid.rebuild(many);
    const both = await hybrid.search('deploy', { limit: 5 });
    expect(both.total).toBeGreaterThanOrEqual(150);
    expect(both.total).toBeLessThanOrEqual(450);
  });
});

describe('keyword queries through the Backlog, with the shipped embedder', () => {
  // Three items say "retry"; thirty do not, several of them about failures, queues and timeouts:
  // the weak semantic neighbours a one-word query used to be padded with.
  const withRetry = [
    ['Retry failed webhook deliveries with backoff', 'Partners miss order events when their endpoint is down.'],
    ['Payment capture gives up too early', 'The worker should retry a declined capture before failing the order.'],
    ['Flaky upload test', 'The S3 client needs a retry budget in CI; one timeout fails the build.'],
  ];
  const without = [
    ['Fix authentication flow', 'Users are logged out after the session token expires.'],
    ['Reduce dashboard load time', 'The analytics page takes 9 seconds to render charts.'],
    ['Add CSV export to invoices', 'Finance wants to download invoices as spreadsheets.'],
    ['Update the quarterly sales chart colours', 'Marketing asked for the brand palette.'],
    ['Dark mode for the settings page', 'Follow the system preference and remember the choice.'],
    ['Rate limit the public API', 'Return 429 with a header saying when to come back.'],
    ['Dead-letter queue for failed jobs', 'Jobs that fail five times move aside for a human to inspect.'],
    ['Circuit breaker around the tax service', 'Stop calling it for a while when it keeps timing out.'],
    ['Idempotency keys on POST /orders', 'A client that resends a request must not create two orders.'],
    ['Alert when the error rate doubles', 'Page the on-call engineer through PagerDuty.'],
    ['Connection pool exhausted under load', 'Postgres refuses new connections at peak lunch traffic.'],
    ['Timeouts on the search endpoint', 'p99 latency crosses 5 seconds when the index rebuilds.'],
    ['Upgrade Node to 22', 'Several dependencies dropped support for older runtimes.'],
    ['Write the onboarding guide', 'New engineers need a page on local setup and conventions.'],
    ['Translate the menu editor into Spanish', 'Strings live in the locale files.'],
    ['Crash when opening a PDF attachment', 'The viewer throws on files larger than 20 MB.'],
    ['Cache menu lookups in memory', 'An LRU cache in front of the database cuts reads by half.'],
    ['Nightly database backup verification', "Restore last night's dump into a scratch instance."],
    ['Email receipts after checkout', 'Send a receipt with the order lines and the tax breakdown.'],
    ['Accessibility audit of the checkout form', 'Labels, focus order and contrast need fixing.'],
    ['Split the monolith billing module', 'Invoices and subscriptions should be separate packages.'],
    ['Log request IDs across services', 'Propagate the ID header so traces join up.'],
    ['Push notifications arrive late on Android', 'Some vendors kill background services.'],
    ['Sync contacts from the CRM every hour', 'The import job sometimes stops halfway and nobody notices.'],
    ['Graceful shutdown for workers', 'Finish the current job before exiting on SIGTERM.'],
    ['Handle network errors in the mobile app', 'Show an offline banner and try again when back online.'],
    ['Resend the verification email', 'Users who lost the first email need a button to get another.'],
    ['Reconnect the event stream after a drop', 'The viewer should reopen the connection on restart.'],
    ['Release checklist for version 2.0', 'Changelog, migration notes and a rollback plan.'],
    ['Image thumbnails are blurry', 'Generate them at twice the display size.'],
  ];
  const actor = { tool: 'test', name: 'tester' };
  let dir: string;
  let store: MarkdownStore;
  let backlog: Backlog;

  beforeAll(async () => {
    dir = await tempDataDir();
    store = await MarkdownStore.open({ dataDir: dir, log: () => {} });
    backlog = new Backlog({
      store,
      search: new HybridSearchIndex({ embedder: loadDefaultEmbedder() }),
      journal: await JsonlJournal.open(join(dir, '.state', 'activity.jsonl'), () => {}),
    });
    await backlog.start();
    for (const [title, description] of [...withRetry, ...without]) {
      await backlog.create({ title: title as string, description: description as string }, actor);
    }
  });
  afterAll(async () => {
    store?.close();
    await removeDir(dir);
  });

  it('counts and shows only the items that contain the word', async () => {
    const result = await backlog.search({ query: 'retry', limit: 50 });
    expect(result.search_mode).toBe('hybrid');
    const titles = result.results.map((entry) => entry.title);
    expect(titles.sort()).toEqual(withRetry.map(([title]) => title).sort());
    expect(result.total).toBe(3);
    expect(result.results.every((entry) => !entry.matched_fields.includes('semantic'))).toBe(true);
  });

  it('still answers a paraphrase that shares no word with any item', async () => {
    const result = await backlog.search({ query: 'login is broken', limit: 5 });
    expect(result.results[0]).toMatchObject({ title: 'Fix authentication flow', matched_fields: ['semantic'] });
    expect(result.total).toBeGreaterThan(0);
  });
});

describe('labels', () => {
  const labelled = (labels?: string[]) =>
    item('TASK-0001', 'Rework the settings page layout', 'Group the options into tabs; keep the save button in view.', {
      ...(labels ? { labels } : {}),
    });
  // Mentions the word once, deep in a long body.
  const mention = item(
    'TASK-0002',
    'Quarterly infrastructure review',
    `${'Review the database replicas, the queue workers and the nightly backup jobs before the audit. '.repeat(6)}` +
      'One of the dashboards lives in the frontend repository.',
  );
  const others = [
    item('TASK-0003', 'Rotate the API signing keys', 'Without downtime for partners.'),
    item('TASK-0004', 'Export invoices as CSV', 'Finance downloads them monthly.'),
  ];

  it('finds an item by a label its text never says, above a passing mention, and drops it when the label goes', async () => {
    const search = new HybridSearchIndex({ embedder: loadDefaultEmbedder() });
    await search.rebuild([labelled(['frontend', 'ux']), mention, ...others]);
    const found = await search.search('frontend', { limit: 10 });
    expect(found.hits.map((hit) => hit.id)).toEqual(['TASK-0001', 'TASK-0002']);
    expect(found.hits[0]?.matched_fields).toContain('labels');
    expect(found.total).toBe(2);
    await search.upsert(labelled());
    const after = await search.search('frontend', { limit: 10 });
    expect(after.hits.map((hit) => hit.id)).toEqual(['TASK-0002']);
    expect(after.total).toBe(1);
  });

  it('reads labels from the Markdown files and follows an edit that removes them', async () => {
    const dir = await tempDataDir();
    const file = (labels: string) =>
      `---\nid: TASK-0001\ntitle: Rework the settings page layout\nstatus: open\ntype: task\n${labels}` +
      'created_at: 2026-01-01T00:00:00.000Z\nupdated_at: 2026-01-01T00:00:00.000Z\n---\nGroup the options into tabs.\n';
    const path = join(dir, 'tasks', 'TASK-0001.md');
    const first = await MarkdownStore.open({ dataDir: dir, log: () => {} });
    first.close(); // lays out the folders
    await writeFile(path, file('labels:\n  - Frontend\n'));
    const store = await MarkdownStore.open({ dataDir: dir, log: () => {}, watch: true });
    try {
      const backlog = new Backlog({
        store,
        search: new HybridSearchIndex({ embedder: loadDefaultEmbedder() }),
        journal: await JsonlJournal.open(join(dir, '.state', 'activity.jsonl'), () => {}),
      });
      await backlog.start();
      const found = await backlog.search({ query: 'frontend' });
      expect(found.results.map((entry) => entry.id)).toEqual(['TASK-0001']);
      expect(found.results[0]?.matched_fields).toContain('labels');
      expect((await backlog.list({ query: 'frontend' })).items.map((stub) => stub.id)).toEqual(['TASK-0001']);
      await writeFile(path, file(''));
      // No text match is left; the item may still be a semantic neighbour of the word, nothing more.
      await vi.waitFor(
        async () => {
          const after = await backlog.search({ query: 'frontend' });
          expect(after.results.flatMap((entry) => entry.matched_fields)).not.toContain('labels');
        },
        { timeout: HANG.condition, interval: 20 },
      );
      expect(
        (await backlog.search({ query: 'frontend' })).results.every((e) => e.matched_fields[0] === 'semantic'),
      ).toBe(true);
      expect((await backlog.list({ query: 'frontend' })).items).toEqual([]);
    } finally {
      store.close();
      await removeDir(dir);
    }
  });
});
