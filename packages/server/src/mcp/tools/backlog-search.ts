import { z } from 'zod';
import { LIMITS } from '../../core/limits.js';
import { refuseCursorAcross } from '../../core/paging.js';
import { bounded, Cursor, listOf, Query, Scope, Status, Type } from '../inputs.js';
import { SearchOutput } from '../outputs.js';
import { count, withProject } from '../render.js';
import { defineTool } from '../tool.js';

export const backlogSearch = defineTool({
  name: 'backlog_search',
  title: 'Search',
  description:
    'Ranked search (words and meaning), all statuses unless status given; snippets. sort=recent: newest ' +
    'first. include_content: whole descriptions. Paged: next_cursor→cursor.',
  input: z
    .object({
      query: Query(),
      types: listOf(Type(), 5).optional(),
      status: listOf(Status(), 5).optional(),
      limit: bounded(1, LIMITS.searchLimitMax).optional().describe(`default ${LIMITS.searchLimitDefault}`),
      sort: z.enum(['relevance', 'recent']).optional(),
      include_content: z.boolean().optional(),
      cursor: Cursor().optional(),
      scope: Scope(),
    })
    .strict(),
  output: SearchOutput,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ scope, ...args }, { backlog, across }) {
    if (scope === 'all') refuseCursorAcross(args.cursor);
    // scope "all" pages nothing (refused above); only here is a ranking kept for later pages.
    const result =
      scope === 'all' && across ? await across.search(args) : await backlog.search({ ...args, paged: scope !== 'all' });
    if (scope === 'all') delete result.next_cursor;
    const lines = [`${count(result.total, 'match', 'matches')} (${result.search_mode} search)`];
    for (const hit of result.results) {
      lines.push(withProject(() => `${hit.id} [${hit.status}] ${hit.title} (score ${hit.score})`)(hit));
      if (hit.snippet && hit.snippet !== hit.title) lines.push(`  ${hit.snippet}`);
    }
    if (result.next_cursor) {
      lines.push(`… more: cursor=${result.next_cursor} (same query and filters; this ranking is kept 15 minutes)`);
    }
    return { structured: result, text: lines.join('\n') };
  },
});
