import { z } from 'zod';
import { LIMITS } from '../../core/limits.js';
import { Id, listOf } from '../inputs.js';
import { GetOutput } from '../outputs.js';
import { itemText } from '../render.js';
import { defineTool } from '../tool.js';

export const backlogGet = defineTool({
  name: 'backlog_get',
  title: 'Get backlog items',
  description: 'Get whole items (all fields and the Markdown description). id: one ID or a list of IDs.',
  input: z
    .object({
      id: z.union([Id(), listOf(Id(), LIMITS.batchGetMax)]).describe('One ID, or a list of IDs'),
    })
    .strict(),
  output: GetOutput,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, { backlog }) {
    const ids = Array.isArray(args.id) ? args.id : [args.id];
    const result = await backlog.get(ids);
    const parts = result.items.map(itemText);
    if (result.not_found.length) parts.push(`Not found: ${result.not_found.join(', ')}`);
    return { structured: result, text: parts.join('\n\n---\n\n') };
  },
});
