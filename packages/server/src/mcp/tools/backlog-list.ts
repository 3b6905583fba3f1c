import { z } from 'zod';
import { LIMITS } from '../../core/limits.js';
import { refuseCursorAcross } from '../../core/paging.js';
import { bounded, Cursor, Id, Labels, listOf, Query, Scope, Status, Type } from '../inputs.js';
import { ListOutput } from '../outputs.js';
import { count, stubLine, withProject } from '../render.js';
import { defineTool } from '../tool.js';

export const backlogList = defineTool({
  name: 'backlog_list',
  title: 'List items',
  description:
    'Items newest first; default open, in_progress, blocked. ready=true: open unclaimed tasks without open ' +
    'subtasks, blockers done — pick work here, most important first. counts: totals by status/type. ' +
    'Paged: next_cursor→cursor.',
  input: z
    .object({
      ready: z.boolean().optional(),
      status: listOf(Status(), 5).optional(),
      type: Type().optional(),
      epic_id: Id().optional(),
      parent_id: Id().optional(),
      labels: Labels().optional().describe('all of these'),
      query: Query().optional().describe('words in any field'),
      counts: z.boolean().optional(),
      limit: bounded(1, LIMITS.listLimitMax).optional().describe(`default ${LIMITS.listLimitDefault}`),
      cursor: Cursor().optional(),
      scope: Scope(),
    })
    .strict(),
  output: ListOutput,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ scope, ...args }, { backlog, across }) {
    if (scope === 'all') refuseCursorAcross(args.cursor);
    const result = scope === 'all' && across ? await across.list(args) : await backlog.list(args);
    if (scope === 'all') delete result.next_cursor;
    const shown = result.items.length;
    const head = shown < result.total ? `${shown} of ${count(result.total, 'item')}` : count(result.total, 'item');
    const lines = [head, ...result.items.map(withProject(stubLine))];
    if (result.counts) {
      const fmt = (counts: Record<string, number>) =>
        Object.entries(counts)
          .map(([key, n]) => `${key} ${n}`)
          .join(', ');
      lines.push(`by status: ${fmt(result.counts.by_status)}`, `by type: ${fmt(result.counts.by_type)}`);
    }
    // The paging caveat lives here, not in the description: tools/list has a token budget (issue 9).
    if (result.next_cursor) {
      lines.push(
        `… more: cursor=${result.next_cursor} (same filters; an item updated meanwhile moves to the top and may be missed)`,
      );
    }
    return { structured: result, text: lines.join('\n') };
  },
});
