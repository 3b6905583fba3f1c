import type { GraphRow, Item } from '@backlog-mcp/shared';
import type { ActivityEntry, Actor } from './activity.js';
import type { BacklogCore, BacklogDeps } from './backlog-core.js';
import { gatherBriefing } from './briefing.js';
import {
  BRIEFING_DEFAULT_BYTES,
  BRIEFING_MAX_BYTES,
  BRIEFING_MIN_BYTES,
  type Briefing,
  fitBriefing,
} from './briefing-text.js';
import { startBacklog } from './change-feed.js';
import type { TaskContext } from './context.js';
import { type EditResult, editResource, readResource } from './documents.js';
import { invalid } from './errors.js';
import { ChangeEmitter } from './events.js';
import { graphRows } from './graph-rows.js';
import { type ImportOptions, type ImportReport, importBatch } from './import/apply.js';
import type { ImportBatch } from './import/imported-item.js';
import type { CreateInput, UpdatePatch } from './item-fields.js';
import { getItems, type ItemWithDependencies, type ListRequest, type ListResult, listItems } from './item-queries.js';
import { type ContextRequest, type SearchRequest, type SearchResult, searchItems, taskContext } from './item-search.js';
import { createItem, deleteItem, updateItem } from './item-writes.js';
import { SearchCursors } from './paging.js';
import { computeProgress, type ScopeProgress } from './progress.js';
import { relationsOf } from './relations.js';
import type { EditOperation } from './text-edit.js';
import { WriteGate } from './write-gate.js';

export type { BacklogDeps } from './backlog-core.js';
export type { Briefing } from './briefing-text.js';
export type { EditResult } from './documents.js';
export type { CreateInput, UpdatePatch } from './item-fields.js';
export type { ItemWithDependencies, ListResult } from './item-queries.js';
export type { ContextRequest, SearchRequest, SearchResult, SearchResultEntry } from './item-search.js';

/**
 * The backlog service: every rule about items lives behind it, and every door
 * (MCP, HTTP, the viewer, a Worker) goes through it. A façade: writes live in
 * item-writes.ts (fields in item-fields.ts), reads in item-queries.ts and item-search.ts,
 * documents in documents.ts, the journal and change events in change-feed.ts.
 */
export class Backlog {
  readonly events = new ChangeEmitter();
  private readonly core: BacklogCore;

  constructor(deps: BacklogDeps) {
    this.core = {
      deps,
      events: this.events,
      writes: new WriteGate(deps.store.durability),
      now: deps.now ?? (() => new Date()),
      searchCursors: deps.searchCursors ?? new SearchCursors(),
    };
  }

  get searchMode(): string {
    return this.core.deps.search.mode;
  }

  /** Builds the search index from the store and follows changes made outside the process. */
  async start(): Promise<void> {
    return startBacklog(this.core);
  }

  async count(): Promise<number> {
    return (await this.core.deps.store.snapshot()).items.length;
  }

  async list(filter: ListRequest): Promise<ListResult> {
    return listItems(this.core, filter);
  }

  /** Every label in use, most used first (the viewer's label filter). */
  async labels(): Promise<ReadonlyArray<{ name: string; count: number }>> {
    return relationsOf(await this.core.deps.store.snapshot()).labelCounts();
  }

  /** Compact rows for the viewer's dependency graph: everything under `root`, or every item. */
  async graphRows(root?: string): Promise<GraphRow[]> {
    return graphRows(this.core, root);
  }

  /** Every item, whole (`backlog-mcp export`). */
  async allItems(): Promise<readonly Item[]> {
    return (await this.core.deps.store.snapshot()).items;
  }

  /** Another tool's items, planned against this backlog and written all or nothing (core/import/). */
  async import(batch: ImportBatch, options: ImportOptions): Promise<ImportReport> {
    return importBatch(this.core, batch, options);
  }

  async get(ids: readonly string[]): Promise<{ items: ItemWithDependencies[]; not_found: string[] }> {
    return getItems(this.core, ids);
  }

  async create(input: CreateInput, actor: Actor): Promise<Item> {
    return createItem(this.core, input, actor);
  }

  async update(rawId: string, patch: UpdatePatch, actor: Actor): Promise<{ item: Item; changed: string[] }> {
    return updateItem(this.core, rawId, patch, actor);
  }

  async delete(rawId: string, actor: Actor): Promise<void> {
    return deleteItem(this.core, rawId, actor);
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    return searchItems(this.core, request);
  }

  async context(request: ContextRequest): Promise<TaskContext> {
    return taskContext(this.core, request);
  }

  /** What an agent needs at session start, within `maxBytes` of text (issue 18). */
  async briefing(request: { agent?: string; maxBytes?: number } = {}): Promise<Briefing> {
    const maxBytes = request.maxBytes ?? BRIEFING_DEFAULT_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < BRIEFING_MIN_BYTES || maxBytes > BRIEFING_MAX_BYTES) {
      throw invalid('max_bytes', `a whole number from ${BRIEFING_MIN_BYTES} to ${BRIEFING_MAX_BYTES}`, maxBytes);
    }
    return fitBriefing(await gatherBriefing(this.core, { agent: request.agent }), maxBytes);
  }

  async recentActivity(options: { id?: string; limit: number }): Promise<ActivityEntry[]> {
    return this.core.deps.journal.recent(options);
  }

  /**
   * Every milestone's and epic's progress (progress.ts). The whole journal is read: a burn-up
   * replays every status change of its members, however old.
   */
  async progress(): Promise<ScopeProgress[]> {
    const snapshot = await this.core.deps.store.snapshot();
    const entries = await this.core.deps.journal.recent({ limit: Number.MAX_SAFE_INTEGER });
    return computeProgress(snapshot.items, entries, this.core.now());
  }

  /** Reads an item (as its Markdown file) or a document, by its mcp://backlog URI. */
  async readResource(uri: string): Promise<{ text: string; id?: string }> {
    return readResource(this.core, uri);
  }

  async editResource(uri: string, operation: EditOperation, actor: Actor, ifVersion?: number): Promise<EditResult> {
    return editResource(this.core, uri, operation, actor, ifVersion);
  }
}
