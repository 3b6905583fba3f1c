import type { Item } from '@backlog-mcp/shared';
import { type Actor, claimant } from './activity.js';
import { type BacklogCore, checkVersion, requireItem, timestamp } from './backlog-core.js';
import { recordWrite } from './change-feed.js';
import { applyClaim, DEFAULT_LEASE_MS } from './claims.js';
import { checkBlockers } from './dependencies.js';
import { conflict } from './errors.js';
import {
  bodyFrom,
  type CreateInput,
  changedFields,
  patchedItem,
  resolveRelations,
  type UpdatePatch,
  updateSummary,
} from './item-fields.js';
import { requireLabels } from './labels.js';
import { relationsOf } from './relations.js';
import { requireId, requireTitle } from './rules.js';

export async function createItem(core: BacklogCore, input: CreateInput, actor: Actor): Promise<Item> {
  const type = input.type ?? 'task';
  const title = requireTitle('title', input.title);
  const description = (await bodyFrom(core, input)) ?? '';
  const labels = input.labels?.length ? requireLabels('labels', input.labels) : [];
  return core.writes.run(async () => {
    const fields = await resolveRelations(core, input, type, undefined);
    const { byId } = await core.deps.store.snapshot();
    const blockedBy = input.blocked_by?.length ? checkBlockers(undefined, input.blocked_by, byId) : [];
    const at = timestamp(core);
    const item = await core.deps.store.create(type, (id) => ({
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
    await recordWrite(
      core,
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

export async function updateItem(
  core: BacklogCore,
  rawId: string,
  patch: UpdatePatch,
  actor: Actor,
): Promise<{ item: Item; changed: string[] }> {
  const id = requireId('id', rawId);
  const description = await bodyFrom(core, patch);
  return core.writes.run(async () => {
    const current = await requireItem(core, 'id', id);
    checkVersion('if_version', current, patch.if_version);
    const next = await patchedItem(core, current, patch, description);
    const { overrode } = applyClaim(current, next, {
      claim: patch.claim,
      agent: claimant(actor, patch.agent),
      status: patch.status,
      force: patch.force,
      now: core.now(),
      leaseMs: core.deps.leaseMs ?? DEFAULT_LEASE_MS,
    });
    const changed = changedFields(current, next);
    if (changed.length === 0) return { item: current, changed };
    const at = timestamp(core);
    next.updated_at = at;
    next.version = current.version + 1;
    await core.deps.store.save(next);
    // The journal names who acted: an agent that named itself, else the client.
    const who = patch.agent?.trim() || actor.name;
    const summary = updateSummary(current, next, changed, overrode);
    await recordWrite(
      core,
      { kind: 'updated', id, item: next, fields: changed, tool: actor.tool, actor: who, at },
      { at, tool: actor.tool, action: 'updated', id, fields: changed, actor: who, summary, overrode },
    );
    return { item: next, changed };
  });
}

export async function deleteItem(core: BacklogCore, rawId: string, actor: Actor): Promise<void> {
  const id = requireId('id', rawId);
  await core.writes.run(async () => {
    const item = await requireItem(core, 'id', id);
    await refuseIfContainer(core, id);
    await core.deps.store.remove(id);
    const at = timestamp(core);
    await recordWrite(
      core,
      { kind: 'deleted', id, tool: actor.tool, actor: actor.name, at },
      { at, tool: actor.tool, action: 'deleted', id, actor: actor.name, summary: `${item.type} "${item.title}"` },
    );
  });
}

/** An item that still holds others is not deleted: its children would be orphaned. */
async function refuseIfContainer(core: BacklogCore, id: string): Promise<void> {
  const children = relationsOf(await core.deps.store.snapshot()).childrenOf(id);
  if (children.length === 0) return;
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
