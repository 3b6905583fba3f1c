/**
 * In-memory adapters for the core's ports, for the unit tests: the core (`Backlog` and every
 * rule module) runs for real, only storage, search and the journal live in memory. They honour
 * the contracts in src/core/ports.ts the way the Markdown and D1 adapters do, so a test that
 * passes here describes behaviour the real doors show too.
 */
import { type EntityType, formatId, type Item, parseCanonicalId, TYPE_PREFIX } from '@backlog-mcp/shared';
import type { ActivityEntry } from '../../../src/core/activity.js';
import { Backlog } from '../../../src/core/backlog.js';
import { conflict, invalid, notFound } from '../../../src/core/errors.js';
import { newestFirst } from '../../../src/core/list.js';
import type {
  ExternalChange,
  Journal,
  SearchHit,
  SearchIndex,
  SearchOptions,
  SearchResults,
  Snapshot,
  SourceReader,
  Store,
} from '../../../src/core/ports.js';

/** Items are immutable once stored (ports.ts: Snapshot); freezing makes a mutation fail loudly. */
function frozen(item: Item): Item {
  for (const value of Object.values(item)) {
    if (value && typeof value === 'object') Object.freeze(value);
    if (Array.isArray(value)) for (const entry of value) if (entry && typeof entry === 'object') Object.freeze(entry);
  }
  return Object.freeze(item);
}

/**
 * A Map-backed Store. IDs are allocated per type prefix and never handed out again, even after
 * a delete; `save` refuses an item that is gone or whose version does not move forward (both
 * real adapters do); documents are overwritten but never created by `writeDocument`.
 */
export class MemoryStore implements Store {
  private readonly items = new Map<string, Item>();
  private readonly documents = new Map<string, string>();
  /** The highest sequence ever used per prefix, deleted ones included. */
  private readonly highWater = new Map<string, number>();
  private readonly listeners = new Set<(change: ExternalChange) => void>();
  private current: Snapshot | undefined;

  constructor(seed: { items?: readonly Item[]; documents?: Readonly<Record<string, string>> } = {}) {
    for (const item of seed.items ?? []) this.put(item);
    for (const [path, content] of Object.entries(seed.documents ?? {})) this.documents.set(path, content);
  }

  async snapshot(): Promise<Snapshot> {
    // A new object after every change: the core caches derived indexes per snapshot.
    this.current ??= { items: [...this.items.values()].sort(newestFirst), byId: new Map(this.items) };
    return this.current;
  }

  async get(id: string): Promise<Item | undefined> {
    return this.items.get(id);
  }

  async create(type: EntityType, build: (id: string) => Item): Promise<Item> {
    const prefix = TYPE_PREFIX[type];
    const seq = (this.highWater.get(prefix) ?? 0) + 1;
    const item = build(formatId(type, seq));
    if (item.id !== formatId(type, seq)) throw new Error(`create: built ${item.id}, not ${formatId(type, seq)}`);
    this.put(item);
    return item;
  }

  async save(item: Item): Promise<void> {
    const known = this.items.get(item.id);
    if (!known) throw notFound('id', item.id);
    if (item.version <= known.version) {
      throw conflict(`if_version: ${item.id} is at version ${known.version}; the write brought ${item.version}.`);
    }
    this.put(item);
  }

  async remove(id: string): Promise<void> {
    const parsed = parseCanonicalId(id);
    if (!parsed) throw invalid('id', 'a canonical item ID', id);
    this.items.delete(id);
    this.current = undefined;
  }

  async readDocument(path: string): Promise<string | undefined> {
    return this.documents.get(path);
  }

  async writeDocument(path: string, content: string): Promise<void> {
    if (!this.documents.has(path)) throw invalid('uri', 'an existing file under resources/', path);
    this.documents.set(path, content);
  }

  onExternalChange(listener: (change: ExternalChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What an editor or `git pull` does: changes the data behind the core's back, then tells it. */
  externalUpsert(item: Item): void {
    const created = !this.items.has(item.id);
    this.put(item);
    for (const listener of this.listeners) listener({ kind: 'upsert', item, created });
  }

  externalRemove(id: string): void {
    this.items.delete(id);
    this.current = undefined;
    for (const listener of this.listeners) listener({ kind: 'remove', id });
  }

  private put(item: Item): void {
    const parsed = parseCanonicalId(item.id);
    if (!parsed) throw new Error(`not a canonical ID: ${item.id}`);
    const prefix = TYPE_PREFIX[parsed.type];
    this.highWater.set(prefix, Math.max(this.highWater.get(prefix) ?? 0, parsed.seq));
    this.items.set(item.id, frozen({ ...item }));
    this.current = undefined;
  }
}

/** The searchable text of an item, field by field. */
function fieldsOf(item: Item): Array<[string, string]> {
  return [
    ['id', item.id],
    ['title', item.title],
    ['description', item.description],
    ['labels', (item.labels ?? []).join(' ')],
    ['evidence', (item.evidence ?? []).join(' ')],
  ];
}

function termsOf(text: string): string[] {
  return [
    ...new Set(
      text
        .toLowerCase()
        .split(/[^\p{L}\p{N}-]+/u)
        .filter(Boolean),
    ),
  ];
}

/**
 * Substring search, every query term required. Not under test: the real engine has its own
 * tests (search.test.ts); this one only has to be predictable.
 */
export class MemorySearchIndex implements SearchIndex {
  readonly mode = 'memory';
  private readonly items = new Map<string, Item>();

  async rebuild(items: readonly Item[]): Promise<void> {
    this.items.clear();
    for (const item of items) this.items.set(item.id, item);
  }

  async upsert(item: Item): Promise<void> {
    this.items.set(item.id, item);
  }

  async remove(id: string): Promise<void> {
    this.items.delete(id);
  }

  async search(query: string, options: SearchOptions): Promise<SearchResults> {
    const terms = termsOf(query);
    const hits: SearchHit[] = [];
    for (const item of this.items.values()) {
      if (options.filter && !options.filter(item.id)) continue;
      const fields = fieldsOf(item).map(([name, text]) => [name, text.toLowerCase()] as const);
      if (terms.length === 0 || !terms.every((term) => fields.some(([, text]) => text.includes(term)))) continue;
      const matched = fields.filter(([, text]) => terms.some((term) => text.includes(term))).map(([name]) => name);
      hits.push({ id: item.id, score: matched.length, matched_fields: matched, terms });
    }
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return { hits: hits.slice(0, options.limit), total: hits.length };
  }

  /** Items sharing title words with `item`, most shared first. */
  async related(item: Item, options: SearchOptions): Promise<SearchHit[]> {
    const own = new Set(termsOf(item.title).filter((term) => term.length > 3));
    const hits: SearchHit[] = [];
    for (const other of this.items.values()) {
      if (other.id === item.id || (options.filter && !options.filter(other.id))) continue;
      const shared = termsOf(other.title).filter((term) => own.has(term));
      if (shared.length > 0) {
        hits.push({ id: other.id, score: shared.length / own.size, matched_fields: ['semantic'], terms: [] });
      }
    }
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return hits.slice(0, options.limit);
  }
}

/** An append-only array; `recent` is newest first, like the JSONL and D1 journals. */
export class MemoryJournal implements Journal {
  readonly entries: ActivityEntry[] = [];

  async append(entry: ActivityEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }

  async recent(options: { id?: string; limit: number }): Promise<ActivityEntry[]> {
    const source = options.id ? this.entries.filter((entry) => entry.id === options.id) : this.entries;
    return source.slice(-options.limit).reverse();
  }

  /** The newest entry, for assertions about the write just made. */
  last(): ActivityEntry | undefined {
    return this.entries.at(-1);
  }
}

/** A clock the test moves by hand; the core reads it through `BacklogDeps.now`. */
export class TestClock {
  private ms: number;

  constructor(start = '2026-03-02T09:00:00.000Z') {
    this.ms = Date.parse(start);
  }

  readonly now = (): Date => new Date(this.ms);

  advance(ms: number): void {
    this.ms += ms;
  }

  iso(offsetMs = 0): string {
    return new Date(this.ms + offsetMs).toISOString();
  }
}

export interface MemoryBacklog {
  backlog: Backlog;
  store: MemoryStore;
  search: MemorySearchIndex;
  journal: MemoryJournal;
  clock: TestClock;
}

/**
 * Wires the core as src/runtime/node/backlog.ts and src/runtime/worker/backlog.ts do (`new Backlog({ store,
 * journal, search, ... })`, then `start()`), on the in-memory ports and a hand-moved clock.
 */
export async function openMemoryBacklog(
  options: {
    items?: readonly Item[];
    documents?: Readonly<Record<string, string>>;
    readSource?: SourceReader;
    leaseMs?: number;
    clock?: TestClock;
  } = {},
): Promise<MemoryBacklog> {
  const store = new MemoryStore({ items: options.items, documents: options.documents });
  const search = new MemorySearchIndex();
  const journal = new MemoryJournal();
  const clock = options.clock ?? new TestClock();
  const backlog = new Backlog({
    store,
    journal,
    search,
    readSource: options.readSource,
    now: clock.now,
    leaseMs: options.leaseMs,
  });
  await backlog.start();
  return { backlog, store, search, journal, clock };
}
