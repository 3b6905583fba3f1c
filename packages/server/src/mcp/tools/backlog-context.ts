import type { ItemStub } from '@backlog-mcp/shared';
import { z } from 'zod';
import { Id, Query } from '../inputs.js';
import { ContextOutput } from '../outputs.js';
import { activityLine, itemText, stubLine } from '../render.js';
import { defineTool } from '../tool.js';

export const backlogContext = defineTool({
  name: 'backlog_context',
  title: 'Full context of an item',
  description:
    'Everything around one item in one call: parent and epic, children, siblings, references both ways, ' +
    'recent activity and related items. Give task_id, or query to find the item by description. ' +
    'depth=2 adds grandparents and grandchildren.',
  input: z
    .object({
      task_id: Id().optional(),
      query: Query().optional(),
      depth: z.number().int().min(1).max(2).optional(),
      include_related: z.boolean().optional(),
    })
    .strict(),
  output: ContextOutput,
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run(args, { backlog }) {
    const context = await backlog.context({ ...args, depth: args.depth === 2 ? 2 : 1 });
    const section = (name: string, stubs: readonly ItemStub[] | undefined) =>
      stubs?.length ? [`${name}:`, ...stubs.map((s) => `  ${stubLine(s)}`)] : [];
    const lines = [
      itemText(context.focal),
      '',
      ...(context.parent ? [`parent: ${stubLine(context.parent)}`] : []),
      ...(context.epic ? [`epic: ${stubLine(context.epic)}`] : []),
      ...section('ancestors', context.ancestors),
      ...section('children', context.children),
      ...section('descendants', context.descendants),
      ...section('siblings', context.siblings),
      ...(context.references.length
        ? ['references:', ...context.references.map((r) => `  ${r.id ?? r.url}${r.title ? ` ${r.title}` : ''}`)]
        : []),
      ...section('referenced by', context.referenced_by),
      ...section('related', context.related),
      ...(context.activity.length ? ['activity:', ...context.activity.map((a) => `  ${activityLine(a)}`)] : []),
    ];
    return { structured: context, text: lines.join('\n') };
  },
});
