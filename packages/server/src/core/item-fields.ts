import type { EntityType, Item, Priority, Reference, Status } from '@backlog-mcp/shared';
import type { BacklogCore } from './backlog-core.js';
import { checkBlockers } from './dependencies.js';
import { invalid, unavailable } from './errors.js';
import { applyLabels } from './labels.js';
import { checkEpic, checkParent, requireDate, requireId, requireNoConflictMarkers, requireTitle } from './rules.js';

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

type RelationFields = Partial<Pick<Item, 'epic_id' | 'parent_id' | 'due_date'>>;

/** Canonicalises and checks epic_id / parent_id / due_date before anything is written. */
export async function resolveRelations(
  core: BacklogCore,
  input: { epic_id?: string | null; parent_id?: string | null; due_date?: string | null },
  type: EntityType,
  ownId: string | undefined,
): Promise<RelationFields> {
  const lookup = (id: string): Promise<Item | undefined> => core.deps.store.get(id);
  const out: RelationFields = {};
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
export async function bodyFrom(
  core: BacklogCore,
  input: { description?: string | null; source_path?: string },
): Promise<string | undefined> {
  if (input.description !== undefined && input.source_path !== undefined) {
    throw invalid('source_path', 'either description or source_path, not both', input.source_path);
  }
  if (input.source_path !== undefined) {
    return requireNoConflictMarkers('source_path', await readSource(core, input.source_path));
  }
  if (input.description === undefined) return undefined;
  return requireNoConflictMarkers('description', input.description ?? '');
}

async function readSource(core: BacklogCore, path: string): Promise<string> {
  if (!core.deps.readSource) {
    throw unavailable(
      'source_path: reading local files is not available on this server; pass description instead.',
      'source_path',
    );
  }
  return core.deps.readSource(path);
}

/**
 * `current` with the patch's own fields applied and checked (title, status, body, relations,
 * blockers, labels); claims and versions are the caller's. Call inside the write lock.
 */
export async function patchedItem(
  core: BacklogCore,
  current: Item,
  patch: UpdatePatch,
  description: string | undefined,
): Promise<Item> {
  const next: Item = { ...current };
  if (patch.title !== undefined) next.title = requireTitle('title', patch.title);
  if (patch.status !== undefined) next.status = patch.status;
  if (description !== undefined) next.description = description;
  const resolved: Partial<Item> = await resolveRelations(core, patch, current.type, current.id);
  if (patch.blocked_by?.length) {
    const { byId } = await core.deps.store.snapshot();
    resolved.blocked_by = checkBlockers(current.id, patch.blocked_by, byId, current.blocked_by);
  }
  const values: UpdatePatch = { ...patch, labels: applyLabels(current.labels, patch) };
  const fields = next as unknown as Record<string, unknown>;
  for (const field of OPTIONAL_FIELDS) {
    const value = values[field];
    if (value === undefined) continue;
    // Empty lists are stored as absent, so files stay tidy and "cleared" has one spelling.
    const final = resolved[field] ?? value;
    if (final === null || (Array.isArray(final) && final.length === 0)) delete fields[field];
    else fields[field] = final;
  }
  return next;
}

export function changedFields(before: Item, after: Item): string[] {
  const keys = ['title', 'status', 'description', ...OPTIONAL_FIELDS, 'assignee', 'lease_until'] as const;
  return keys.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
}

/** The journal's short account of an update: a claim taken or released, the new status, a forced claim. */
export function updateSummary(
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
  else if (!after.assignee && before.assignee && !isFinished(after.status)) {
    const lapsed = before.lease_until !== undefined && Date.parse(before.lease_until) <= Date.parse(after.updated_at);
    claim = lapsed ? `${before.assignee}'s claim had lapsed` : `released by ${before.assignee}`;
  }
  const parts = [claim, status, forced].filter(Boolean);
  return parts.length ? parts.join('; ') : undefined;
}

function isFinished(status: Status): boolean {
  return status === 'done' || status === 'cancelled';
}
