import { z } from 'zod';
import { Description, Id, IsoDate, listOf, References, Status, TextEntry, Title } from '../inputs.js';
import { UpdateOutput } from '../outputs.js';
import { defineTool } from '../tool.js';

export const backlogUpdate = defineTool({
  name: 'backlog_update',
  title: 'Update a backlog item',
  description:
    'Change fields of an item. Lists (evidence, blocked_reason, references) replace the old list; ' +
    'null clears a field. Record evidence when you finish work, and blocked_reason when status is blocked.',
  input: z
    .object({
      id: Id(),
      title: Title().optional(),
      description: Description().nullable().optional(),
      status: Status().optional(),
      epic_id: Id().nullable().optional(),
      parent_id: Id().nullable().optional(),
      blocked_reason: listOf(TextEntry()).nullable().optional(),
      evidence: listOf(TextEntry()).nullable().optional(),
      references: References().nullable().optional(),
      due_date: IsoDate().nullable().optional(),
    })
    .strict(),
  output: UpdateOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run(args, { backlog, actor }) {
    const { id, ...patch } = args;
    const { item, changed } = await backlog.update(id, patch, actor('backlog_update'));
    const text = changed.length ? `Updated ${item.id}: ${changed.join(', ')}` : `No change to ${item.id}`;
    return { structured: { id: item.id, item, changed }, text };
  },
});
