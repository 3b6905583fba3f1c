import { z } from 'zod';
import {
  Description,
  Id,
  Ids,
  IsoDate,
  Labels,
  listOf,
  Priority,
  References,
  Status,
  TextEntry,
  Title,
} from '../inputs.js';
import { UpdateOutput } from '../outputs.js';
import { defineTool } from '../tool.js';

export const backlogUpdate = defineTool({
  name: 'backlog_update',
  title: 'Update an item',
  description:
    'Change fields; null clears; lists replace; add_labels/remove_labels edit. claim=true: in_progress, ' +
    '30-min lease → evidence + status=done ends it; claim=false releases. Only the holder may change status ' +
    'or claim; force=true overrides (journaled). agent: a stable name for you. if_version: fail if changed.',
  input: z
    .object({
      id: Id(),
      claim: z.boolean().optional(),
      agent: Id().optional().describe('default: client#session'),
      force: z.boolean().optional(),
      if_version: z.number().int().optional(),
      status: Status().optional(),
      title: Title().optional(),
      description: Description().nullable().optional(),
      evidence: listOf(TextEntry()).nullable().optional(),
      blocked_reason: listOf(TextEntry()).nullable().optional(),
      blocked_by: Ids().nullable().optional(),
      priority: Priority().nullable().optional(),
      labels: Labels().nullable().optional(),
      add_labels: Labels().optional(),
      remove_labels: Labels().optional(),
      epic_id: Id().nullable().optional(),
      parent_id: Id().nullable().optional(),
      references: References().nullable().optional(),
      due_date: IsoDate().nullable().optional(),
      source_path: z.string().min(1).optional(),
    })
    .strict(),
  output: UpdateOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { backlog, actor }) {
    const { id, ...patch } = args;
    const { item, changed } = await backlog.update(id, patch, actor('backlog_update'));
    const holder = item.assignee && item.lease_until ? `; held by ${item.assignee} until ${item.lease_until}` : '';
    const text = changed.length
      ? `Updated ${item.id} (v${item.version}): ${changed.join(', ')}${holder}`
      : `No change to ${item.id} (v${item.version})`;
    return { structured: { id: item.id, item, changed }, text };
  },
});
