import type { Item } from '@backlog-mcp/shared';
import type { ActivityEntry } from './activity.js';

/**
 * The ports the core is built on. Adapters (Markdown files, D1, the search index...)
 * implement them; the core never learns which one it talks to.
 */
/** A consistent view of every item; a new object after every change, so derived indexes can be cached per snapshot. */
export interface Snapshot {
  /** Newest `updated_at` first (ties: higher ID first). Items are immutable. */
  readonly items: readonly Item[];
  readonly byId: ReadonlyMap<string, Item>;
}

export interface Store {
  snapshot(): Promise<Snapshot>;
  get(id: string): Promise<Item | undefined>;
  /** Allocates the next ID of `type` and writes the item exclusively: two writers never share an ID. */
  create(type: Item['type'], build: (id: string) => Item): Promise<Item>;
  /** Overwrites an existing item atomically. */
  save(item: Item): Promise<void>;
  /**
   * For imports, which must know every new ID before writing the first item (they link each
   * other): the highest sequence ever used for `type`, by an existing item or a deleted one.
   */
  highestSeq?(type: Item['type']): number;
  /**
   * Writes a new item at exactly its own ID; false (nothing written) when that ID is taken.
   * `deferSync`: not durable until syncItems (a batch pays for durability once, not per file).
   */
  createExact?(item: Item, options?: { deferSync?: boolean }): Promise<boolean>;
  syncItems?(ids: readonly string[]): Promise<void>;
  /**
   * Announces a batch's writes before the first: a crash part-way is undone at the next open, so
   * a batch is all or nothing across crashes too. `end` once it is durable, or undone by hand.
   */
  beginBatch?(writes: { creates: readonly Item[]; updates: readonly Item[] }): Promise<{ end(): Promise<void> }>;
  /** Removes an item for good; its ID is never handed out again. */
  remove(id: string): Promise<void>;
  /** Free-standing documents under `resources/`, addressed by a validated relative path. */
  readDocument(path: string): Promise<string | undefined>;
  /** Overwrites an existing document; never creates one. */
  writeDocument(path: string, content: string): Promise<void>;
  /** Changes that did not come through this store (an editor, `git pull`). */
  onExternalChange?(listener: (change: ExternalChange) => void): () => void;
  /** IDs whose files exist but cannot be loaded; they are not deletions. */
  unreadableIds?(): string[];
  /**
   * Present when `create`, `save` and `remove` return once a write is applied (visible) but before
   * it is durable, so concurrent writes can share their fsyncs: the core then answers a writer only
   * after `durable` covers its writes. A store without it is durable when each call returns.
   */
  readonly durability?: Durability;
}

/**
 * Writes are numbered as they are applied. `mark()` is the number the next write will get;
 * `durable(from, to)` resolves once every write numbered in [from, to) is on disk, and rejects
 * with the error of one that could not be made durable.
 */
export interface Durability {
  mark(): number;
  durable(from: number, to: number): Promise<void>;
}

/** `created`: the item was not known before (a new file, or one that became readable). */
export type ExternalChange = { kind: 'upsert'; item: Item; created?: boolean } | { kind: 'remove'; id: string };

export interface SearchHit {
  id: string;
  score: number;
  matched_fields: string[];
  /** The query terms as the engine matched them, for snippets. */
  terms: string[];
}

/** The best `limit` hits, and how many items matched in all (a count, not capped by `limit`). */
export interface SearchResults {
  hits: SearchHit[];
  total: number;
}

export interface SearchOptions {
  limit: number;
  filter?: (id: string) => boolean;
  /** Only word matches will be used (a list filter): no index should wait on a slow semantic model. */
  wordsOnly?: boolean;
  /**
   * Rank every word match, not just an engine's usual candidate depth (a paging snapshot, sort by
   * recency): slower, so only for those.
   */
  exhaustive?: boolean;
}

export interface SearchIndex {
  /** `text`, `hybrid` or `deep`; reported to agents so a fallback is never silent. */
  readonly mode: string;
  rebuild(items: readonly Item[]): Promise<void>;
  upsert(item: Item): Promise<void>;
  remove(id: string): Promise<void>;
  search(query: string, options: SearchOptions): Promise<SearchResults>;
  /** Items semantically close to `item` (excluding itself). */
  related(item: Item, options: SearchOptions): Promise<SearchHit[]>;
}

export interface Journal {
  append(entry: ActivityEntry): Promise<void>;
  /** Newest first. */
  recent(options: { id?: string; limit: number }): Promise<ActivityEntry[]>;
  /**
   * Start-up reconciliation: records what the files show but the journal missed (a crash
   * between a write and its journal line, edits while no server ran). Returns entries added.
   */
  reconcile?(items: readonly Item[], options: { at: string; unreadable: readonly string[] }): Promise<number>;
}

/** Reads a local file for `source_path`; absent where there is no local disk (Workers). */
export type SourceReader = (path: string) => Promise<string>;
