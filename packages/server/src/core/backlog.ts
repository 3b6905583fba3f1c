import {
  type EntityType,
  type Item,
  type ItemRef,
  type ItemStub,
  isActive,
  normalizeId,
  normalizeLabels,
  type Priority,
  type Reference,
  type Status,
  toRef,
  toStub,
} from '@backlog-mcp/shared';
import { type ActivityEntry, type Actor, claimant } from './activity.js';
import { activeHolder, applyClaim, DEFAULT_LEASE_MS } from './claims.js';
import { buildContext, type RelatedItem, type TaskContext } from './context.js';
import { blockersResolved, checkBlockers, readyOrder } from './dependencies.js';
import { BacklogError, conflict, invalid, notFound, unavailable } from './errors.js';
import { ChangeEmitter, type ChangeEvent } from './events.js';
import { applyLabels, requireLabels } from './labels.js';
import { LIMITS, utf8Length } from './limits.js';
import { type Counts, filterItems, type ListFilter } from './list.js';
import { Mutex } from './mutex.js';
import type { Journal, SearchIndex, Snapshot, SourceReader, Store } from './ports.js';
import { relationsOf } from './relations.js';
import { checkEpic, checkParent, requireDate, requireId, requireNoConflictMarkers, requireTitle } from './rules.js';
import { makeSnippet } from './snippet.js';
import { applyEdit, type EditOperation } from './text-edit.js';
import { parseResourceUri } from './uri.js';

export interface BacklogDeps {
  store: Store;
  search: SearchIndex;
  journal: Journal;
  readSource?: SourceReader;
  now?: () => Date;
  leaseMs?: number;
}

export interface CreateInput {
  title: string;
  description?: string;
  type?: EntityType;
  epic_id?: string;
  parent_id?: string;
  due_date?: string;
  references?: Reference[];
  source_path?: string;
  blocked_by?: string[];
  priority?: Priority;
  labels?: string[];
}

/** `null` clears a field; an absent key leaves it alone. */
export interface UpdatePatch {
  title?: string;
  description?: string | null;
  status?: Status;
  epic_id?: string | null;
  parent_id?: string | null;
  blocked_reason?: string[] | null;
  evidence?: string[] | null;
  references?: Reference[] | null;
  due_date?: string | null;
  blocked_by?: string[] | null;
  priority?: Priority | null;
  /** Replaces the labels; add_labels / remove_labels edit them. */
  labels?: string[] | null;
  add_labels?: string[];
  remove_labels?: string[];
  /** Replaces the description with a local file's content (where the runtime can read files). */
  source_path?: string;
  /** Override another agent's running claim for a status change, claim or release. */
  force?: boolean;
  /** true takes the item (in_progress, assignee, lease); false releases it. */
  claim?: boolean;
  /** Who claims; defaults to the calling client's identity. */
  agent?: string;
  /** Refuse the write unless the item is still at this version. */
  if_version?: number;
}

/** An item as get returns it: every field, plus its dependencies in both directions. */
export interface ItemWithDependencies extends Item {
  waits_on?: ItemRef[];
  blocking?: ItemRef[];
}

export interface ListResult {
  items: ItemStub[];
  total: number;
  counts?: Counts;
}

export interface SearchRequest {
  query: string;
  types?: EntityType[];
  status?: Status[];
  limit?: number;
  sort?: 'relevance' | 'recent';
  include_content?: boolean;
}

export interface SearchResultEntry extends ItemStub {
  score: number;
  snippet: string;
  matched_fields: string[];
  description?: string;
}

export interface SearchResult {
  results: SearchResultEntry[];
  total: number;
  search_mode: string;
}

export interface ContextRequest {
  task_id?: string;
  query?: string;
  depth?: 1 | 2;
  include_related?: boolean;
  /** Whole neighbour items and the focal body uncut, instead of compact refs. */
  include_content?: boolean;
}

export interface EditResult {
  uri: string;
  id?: string;
  version?: number;
  message: string;
}

/** Every field a patch can set or clear (null), in the order `changed` lists them. */
const OPTIONAL_FIELDS = [
  'epic_id',
  'parent_id',
  'due_date',
  'priority',
  'labels',
  'blocked_by',
  'blocked_reason',
  'evidence',
  'references',
] as const;

/**
 * The backlog service: every rule about items lives here, and every door
 * (MCP, HTTP, the viewer, a Worker) goes through it.
 */
export class Backlog {
  readonly events = new ChangeEmitter();
  /** One writer at a time: relation checks (parents, cycles) stay true while the write lands. */
  private readonly writes = new Mutex();
  private readonly now: () => Date;

  constructor(private readonly deps: BacklogDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get searchMode(): string {
    return this.deps.search.mode;
  }

  /** Builds the search index from the store and follows changes made outside the process. */
  async start(): Promise<void> {
    const { items } = await this.deps.store.snapshot();
    await this.deps.search.rebuild(items);
    // What a crash or an edit made while no server ran left out of the journal.
    await this.deps.journal.reconcile?.(items, {
      at: this.timestamp(),
      unreadable: this.deps.store.unreadableIds?.() ?? [],
    });
    this.deps.store.onExternalChange?.((change) => {
      void this.writes
        .run(async () => {
          const at = this.timestamp();
          const id = change.kind === 'upsert' ? change.item.id : change.id;
          // The store's current item, not the one in the change: a write may have landed since.
          const item = (await this.deps.store.snapshot()).byId.get(id);
          if (item) {
            await this.deps.search.upsert(item);
            const created = change.kind === 'upsert' && change.created === true;
            await this.deps.journal.append({ at, tool: 'file', action: created ? 'created' : 'updated', id });
            this.events.emit({ kind: 'updated', id, item, fields: [], tool: 'file', at });
          } else {
            await this.deps.search.remove(id);
            await this.deps.journal.append({ at, tool: 'file', action: 'deleted', id });
            this.events.emit({ kind: 'deleted', id, tool: 'file', at });
          }
        })
        .catch(() => undefined); // an outside edit must never take the server down
    });
  }

  async count(): Promise<number> {
    return (await this.deps.store.snapshot()).items.length;
  }

  async list(filter: ListFilter & { limit?: number; counts?: boolean; ready?: boolean }): Promise<ListResult> {
    const scoped: ListFilter = { ...filter };
    if (filter.epic_id) scoped.epic_id = requireId('epic_id', filter.epic_id);
    if (filter.parent_id) scoped.parent_id = requireId('parent_id', filter.parent_id);
    if (filter.labels) scoped.labels = normalizeLabels(filter.labels);
    if (filter.ready) scoped.status = ['open'];
    if (filter.query?.trim()) {
      const { hits } = await this.deps.search.search(filter.query, { limit: LIMITS.listLimitMax * 10 });
      // A filter must be predictable: semantic-only neighbours rank well in search but do not "contain" the words.
      scoped.matchedIds = new Set(hits.filter((hit) => !hit.matched_fields.includes('semantic')).map((hit) => hit.id));
    }
    const snapshot = await this.deps.store.snapshot();
    let { matches, counts } = memoFilter(snapshot, scoped, filter.counts === true);
    if (filter.ready) {
      const now = this.now();
      matches = unblockedInOrder(matches, snapshot).filter((item) => !activeHolder(item, now));
    }
    const limit = filter.limit ?? LIMITS.listLimitDefault;
    const result: ListResult = { items: matches.slice(0, limit).map(toStub), total: matches.length };
    if (filter.counts) result.counts = counts;
    return result;
  }

  /** Every label in use, most used first (the viewer's label filter). */
  async labels(): Promise<ReadonlyArray<{ name: string; count: number }>> {
    return relationsOf(await this.deps.store.snapshot()).labelCounts();
  }

  async get(ids: readonly string[]): Promise<{ items: ItemWithDependencies[]; not_found: string[] }> {
    const snapshot = await this.deps.store.snapshot();
    const relations = relationsOf(snapshot);
    const items: ItemWithDependencies[] = [];
    const missing: string[] = [];
    for (const raw of ids) {
      const id = normalizeId(raw)?.id;
      const item = id ? await this.deps.store.get(id) : undefined;
      if (!item) {
        missing.push(raw);
        continue;
      }
      const withDeps: ItemWithDependencies = { ...item };
      const waitsOn = (item.blocked_by ?? []).flatMap((b) => {
        const blocker = snapshot.byId.get(b);
        return blocker ? [toRef(blocker)] : [];
      });
      const blocking = relations.dependentsOf(item.id).map(toRef);
      if (waitsOn.length) withDeps.waits_on = waitsOn;
      if (blocking.length) withDeps.blocking = blocking;
      items.push(withDeps);
    }
    return { items, not_found: missing };
  }

  async create(input: CreateInput, actor: Actor): Promise<Item> {
    const type = input.type ?? 'task';
    const title = requireTitle('title', input.title);
    const description = (await this.bodyFrom(input)) ?? '';
    const labels = input.labels?.length ? requireLabels('labels', input.labels) : [];
    return this.writes.run(async () => {
      const fields = await this.resolveRelations(input, type, undefined);
      const { byId } = await this.deps.store.snapshot();
      const blockedBy = input.blocked_by?.length ? checkBlockers(undefined, input.blocked_by, byId) : [];
      const at = this.timestamp();
      const item = await this.deps.store.create(type, (id) => ({
        id,
        type,
        title,
        status: 'open',
        description,
        ...fields,
        ...(input.references?.length ? { references: input.references } : {}),
        ...(blockedBy.length ? { blocked_by: blockedBy } : {}),
        ...(input.priority ? { priority: input.priority } : {}),
        ...(labels.length ? { labels } : {}),
        version: 1,
        created_at: at,
        updated_at: at,
      }));
      await this.afterWrite(
        { kind: 'created', id: item.id, item, tool: actor.tool, actor: actor.name, at },
        {
          at,
          tool: actor.tool,
          action: 'created',
          id: item.id,
          actor: actor.name,
          summary: `${item.type} "${item.title}"`,
        },
      );
      return item;
    });
  }

  async update(rawId: string, patch: UpdatePatch, actor: Actor): Promise<{ item: Item; changed: string[] }> {
    const id = requireId('id', rawId);
    const description = await this.bodyFrom(patch);
    return this.writes.run(async () => {
      const current = await this.requireItem('id', id);
      checkVersion('if_version', current, patch.if_version);
      const next: Item = { ...current };
      if (patch.title !== undefined) next.title = requireTitle('title', patch.title);
      if (patch.status !== undefined) next.status = patch.status;
      if (description !== undefined) next.description = description;
      const resolved: Partial<Item> = await this.resolveRelations(patch, current.type, current.id);
      if (patch.blocked_by?.length) {
        resolved.blocked_by = checkBlockers(id, patch.blocked_by, (await this.deps.store.snapshot()).byId);
      }
      const values: UpdatePatch = { ...patch, labels: applyLabels(current.labels, patch) };
      const fields = next as unknown as Record<string, unknown>;
      for (const field of OPTIONAL_FIELDS) {
        const value = values[field];
        if (value === undefined) continue;
        // Empty lists are stored as absent, so files stay tidy and "cleared" has one spelling.
        if (value === null || (Array.isArray(value) && value.length === 0)) delete fields[field];
        else fields[field] = resolved[field] ?? value;
      }
      const agent = claimant(actor, patch.agent);
      const { overrode } = applyClaim(current, next, {
        claim: patch.claim,
        agent,
        status: patch.status,
        force: patch.force,
        now: this.now(),
        leaseMs: this.deps.leaseMs ?? DEFAULT_LEASE_MS,
      });
      const changed = changedFields(current, next);
      if (changed.length === 0) return { item: current, changed };
      const at = this.timestamp();
      next.updated_at = at;
      next.version = current.version + 1;
      await this.deps.store.save(next);
      // The journal names who acted: an agent that named itself, else the client.
      const who = patch.agent?.trim() || actor.name;
      const summary = updateSummary(current, next, changed, overrode);
      await this.afterWrite(
        { kind: 'updated', id, item: next, fields: changed, tool: actor.tool, actor: who, at },
        { at, tool: actor.tool, action: 'updated', id, fields: changed, actor: who, summary, overrode },
      );
      return { item: next, changed };
    });
  }

  async delete(rawId: string, actor: Actor): Promise<void> {
    const id = requireId('id', rawId);
    await this.writes.run(async () => {
      const item = await this.requireItem('id', id);
      const children = relationsOf(await this.deps.store.snapshot()).childrenOf(id);
      if (children.length > 0) {
        const shown = children
          .slice(0, 5)
          .map((child) => child.id)
          .join(', ');
        throw conflict(
          `id: ${id} still contains ${children.length} item(s) (${shown}${children.length > 5 ? ', …' : ''}). ` +
            'Move them elsewhere (backlog_update parent_id/epic_id) or delete them first.',
          'id',
        );
      }
      await this.deps.store.remove(id);
      const at = this.timestamp();
      await this.afterWrite(
        { kind: 'deleted', id, tool: actor.tool, actor: actor.name, at },
        { at, tool: actor.tool, action: 'deleted', id, actor: actor.name, summary: `${item.type} "${item.title}"` },
      );
    });
  }

  async search(request: SearchRequest): Promise<SearchResult> {
    const query = request.query.trim();
    if (!query) throw invalid('query', 'a non-empty search text', request.query);
    const { byId } = await this.deps.store.snapshot();
    const types = request.types?.length ? new Set(request.types) : undefined;
    const statuses = request.status?.length ? new Set(request.status) : undefined;
    // No scope, no filter: every indexed item is in the snapshot, and a missing one is skipped below.
    const filter =
      types || statuses
        ? (id: string): boolean => {
            const item = byId.get(id);
            return !!item && (!types || types.has(item.type)) && (!statuses || statuses.has(item.status));
          }
        : undefined;
    const limit = request.limit ?? LIMITS.searchLimitDefault;
    // Ask for every relevant hit, so `total` is honest and `recent` re-orders the same set.
    const { hits, total } = await this.deps.search.search(query, { limit: Number.MAX_SAFE_INTEGER, filter });
    const ordered =
      request.sort === 'recent' ? [...hits].sort((a, b) => compareRecent(byId.get(a.id), byId.get(b.id))) : hits;
    const results = ordered.slice(0, limit).flatMap((hit) => {
      const item = byId.get(hit.id);
      if (!item) return [];
      const entry: SearchResultEntry = {
        ...toStub(item),
        score: round(hit.score),
        snippet: makeSnippet(snippetSource(item, hit.matched_fields), hit.terms),
        matched_fields: hit.matched_fields,
      };
      if (request.include_content) entry.description = item.description;
      return [entry];
    });
    return { results, total, search_mode: this.deps.search.mode };
  }

  async context(request: ContextRequest): Promise<TaskContext> {
    const focal = await this.findFocal(request);
    const snapshot = await this.deps.store.snapshot();
    const { byId } = snapshot;
    const activity = await this.deps.journal.recent({ id: focal.id, limit: LIMITS.activityLimit });
    const related = request.include_related === false ? [] : await this.related(focal, byId);
    return buildContext({
      focal,
      relations: relationsOf(snapshot),
      lookup: (id) => byId.get(id),
      depth: request.depth ?? 1,
      full: request.include_content === true,
      activity,
      related,
    });
  }

  async recentActivity(options: { id?: string; limit: number }): Promise<ActivityEntry[]> {
    return this.deps.journal.recent(options);
  }

  /** Reads an item (as its Markdown file) or a document, by its mcp://backlog URI. */
  async readResource(uri: string): Promise<{ text: string; id?: string }> {
    const target = parseResourceUri(uri);
    if (target.kind === 'item') {
      const item = await this.requireItem('uri', target.id);
      return { text: item.description, id: item.id };
    }
    const text = await this.deps.store.readDocument(target.path);
    if (text === undefined)
      throw notFound('uri', target.path, 'Documents are files under resources/ in the data folder.');
    return { text };
  }

  async editResource(uri: string, operation: EditOperation, actor: Actor, ifVersion?: number): Promise<EditResult> {
    const target = parseResourceUri(uri);
    return this.writes.run(async () => {
      const at = this.timestamp();
      if (target.kind === 'item') {
        const current = await this.requireItem('uri', target.id);
        checkVersion('if_version', current, ifVersion);
        const description = requireNoConflictMarkers('operation.new_str', applyEdit(current.description, operation));
        if (utf8Length(description) > LIMITS.descriptionBytes) {
          throw invalid(
            'operation.new_str',
            `a result under ${LIMITS.descriptionBytes} bytes`,
            `${description.length} characters`,
          );
        }
        const next: Item = { ...current, description, updated_at: at, version: current.version + 1 };
        await this.deps.store.save(next);
        await this.afterWrite(
          {
            kind: 'updated',
            id: next.id,
            item: next,
            fields: ['description'],
            tool: actor.tool,
            actor: actor.name,
            at,
          },
          {
            at,
            tool: actor.tool,
            action: 'edited',
            id: next.id,
            fields: ['description'],
            actor: actor.name,
            summary: operation.type,
          },
        );
        return {
          uri,
          id: next.id,
          version: next.version,
          message: `${operation.type} applied to the body of ${next.id}`,
        };
      }
      const content = await this.deps.store.readDocument(target.path);
      if (content === undefined) {
        throw notFound(
          'uri',
          target.path,
          'write_resource edits existing files only; create items with backlog_create.',
        );
      }
      await this.deps.store.writeDocument(target.path, applyEdit(content, operation));
      await this.afterWrite(
        { kind: 'resource_changed', uri, tool: actor.tool, actor: actor.name, at },
        { at, tool: actor.tool, action: 'edited', uri, actor: actor.name, summary: operation.type },
      );
      return { uri, message: `${operation.type} applied to resources/${target.path}` };
    });
  }

  private async related(focal: Item, byId: ReadonlyMap<string, Item>): Promise<RelatedItem[]> {
    const hits = await this.deps.search.related(focal, { limit: 5, filter: (id) => id !== focal.id });
    return hits.flatMap((hit) => {
      const item = byId.get(hit.id);
      return item ? [{ ...toRef(item), score: round(hit.score) }] : [];
    });
  }

  private async findFocal(request: ContextRequest): Promise<Item> {
    if (request.task_id) return this.requireItem('task_id', requireId('task_id', request.task_id));
    const query = request.query?.trim();
    if (!query) throw invalid('task_id', 'a task_id, or a query describing the task', request.task_id);
    const [hit] = (await this.deps.search.search(query, { limit: 1 })).hits;
    const item = hit ? await this.deps.store.get(hit.id) : undefined;
    if (!item) throw new BacklogError('not_found', `query: no item matches ${JSON.stringify(query)}.`, 'query');
    return item;
  }

  private async requireItem(field: string, id: string): Promise<Item> {
    const item = await this.deps.store.get(id);
    if (!item) throw notFound(field, id, 'Use backlog_list or backlog_search to find existing IDs.');
    return item;
  }

  /** Canonicalises and checks epic_id / parent_id / due_date before anything is written. */
  private async resolveRelations(
    input: { epic_id?: string | null; parent_id?: string | null; due_date?: string | null },
    type: EntityType,
    ownId: string | undefined,
  ): Promise<Partial<Pick<Item, 'epic_id' | 'parent_id' | 'due_date'>>> {
    const lookup = (id: string): Promise<Item | undefined> => this.deps.store.get(id);
    const out: Partial<Pick<Item, 'epic_id' | 'parent_id' | 'due_date'>> = {};
    if (typeof input.epic_id === 'string') {
      out.epic_id = requireId('epic_id', input.epic_id);
      await checkEpic(out.epic_id, type, lookup);
    }
    if (typeof input.parent_id === 'string') {
      out.parent_id = requireId('parent_id', input.parent_id);
      await checkParent(out.parent_id, ownId, lookup);
    }
    if (typeof input.due_date === 'string') out.due_date = requireDate('due_date', input.due_date);
    return out;
  }

  /** The body a create or update asks for: `description`, or the file at `source_path`; never both. */
  private async bodyFrom(input: { description?: string | null; source_path?: string }): Promise<string | undefined> {
    if (input.description !== undefined && input.source_path !== undefined) {
      throw invalid('source_path', 'either description or source_path, not both', input.source_path);
    }
    if (input.source_path !== undefined) {
      return requireNoConflictMarkers('source_path', await this.readSource(input.source_path));
    }
    if (input.description === undefined) return undefined;
    return requireNoConflictMarkers('description', input.description ?? '');
  }

  private async readSource(path: string): Promise<string> {
    if (!this.deps.readSource) {
      throw unavailable(
        'source_path: reading local files is not available on this server; pass description instead.',
        'source_path',
      );
    }
    return this.deps.readSource(path);
  }

  private async afterWrite(event: ChangeEvent, entry: ActivityEntry): Promise<void> {
    // In order and awaited: a search right after a write must see it.
    if (event.kind === 'created' || event.kind === 'updated') await this.deps.search.upsert(event.item);
    if (event.kind === 'deleted') await this.deps.search.remove(event.id);
    await this.deps.journal.append(stripUndefined(entry));
    this.events.emit(event);
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}

/** A stale if_version fails with the current version, so the agent can re-read and retry. */
function checkVersion(field: string, current: Item, expected: number | undefined): void {
  if (expected === undefined || expected === current.version) return;
  throw conflict(
    `${field}: ${current.id} is at version ${current.version}, not ${expected}; someone changed it since you read it. ` +
      'Re-read it (backlog_get) and retry with the new version.',
    field,
  );
}

function updateSummary(
  before: Item,
  after: Item,
  changed: readonly string[],
  overrode: string | undefined,
): string | undefined {
  const status = changed.includes('status') ? `status → ${after.status}` : undefined;
  const forced = overrode ? `forced over ${overrode}'s claim` : undefined;
  let claim: string | undefined;
  if (after.assignee && after.assignee !== before.assignee) claim = `claimed by ${after.assignee}`;
  // Finishing ends a claim silently; anything else that drops the holder is a release.
  else if (!after.assignee && before.assignee && !isFinished(after.status)) claim = `released by ${before.assignee}`;
  const parts = [claim, status, forced].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * Between two writes every list over the same filter has the same answer: keep a
 * few per snapshot, so agents polling the backlog do not rescan 10,000 items each time.
 */
const listMemo = new WeakMap<Snapshot, Map<string, ReturnType<typeof filterItems>>>();

const readyMemo = new WeakMap<readonly Item[], Item[]>();

/**
 * Leaf work whose blockers are all resolved, in pick order: tasks with no active subtasks
 * (epics, folders, milestones and artifacts are never work to pick). Remembered per memoised
 * list (so per snapshot): only the time-dependent lease check is left for each call.
 */
function unblockedInOrder(matches: readonly Item[], snapshot: Snapshot): Item[] {
  let ready = readyMemo.get(matches);
  if (!ready) {
    const relations = relationsOf(snapshot);
    const leaf = (item: Item) => !relations.childrenOf(item.id).some((child) => isActive(child.status));
    ready = matches
      .filter((item) => item.type === 'task' && leaf(item) && blockersResolved(item, snapshot.byId))
      .sort(readyOrder);
    readyMemo.set(matches, ready);
  }
  return ready;
}

function memoFilter(snapshot: Snapshot, filter: ListFilter, wantCounts: boolean): ReturnType<typeof filterItems> {
  if (filter.query) return filterItems(snapshot.items, filter, wantCounts);
  const key = JSON.stringify([filter.status, filter.type, filter.epic_id, filter.parent_id, filter.labels, wantCounts]);
  let memo = listMemo.get(snapshot);
  if (!memo) {
    memo = new Map();
    listMemo.set(snapshot, memo);
  }
  let result = memo.get(key);
  if (!result) {
    result = filterItems(snapshot.items, filter, wantCounts);
    if (memo.size < 32) memo.set(key, result);
  }
  return result; // callers derive new arrays (filter, slice); the memo is never mutated
}

function changedFields(before: Item, after: Item): string[] {
  const keys = ['title', 'status', 'description', ...OPTIONAL_FIELDS, 'assignee', 'lease_until'] as const;
  return keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}

function isFinished(status: Status): boolean {
  return status === 'done' || status === 'cancelled';
}

function compareRecent(a: Item | undefined, b: Item | undefined): number {
  return (b?.updated_at ?? '').localeCompare(a?.updated_at ?? '');
}

function snippetSource(item: Item, fields: readonly string[]): string {
  if (fields.includes('description') || !fields.includes('title')) return item.description || item.title;
  return item.title;
}

function round(score: number): number {
  return Math.round(score * 1000) / 1000;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
