import { z } from 'zod';
import { Description, Id, Ids, IsoDate, Labels, Priority, References, Title, Type } from '../inputs.js';
import { CreateOutput } from '../outputs.js';
import { defineTool } from '../tool.js';

export const backlogCreate = defineTool({
  name: 'backlog_create',
  title: 'Create an item',
  description:
    'Create a task (default), epic, folder, artifact or milestone, status open; returns the ID. ' +
    'parent_id: containing task/epic/folder/milestone. blocked_by: IDs that must be done first. ' +
    'source_path: read the description from a local file.',
  input: z
    .object({
      title: Title(),
      description: Description().optional(),
      type: Type().optional(),
      epic_id: Id().optional(),
      parent_id: Id().optional(),
      blocked_by: Ids().optional(),
      priority: Priority().optional(),
      labels: Labels().optional(),
      due_date: IsoDate().optional(),
      references: References().optional(),
      source_path: z.string().min(1).optional(),
    })
    .strict(),
  output: CreateOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { backlog, actor }) {
    const item = await backlog.create(args, actor('backlog_create'));
    return { structured: { id: item.id, item }, text: `Created ${item.id} (${item.type}): ${item.title}` };
  },
});
