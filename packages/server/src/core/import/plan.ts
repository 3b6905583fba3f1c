import {
  type EntityType,
  FRONT_MATTER_KEYS,
  formatId,
  type Item,
  parseCanonicalId,
  TYPE_PREFIX,
} from '@backlog-mcp/shared';
import type { ImportBatch, ImportedItem, SourceRef } from './imported-item.js';
import { breakBlockerCycles, breakParentCycles, stableJson } from './plan-links.js';

/**
 * From an ImportBatch (items naming each other by their source's IDs) and the backlog as it is,
 * to the exact items to write: which are new (and their IDs), which update an earlier import of
 * the same source item, which are unchanged. Pure: nothing is written here (apply.ts does), so a
 * dry run shows exactly what a real run would do.
 */

export interface ImportUpdate {
  before: Item;
  after: Item;
  fields: string[];
}

export interface ImportPlan {
  creates: Item[];
  updates: ImportUpdate[];
  unchanged: number;
  /** Items imported from this source earlier that it no longer holds: left as they are. */
  notInSource: string[];
  warnings: string[];
}

export interface PlanContext {
  /** The items already in the backlog. */
  items: readonly Item[];
  /** The highest sequence ever used per type (existing files and deleted ones): new IDs go above it. */
  highestSeq: (type: EntityType) => number;
  now: string;
}

/** The front-matter key that remembers where an imported item came from. */
export const SOURCE_KEY = 'source';

export function sourceKey(ref: { system: string; id: string }): string {
  return `${ref.system}\u0000${ref.id}`;
}

/** The source an existing item was imported from, if any (a hand-edited file may hold anything). */
export function sourceOf(item: Item): SourceRef | undefined {
  const raw = item.extra?.[SOURCE_KEY];
  if (!raw || typeof raw !== 'object') return undefined;
  const { system, id, url } = raw as Record<string, unknown>;
  if (typeof system !== 'string' || typeof id !== 'string') return undefined;
  return { system, id, ...(typeof url === 'string' ? { url } : {}) } as SourceRef;
}

export function planImport(batch: ImportBatch, context: PlanContext): ImportPlan {
  const warnings = [...batch.warnings];
  const items = dedupeSources(batch.items, warnings);
  const existing = new Map<string, Item>();
  for (const item of context.items) {
    const source = sourceOf(item);
    if (source) existing.set(sourceKey(source), item);
  }
  const ids = assignIds(items, existing, context);
  const built = items.map((imported) => buildItem(imported, ids, existing, context, warnings));
  const byId = new Map<string, Item>(context.items.map((item) => [item.id, item]));
  for (const item of built) byId.set(item.id, item);
  breakParentCycles(built, byId, warnings);
  breakBlockerCycles(built, byId, warnings);
  return sortOut(batch, built, existing, context.now, warnings);
}

/** The same source item twice in one batch: the last one wins, as a later line in a file would. */
function dedupeSources(items: readonly ImportedItem[], warnings: string[]): ImportedItem[] {
  const last = new Map<string, ImportedItem>();
  for (const item of items) {
    const key = sourceKey(item.source);
    if (last.has(key))
      warnings.push(`${item.source.id}: appears more than once in the source; the last one is imported.`);
    last.set(key, item);
  }
  return [...last.values()];
}

/**
 * The target ID of every source item: the item an earlier import made, else its preferred ID when
 * that ID was never used here (our own exports keep their IDs), else the next free one of its type.
 */
function assignIds(items: readonly ImportedItem[], existing: ReadonlyMap<string, Item>, context: PlanContext) {
  const ids = new Map<string, string>();
  const taken = new Set(context.items.map((item) => item.id));
  const next = new Map<EntityType, number>();
  const fresh: ImportedItem[] = [];
  for (const item of items) {
    const earlier = existing.get(sourceKey(item.source));
    if (earlier) {
      ids.set(sourceKey(item.source), earlier.id);
      continue;
    }
    const preferred = item.preferredId ? parseCanonicalId(item.preferredId) : undefined;
    const usable =
      preferred &&
      preferred.type === item.type &&
      preferred.seq > context.highestSeq(item.type) &&
      !taken.has(preferred.id);
    if (!usable || !preferred) {
      fresh.push(item);
      continue;
    }
    ids.set(sourceKey(item.source), preferred.id);
    taken.add(preferred.id);
    next.set(item.type, Math.max(next.get(item.type) ?? 0, preferred.seq));
  }
  for (const item of fresh) {
    const seq = Math.max(next.get(item.type) ?? 0, context.highestSeq(item.type)) + 1;
    next.set(item.type, seq);
    ids.set(sourceKey(item.source), formatId(item.type, seq));
  }
  return ids;
}

function buildItem(
  imported: ImportedItem,
  ids: ReadonlyMap<string, string>,
  existing: ReadonlyMap<string, Item>,
  context: PlanContext,
  warnings: string[],
): Item {
  const key = sourceKey(imported.source);
  const id = ids.get(key) as string;
  const earlier = existing.get(key);
  const link = (field: string, sourceId: string | undefined): string | undefined => {
    if (sourceId === undefined) return undefined;
    const target = ids.get(sourceKey({ system: imported.source.system, id: sourceId }));
    if (!target)
      warnings.push(`${imported.source.id}: ${field} ${sourceId} is not in the source; the link is dropped.`);
    return target;
  };
  const item: Item = {
    id,
    type: imported.type,
    title: imported.title,
    status: imported.status,
    description: imported.description,
    version: earlier ? earlier.version + 1 : 1,
    created_at: imported.created_at ?? earlier?.created_at ?? context.now,
    // A source without times (Task Master, a milestone from GitHub) keeps the first import's.
    updated_at: imported.updated_at ?? imported.created_at ?? earlier?.updated_at ?? context.now,
  };
  setLinks(item, imported, link, warnings);
  copyFields(item, imported);
  // Claims are this backlog's own state: an update from the source never takes one away.
  const claim = earlier?.assignee ? earlier : imported;
  if (claim.assignee) item.assignee = claim.assignee;
  if (claim.assignee && claim.lease_until) item.lease_until = claim.lease_until;
  const { [SOURCE_KEY]: _ignored, ...extra } = { ...earlier?.extra, ...keptExtra(imported.extra) };
  item.extra = { ...extra, [SOURCE_KEY]: { ...imported.source } };
  return item;
}

/** Front-matter keys of our own, and the body's: an extra key by one of these names would be lost on write. */
const OWN_KEYS: ReadonlySet<string> = new Set([...FRONT_MATTER_KEYS, 'description']);

/** The source's extra fields, with any that shadow one of ours kept as `original_<key>` (a doc's own `type`). */
function keptExtra(extra: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(extra ?? {})) out[OWN_KEYS.has(key) ? `original_${key}` : key] = value;
  return out;
}

type Link = (field: string, sourceId: string | undefined) => string | undefined;

function setLinks(item: Item, imported: ImportedItem, link: Link, warnings: string[]): void {
  const parent = link('parent', imported.parent);
  if (parent && parent !== item.id) item.parent_id = parent;
  const epic = link('epic', imported.epic);
  if (epic && epic !== item.id) {
    if (epic.startsWith(`${TYPE_PREFIX.epic}-`)) item.epic_id = epic;
    else warnings.push(`${imported.source.id}: epic ${imported.epic} is not an epic here; the link is dropped.`);
  }
  const blockers = new Set<string>();
  for (const sourceId of imported.blocked_by ?? []) {
    const target = link('blocked_by', sourceId);
    if (target && target !== item.id) blockers.add(target);
  }
  if (blockers.size) item.blocked_by = [...blockers];
}

function copyFields(item: Item, imported: ImportedItem): void {
  if (imported.priority) item.priority = imported.priority;
  if (imported.labels?.length) item.labels = [...imported.labels];
  if (imported.due_date) item.due_date = imported.due_date;
  if (imported.references?.length) item.references = imported.references.map((r) => ({ ...r }));
  if (imported.evidence?.length) item.evidence = [...imported.evidence];
  if (imported.blocked_reason?.length) item.blocked_reason = [...imported.blocked_reason];
}

function sortOut(
  batch: ImportBatch,
  built: Item[],
  existing: ReadonlyMap<string, Item>,
  now: string,
  warnings: string[],
): ImportPlan {
  const plan: ImportPlan = { creates: [], updates: [], unchanged: 0, notInSource: [], warnings };
  const seen = new Set<string>();
  for (const item of built) {
    const source = sourceOf(item) as SourceRef;
    seen.add(sourceKey(source));
    const before = existing.get(sourceKey(source));
    if (!before) {
      plan.creates.push(item);
      continue;
    }
    const fields = changedFields(before, item);
    if (fields.length === 0) plan.unchanged++;
    else plan.updates.push({ before, after: { ...item, updated_at: item.updated_at ?? now }, fields });
  }
  for (const [key, item] of existing) {
    if (key.startsWith(`${batch.system}\u0000`) && !seen.has(key)) plan.notInSource.push(item.id);
  }
  return plan;
}

const COMPARED: readonly (keyof Item)[] = [
  'type',
  'title',
  'status',
  'description',
  'epic_id',
  'parent_id',
  'references',
  'evidence',
  'blocked_reason',
  'due_date',
  'blocked_by',
  'priority',
  'labels',
  'created_at',
  'updated_at',
  'extra',
];

/** The fields an update would change; the version and a claim are not the source's to compare. */
export function changedFields(before: Item, after: Item): string[] {
  return COMPARED.filter((key) => stableJson(before[key] ?? null) !== stableJson(after[key] ?? null));
}
