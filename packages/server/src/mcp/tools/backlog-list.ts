import { z } from 'zod';
import { LIMITS } from '../../core/limits.js';
import { Id, listOf, Query, Status, Type } from '../inputs.js';
import { ListOutput } from '../outputs.js';
import { stubLine } from '../render.js';
import { defineTool } from '../tool.js';

export const backlogList = defineTool({
  name: 'backlog_list',
  title: 'List backlog items',
  description:
    'List items, newest update first. Default: active items (open, in_progress, blocked). ' +
    'Filter by status (list), type, epic_id, parent_id, query (words matched in any field). ' +
    'counts=true adds totals by status and type for the same scope, ignoring the status/type filters.',
  input: z
    .object({
      status: listOf(Status(), 5).optional().describe('Statuses to include; default open, in_progress, blocked'),
      type: Type().optional(),
      epic_id: Id().optional(),
      parent_id: Id().optional(),
      query: Query().optional(),
      counts: z.boolean().optional(),
      limit: z.number().int().min(1).max(LIMITS.listLimitMax).optional().describe(`Default ${LIMITS.listLimitDefault}`),
    })
    .strict(),
  output: ListOutput,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, { backlog }) {
    const result = await backlog.list(args);
    const shown = result.items.length;
    const head = shown < result.total ? `${shown} of ${result.total} items` : `${result.total} items`;
    const lines = [head, ...result.items.map(stubLine)];
    if (result.counts) {
      const fmt = (counts: Record<string, number>) =>
        Object.entries(counts)
          .map(([key, n]) => `${key} ${n}`)
          .join(', ');
      lines.push(`by status: ${fmt(result.counts.by_status)}`, `by type: ${fmt(result.counts.by_type)}`);
    }
    return { structured: result, text: lines.join('\n') };
  },
});
