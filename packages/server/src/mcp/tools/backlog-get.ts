import { z } from 'zod';
import { LIMITS } from '../../core/limits.js';
import { Id, listOf } from '../inputs.js';
import { GetOutput } from '../outputs.js';
import { itemText } from '../render.js';
import { defineTool } from '../tool.js';

export const backlogGet = defineTool({
  name: 'backlog_get',
  title: 'Get items',
  description: 'Whole items with description, version and dependencies both ways. id: one ID or a list.',
  input: z.object({ id: z.union([Id(), listOf(Id(), LIMITS.batchGetMax)]) }).strict(),
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
