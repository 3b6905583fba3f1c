import { z } from 'zod';
import { Description, Id, IsoDate, References, Title, Type } from '../inputs.js';
import { CreateOutput } from '../outputs.js';
import { defineTool } from '../tool.js';

export const backlogCreate = defineTool({
  name: 'backlog_create',
  title: 'Create a backlog item',
  description:
    'Create a task (default), epic, folder, artifact or milestone; it starts open. Returns the new ID. ' +
    'parent_id files it under a task, epic, folder or milestone; epic_id puts it in an epic. ' +
    'source_path reads the description from a local text file instead of description.',
  input: z
    .object({
      title: Title(),
      description: Description().optional(),
      type: Type().optional().describe('Default task'),
      epic_id: Id().optional(),
      parent_id: Id().optional(),
      due_date: IsoDate().optional(),
      references: References().optional(),
      source_path: z.string().min(1).max(4096).optional().describe('Local file whose text becomes the description'),
    })
    .strict(),
  output: CreateOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, { backlog, actor }) {
    const item = await backlog.create(args, actor('backlog_create'));
    return { structured: { id: item.id, item }, text: `Created ${item.id} (${item.type}): ${item.title}` };
  },
});
