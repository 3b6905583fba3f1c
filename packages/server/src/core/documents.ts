import type { Item } from '@backlog-mcp/shared';
import type { Actor } from './activity.js';
import { type BacklogCore, checkVersion, requireItem, timestamp } from './backlog-core.js';
import { recordWrite } from './change-feed.js';
import { invalid, notFound } from './errors.js';
import { LIMITS, utf8Length } from './limits.js';
import { requireNoConflictMarkers } from './rules.js';
import { applyEdit, type EditOperation } from './text-edit.js';
import { parseResourceUri } from './uri.js';

export interface EditResult {
  uri: string;
  id?: string;
  version?: number;
  message: string;
}

/** Reads an item (as its Markdown file) or a document, by its mcp://backlog URI. */
export async function readResource(core: BacklogCore, uri: string): Promise<{ text: string; id?: string }> {
  const target = parseResourceUri(uri);
  if (target.kind === 'item') {
    const item = await requireItem(core, 'uri', target.id);
    return { text: item.description, id: item.id };
  }
  const text = await core.deps.store.readDocument(target.path);
  if (text === undefined)
    throw notFound('uri', target.path, 'Documents are files under resources/ in the data folder.');
  return { text };
}

/** Applies a text edit to an item's body or to a document under resources/, by URI. */
export async function editResource(
  core: BacklogCore,
  uri: string,
  operation: EditOperation,
  actor: Actor,
  ifVersion?: number,
): Promise<EditResult> {
  const target = parseResourceUri(uri);
  return core.writes.run(async () => {
    const edit: Edit = { uri, operation, actor, at: timestamp(core) };
    if (target.kind === 'item') return editItemBody(core, edit, target.id, ifVersion);
    return editDocument(core, edit, target.path);
  });
}

interface Edit {
  uri: string;
  operation: EditOperation;
  actor: Actor;
  at: string;
}

async function editItemBody(core: BacklogCore, edit: Edit, id: string, ifVersion?: number): Promise<EditResult> {
  const { uri, operation, actor, at } = edit;
  const current = await requireItem(core, 'uri', id);
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
  await core.deps.store.save(next);
  await recordWrite(
    core,
    { kind: 'updated', id: next.id, item: next, fields: ['description'], tool: actor.tool, actor: actor.name, at },
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
  return { uri, id: next.id, version: next.version, message: `${operation.type} applied to the body of ${next.id}` };
}

async function editDocument(core: BacklogCore, edit: Edit, path: string): Promise<EditResult> {
  const { uri, operation, actor, at } = edit;
  const content = await core.deps.store.readDocument(path);
  if (content === undefined) {
    throw notFound('uri', path, 'write_resource edits existing files only; create items with backlog_create.');
  }
  await core.deps.store.writeDocument(path, applyEdit(content, operation));
  await recordWrite(
    core,
    { kind: 'resource_changed', uri, tool: actor.tool, actor: actor.name, at },
    { at, tool: actor.tool, action: 'edited', uri, actor: actor.name, summary: operation.type },
  );
  return { uri, message: `${operation.type} applied to resources/${path}` };
}
